// Captures as the language server sees them: a document's folder (going up
// from per-device sub-folders) read from disk, with the open documents'
// current text in place of what is on disk. One Capture per folder, rebuilt
// when any of its files changes.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { URI } from 'vscode-uri';
import { parseDump } from '../dumps/registry';
import { LineIndex } from '../dumps/lineIndex';
import { buildCaptureFromParsed } from '../model/buildCapture';
import { parseBdf } from '../model/bdf';
import type { Capture, LeftOutFile, ParsedFile } from '../model/types';
import { ReverseMap } from '../model/reverseMap';
import { DocumentAnalysis } from './analysis';

/** Sibling files larger than this are left out of a capture (opening one in the editor adds it). */
export const MAX_SIBLING_BYTES = 64 * 1024 * 1024;
/** A capture folder is read up to this many files (its per-device sub-folders included). */
export const MAX_SIBLINGS = 2000;
const MiB = 1024 * 1024;
const NOT_DUMPS = /^(manifest\.json|README(\.md)?|\..*)$/i;

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

/** The capture folder a file belongs to: its own folder, or the one above a per-device (and per-PASID) folder. */
export function captureRootOf(filePath: string): string {
  let dir = dirname(filePath);
  for (let up = 0; up < 2; up++) {
    const name = basename(dir);
    const parentName = basename(dirname(dir));
    const isDevice = parseBdf(name) !== undefined;
    const isPasidUnderDevice = /^[0-9a-f]{1,5}$/i.test(name) && parseBdf(parentName) !== undefined;
    if (!isDevice && !isPasidUnderDevice) break;
    dir = dirname(dir);
  }
  return dir;
}

export class CaptureWorkspace {
  private readonly open = new Map<string, DocumentAnalysis>();
  private readonly disk = new Map<string, DiskFile>();
  private readonly captures = new Map<string, CaptureEntry>();

  /** Records an open document's analysis; its folder's capture is rebuilt on next use. */
  setDocument(a: DocumentAnalysis): void {
    this.open.set(a.uri, a);
    const folder = this.folderOfUri(a.uri);
    if (folder) this.captures.delete(folder);
  }

  closeDocument(uri: string): void {
    this.open.delete(uri);
    const folder = this.folderOfUri(uri);
    if (folder) this.captures.delete(folder);
  }

  document(uri: string): DocumentAnalysis | undefined {
    return this.open.get(uri);
  }

  /** A file of some capture changed on disk. */
  fileChanged(uri: string): string | undefined {
    const path = fsPathOf(uri);
    if (!path) return undefined;
    this.disk.delete(path);
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
    const listed = listCaptureFiles(folder);
    const leftOut: LeftOutFile[] = [];
    for (const path of listed.files) {
      const name = relative(folder, path).split(sep).join('/');
      const doc = openHere.get(path);
      if (doc) {
        files.push({ name, lines: doc.lines, parsed: doc.parsed });
        uris.set(name, doc.uri);
        openHere.delete(path);
        continue;
      }
      const f = this.readDisk(path, name);
      if ('reason' in f) {
        leftOut.push({ name, reason: f.reason });
        continue;
      }
      files.push(f.parsed);
      uris.set(name, URI.file(path).toString());
    }
    for (const u of listed.unreadable) leftOut.push({ name: relative(folder, u.path).split(sep).join('/'), reason: u.reason });
    if (listed.notListed > 0) leftOut.push({ name: `${listed.notListed} more files or folders`, reason: `a capture folder is read up to ${MAX_SIBLINGS} files`, notListed: listed.notListed });
    // Open documents not on disk yet (new, unsaved files in the folder).
    for (const [path, doc] of openHere) {
      const name = relative(folder, path).split(sep).join('/');
      files.push({ name, lines: doc.lines, parsed: doc.parsed });
      uris.set(name, doc.uri);
    }
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entry: CaptureEntry = { folder, capture: buildCaptureFromParsed(files, { leftOut }), uris };
    this.captures.set(folder, entry);
    return entry;
  }

  /** A file of the folder as parsed, or why it is left out of the capture. */
  private readDisk(path: string, name: string): DiskFile | { reason: string } {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      return { reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
    }
    const known = this.disk.get(path);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known;
    if (st.size > MAX_SIBLING_BYTES) return { reason: `${Math.round(st.size / MiB)} MiB, more than the ${MAX_SIBLING_BYTES / MiB} MiB read with the rest of a capture: open it to add it` };
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      return { reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
    }
    const f: DiskFile = { mtimeMs: st.mtimeMs, size: st.size, parsed: { name, lines: new LineIndex(text), parsed: parseDump(text, name) } };
    this.disk.set(path, f);
    return f;
  }
}

/**
 * Files of a capture folder: its own files and those of per-device and
 * per-PASID sub-folders, up to MAX_SIBLINGS; entries that are not files it
 * can read (a link to nothing, a FIFO, a device), and why; and how many names
 * were not looked at after that.
 */
function listCaptureFiles(folder: string): { files: string[]; unreadable: { path: string; reason: string }[]; notListed: number } {
  const out: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  let notListed = 0;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (NOT_DUMPS.test(n)) continue;
      if (out.length >= MAX_SIBLINGS) {
        notListed++; // not even looked at: a folder of 100,000 files costs no stat each
        continue;
      }
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch (err) {
        unreadable.push({ path: p, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
        continue;
      }
      if (st.isFile()) out.push(p);
      else if (st.isDirectory()) {
        if (depth < 2 && (parseBdf(n) !== undefined || (depth === 1 && /^[0-9a-f]{1,5}$/i.test(n)))) walk(p, depth + 1);
      } else unreadable.push({ path: p, reason: 'not a regular file (a FIFO or a device could block the reader)' });
    }
  };
  walk(folder, 0);
  return { files: out, unreadable, notListed };
}

export function fsPathOf(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}
