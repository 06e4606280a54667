// Reading a file of any size as text, chunk by chunk: the bytes are never
// held whole and never become one string. Refuses what is not a regular file
// (a FIFO or a device could block or never end) and anything under /proc,
// /sys or /dev; a file that grows while it is read is read as far as it was
// when reading began, so a log still being written cannot keep the reader
// busy forever.

import { isAscii } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { DumpTextDecoder } from '../dumps/encoding';
import { isSystemPath } from './captureReader';

/** Bytes read at a time. */
const STREAM_CHUNK = 1 << 20;

/** Bytes the format detection looks at. */
const HEAD_BYTES = 64 << 10;

interface TextChunks {
  /** The file's size when it was opened (what is read). */
  size: number;
  /** The text, chunk by chunk; each chunk's `done` is the bytes read so far. */
  chunks: Generator<{ text: string; done: number }>;
  /** What was converted (another encoding), known after the first chunk. */
  converted(): string | undefined;
}

export class StreamFileError extends Error {}

/** Opens a regular file and hands out its text in chunks. Throws StreamFileError for what cannot be read. */
export function openTextChunks(path: string, chunkBytes = STREAM_CHUNK): TextChunks {
  const { fd, size } = openRegular(path);
  const decoder = new DumpTextDecoder();
  function* chunks(): Generator<{ text: string; done: number }> {
    // Dumps are ASCII: such a chunk (after one that ended on a whole character) becomes a
    // one-byte string straight from its bytes, twice as fast as decoding UTF-8 and half the memory.
    let whole = false;
    let read = 0;
    for (const { bytes, done } of readChunks(fd, size, chunkBytes)) {
      read = done;
      const text = whole && decoder.unit === 'utf-8' && isAscii(bytes) ? bytes.toString('latin1') : decoder.decode(bytes);
      whole = bytes[bytes.length - 1] < 0x80;
      yield { text, done };
    }
    const rest = decoder.end();
    if (rest !== '') yield { text: rest, done: read };
  }
  return { size, chunks: chunks(), converted: () => decoder.converted };
}

interface ByteChunks {
  size: number;
  /** The file as UTF-8 bytes, chunk by chunk (each valid until the next is asked); `done` is the bytes read so far. */
  chunks: Generator<{ bytes: Uint8Array; done: number }>;
  converted(): string | undefined;
}

/**
 * Opens a regular file and hands out its bytes in chunks, as UTF-8 (what the
 * byte-level parsers read): a UTF-8 file's bytes as read, another encoding's
 * converted. Throws StreamFileError for what cannot be read.
 */
export function openByteChunks(path: string, chunkBytes = STREAM_CHUNK): ByteChunks {
  const { fd, size } = openRegular(path);
  const decoder = new DumpTextDecoder();
  function* chunks(): Generator<{ bytes: Uint8Array; done: number }> {
    let read = 0;
    for (const { bytes, done } of readChunks(fd, size, chunkBytes)) {
      read = done;
      yield { bytes: decoder.utf8(bytes), done };
    }
    const rest = decoder.end();
    if (rest !== '') yield { bytes: Buffer.from(rest, 'utf8'), done: read };
  }
  return { size, chunks: chunks(), converted: () => decoder.converted };
}

/**
 * The bytes of an open file up to `size` (its size when opened), a chunk at
 * a time in one buffer (each chunk valid until the next is asked); closes
 * the file at the end, or when the reader stops early.
 */
function* readChunks(fd: number, size: number, chunkBytes: number): Generator<{ bytes: Buffer; done: number }> {
  const buf = Buffer.allocUnsafe(chunkBytes);
  let done = 0;
  try {
    while (done < size) {
      const n = readSync(fd, buf, 0, Math.min(chunkBytes, size - done), done);
      if (n <= 0) break;
      done += n;
      yield { bytes: buf.subarray(0, n), done };
    }
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of a file as text (for its format). */
export function headText(path: string, bytes = HEAD_BYTES): string {
  const { chunks } = openTextChunks(path, bytes);
  const first = chunks.next();
  chunks.return(undefined);
  return first.done ? '' : first.value.text;
}

/** A regular file opened for reading, and its size then. Throws StreamFileError for what cannot be read. */
function openRegular(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    const real = realpathSync(path);
    if (isSystemPath(real)) throw new StreamFileError(`${path} is a file of the running system (/proc, /sys or /dev): copy it first (some never end or block)`);
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof StreamFileError) throw err;
    throw new StreamFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new StreamFileError(`${path} is not a regular file (a FIFO, a device or a socket could block the reader)`);
  }
  return { fd, size: st.size };
}
