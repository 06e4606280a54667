// Whole lines out of a stream of bytes cut anywhere: what every streaming
// parser is fed. A line longer than any line of a known format is cut at
// MAX_STREAM_LINE (the parser then reports it) and the rest of it is
// dropped, so no line can hold the stream's memory.

import { asBuffer } from './byteText';

/** Longest line a stream keeps (far above any line of a known format). */
export const MAX_STREAM_LINE = 1 << 20;

/**
 * Whole lines out of chunks of bytes cut anywhere (inside a line, inside a
 * UTF-8 sequence). The lines are handed on as they lie in the chunk (a view,
 * not a copy), the line the last chunk left unfinished first, on its own:
 * use them before the chunk's memory is read into again.
 */
export class ByteLineChunker {
  constructor(private readonly maxLine = MAX_STREAM_LINE) {}

  private carry = Buffer.alloc(256);
  private carried = 0;
  private dropping = false;

  /** Hands `each` the whole lines of `chunk` (with what was carried), each run ending in a line feed. */
  push(chunk: Uint8Array, each: (lines: Buffer) => void): void {
    let bytes = asBuffer(chunk);
    if (this.dropping) {
      const nl = bytes.indexOf(10);
      if (nl < 0) return;
      this.dropping = false;
      bytes = bytes.subarray(nl + 1);
    }
    if (this.carried > 0) {
      const nl = bytes.indexOf(10);
      if (nl >= 0) {
        const line = Buffer.allocUnsafe(this.carried + nl + 1);
        this.carry.copy(line, 0, 0, this.carried);
        bytes.copy(line, this.carried, 0, nl + 1);
        this.carried = 0;
        each(line);
        bytes = bytes.subarray(nl + 1);
      }
    }
    const cut = this.carried > 0 ? -1 : bytes.lastIndexOf(10);
    if (cut >= 0) each(bytes.subarray(0, cut + 1));
    this.keep(bytes.subarray(cut + 1));
    if (this.carried > this.maxLine) {
      const line = Buffer.allocUnsafe(this.maxLine + 1);
      this.carry.copy(line, 0, 0, this.maxLine);
      line[this.maxLine] = 10;
      this.carried = 0;
      this.dropping = true;
      each(line);
    }
  }

  /** The last line, if it had no line feed. */
  end(): Buffer {
    const rest = Buffer.from(this.carry.subarray(0, this.carried));
    this.carried = 0;
    this.dropping = false;
    return rest;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const need = this.carried + bytes.length;
    if (need > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.carry.length));
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    bytes.copy(this.carry, this.carried);
    this.carried = need;
  }
}
