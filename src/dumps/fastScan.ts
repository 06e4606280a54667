// Character-level scanning for the hot paths of the dump parsers.
//
// A LineScanner walks the file text line by line without splitting it: a line
// is a pair of indices, numbers are accumulated digit by digit (64-bit hex
// into two 32-bit halves) and a bigint is made once per value. Nothing here
// allocates per character or per word, and every loop walks its range once,
// so no input can make it slow.
//
// The scanners built on it are fast paths: each reads the canonical shape of
// one kind of row and returns nothing for anything else, and the parser then
// reads that line as a string with its general (strict) code. A fast path may
// therefore refuse more than the general code does, never accept more.

/** Value of each ASCII hex digit, -1 for every other character below 128. */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_DIGIT[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_DIGIT[65 + c] = 10 + c;
  HEX_DIGIT[97 + c] = 10 + c;
}

const TWO32 = 4294967296;

/** Space, TAB, CR, VT, FF: the characters the parsers split words on. */
export function isBlankCode(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** What String.prototype.trim removes: JS white space and line terminators. */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}

/** A 64-bit value from its unsigned 32-bit halves, with one bigint made (none for 0). */
export function u64(hi: number, lo: number): bigint {
  if (hi === 0) return lo === 0 ? 0n : BigInt(lo);
  // Below 2^53 the number is exact, so one conversion is enough.
  if (hi < 0x200000) return BigInt(hi * TWO32 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Walks a text line by line (the lines of splitLines: LF or CRLF ends, no
 * empty line after a final newline) and reads words and numbers of the
 * current line in place.
 */
export class LineScanner {
  /** First character of the current line. */
  start = 0;
  /** End of the current line (a CR before its LF excluded). */
  end = 0;
  /** 0-based number of the current line; -1 before the first advance(). */
  line = -1;
  /** hi, lo halves (unsigned) of the last value hexDigits() read. */
  readonly hex = new Uint32Array(2);
  /** The last value decimalDigits() read. */
  decimal = 0;
  private next = 0;

  constructor(readonly text: string) {}

  /** Moves to the next line; false at the end of the text. */
  advance(): boolean {
    const text = this.text;
    const n = text.length;
    const pos = this.next;
    if (pos >= n) return false;
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    this.start = pos;
    this.end = end;
    this.line++;
    this.next = nl + 1;
    return true;
  }

  /** Lines read so far: the line count once advance() returned false. */
  get count(): number {
    return this.line + 1;
  }

  /** The current line as a string. */
  lineText(): string {
    return this.text.slice(this.start, this.end);
  }

  /** Index of the first non-blank character at or after i on the line, or the line end. */
  skipBlanks(i: number): number {
    const text = this.text;
    const end = this.end;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 11 && c !== 12) break;
      i++;
    }
    return i;
  }

  /** True when a word ending at i really ends there: the line ends or a blank follows. */
  wordEndsAt(i: number): boolean {
    return i >= this.end || isBlankCode(this.text.charCodeAt(i));
  }

  /** True when nothing but blanks follows i on the line. */
  restIsBlank(i: number): boolean {
    return this.skipBlanks(i) === this.end;
  }

  /** True when the line has `word` at i (a character comparison: no string is made). */
  startsWithAt(i: number, word: string): boolean {
    const text = this.text;
    const n = word.length;
    if (i + n > this.end) return false;
    for (let k = 0; k < n; k++) if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return false;
    return true;
  }

  /** True when the whole line is `s` (one native comparison). */
  lineEquals(s: string): boolean {
    return this.end - this.start === s.length && s.length > 0 && this.text.slice(this.start, this.end) === s;
  }

  /** End of the line without its trailing JS white space (what trimEnd() keeps), not before `from`. */
  trimmedEnd(from: number): number {
    let e = this.end;
    while (e > from && isJsSpace(this.text.charCodeAt(e - 1))) e--;
    return e;
  }

  /** The value of the hex digit at i, -1 when there is none. */
  hexDigitAt(i: number): number {
    const c = this.text.charCodeAt(i);
    if (c >= 48 && c <= 57) return c - 48;
    const l = c | 32;
    return l >= 97 && l <= 102 ? l - 87 : -1;
  }

  /**
   * A word "bb:dd.f" at i as the kernel prints a B:D.F ("%02x:%02x.%x"):
   * the requester id bus << 8 | dev << 3 | fn, or -1 (also for a device
   * above 0x1f or a function above 7, and when more of the word follows).
   */
  bdfAt(i: number): number {
    const text = this.text;
    if (i + 7 > this.end || text.charCodeAt(i + 2) !== 58 /* : */ || text.charCodeAt(i + 5) !== 46 /* . */) return -1;
    const b1 = this.hexDigitAt(i);
    const b0 = this.hexDigitAt(i + 1);
    const d1 = this.hexDigitAt(i + 3);
    const d0 = this.hexDigitAt(i + 4);
    const fn = text.charCodeAt(i + 6) - 48;
    if (b1 < 0 || b0 < 0 || d1 < 0 || d0 < 0 || fn < 0 || fn > 7 || !this.wordEndsAt(i + 7)) return -1;
    const dev = d1 * 16 + d0;
    return dev > 0x1f ? -1 : (((b1 << 4) | b0) << 8) | (dev << 3) | fn;
  }

  /** True when "0x" or "0X" is at i. */
  has0x(i: number): boolean {
    return this.text.charCodeAt(i) === 48 && (this.text.charCodeAt(i + 1) | 32) === 120;
  }

  /**
   * The run of hex digits at i: its value in `hex` and the index after it (i
   * itself when there is no digit), or -1 when it has more than 16
   * significant digits or more than 64 digits in all (no printed value has
   * that many leading zeros).
   */
  hexDigits(i: number): number {
    const text = this.text;
    const end = this.end;
    const limit = i + 64;
    let hi = 0;
    let lo = 0;
    let sig = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      const d = c < 128 ? HEX_DIGIT[c] : -1;
      if (d < 0) break;
      if (sig > 0 || d > 0) {
        if (++sig > 16) return -1;
        hi = (hi << 4) | (lo >>> 28);
        lo = (lo << 4) | d;
      }
      if (++i > limit) return -1;
    }
    this.hex[0] = hi;
    this.hex[1] = lo;
    return i;
  }

  /**
   * The run of decimal digits at i (at most 15, so the value is exact): its
   * value in `decimal` and the index after it, i itself when there is no
   * digit, -1 when there are more than 15.
   */
  decimalDigits(i: number): number {
    const text = this.text;
    const end = this.end;
    const limit = i + 15;
    let v = 0;
    while (i < end) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      if (++i > limit) return -1;
    }
    this.decimal = v;
    return i;
  }

  /** The value `hex` holds, as a bigint. */
  hexValue(): bigint {
    return u64(this.hex[0], this.hex[1]);
  }
}

/**
 * Remembers the last value of one column so that a value repeated from row to
 * row (a root entry, a zero qword, a status) is one bigint, made once.
 */
export class U64Column {
  private readonly last = new Uint32Array(2);
  private value = 0n;

  /** The value of `hex` (hi, lo), reusing the previous bigint when it is the same. */
  get(hex: Uint32Array): bigint {
    const last = this.last;
    if (hex[0] !== last[0] || hex[1] !== last[1]) {
      last[0] = hex[0];
      last[1] = hex[1];
      this.value = u64(hex[0], hex[1]);
    }
    return this.value;
  }
}
