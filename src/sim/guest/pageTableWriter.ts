// The page tables of one domain, written the way Linux's intel-iommu driver
// writes them (pfn_to_dma_pte / __domain_mapping / dma_pte_clear_range).
// Second stage: non-leaf entries are `next table | R | W`, leaves `page | R? |
// W? | PS (for 2 MiB / 1 GiB) | SNP (only when the domain forces snooping)`.
// First stage (a domain that uses it: `firstStage`): the x86 format, non-leaf
// `next | P | RW | US | A | XD`, leaves `page | P | RW? | US | A | D (if
// writable) | PS | XD`. Intermediate tables are allocated on demand; entries
// are written as 32-bit halves.

import type { GuestMemory } from '../memory';
import { levelIndex } from '../iommu/slWalk';
import { frameHi, frameLo, type PageAllocator } from './pageAllocator';

/** XD (bit 63): Linux sets it in every first-stage entry it writes (no execute for DMA). */
const XD_HI = 0x80000000;

interface LeafWrite {
  /** Guest physical address of the leaf entry written. */
  entryHi: number;
  entryLo: number;
  pteHi: number;
  pteLo: number;
  level: number;
}

export class PageTableWriter {
  readonly rootPfn: number;
  /** Tables allocated (root included). */
  tables = 1;

  constructor(
    private readonly mem: GuestMemory,
    private readonly pages: PageAllocator,
    readonly levels: number,
    private readonly snoop = false,
    readonly firstStage = false,
  ) {
    this.rootPfn = pages.alloc();
    mem.pageForWrite(this.rootPfn);
  }

  get rootHi(): number {
    return frameHi(this.rootPfn);
  }

  get rootLo(): number {
    return frameLo(this.rootPfn);
  }

  /** The table page at `level` on the path of the IOVA, creating it when `create`. */
  private tableAt(iovaHi: number, iovaLo: number, level: number, create: boolean): Uint32Array | undefined {
    let table = this.mem.pageForWrite(this.rootPfn);
    for (let l = this.levels; l > level; l--) {
      const i = levelIndex(iovaHi, iovaLo, l) << 1;
      if ((table[i] & 3) === 0) {
        if (!create) return undefined;
        const pfn = this.pages.alloc();
        this.tables++;
        this.mem.pageForWrite(pfn);
        // P|RW (R|W), and for the first stage US, A and XD too.
        table[i] = (frameLo(pfn) | (this.firstStage ? 0x27 : 3)) >>> 0;
        table[i + 1] = (frameHi(pfn) | (this.firstStage ? XD_HI : 0)) >>> 0;
      }
      // Address bits 51:12 (XD in bit 63 of a first-stage entry is not part of it).
      table = this.mem.pageForWrite((table[i + 1] & 0xfffff) * 1048576 + (table[i] >>> 12));
    }
    return table;
  }

  /**
   * Maps one page of 4 KiB (shift 12), 2 MiB (21) or 1 GiB (30) at the IOVA
   * to the guest physical address, with the given rights.
   */
  map(iovaHi: number, iovaLo: number, gpaHi: number, gpaLo: number, shift: number, read: boolean, write: boolean, out?: LeafWrite): void {
    const level = shift === 30 ? 3 : shift === 21 ? 2 : 1;
    const table = this.tableAt(iovaHi, iovaLo, level, true) as Uint32Array;
    const i = levelIndex(iovaHi, iovaLo, level) << 1;
    const low = shift === 12 ? 0xfff : shift === 21 ? 0x1fffff : 0x3fffffff;
    const lo = this.firstStage
      ? ((gpaLo & ~low) | 1 | (write ? 0x42 : 0) | 0x24 | (level > 1 ? 0x80 : 0)) >>> 0 // P, RW+D, US+A, PS
      : ((gpaLo & ~low) | (read ? 1 : 0) | (write ? 2 : 0) | (level > 1 ? 0x80 : 0) | (this.snoop ? 0x800 : 0)) >>> 0;
    const hi = (gpaHi | (this.firstStage ? XD_HI : 0)) >>> 0;
    table[i] = lo;
    table[i + 1] = hi;
    if (out) {
      out.pteHi = hi;
      out.pteLo = lo;
      out.level = level;
      out.entryHi = 0;
      out.entryLo = i << 2;
    }
  }

  /** Clears the leaf of the page of `shift` at the IOVA; returns whether one was present. */
  unmap(iovaHi: number, iovaLo: number, shift: number): boolean {
    const level = shift === 30 ? 3 : shift === 21 ? 2 : 1;
    const table = this.tableAt(iovaHi, iovaLo, level, false);
    if (!table) return false;
    const i = levelIndex(iovaHi, iovaLo, level) << 1;
    const present = (table[i] & 3) !== 0;
    table[i] = 0;
    table[i + 1] = 0;
    return present;
  }

  /** Writes a raw entry at `level` on the IOVA's path (tests and capture seeding). */
  writeRaw(iovaHi: number, iovaLo: number, level: number, hi: number, lo: number): void {
    const table = this.tableAt(iovaHi, iovaLo, level, true) as Uint32Array;
    const i = levelIndex(iovaHi, iovaLo, level) << 1;
    table[i] = lo >>> 0;
    table[i + 1] = hi >>> 0;
  }
}
