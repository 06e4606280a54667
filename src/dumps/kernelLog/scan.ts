// Character-level helpers for the hand-written kernel log matchers. They walk
// a line once, left to right, so no input can make them slow (unlike a regex
// with backtracking on a 10 MB line).

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** End of the run of hex digits starting at i (i itself when there is none). */
export function hexEnd(s: string, i: number): number {
  while (i < s.length && isHexCode(s.charCodeAt(i))) i++;
  return i;
}

/** End of the run of decimal digits starting at i. */
export function decEnd(s: string, i: number): number {
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the first character at or after i that is not a space or TAB. */
export function skipBlanks(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index just after a "0x" / "0X" at i, or i when there is none. */
export function skip0x(s: string, i: number): number {
  return s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120 ? i + 2 : i;
}

/**
 * A hex number at i, with an optional 0x, as printed by %llx / 0x%llx.
 * `start` includes the 0x so a span shows what the kernel printed.
 */
interface HexToken {
  value: bigint;
  start: number;
  end: number;
}

export function readHex(s: string, i: number, maxDigits = 16): HexToken | undefined {
  const digits = skip0x(s, i);
  const end = hexEnd(s, digits);
  if (end === digits || end - digits > maxDigits + 8) return undefined;
  // Leading zeros are allowed (0x%016llx); only significant digits count.
  let first = digits;
  while (first < end - 1 && s.charCodeAt(first) === 48) first++;
  if (end - first > maxDigits) return undefined;
  return { value: BigInt('0x' + s.slice(first, end)), start: i, end };
}

/** A small decimal number at i (at most 9 digits, so it is exact as a JS number). */
export function readDec(s: string, i: number): { value: number; end: number } | undefined {
  const end = decEnd(s, i);
  if (end === i || end - i > 9) return undefined;
  return { value: Number(s.slice(i, end)), end };
}

/** Length of s without its trailing spaces and TABs (trimEndBlanks(s).length, no string made). */
export function trimEndBlanksLength(s: string): number {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 32 && c !== 9) break;
    e--;
  }
  return e;
}

/** Trailing spaces and TABs removed: the kernel leaves some ("fault addr %llx \n"). */
export function trimEndBlanks(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== 32 && c !== 9) break;
    e--;
  }
  return e === s.length ? s : s.slice(0, e);
}
