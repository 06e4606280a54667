// Seeding a simulation from a real capture: the root and context entries,
// every page-table entry on the path of every dumped leaf (written at the
// table addresses the dump's own entries point to), and the IRTEs, all
// written into guest memory where the capture says they were; then the
// IOMMU's registers as the capture shows them (root table, IRTA, enables).
// The scenario's DMA and interrupt requests then run against the guest's
// real tables. Legacy-mode captures only (scalable-mode PASID tables are
// not all printed by debugfs).

import { encodeRemappableMsi } from '../vtd/msi';
import { formatBdf } from '../model/bdf';
import type { Capture } from '../model/types';
import type { PageTableRows } from '../dumps/debugfs/domainTranslation';
import { GCMD_IRE, GCMD_SIRTP, GCMD_SRTP, GCMD_TE, REG } from './iommu/registerFile';
import { IovaAllocator } from './guest/iovaAllocator';
import { hiOf, loOf } from './halves';
import type { DeviceLayout } from './setup';
import type { SimDevice, World } from './world';

const ADDRESS = ((1n << 52n) - 1n) & ~0xfffn;

/** Writes the capture's tables into guest memory and programs the IOMMU; returns no packet layouts. */
export function seedFromCapture(w: World, capture: Capture): Map<number, DeviceLayout> {
  const iommu = w.iommu;
  const unit = capture.units[0];
  if (!iommu || !unit) return new Map();
  const mem = w.mem;
  const root = unit.rootTableAddress ?? 0n;
  for (const r of capture.requesters.values()) {
    if (!r.root || !r.context) continue;
    const bus = BigInt(r.sid >> 8);
    const devfn = BigInt(r.sid & 0xff);
    mem.write64(root + bus * 16n, r.root.lo);
    mem.write64(root + bus * 16n + 8n, r.root.hi);
    const ctp = r.root.lo & ADDRESS;
    mem.write64(ctp + devfn * 16n, r.context.lo);
    mem.write64(ctp + devfn * 16n + 8n, r.context.hi);
    const levels = r.levels ?? 3;
    for (const t of r.tables) writeTable(w, t.pgd, levels, t.rows);
  }
  if (unit.irTableAddress !== undefined) {
    for (const e of capture.irtes) {
      mem.write64(unit.irTableAddress + BigInt(e.index) * 16n, e.lo);
      mem.write64(unit.irTableAddress + BigInt(e.index) * 16n + 8n, e.hi);
    }
  }
  // The registers, as the capture shows the unit running.
  iommu.writeReg64(REG.RTADDR, root);
  let gcmd = 0;
  iommu.write32(REG.GCMD, GCMD_SRTP);
  const irta = unit.registers.get('IRTA');
  if (irta !== undefined && unit.interruptRemappingEnabled) {
    iommu.writeReg64(REG.IRTA, irta);
    iommu.write32(REG.GCMD, GCMD_SIRTP);
    gcmd |= GCMD_IRE;
    iommu.write32(REG.GCMD, gcmd);
  }
  if (unit.translationEnabled !== false) {
    gcmd = (gcmd | GCMD_TE) >>> 0;
    iommu.write32(REG.GCMD, gcmd);
  }
  addCaptureDevices(w, capture);
  return new Map();
}

/** Every present leaf's path: level by level, the entry at its index in the table the level above points to. */
function writeTable(w: World, pgd: bigint, levels: number, rows: PageTableRows): void {
  for (let i = 0; i < rows.count; i++) {
    const iova = rows.iova(i);
    const leaf = rows.leafLevel(i);
    let table = pgd;
    for (let level = levels; level >= leaf; level--) {
      const e = rows.entry(i, level);
      if (e === undefined) break;
      const index = (iova >> BigInt(12 + 9 * (level - 1))) & 511n;
      w.mem.write64(table + index * 8n, e);
      if (level > leaf) table = e & ADDRESS;
    }
  }
}

/** Devices the scenario does not list become emulated devices (QEMU does their DMA), with MSIs on their IRTEs. */
function addCaptureDevices(w: World, capture: Capture): void {
  for (const r of capture.requesters.values()) {
    let dev = w.bySid.get(r.sid);
    if (!dev) {
      dev = {
        spec: { name: formatBdf(r.sid), bdf: formatBdf(r.sid), sid: r.sid, kind: 'emulated', ats: false, msiFormat: 'remappable', vectors: 1 },
        sid: r.sid,
        path: 'qemu',
        thread: 3,
        devIotlbMode: false,
      } satisfies SimDevice;
      w.devices.push(dev);
      w.bySid.set(r.sid, dev);
    }
    const msi = capture.irtes
      .filter((e) => e.info.sid === r.sid)
      .map((e) => {
        const m = encodeRemappableMsi(e.index, 0);
        return { addrHi: hiOf(m.address), addrLo: loOf(m.address), data: 0, irte: e.index, vector: e.info.vector };
      });
    dev.guest = { spec: dev.spec, did: r.did ?? 0, passThrough: r.translationType === 2, ats: false, iova: new IovaAllocator(), msi };
  }
}
