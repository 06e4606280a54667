// How every CLI command gets its capture: read with the shared reader (its
// limits and safety rules), what was left out said on stderr, and the
// capture built. A file of a capture folder is read with its folder, so its
// lines are checked against the rest of the capture (a fault of the kernel
// log against dmar_translation_struct); `focus` then names it.

import { readSync, statSync } from 'node:fs';
import { decodeDumpBytes } from '../dumps/encoding';
import { basename, relative, sep } from 'node:path';
import { buildCapture, captureWithStreamed } from '../model/buildCapture';
import type { Capture } from '../model/types';
import { StreamedFile } from '../model/streamedFile';
import { captureRootOf, CaptureReadError, CLI_LIMITS, holdsDumps, readCapture, type CaptureRead, type LargeFile, type ReadFile, type ReadLimits } from '../io/captureReader';
import { headText, openByteChunks, StreamFileError } from '../io/streamFile';
import type { CommandIO } from './commands/io';

export interface Loaded {
  capture: Capture;
  read: CaptureRead;
  /** The file the command was given, when it is one file read with its folder: its name in the capture. */
  focus?: string;
}

interface LoadOptions {
  /**
   * Stream the files too large to hold into the capture (what check needs);
   * false leaves them in `read.large` for the command to stream itself (decode).
   */
  streamLarge?: boolean;
}

/** Standard input read to its end, up to the CLI's cap for one file. */
function readStdin(cap = CLI_LIMITS.maxFileBytes): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking pipe with nothing yet
      if (code === 'EOF') break;
      throw new CaptureReadError(`cannot read standard input: ${code ?? String(err)}`);
    }
    if (n <= 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > cap) throw new CaptureReadError(`standard input is larger than ${cap >> 20} MiB: save it to a file (traces and page-table dumps of any size are streamed from files)`);
  }
  return Buffer.concat(chunks, total);
}

/** PATH "-": standard input as one file of a capture of its own, named "stdin". */
function loadStdin(io: CommandIO): Loaded {
  const bytes = io.stdin ? io.stdin() : readStdin();
  const decoded = decodeDumpBytes(bytes);
  const file: ReadFile = { name: 'stdin', text: decoded.text, path: '-' };
  if (decoded.converted) file.converted = decoded.converted;
  const read: CaptureRead = { root: '', files: [file], large: [], leftOut: [], nested: [] };
  return { capture: buildCapture(read.files), read, focus: 'stdin' };
}

/** Reads PATH (a capture folder, or a file of one; "-" standard input) and builds its capture. */
export function loadCapture(path: string, io: CommandIO, options: LoadOptions = {}): Loaded {
  if (path === '-') return loadStdin(io);
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
  const read = readCapture(root, cliLimits());
  if (focus !== undefined && !read.files.some((f) => f.name === focus) && !read.large.some((f) => f.name === focus)) {
    const why = read.leftOut.find((l) => l.name === focus)?.reason;
    throw new CaptureReadError(`cannot read ${path}${why ? `: ${why}` : ''}`);
  }
  const rest = buildCapture(read.files, { leftOut: read.leftOut });
  const streamed = [];
  for (const large of options.streamLarge === false ? [] : read.large) {
    try {
      streamed.push(streamLargeFile(large, rest, io));
    } catch (err) {
      if (!(err instanceof StreamFileError)) throw err;
      read.leftOut.push({ name: large.name, reason: err.message });
    }
  }
  for (const s of read.leftOut) io.err(`viommu: left out ${s.name}: ${s.reason}`);
  return { capture: captureWithStreamed(rest, streamed, { leftOut: read.leftOut }), read, focus };
}

/** The CLI's read limits; VIOMMU_STREAM_ABOVE (bytes) moves the size above which traces, page-table dumps and kernel logs are streamed. */
function cliLimits(env: NodeJS.ProcessEnv = process.env): ReadLimits {
  const given = env.VIOMMU_STREAM_ABOVE;
  const bytes = given !== undefined && /^\d+$/.test(given) ? Number(given) : undefined;
  return bytes !== undefined ? { ...CLI_LIMITS, streamAboveBytes: bytes } : CLI_LIMITS;
}

const MiB = 1024 * 1024;

/** Streams one large file (each of its passes) against the capture of the rest of its folder, with progress on stderr. */
function streamLargeFile(large: LargeFile, rest: Capture, io: CommandIO): ReturnType<StreamedFile['result']> {
  const file = new StreamedFile(large.name, headText(large.path), rest);
  let converted: string | undefined;
  for (let pass = 1; pass <= file.passes; pass++) {
    const { size, chunks, converted: conv } = openByteChunks(large.path);
    file.startPass();
    let shown = 0;
    for (const { bytes, done } of chunks) {
      file.push(bytes);
      const tenth = Math.floor((10 * done) / Math.max(size, 1));
      if (size >= 256 * MiB && tenth > shown) {
        shown = tenth;
        io.err(`viommu: streaming ${large.name}${file.passes > 1 ? ` (pass ${pass} of ${file.passes})` : ''}: ${(done / MiB).toFixed(0)} of ${(size / MiB).toFixed(0)} MiB`);
      }
    }
    file.endPass();
    converted = conv();
  }
  return file.result(large.size, converted);
}

/** The same, for commands that need one capture: a folder holding several is a usage error naming them. */
export function loadOneCapture(path: string, io: CommandIO, options: LoadOptions = {}): Loaded {
  const loaded = loadCapture(path, io, options);
  if (loaded.read.nested.length > 0 && loaded.read.files.length === 0 && loaded.read.large.length === 0) {
    throw new CaptureReadError(`${path} holds several captures (${loaded.read.nested.map((n) => basename(n)).join(', ')}): give one of them`);
  }
  return loaded;
}
