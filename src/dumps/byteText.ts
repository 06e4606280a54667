// The text of a dump as bytes: what the byte-level scanners read.
//
// Dumps are ASCII, so a scanner reads UTF-8 bytes where they lie and a column
// on an ASCII line is its byte offset. A line with other bytes is handed to a
// parser's general code as the string it decodes to (its columns are then
// those of that string). Text that arrives as a string (the language server's
// documents) is encoded once; bytes in another encoding are decoded and
// encoded again by the reader (io/streamFile.ts), so a scanner only ever
// sees UTF-8.

import { isAscii } from 'node:buffer';

const utf8 = new TextDecoder('utf-8');

/** A Buffer over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `text` as UTF-8 bytes (one native pass). */
export function encodeText(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Characters a parser of bytes encodes at a time when it reads a string. */
const PIECE = 4 << 20;

/**
 * text[from, to) as UTF-8 bytes, a piece of about 4 Mi characters at a time,
 * each ending with a line feed (the last one at `to`): a parser of bytes
 * reads a string without holding all of it encoded.
 */
export function* encodedPieces(text: string, from: number, to: number): Generator<Buffer> {
  while (from < to) {
    let end = from + PIECE >= to ? to : text.lastIndexOf('\n', from + PIECE) + 1;
    if (end <= from) end = Math.min(to, text.indexOf('\n', from + PIECE) + 1 || to);
    yield encodeText(text.slice(from, end));
    from = end;
  }
}

/** True when bytes[s, e) are all below 0x80. */
export function asciiRange(bytes: Buffer, s: number, e: number): boolean {
  if (e - s > 64) return isAscii(bytes.subarray(s, e));
  for (let i = s; i < e; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** bytes[s, e) as a string: straight from the bytes when ASCII, decoded as UTF-8 otherwise. */
export function decodeRange(bytes: Buffer, s: number, e: number): string {
  return asciiRange(bytes, s, e) ? bytes.toString('latin1', s, e) : utf8.decode(bytes.subarray(s, e));
}

/**
 * A run of bytes to find in a text, also as little-endian 32-bit words, so a
 * compare is a load per four bytes (a DataView of the text; the last one to
 * three bytes as one masked load when the text has room after them). Set
 * once (a template's literal, an event name) or again and again (the part a
 * row shares with the row before it).
 */
export class ByteRun {
  bytes = new Uint8Array(0);
  length = 0;
  /** The run's whole four-byte words (read only: set() makes them). */
  words = new Int32Array(0);
  /** Its last one to three bytes as one word, and their mask (0 when the length is a multiple of 4). */
  tail = 0;
  tailMask = 0;

  constructor(text?: string) {
    if (text !== undefined) {
      const b = Buffer.from(text, 'latin1');
      this.set(b, 0, b.length);
    }
  }

  /** Becomes src[s, e). */
  set(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n > this.bytes.length) {
      this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length));
      this.words = new Int32Array(this.bytes.length >> 2);
    }
    this.bytes.set(src.subarray(s, e));
    this.length = n;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    for (let w = 0; w < n >> 2; w++) this.words[w] = view.getInt32(4 * w, true);
    let tail = 0;
    for (let k = n & ~3; k < n; k++) tail |= this.bytes[k] << (8 * (k & 3));
    this.tail = tail;
    this.tailMask = n & 3 ? (1 << (8 * (n & 3))) - 1 : 0;
  }

  /** True when b[at, at + length) is this run (the caller knows those bytes are on the line); `view` is over b. */
  at(view: DataView, b: Uint8Array, at: number): boolean {
    const words = this.words;
    const nw = this.length >> 2;
    for (let w = 0; w < nw; w++) if (view.getInt32(at + 4 * w, true) !== words[w]) return false;
    const mask = this.tailMask;
    if (mask === 0) return true;
    const t = at + 4 * nw;
    if (t + 4 <= b.length) return (view.getInt32(t, true) & mask) === this.tail;
    const bytes = this.bytes;
    for (let k = 4 * nw; k < this.length; k++) if (b[at + k] !== bytes[k]) return false;
    return true;
  }
}

/** A DataView over the bytes last asked for (made again only when they change). */
export class ViewCache {
  private bytes: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  of(b: Uint8Array): DataView {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
    return this.view;
  }
}
