// The rows of one domain_translation_struct block, stored by column.
//
// A page-table dump can hold millions of rows; one object (and five bigints)
// per row would cost several times the file size. Here every 64-bit value is
// two 32-bit halves in a Uint32Array column, so a row takes 53 bytes, and
// bigints are made only when a caller asks for a value.

const INITIAL_CAPACITY = 16;
const TWO32 = 4294967296;
/** Bytes of one row: 13 32-bit columns (PFN, five entries, line) and the entry count. */
const BYTES_PER_ROW = 4 * 13 + 1;
const NO_ROWS = new Uint32Array(0);

/** What `row(i)` returns: one row as plain values, for display. */
export interface PageTableRow {
  /** IOVA >> 12 as printed. */
  pfn: bigint;
  iova: bigint;
  /** Entries by level (5 = PML5E … 1 = PTE); levels below a huge-page leaf are absent. */
  entries: { level: number; value: bigint }[];
  line: number;
  leafLevel: number;
  /** Entries printed on the row: 3 (1 GiB leaf), 4 (2 MiB leaf) or 5 (through the PTE). */
  entryCount: number;
}

export class PageTableRows {
  count = 0;
  /**
   * Rows the file had for this block, when only some are kept (a streamed
   * file keeps the rows near the faulting IOVAs): undefined when all are.
   */
  fileRows: number | undefined;
  /** False once a row's PFN was below the previous row's (binary search is then off). */
  ascending = true;
  private capacity = 0;
  private pfnHi = new Uint32Array(0);
  private pfnLo = new Uint32Array(0);
  /** hi and lo columns of entries, index 2*(5-level) for hi, +1 for lo: printed order. */
  private ent: Uint32Array[] = [];
  private lines = new Uint32Array(0);
  private counts = new Uint8Array(0);

  constructor(capacity = INITIAL_CAPACITY) {
    this.allocate(Math.max(1, capacity));
  }

  /**
   * (Re)allocates the columns for `capacity` rows, keeping the rows held. All
   * columns share one buffer: one allocation per growth, not one per column.
   */
  private allocate(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * BYTES_PER_ROW);
    const keep = Math.min(this.count, capacity);
    let column = 0;
    const grow = (old: Uint32Array) => {
      const a = new Uint32Array(buffer, 4 * capacity * column++, capacity);
      if (keep > 0) a.set(old.subarray(0, keep));
      return a;
    };
    this.pfnHi = grow(this.pfnHi);
    this.pfnLo = grow(this.pfnLo);
    const ent: Uint32Array[] = [];
    for (let k = 0; k < 10; k++) ent.push(grow(this.ent[k] ?? NO_ROWS));
    this.ent = ent;
    this.lines = grow(this.lines);
    const counts = new Uint8Array(buffer, 4 * capacity * column, capacity);
    if (keep > 0) counts.set(this.counts.subarray(0, keep));
    this.counts = counts;
    this.capacity = capacity;
  }

  /**
   * Appends a row. `words` holds the PFN (hi, lo) and then `entryCount`
   * entries in printed order (PML5E first), each as hi, lo.
   */
  push(line: number, words: Uint32Array, entryCount: number): void {
    if (this.count === this.capacity) this.allocate(this.capacity * 2);
    const i = this.count;
    const hi = words[0];
    const lo = words[1];
    if (i > 0) {
      const ph = this.pfnHi[i - 1];
      if (hi < ph || (hi === ph && lo < this.pfnLo[i - 1])) this.ascending = false;
    }
    this.pfnHi[i] = hi;
    this.pfnLo[i] = lo;
    for (let k = 0; k < 10; k++) this.ent[k][i] = k < 2 * entryCount ? words[2 + k] : 0;
    this.lines[i] = line;
    this.counts[i] = entryCount;
    this.count = i + 1;
  }

  /** Rows the file printed for this block (all of them, also those not kept). */
  get rowsInFile(): number {
    return this.fileRows ?? this.count;
  }

  /** Appends row `i` of `from` (a copy of its columns). */
  copyRow(from: PageTableRows, i: number): void {
    const n = from.counts[i];
    const words = new Uint32Array(2 + 2 * 5);
    words[0] = from.pfnHi[i];
    words[1] = from.pfnLo[i];
    for (let k = 0; k < 2 * n; k++) words[2 + k] = from.ent[k][i];
    this.push(from.lines[i], words, n);
  }

  /** Makes room for `capacity` rows at once, before the first row is pushed. */
  reserve(capacity: number): void {
    if (this.count === 0 && capacity > this.capacity) this.allocate(capacity);
  }

  /**
   * Gives back the unused part of the columns once a block is complete (up
   * to a sixteenth of them kept: copying the rows once costs far less than
   * scanning them did, but a block of exactly the reserved size needs no copy).
   */
  trim(): void {
    if (this.capacity > this.count + (this.count >> 4) + 16) this.allocate(Math.max(1, this.count));
  }

  pfn(i: number): bigint {
    return (BigInt(this.pfnHi[i]) << 32n) | BigInt(this.pfnLo[i]);
  }

  /** The PFN as a number: exact, since a PFN has at most 52 bits. */
  pfnNumber(i: number): number {
    return this.pfnHi[i] * TWO32 + this.pfnLo[i];
  }

  iova(i: number): bigint {
    return this.pfn(i) << 12n;
  }

  line(i: number): number {
    return this.lines[i];
  }

  /** Entries printed on row i: 3, 4 or 5. */
  entryCount(i: number): number {
    return this.counts[i];
  }

  /**
   * The entry of `level` (5 = PML5E … 1 = PTE), or undefined when the row
   * stops above that level (v6.7+ rows end at a huge-page leaf).
   */
  entry(i: number, level: number): bigint | undefined {
    if (i < 0 || i >= this.count || level < 1 || level > 5) return undefined;
    const k = 5 - level;
    if (k >= this.counts[i]) return undefined;
    return (BigInt(this.ent[2 * k][i]) << 32n) | BigInt(this.ent[2 * k + 1][i]);
  }

  /** True when the entry of `level` is printed and not zero (no bigint made). */
  hasEntry(i: number, level: number): boolean {
    const k = 5 - level;
    if (level < 1 || level > 5 || k >= this.counts[i]) return false;
    return this.ent[2 * k][i] !== 0 || this.ent[2 * k + 1][i] !== 0;
  }

  /**
   * The level the walk stopped at: the lowest printed level whose entry is
   * not zero. (Before v6.7 rows always print five entries, with zeros below
   * a huge-page leaf; from v6.7 they stop at the leaf.)
   */
  leafLevel(i: number): number {
    const lowest = 6 - this.counts[i];
    for (let level = lowest; level <= 5; level++) if (this.hasEntry(i, level)) return level;
    return lowest;
  }

  row(i: number): PageTableRow {
    const entries: { level: number; value: bigint }[] = [];
    for (let level = 5; level >= 6 - this.counts[i]; level--) entries.push({ level, value: this.entry(i, level) as bigint });
    return { pfn: this.pfn(i), iova: this.iova(i), entries, line: this.line(i), leafLevel: this.leafLevel(i), entryCount: this.counts[i] };
  }

  /**
   * The row whose mapping covers `pfn` (the row itself, or a 2 MiB / 1 GiB
   * leaf row below it), or -1. Binary search while rows are ascending, as
   * the kernel prints them; a linear scan otherwise.
   */
  findByPfn(pfn: bigint): number {
    if (pfn < 0n || pfn >= 1n << 64n || this.count === 0) return -1;
    const hi = Number(pfn >> 32n);
    const lo = Number(pfn & 0xffffffffn);
    if (!this.ascending) {
      for (let i = 0; i < this.count; i++) if (this.covers(i, pfn)) return i;
      return -1;
    }
    // Last row with row.pfn <= pfn.
    let a = 0;
    let b = this.count - 1;
    let found = -1;
    while (a <= b) {
      const mid = (a + b) >>> 1;
      const mh = this.pfnHi[mid];
      if (mh < hi || (mh === hi && this.pfnLo[mid] <= lo)) {
        found = mid;
        a = mid + 1;
      } else b = mid - 1;
    }
    return found >= 0 && this.covers(found, pfn) ? found : -1;
  }

  private covers(i: number, pfn: bigint): boolean {
    const start = this.pfn(i);
    const pages = 1n << BigInt(9 * (this.leafLevel(i) - 1));
    return pfn >= start && pfn < start + pages;
  }

  /** Bytes held by the columns (for memory checks). */
  get byteSize(): number {
    return this.capacity * BYTES_PER_ROW;
  }
}
