// Reading a capture (a folder of dump files, or one file) from disk. The pure
// core takes text; this is the one place the CLI and the language server read.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { CaptureFile } from '../model/types';

/** Files larger than this are not read whole (the language server streams them instead). */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024;
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
    throw new CaptureReadError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const out: ReadCaptureResult = { files: [], skipped: [] };
  if (st.isFile()) {
    readOne(path, path.split(sep).pop() ?? path, st.size, out);
    return out;
  }
  if (!st.isDirectory()) throw new CaptureReadError(`${path} is neither a file nor a folder`);
  walk(path, path, 0, out);
  return out;
}

function readOne(full: string, name: string, size: number, out: ReadCaptureResult): void {
  if (size > MAX_FILE_BYTES) {
    out.skipped.push({ name, reason: `larger than ${MAX_FILE_BYTES} bytes` });
    return;
  }
  try {
    out.files.push({ name, text: readFileSync(full, 'utf8') });
  } catch (err) {
    out.skipped.push({ name, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
}

function walk(root: string, dir: string, depth: number, out: ReadCaptureResult): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    out.skipped.push({ name: relative(root, dir) || '.', reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    return;
  }
  for (const n of names) {
    if (out.files.length >= MAX_FILES) {
      out.skipped.push({ name: relative(root, dir), reason: `more than ${MAX_FILES} files: the rest is not read` });
      return;
    }
    const full = join(dir, n);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    const name = relative(root, full).split(sep).join('/');
    if (st.isDirectory()) {
      if (depth < MAX_DEPTH && !n.startsWith('.')) walk(root, full, depth + 1, out);
    } else if (st.isFile()) {
      readOne(full, name, st.size, out);
    }
  }
}
