// Lines of a file of any size, by number, without reading it whole: a sparse
// index (the byte offset of every EVERY-th line) made in one pass over the
// bytes, then any line range read from the nearest indexed line on. Dumps
// are ASCII or UTF-8 (a UTF-16 file is read through its decoder, with its
// line feeds found as 0x0A bytes at the code unit's low byte).

import { closeSync, openSync, readSync } from 'node:fs';
import { DumpTextDecoder } from '../dumps/encoding';

const CHUNK = 1 << 20;

export class FileLineIndex {
  /** offsets[k]: the byte where line k * every starts. */
  private constructor(
    readonly path: string,
    readonly every: number,
    private readonly offsets: number[],
    readonly lineCount: number,
    readonly size: number,
  ) {}

  private static head(fd: number, size: number): Buffer {
    const head = Buffer.alloc(Math.min(4096, size));
    readSync(fd, head, 0, head.length, 0);
    return head;
  }

  /** One pass over the file's bytes (up to `size`, its size when opened). */
  static build(path: string, size: number, every = 4096): FileLineIndex {
    const fd = openSync(path, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    const offsets = [0];
    let lines = 0;
    let pos = 0;
    let endsInFeed = false;
    try {
      const unit = new DumpTextDecoder().prime(FileLineIndex.head(fd, size)).unit;
      // A line feed: 0A (UTF-8), 0A 00 at an even offset (UTF-16 LE), 00 0A at an odd one (BE).
      const step = unit === 'le' ? 2 : 1;
      while (pos < size) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
        if (n <= 0) break;
        for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) {
          if (unit === 'le' && (pos + i) % 2 === 1) continue;
          if (unit === 'be' && (pos + i) % 2 === 0) continue;
          lines++;
          if (lines % every === 0) offsets.push(pos + i + step);
        }
        endsInFeed = buf[n - 1] === 10 || (unit === 'le' && n >= 2 && buf[n - 2] === 10 && buf[n - 1] === 0);
        pos += n;
      }
    } finally {
      closeSync(fd);
    }
    return new FileLineIndex(path, every, offsets, pos > 0 && !endsInFeed ? lines + 1 : lines, pos);
  }

  /** Indexed lines (memory: one number per `every` lines, whatever the file's size). */
  get entries(): number {
    return this.offsets.length;
  }

  /** Lines [from, from + count) as text (reading at most `maxBytes` past the indexed line before them). */
  lines(from: number, count: number, maxBytes = 8 << 20): string[] {
    const first = Math.max(0, Math.min(from, this.lineCount));
    const k = Math.min(Math.floor(first / this.every), this.offsets.length - 1);
    let line = k * this.every;
    const fd = openSync(this.path, 'r');
    const out: string[] = [];
    try {
      const decoder = new DumpTextDecoder().prime(FileLineIndex.head(fd, this.size));
      let carry = '';
      let pos = this.offsets[k];
      const buf = Buffer.allocUnsafe(CHUNK);
      let read = 0;
      while (out.length < count && pos < this.size && read < maxBytes) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK, this.size - pos), pos);
        if (n <= 0) break;
        pos += n;
        read += n;
        const parts = (carry + decoder.decode(buf.subarray(0, n))).split('\n');
        carry = parts.pop()!;
        for (const p of parts) {
          if (line >= first && out.length < count) out.push(p.endsWith('\r') ? p.slice(0, -1) : p);
          line++;
        }
      }
      const rest = carry + decoder.end();
      if (rest !== '' && line >= first && out.length < count && pos >= this.size) out.push(rest);
    } finally {
      closeSync(fd);
    }
    return out;
  }
}
