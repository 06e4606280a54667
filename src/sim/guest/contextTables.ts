// The root and context tables as Linux's intel-iommu driver fills them.
// Legacy mode: one root entry per bus (`context table | P`), one 128-bit
// context entry per devfn, built by context_set_domain_id(),
// context_set_address_root(), context_set_address_width(),
// context_set_translation_type(), context_set_fault_enable() and
// context_set_present(). Scalable mode: the root entry's lower/upper halves,
// 256-bit context entries pointing at a PASID directory, whose entries point
// at 64-entry PASID tables of 512-bit entries (PGTT second-level or
// pass-through, AW, SSPTPTR, DID).

import type { GuestMemory } from '../memory';
import { frameHi, frameLo, type PageAllocator } from './pageAllocator';

export const TT_TRANSLATE = 0;
export const TT_DEVICE_TLB = 1;
export const TT_PASS_THROUGH = 2;

interface ContextSetting {
  did: number;
  /** AW field: levels - 2. */
  aw: number;
  tt: number;
  /** Second-level table root (ignored for pass-through). */
  rootHi: number;
  rootLo: number;
  fpd?: boolean;
}

export class ContextTables {
  readonly rootPfn: number;
  private readonly contextPfn = new Map<number, number>();
  private readonly pasidDirPfn = new Map<number, number>();

  constructor(
    private readonly mem: GuestMemory,
    private readonly pages: PageAllocator,
    readonly scalable: boolean,
  ) {
    this.rootPfn = pages.alloc();
    mem.pageForWrite(this.rootPfn);
  }

  /** The context table of a bus (or half of it in scalable mode), allocated and hooked into the root entry on first use. */
  private contextTable(bus: number, upper: boolean): number {
    const key = bus * 2 + (upper ? 1 : 0);
    let pfn = this.contextPfn.get(key);
    if (pfn === undefined) {
      pfn = this.pages.alloc();
      this.mem.pageForWrite(pfn);
      this.contextPfn.set(key, pfn);
      const root = this.mem.pageForWrite(this.rootPfn);
      const w = bus * 4 + (upper ? 2 : 0);
      root[w] = (frameLo(pfn) | 1) >>> 0;
      root[w + 1] = frameHi(pfn);
    }
    return pfn;
  }

  /** Guest physical address of the root entry of a bus (for display). */
  rootEntryAddress(bus: number): bigint {
    return BigInt(this.rootPfn) * 4096n + BigInt(bus * 16);
  }

  /** Writes a legacy context entry; returns the address it was written at. */
  setLegacy(sid: number, s: ContextSetting): bigint {
    const bus = sid >>> 8;
    const devfn = sid & 0xff;
    const pfn = this.contextTable(bus, false);
    const page = this.mem.pageForWrite(pfn);
    const w = devfn * 4;
    const ptr = s.tt === TT_PASS_THROUGH ? 0 : (s.rootLo & ~0xfff) >>> 0;
    page[w] = (ptr | (s.tt << 2) | (s.fpd ? 2 : 0) | 1) >>> 0;
    page[w + 1] = s.tt === TT_PASS_THROUGH ? 0 : s.rootHi >>> 0;
    page[w + 2] = ((s.aw & 7) | ((s.did & 0xffff) << 8)) >>> 0;
    page[w + 3] = 0;
    return BigInt(pfn) * 4096n + BigInt(devfn * 16);
  }

  /** Clears a context entry (device detached). */
  clear(sid: number): void {
    const bus = sid >>> 8;
    const devfn = sid & 0xff;
    const upper = this.scalable && devfn >= 0x80;
    const pfn = this.contextPfn.get(bus * 2 + (upper ? 1 : 0));
    if (pfn === undefined) return;
    const page = this.mem.pageForWrite(pfn);
    const w = this.scalable ? (devfn & 0x7f) * 8 : devfn * 4;
    page.fill(0, w, w + (this.scalable ? 8 : 4));
  }

  /**
   * Scalable mode: a context entry with a PASID directory of 512 entries
   * (PDTS 2, as Linux for devices without PASID), RID_PASID 0, and the PASID
   * table entry of PASID 0: second-level translation (PGTT 010) or
   * pass-through (PGTT 100).
   */
  setScalable(sid: number, s: ContextSetting & { dte?: boolean; firstStage?: boolean }): bigint {
    const bus = sid >>> 8;
    const devfn = sid & 0xff;
    const ctx = this.mem.pageForWrite(this.contextTable(bus, devfn >= 0x80));
    let dir = this.pasidDirPfn.get(sid);
    if (dir === undefined) {
      dir = this.pages.alloc();
      this.pasidDirPfn.set(sid, dir);
    }
    const table = this.pages.alloc();
    // PASID directory entry 0 → table; PASID table entry 0.
    const dirPage = this.mem.pageForWrite(dir);
    dirPage[0] = (frameLo(table) | 1) >>> 0;
    dirPage[1] = frameHi(table);
    const pe = this.mem.pageForWrite(table);
    const pt = s.tt === TT_PASS_THROUGH;
    const fs = !pt && s.firstStage === true;
    // PGTT 100 pass-through, 010 second stage (its table in qword 0), 001 first stage (its table in qword 2, 4-level).
    pe[0] = ((pt || fs ? 0 : s.rootLo & ~0xfff) | ((pt ? 4 : fs ? 1 : 2) << 6) | ((s.aw & 7) << 2) | (s.fpd ? 2 : 0) | 1) >>> 0;
    pe[1] = pt || fs ? 0 : s.rootHi >>> 0;
    pe[2] = (s.did & 0xffff) | (1 << 23); // DID, PWSNP (bit 87) as Linux sets it
    if (fs) {
      pe[4] = (s.rootLo & ~0xfff) >>> 0;
      pe[5] = s.rootHi >>> 0;
    }
    const w = (devfn & 0x7f) * 8;
    ctx[w] = (frameLo(dir) | (2 << 9) | (s.dte || s.tt === TT_DEVICE_TLB ? 4 : 0) | (s.fpd ? 2 : 0) | 1) >>> 0;
    ctx[w + 1] = frameHi(dir);
    for (let i = 2; i < 8; i++) ctx[w + i] = 0;
    return BigInt(this.contextPfn.get(bus * 2 + (devfn >= 0x80 ? 1 : 0)) as number) * 4096n + BigInt((devfn & 0x7f) * 32);
  }
}
