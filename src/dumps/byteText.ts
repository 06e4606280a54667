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
