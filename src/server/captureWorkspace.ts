// Captures as the language server sees them: a document's folder (going up
// from per-device sub-folders) read from disk with the shared reader (its
// limits and safety rules, see io/captureReader.ts), with the open
// documents' current text in place of what is on disk. One Capture per
// folder, rebuilt when any of its files changes, and forgotten (with the
// parsed files it read) once no open document is in its folder.

import type { FileLineIndex } from '../io/lineIndex';
import type { TraceTimeline } from '../model/traceReplay/timeline';
import { statSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { URI } from 'vscode-uri';
import { parseDump } from '../dumps/registry';
import { LineIndex } from '../dumps/lineIndex';
import { buildCaptureFromParsed } from '../model/buildCapture';
import type { Capture, LeftOutFile, ParsedFile } from '../model/types';
import { ReverseMap } from '../model/reverseMap';
import { captureRootOf, readCapture, SERVER_LIMITS, type ReadFile } from '../io/captureReader';
import { DocumentAnalysis } from './analysis';
import { reparseIncrementally } from './incrementalParse';

export { captureRootOf } from '../io/captureReader';


interface DiskFile {
  mtimeMs: number;
  size: number;
  parsed: ParsedFile;
}

export interface CaptureEntry {
  folder: string;
  capture: Capture;
  /** URI of each file of the capture, by its name in the capture. */
  uris: Map<string, string>;
  /** Built on first use: host page → IOVAs. */
  reverse?: ReverseMap;
}

export function reverseMapOf(entry: CaptureEntry): ReverseMap {
  entry.reverse ??= new ReverseMap(entry.capture);
  return entry.reverse;
}

export class CaptureWorkspace {
  private readonly open = new Map<string, DocumentAnalysis>();
  private readonly disk = new Map<string, DiskFile>();
  private readonly captures = new Map<string, CaptureEntry>();
  /** Documents read by viommu/openLargeFile rather than opened in the editor. */
  readonly largeFiles = new Set<string>();
  /** Of them, those streamed rather than held: their line index (viommu/largeFileLines reads with it). */
  readonly streamedFiles = new Map<string, FileLineIndex>();
  /** Of the streamed traces, their timelines (made while streaming: the events are not kept). */
  readonly streamedTimelines = new Map<string, TraceTimeline>();

  /** Records an open document's analysis; its folder's capture is rebuilt on next use. */
  setDocument(a: DocumentAnalysis): void {
    this.open.set(a.uri, a);
    const folder = this.folderOfUri(a.uri);
    if (folder) this.captures.delete(folder);
  }

  closeDocument(uri: string): void {
    this.largeFiles.delete(uri);
    this.streamedFiles.delete(uri);
    this.streamedTimelines.delete(uri);
    this.open.delete(uri);
    const folder = this.folderOfUri(uri);
    if (folder) {
      this.captures.delete(folder);
      this.evictUnused(folder);
    }
  }

  /** How many documents, folders' captures and parsed disk files are held (for memory checks). */
  cacheSizes(): { documents: number; captures: number; diskFiles: number } {
    return { documents: this.open.size, captures: this.captures.size, diskFiles: this.disk.size };
  }

  document(uri: string): DocumentAnalysis | undefined {
    return this.open.get(uri);
  }

  /** A file of some capture changed on disk (its parse is kept: a grown trace goes on from it; a changed file is seen by its size and time). */
  fileChanged(uri: string): string | undefined {
    const path = fsPathOf(uri);
    if (!path) return undefined;
    try {
      statSync(path);
    } catch {
      this.disk.delete(path); // deleted: its parse is let go
    }
    const folder = captureRootOf(path);
    this.captures.delete(folder);
    return folder;
  }

  /** The capture folder of a document URI (undefined for untitled documents). */
  folderOfUri(uri: string): string | undefined {
    const path = fsPathOf(uri);
    return path ? captureRootOf(path) : undefined;
  }

  /** The capture a document belongs to (for an untitled document, a capture of that document alone). */
  /**
   * The capture a URI names: a capture folder itself, or the folder of a
   * file (an open document or one on disk). The one place the features ask.
   */
  captureFor(uri: string): CaptureEntry | undefined {
    const path = fsPathOf(uri);
    if (path) {
      try {
        if (statSync(path).isDirectory()) return this.captureOfFolder(path);
      } catch {
        // not on disk: an open document
      }
    }
    return this.captureOf(uri);
  }

  captureOf(uri: string): CaptureEntry | undefined {
    const folder = this.folderOfUri(uri);
    if (folder) return this.captureOfFolder(folder);
    const doc = this.open.get(uri);
    if (!doc) return undefined;
    const name = doc.fileName ?? 'untitled';
    return {
      folder: '',
      capture: buildCaptureFromParsed([{ name, lines: doc.lines, parsed: doc.parsed }]),
      uris: new Map([[name, uri]]),
    };
  }

  /** The captures of every open document, one per folder (an untitled document is a capture of its own). */
  openCaptures(): CaptureEntry[] {
    const out: CaptureEntry[] = [];
    const folders = new Set<string>();
    for (const uri of this.open.keys()) {
      const folder = this.folderOfUri(uri);
      if (folder !== undefined && folders.has(folder)) continue;
      if (folder !== undefined) folders.add(folder);
      const entry = this.captureOf(uri);
      if (entry) out.push(entry);
    }
    return out;
  }

  captureOfFolder(folder: string): CaptureEntry {
    const cached = this.captures.get(folder);
    if (cached) return cached;
    const files: ParsedFile[] = [];
    const uris = new Map<string, string>();
    const openHere = new Map<string, DocumentAnalysis>();
    for (const a of this.open.values()) {
      const p = fsPathOf(a.uri);
      if (p && captureRootOf(p) === folder) openHere.set(p, a);
    }
    let read;
    try {
      read = readCapture(folder, SERVER_LIMITS);
    } catch (err) {
      read = { root: folder, files: [], leftOut: [{ name: basename(folder), reason: err instanceof Error ? err.message : String(err) }], nested: [] };
    }
    const leftOut: LeftOutFile[] = [...read.leftOut];
    for (const n of read.nested) leftOut.push({ name: relative(folder, n).split(sep).join('/'), reason: 'another capture folder: it is read on its own, not with this one' });
    for (const f of read.files) {
      const doc = openHere.get(f.path);
      if (doc) {
        files.push({ name: f.name, lines: doc.lines, parsed: doc.parsed });
        uris.set(f.name, doc.uri);
        openHere.delete(f.path);
        continue;
      }
      files.push(this.parsedDisk(f));
      uris.set(f.name, URI.file(f.path).toString());
    }
    // Open documents not read from disk (new, unsaved, or left out there: the editor holds them anyway).
    for (const [path, doc] of openHere) {
      const name = relative(folder, path).split(sep).join('/');
      const i = leftOut.findIndex((l) => l.name === name);
      if (i >= 0) leftOut.splice(i, 1);
      files.push({ name, lines: doc.lines, parsed: doc.parsed });
      uris.set(name, doc.uri);
    }
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entry: CaptureEntry = { folder, capture: buildCaptureFromParsed(files, { leftOut }), uris };
    this.captures.set(folder, entry);
    return entry;
  }

  /** A file read from disk, parsed (once per version of the file: the parse is kept while it does not change). */
  private parsedDisk(f: ReadFile): ParsedFile {
    let mtimeMs = 0;
    let size = -1;
    try {
      const st = statSync(f.path);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch {
      // gone since it was read: parse what was read
    }
    const known = this.disk.get(f.path);
    if (known && known.mtimeMs === mtimeMs && known.size === size && known.parsed.name === f.name) return known.parsed;
    const lines = new LineIndex(f.text);
    // A trace QEMU is still writing: parsed from where the last parse stopped.
    const grown = known?.parsed.parsed?.format === 'qemu_trace' && known.parsed.name === f.name ? reparseIncrementally(known.parsed.parsed, known.parsed.lines, lines, f.name) : undefined;
    const parsed: ParsedFile = { name: f.name, lines, parsed: grown ?? parseDump(f.text, f.name) };
    if (f.converted) parsed.converted = f.converted;
    if (size >= 0) this.disk.set(f.path, { mtimeMs, size, parsed });
    return parsed;
  }

  /** Forgets a folder's capture and the parsed files read for it, once no open document is in it. */
  private evictUnused(folder: string): void {
    for (const a of this.open.values()) {
      const p = fsPathOf(a.uri);
      if (p && captureRootOf(p) === folder) return;
    }
    this.captures.delete(folder);
    for (const path of [...this.disk.keys()]) if (captureRootOf(path) === folder) this.disk.delete(path);
  }
}

export function fsPathOf(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}
