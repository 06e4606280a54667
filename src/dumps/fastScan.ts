// Character-level scanning for the hot paths of the dump parsers.
//
// A LineScanner walks the file text line by line without splitting it: a line
// is a pair of indices, numbers are accumulated digit by digit (64-bit hex
// into two 32-bit halves, a printed "%016llx" by a fixed-width read) and a
// U64Cache makes a bigint once per value it meets again. Nothing here
// allocates per character or per word, and every loop walks its range once,
// so no input can make it slow.
//
// The scanners built on it are fast paths: each reads the canonical shape of
// one kind of row and returns nothing for anything else, and the parser then
// reads that line as a string with its general (strict) code. A fast path may
// therefore refuse more than the general code does, never accept more.

/**
 * Value of each hex digit, -1 for every other UTF-16 code unit: one load per
 * character, with no range check before it (64 KB, made once).
 */
export const HEX_DIGIT = new Int8Array(65536).fill(-1);
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

  /** Goes on from `offset`, the start of line `line` (advance() then reads that line). */
  seek(offset: number, line: number): void {
    this.next = offset;
    this.line = line - 1;
  }

  /** Whether the current line ended with a line feed (the last line of a file being written may not). */
  get complete(): boolean {
    return this.next <= this.text.length;
  }

  /** Where the line after the current one starts. */
  get nextStart(): number {
    return this.next;
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

  /**
   * True when `s` is at i and ends on the line. (A slice compared with ===
   * is a native comparison, about three times as fast as startsWith(s, i).)
   */
  textAt(i: number, s: string): boolean {
    return i + s.length <= this.end && this.text.slice(i, i + s.length) === s;
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
    // NaN (outside the text) fails the test.
    return c >= 0 ? HEX_DIGIT[c] : -1;
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
    // Leading zeros first, so that the digit loop below needs no test of
    // whether a digit is significant.
    while (i < end && text.charCodeAt(i) === 48) if (++i > limit) return -1;
    const first = i;
    const stop = Math.min(end, first + 17);
    let hi = 0;
    let lo = 0;
    while (i < stop) {
      const d = HEX_DIGIT[text.charCodeAt(i)];
      if (d < 0) break;
      hi = (hi << 4) | (lo >>> 28);
      lo = (lo << 4) | d;
      i++;
    }
    if (i - first > 16 || i > limit) return -1;
    this.hex[0] = hi;
    this.hex[1] = lo;
    return i;
  }

  /**
   * The 16 hex digits of a "%016llx" value at i, into `hex`: true when
   * text[i, i + 16) are 16 hex digits on the line (what follows is not
   * looked at). Fixed-width values need no test of which digit is the
   * first significant one, so this is the fast way to read them.
   */
  hex16At(i: number): boolean {
    if (i + 16 > this.end) return false;
    const text = this.text;
    let hi = 0;
    let lo = 0;
    // A non-digit is -1 in the table: `bad` goes negative, `hi` or `lo` is garbage.
    let bad = 0;
    for (let k = i; k < i + 8; k++) {
      const d = HEX_DIGIT[text.charCodeAt(k)];
      bad |= d;
      hi = (hi << 4) | d;
    }
    for (let k = i + 8; k < i + 16; k++) {
      const d = HEX_DIGIT[text.charCodeAt(k)];
      bad |= d;
      lo = (lo << 4) | d;
    }
    if (bad < 0) return false;
    this.hex[0] = hi;
    this.hex[1] = lo;
    return true;
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

/** A U64Cache has 2^CACHE_BITS slots. */
const CACHE_BITS = 8;
const CACHE_SLOTS = 1 << CACHE_BITS;

/**
 * Shares the bigints of the 64-bit values a parse meets again: a table of
 * recent values, each in the slot a hash of its halves picks. A root entry
 * on every row of a bus, the two descriptors an invalidation queue holds by
 * turns, a zero qword or a register value repeated from unit to unit is then
 * one bigint, made once (a bigint is a heap object, and the records keep
 * every one they hold). A value that loses its slot is only made again.
 */
export class U64Cache {
  private readonly his = new Uint32Array(CACHE_SLOTS);
  private readonly los = new Uint32Array(CACHE_SLOTS);
  private readonly values: bigint[] = new Array<bigint>(CACHE_SLOTS).fill(0n);

  /** The value hi:lo (unsigned 32-bit halves) as a bigint. */
  get(hi: number, lo: number): bigint {
    // 0 is never made, so an empty slot (0:0) matches nothing asked for.
    if (hi === 0 && lo === 0) return 0n;
    const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - CACHE_BITS);
    if (this.los[slot] === lo && this.his[slot] === hi) return this.values[slot];
    const value = u64(hi, lo);
    this.his[slot] = hi;
    this.los[slot] = lo;
    this.values[slot] = value;
    return value;
  }
}

/**
 * Whether `text` starts with `prefix`, compared 64 K characters at a time:
 * equality of two slices is a memory compare, several times faster than
 * startsWith's character loop on texts of tens of megabytes.
 */
export function startsWithText(text: string, prefix: string): boolean {
  if (text.length < prefix.length) return false;
  const chunk = 1 << 16;
  let i = 0;
  for (; i + chunk <= prefix.length; i += chunk) if (text.slice(i, i + chunk) !== prefix.slice(i, i + chunk)) return false;
  return text.slice(i, prefix.length) === prefix.slice(i);
}
