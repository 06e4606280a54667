// An assigned device (VFIO) behind the vIOMMU: its DMA never reaches QEMU;
// the host IOMMU translates it with mappings QEMU makes from the guest's
// table. Every invalidation the guest queues for its domain makes QEMU walk
// the range of the guest's table and MAP what appeared, UNMAP what went
// (vtd_sync_shadow_page_table_range -> vfio_iommu_map_notify -> an ioctl
// each); a context invalidation replays the whole domain. This is why such
// a device needs caching mode: the guest must also invalidate on map.

import { K } from '../events/kinds';
import { forEachLeaf, leafAt } from '../iommu/tableLeaves';
import type { SimDevice, World } from '../world';

/** Pages synced at most one by one; a larger range is replayed as the whole table. */
const RANGE_LIMIT = 1 << 12;

function mapped(w: World, dev: SimDevice, iovaPfn: number, gpaPfn: number, pages: number): void {
  const shadow = dev.shadow!;
  let changed = false;
  for (let i = 0; i < pages; i++) {
    if (shadow.get(iovaPfn + i) !== gpaPfn + i) {
      shadow.set(iovaPfn + i, gpaPfn + i);
      changed = true;
    }
  }
  if (changed) w.rec.emit(K.vfioMap, dev.sid, Math.floor(iovaPfn / 1048576), ((iovaPfn % 1048576) * 4096) >>> 0, Math.floor(gpaPfn / 1048576), ((gpaPfn % 1048576) * 4096) >>> 0, 12 + Math.log2(pages), 0);
}

function unmapped(w: World, dev: SimDevice, iovaPfn: number): void {
  if (!dev.shadow!.delete(iovaPfn)) return;
  w.rec.emit(K.vfioUnmap, dev.sid, Math.floor(iovaPfn / 1048576), ((iovaPfn % 1048576) * 4096) >>> 0, 0, 0, 12, 0);
}

/** Brings the device's shadow in step with the guest's table over [addr, addr + 2^shift), or everywhere (shift >= 64 or a huge range). */
export function syncShadow(w: World, dev: SimDevice, addrHi: number, addrLo: number, shift: number): void {
  const tables = dev.guest?.tables;
  if (!tables) return;
  const firstStage = tables.firstStage;
  const pages = shift >= 64 ? Infinity : 2 ** Math.max(0, shift - 12);
  const startPfn = addrHi * 1048576 + Math.floor(addrLo / 4096);
  if (pages > RANGE_LIMIT) {
    const seen = new Set<number>();
    forEachLeaf(w.mem, tables.rootPfn, tables.levels, firstStage, (leaf) => {
      for (let i = 0; i < leaf.pages; i++) seen.add(leaf.iovaPfn + i);
      mapped(w, dev, leaf.iovaPfn, leaf.gpaPfn, leaf.pages);
    });
    for (const pfn of [...dev.shadow!.keys()]) if (!seen.has(pfn)) unmapped(w, dev, pfn);
    return;
  }
  for (let p = startPfn; p < startPfn + pages; p++) {
    const leaf = leafAt(w.mem, tables.rootPfn, tables.levels, firstStage, p);
    if (leaf) mapped(w, dev, p, leaf.gpaPfn + (p - leaf.iovaPfn), 1);
    else unmapped(w, dev, p);
  }
}
