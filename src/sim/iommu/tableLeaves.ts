// Reading a guest's page table without walking it as a request would: no
// fault, no Accessed/Dirty update, no event. QEMU does this to keep an
// assigned device's shadow mappings in the host IOMMU in step with the
// guest's table (vtd_page_walk for vtd_sync_shadow_page_table).

import type { GuestMemory } from '../memory';
import { levelIndex } from './slWalk';

export interface Leaf {
  /** IOVA frame and guest-physical frame of the leaf's first 4 KiB page, and its size in 4 KiB pages. */
  iovaPfn: number;
  gpaPfn: number;
  pages: number;
  write: boolean;
}

/** An entry is present: R or W in the second stage, P in the first. */
function present(lo: number, firstStage: boolean): boolean {
  return firstStage ? (lo & 1) !== 0 : (lo & 3) !== 0;
}

const frameOf = (hi: number, lo: number) => (hi & 0xfffff) * 1048576 + (lo >>> 12);

/** The leaf that maps IOVA frame `iovaPfn`, or undefined. */
export function leafAt(mem: GuestMemory, rootPfn: number, levels: number, firstStage: boolean, iovaPfn: number): Leaf | undefined {
  const iovaHi = Math.floor(iovaPfn / 1048576);
  const iovaLo = ((iovaPfn % 1048576) * 4096) >>> 0;
  let pfn = rootPfn;
  for (let level = levels; level >= 1; level--) {
    const page = mem.page(pfn);
    if (!page) return undefined;
    const i = levelIndex(iovaHi, iovaLo, level) << 1;
    const lo = page[i];
    const hi = page[i + 1];
    if (!present(lo, firstStage)) return undefined;
    const leaf = level === 1 || ((level === 2 || level === 3) && (lo & 0x80) !== 0);
    if (leaf) {
      const pages = 512 ** (level - 1);
      const base = iovaPfn - (iovaPfn % pages);
      return { iovaPfn: base, gpaPfn: frameOf(hi, lo), pages, write: (lo & 2) !== 0 };
    }
    pfn = frameOf(hi, lo);
  }
  return undefined;
}

/** Every leaf of the table, in IOVA order (a full replay). */
export function forEachLeaf(mem: GuestMemory, rootPfn: number, levels: number, firstStage: boolean, visit: (leaf: Leaf) => void): void {
  const walk = (pfn: number, level: number, basePfn: number) => {
    const page = mem.page(pfn);
    if (!page) return;
    const span = 512 ** (level - 1);
    for (let k = 0; k < 512; k++) {
      const lo = page[k << 1];
      const hi = page[(k << 1) + 1];
      if (!present(lo, firstStage)) continue;
      const at = basePfn + k * span;
      const leaf = level === 1 || ((level === 2 || level === 3) && (lo & 0x80) !== 0);
      if (leaf) visit({ iovaPfn: at, gpaPfn: frameOf(hi, lo), pages: span, write: (lo & 2) !== 0 });
      else walk(frameOf(hi, lo), level - 1, at);
    }
  };
  walk(rootPfn, levels, 0);
}
