// How every CLI command gets its capture: read with the shared reader (its
// limits and safety rules), what was left out said on stderr, and the
// capture built. A file of a capture folder is read with its folder, so its
// lines are checked against the rest of the capture (a fault of the kernel
// log against dmar_translation_struct); `focus` then names it.

import { statSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { buildCapture } from '../model/buildCapture';
import type { Capture } from '../model/types';
import { captureRootOf, CaptureReadError, CLI_LIMITS, holdsDumps, readCapture, type CaptureRead } from '../io/captureReader';
import type { CommandIO } from './commands/io';

export interface Loaded {
  capture: Capture;
  read: CaptureRead;
  /** The file the command was given, when it is one file read with its folder: its name in the capture. */
  focus?: string;
}

/** Reads PATH (a capture folder, or a file of one) and builds its capture. */
export function loadCapture(path: string, io: CommandIO): Loaded {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    isDir = false; // readCapture says why
  }
  let root = path;
  let focus: string | undefined;
  if (!isDir) {
    const folder = captureRootOf(path);
    if (holdsDumps(folder)) {
      root = folder;
      focus = relative(folder, path).split(sep).join('/') || basename(path);
    }
  }
  const read = readCapture(root, CLI_LIMITS);
  if (focus !== undefined && !read.files.some((f) => f.name === focus)) {
    const why = read.leftOut.find((l) => l.name === focus)?.reason;
    throw new CaptureReadError(`cannot read ${path}${why ? `: ${why}` : ''}`);
  }
  for (const s of read.leftOut) io.err(`viommu: left out ${s.name}: ${s.reason}`);
  return { capture: buildCapture(read.files, { leftOut: read.leftOut }), read, focus };
}

/** The same, for commands that need one capture: a folder holding several is a usage error naming them. */
export function loadOneCapture(path: string, io: CommandIO): Loaded {
  const loaded = loadCapture(path, io);
  if (loaded.read.nested.length > 0 && loaded.read.files.length === 0) {
    throw new CaptureReadError(`${path} holds several captures (${loaded.read.nested.map((n) => basename(n)).join(', ')}): give one of them`);
  }
  return loaded;
}
