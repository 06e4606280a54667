// Guest physical memory holding the VT-d structures the guest writes (root,
// context, PASID and page tables, the interrupt remapping table and the
// invalidation queue ring). A sparse map of 4 KiB pages, each a Uint32Array
// of 1024 little-endian words; pages never written read as zero, as fresh
// guest RAM does. Data pages (packet buffers) are never stored: DMA only
// needs their addresses.

import { hiOf, loOf, pfnOf } from './halves';

const PAGE_WORDS = 1024;

export class GuestMemory {
  private readonly pages = new Map<number, Uint32Array>();

  /** The page of guest frame `pfn`, or undefined when nothing was written there. */
  page(pfn: number): Uint32Array | undefined {
    return this.pages.get(pfn);
  }

  /** The page of guest frame `pfn`, created (zeroed) when absent. */
  pageForWrite(pfn: number): Uint32Array {
    let p = this.pages.get(pfn);
    if (!p) {
      p = new Uint32Array(PAGE_WORDS);
      this.pages.set(pfn, p);
    }
    return p;
  }

  /** Number of pages holding data. */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Guest frames in use, ascending. */
  frames(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** The 32-bit word at a 4-byte aligned hi:lo address. */
  readWord(hi: number, lo: number): number {
    const p = this.pages.get(pfnOf(hi, lo));
    return p === undefined ? 0 : p[(lo & 0xfff) >>> 2];
  }

  writeWord(hi: number, lo: number, value: number): void {
    this.pageForWrite(pfnOf(hi, lo))[(lo & 0xfff) >>> 2] = value >>> 0;
  }

  // ---- bigint edge API (tests, seeding, display) ----

  read32(addr: bigint): number {
    return this.readWord(hiOf(addr), loOf(addr) & ~3);
  }

  write32(addr: bigint, value: number): void {
    this.writeWord(hiOf(addr), loOf(addr) & ~3, value);
  }

  /** The 64-bit little-endian value at an 8-byte aligned address. */
  read64(addr: bigint): bigint {
    const hi = hiOf(addr);
    const lo = loOf(addr) & ~7;
    const p = this.pages.get(pfnOf(hi, lo));
    if (p === undefined) return 0n;
    const w = (lo & 0xfff) >>> 2;
    return (BigInt(p[w + 1]) << 32n) | BigInt(p[w]);
  }

  write64(addr: bigint, value: bigint): void {
    const hi = hiOf(addr);
    const lo = loOf(addr) & ~7;
    const p = this.pageForWrite(pfnOf(hi, lo));
    const w = (lo & 0xfff) >>> 2;
    p[w] = loOf(value);
    p[w + 1] = hiOf(value);
  }

  /** `count` consecutive qwords from `addr`, lowest first. */
  readQwords(addr: bigint, count: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(this.read64(addr + BigInt(8 * i)));
    return out;
  }

  writeQwords(addr: bigint, qwords: readonly bigint[]): void {
    qwords.forEach((q, i) => this.write64(addr + BigInt(8 * i), q));
  }
}
