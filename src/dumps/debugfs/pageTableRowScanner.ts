// The hot loop of domain_translation_struct: reads one row
//   "0x%013lx |\t0x%016llx\t0x%016llx\t0x%016llx[\t0x%016llx[\t0x%016llx]]"
// straight from the file's bytes, byte by byte, accumulating each hex
// value into two 32-bit halves. No regular expression, no bigint.
// Runs of spaces are accepted wherever the kernel prints TABs.
//
// Neighbouring rows nearly always share every entry but the last (the walk
// stays in one page table for up to 512 rows), so RowScanner first compares
// the bytes between the PFN and the last entry with the previous row's and
// only reads the PFN and the last entry digit by digit when they match.

import { ByteRun, ViewCache } from '../byteText';
import { HEX_DIGIT as HEX_DIGITS } from '../fastScan';

/** Value of each hex digit, -1 for every other byte (fastScan's table, bound once). */
const HEX_DIGIT = HEX_DIGITS;

/** Why a row was rejected (negative results of a scan). */
const ROW_BAD_SYNTAX = -1;
export const ROW_TOO_FEW = -2;
export const ROW_TOO_MANY = -3;
export const ROW_TOO_WIDE = -4;

/** Most entries a row can have: PML5E, PML4E, PDPE, PDE, PTE. */
const MAX_ENTRIES = 5;
/** Fewest: PML5E, PML4E and PDPE are always printed. */
const MIN_ENTRIES = 3;

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Reads "0x<hex>" at b[i] into out[slot] (hi) and out[slot + 1] (lo).
 * Returns the position after the digits, or a negative ROW_* code. The token
 * must end at `end`, a blank, or (for the PFN) a '|'.
 */
function readHex(b: Buffer, i: number, end: number, out: Uint32Array, slot: number, barMayFollow: boolean): number {
  if (i + 2 >= end || b[i] !== 48 || (b[i + 1] | 32) !== 120) return ROW_BAD_SYNTAX;
  i += 2;
  const digitsStart = i;
  // Kept as int32 (the Uint32Array store makes them unsigned): no doubles.
  let hi = 0;
  let lo = 0;
  while (i < end) {
    const c = b[i];
    const d = HEX_DIGIT[c];
    if (d < 0) break;
    if (hi >>> 28 !== 0) return ROW_TOO_WIDE;
    hi = (hi << 4) | (lo >>> 28);
    lo = (lo << 4) | d;
    i++;
  }
  if (i === digitsStart) return ROW_BAD_SYNTAX;
  if (i < end) {
    const c = b[i];
    if (!isSpace(c) && !(barMayFollow && c === 124)) return ROW_BAD_SYNTAX;
  }
  out[slot] = hi;
  out[slot + 1] = lo;
  return i;
}

/**
 * Reads page-table rows. One instance per file: it remembers the previous
 * row for the fast path.
 */
export class RowScanner {
  /** Where the last failed scan stopped, relative to the row start (for the span of a finding). */
  errorColumn = 0;
  /** Bytes between the PFN and the last entry of the previous good row. */
  private readonly middle = new ByteRun();
  private readonly views = new ViewCache();
  private lastEntries = 0;
  private readonly previous = new Uint32Array(2 + 2 * MAX_ENTRIES);

  /**
   * Scans b[start, end) as one row (start at its first non-blank
   * character). On success returns the number of entries (3..5) and fills
   * `out` with PFN hi, lo, then each entry's hi, lo in printed order (PML5E
   * first); otherwise returns a ROW_* code and sets `errorColumn`.
   */
  scan(b: Buffer, start: number, end: number, out: Uint32Array): number {
    const fast = this.scanRepeat(b, start, end, out);
    return fast > 0 ? fast : this.scanFull(b, start, end, out);
  }

  /** The fast path: the PFN, then the previous row's middle text, then one entry. */
  private scanRepeat(b: Buffer, start: number, end: number, out: Uint32Array): number {
    const mid = this.middle;
    const n = mid.length;
    if (n === 0) return 0;
    const pfnEnd = readHex(b, start, end, out, 0, true);
    if (pfnEnd < 0) return 0;
    const lastStart = pfnEnd + n;
    if (lastStart >= end || !mid.at(this.views.of(b), b, pfnEnd)) return 0;
    const k = this.lastEntries;
    const after = readHex(b, lastStart, end, out, 2 * k, false);
    if (after < 0) return 0;
    for (let i = after; i < end; i++) if (!isSpace(b[i])) return 0;
    const prev = this.previous;
    for (let w = 2; w < 2 * k; w++) out[w] = prev[w];
    prev[2 * k] = out[2 * k];
    prev[2 * k + 1] = out[2 * k + 1];
    return k;
  }

  private scanFull(b: Buffer, start: number, end: number, out: Uint32Array): number {
    let i = readHex(b, start, end, out, 0, true);
    if (i < 0) return this.fail(i, start, start);
    const pfnEnd = i;
    while (i < end && isSpace(b[i])) i++;
    if (i >= end) return this.fail(ROW_TOO_FEW, i, start);
    if (b[i] !== 124 /* | */) return this.fail(ROW_BAD_SYNTAX, i, start);
    i++;
    let entries = 0;
    let lastStart = i;
    for (;;) {
      while (i < end && isSpace(b[i])) i++;
      if (i >= end) break;
      if (entries === MAX_ENTRIES) return this.fail(ROW_TOO_MANY, i, start);
      lastStart = i;
      const next = readHex(b, i, end, out, 2 + 2 * entries, false);
      if (next < 0) return this.fail(next, next === ROW_TOO_WIDE ? i : this.badColumn(b, i, end), start);
      i = next;
      entries++;
    }
    if (entries < MIN_ENTRIES) return this.fail(ROW_TOO_FEW, i, start);
    // Remember this row for the fast path of the next one.
    this.middle.set(b, pfnEnd, lastStart);
    this.lastEntries = entries;
    this.previous.set(out);
    return entries;
  }

  /** The first character of a bad token that is not part of "0x<hex>". */
  private badColumn(b: Buffer, i: number, end: number): number {
    if (i + 2 >= end || b[i] !== 48 || (b[i + 1] | 32) !== 120) return i;
    let j = i + 2;
    while (j < end) {
      const c = b[j];
      if (HEX_DIGIT[c] < 0) break;
      j++;
    }
    return j === i + 2 ? i : j;
  }

  private fail(code: number, at: number, start: number): number {
    this.errorColumn = at - start;
    return code;
  }
}

/**
 * The columns of the PFN and of each entry on a row's text, in printed order
 * (PFN, then PML5E, PML4E, …): for hovers and diagnostics, computed on demand
 * so the parser does not have to keep spans for millions of rows.
 */
export function pageTableRowTokenColumns(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && out.length < 1 + MAX_ENTRIES) {
    let c = text.charCodeAt(i);
    while (i < n && (isSpace(c) || c === 124 || c === 13)) c = text.charCodeAt(++i);
    if (i >= n) break;
    const s = i;
    while (i < n && !isSpace(c) && c !== 124 && c !== 13) c = text.charCodeAt(++i);
    out.push({ start: s, end: i });
  }
  return out;
}
