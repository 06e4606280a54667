// Reading a capture (a folder of dump files, or one file) from disk. The pure
// core takes text; this is the one place the CLI and the language server read.

import { constants } from 'node:buffer';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { CaptureFile } from '../model/types';

/**
 * Files larger than this are not read: the longest string V8 can make (about
 * 512 MiB with Node 20). In VS Code, "Open Large Dump File…" streams them.
 */
export const MAX_FILE_BYTES = constants.MAX_STRING_LENGTH;

const MiB = 1024 * 1024;

/** Why a file or folder could not be read, in words (the error code after it). */
function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    EACCES: 'permission denied (debugfs files are readable by root only)',
    EPERM: 'operation not permitted',
    ENOENT: 'no such file or folder',
    EISDIR: 'a folder, not a file',
    ENOTDIR: 'not a folder',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
    ERR_STRING_TOO_LONG: `too large to read as text (over ${Math.floor(MAX_FILE_BYTES / MiB)} MiB)`,
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? (err instanceof Error ? err.message : String(err));
}
/** A capture folder with more files than this is cut off, with a message. */
export const MAX_FILES = 5000;
const MAX_DEPTH = 4;

export interface ReadCaptureResult {
  files: CaptureFile[];
  /** Files that could not be read, and why. */
  skipped: { name: string; reason: string }[];
}

export class CaptureReadError extends Error {}

/** Reads a capture folder (recursively: per-device sub-folders) or a single file. */
export function readCapture(path: string): ReadCaptureResult {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CaptureReadError(`cannot read ${path}: ${reasonOf(err)}`);
  }
  const out: ReadCaptureResult = { files: [], skipped: [] };
  if (st.isFile()) {
    readOne(path, path.split(sep).pop() ?? path, st.size, out);
    return out;
  }
  if (!st.isDirectory()) throw new CaptureReadError(`${path} is neither a file nor a folder`);
  walk(path, path, 0, out, new Set());
  return out;
}

function readOne(full: string, name: string, size: number, out: ReadCaptureResult): void {
  if (size > MAX_FILE_BYTES) {
    out.skipped.push({
      name,
      reason: `${Math.round(size / MiB)} MiB, more than the ${Math.floor(MAX_FILE_BYTES / MiB)} MiB a file can be read as text; split it (split -l), or open it in VS Code with "vIOMMU: Open Large Dump File…", which streams it`,
    });
    return;
  }
  try {
    out.files.push({ name, text: readFileSync(full, 'utf8') });
  } catch (err) {
    out.skipped.push({ name, reason: reasonOf(err) });
  }
}

/** Reads the files under `dir`; `seen` holds the real paths of the folders read, so a link back to one (a loop) is not followed. */
function walk(root: string, dir: string, depth: number, out: ReadCaptureResult, seen: Set<string>): void {
  let names: string[];
  try {
    seen.add(realpathSync(dir));
    names = readdirSync(dir).sort();
  } catch (err) {
    out.skipped.push({ name: relative(root, dir) || '.', reason: reasonOf(err) });
    return;
  }
  for (const n of names) {
    if (out.files.length >= MAX_FILES) {
      out.skipped.push({ name: relative(root, dir), reason: `more than ${MAX_FILES} files: the rest is not read` });
      return;
    }
    const full = join(dir, n);
    const name = relative(root, full).split(sep).join('/');
    let st;
    try {
      st = statSync(full);
    } catch (err) {
      // A link to nothing, or an entry removed while the folder was read.
      out.skipped.push({ name, reason: reasonOf(err) });
      continue;
    }
    if (st.isDirectory()) {
      if (depth >= MAX_DEPTH || n.startsWith('.')) continue;
      if (seen.has(realPathOr(full))) out.skipped.push({ name, reason: 'a link to a folder already read (not followed again)' });
      else walk(root, full, depth + 1, out, seen);
    } else if (st.isFile()) {
      readOne(full, name, st.size, out);
    } else {
      // A device, a FIFO or a socket: reading it could block or never end.
      out.skipped.push({ name, reason: 'not a regular file' });
    }
  }
}

function realPathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
