// A device's DMA and its interrupts, by the path the platform gives them:
//   direct  no vIOMMU (or DMA remapping off): guest physical addresses;
//   vhost   vhost's device IOTLB; a miss is the round trip to QEMU, which
//           translates through the IOMMU and answers with VHOST_IOTLB_UPDATE;
//   qemu    QEMU does the DMA itself (vhost=off, emulated devices): every
//           access goes through the IOMMU's IOTLB;
//   ats     an ATS device: its ATC, a translation request on a miss, the
//           completion filling the ATC;
//   vfio    an assigned device: the host IOMMU, with the shadow mappings
//           QEMU keeps from the guest's table (devices/vfioShadow.ts).
// Interrupts: with the split (or full) KVM irqchip an installed route injects
// the cached message; without a route, or with kernel-irqchip=off, QEMU
// translates the message itself (vtd_mem_ir_write, faults recorded).

import { K } from './events/kinds';
import { emptyRemapResult, remapMsi } from './iommu/interruptRemap';
import { emptyTranslateResult, translateDma } from './iommu/translate';
import type { SimDevice, World } from './world';

const tr = emptyTranslateResult();
const rr = emptyRemapResult();

/** One DMA access of `dev` at an IOVA; returns whether it reached memory. */
export function deviceAccess(w: World, dev: SimDevice, iovaHi: number, iovaLo: number, write: boolean): boolean {
  const rec = w.rec;
  rec.currentThread = dev.thread;
  const iommu = w.iommu;
  if (dev.path === 'direct' || !iommu) return true;
  if (dev.path === 'vfio') {
    // The host IOMMU translates with the shadow QEMU keeps; a miss there is a host-side fault the guest never sees.
    const pfn = iovaHi * 1048576 + Math.floor(iovaLo / 4096);
    if (!iommu.dmarEnabled || dev.shadow!.has(pfn)) return true;
    rec.emit(K.dmaAborted, dev.sid, iovaHi, iovaLo, 0, 0, -1, write ? 1 : 0);
    return false;
  }
  if (dev.path === 'qemu') {
    rec.chargeLookups = true;
    const ok = translateDma(iommu, dev.sid, -1, iovaHi, iovaLo, write, tr);
    rec.chargeLookups = false;
    if (!ok) rec.emit(K.dmaAborted, dev.sid, iovaHi, iovaLo, 0, 0, tr.fault, write ? 1 : 0);
    return ok;
  }
  const tlb = dev.tlb!;
  const slot = tlb.lookup(iovaHi, iovaLo, write);
  if (slot >= 0) {
    if (dev.path === 'ats') rec.emitCost(K.devtlbHit, 0, dev.sid, iovaHi, iovaLo, tlb.translateHi(slot), tlb.translateLo(slot, iovaLo), 0, write ? 1 : 0);
    else rec.emit(K.devtlbHit, dev.sid, iovaHi, iovaLo, tlb.translateHi(slot), tlb.translateLo(slot, iovaLo), 0, write ? 1 : 0);
    return true;
  }
  const c = w.scenario.costs;
  rec.emitCost(K.devtlbRequest, dev.path === 'ats' ? c['ats-translation-ns'] : c['devtlb-miss-ns'], dev.sid, iovaHi, iovaLo, 0, 0, 0, write ? 1 : 0);
  const ok = translateDma(iommu, dev.sid, -1, iovaHi, iovaLo, write, tr);
  if (!ok) {
    rec.emit(K.devtlbCompletion, dev.sid, iovaHi, iovaLo, 0, 0, tr.fault, 0);
    rec.emit(K.dmaAborted, dev.sid, iovaHi, iovaLo, 0, 0, tr.fault, write ? 1 : 0);
    return false;
  }
  // QEMU answers a pass-through translation with one 4 KiB page (vtd_do_iommu_translate:
  // addr_mask ~VTD_PAGE_MASK_4K), so a working set beyond vhost's IOTLB keeps missing; with
  // DMA remapping off the device's address space is plain memory, answered in large blocks.
  const shift = tr.source === 'nodmar' ? 30 : tr.shift;
  const low = shift === 12 ? 0xfff : shift === 21 ? 0x1fffff : 0x3fffffff;
  const baseLo = (tr.outLo & ~low) >>> 0;
  rec.emit(K.devtlbCompletion, dev.sid, iovaHi, iovaLo, tr.outHi, baseLo, shift, (tr.read ? 1 : 0) | (tr.write ? 2 : 0));
  tlb.fill(iovaHi, iovaLo, shift, tr.outHi, baseLo, tr.read, tr.write);
  rec.emit(K.devtlbFill, dev.sid, iovaHi, iovaLo, tr.outHi, baseLo, shift, (tr.read ? 1 : 0) | (tr.write ? 2 : 0));
  return true;
}

/** The device raises interrupt vector `v` (an MSI write of its programmed message). */
export function raiseMsi(w: World, dev: SimDevice, v: number): boolean {
  const rec = w.rec;
  rec.currentThread = dev.thread;
  const msg = dev.guest?.msi[v];
  if (!msg) return false;
  rec.emit(K.msi, dev.sid, msg.addrHi, msg.addrLo, 0, 0, msg.data, v);
  const p = w.scenario.platform;
  const route = p.irqchip === 'off' ? undefined : w.routes.find(dev.sid, v);
  if (route && route.installed) {
    rec.currentThread = 1;
    const stale = w.routes.isStale(route);
    rec.emit(stale ? K.routeStaleDeliver : K.routeDeliver, dev.sid, route.routeAddrHi, route.routeAddrLo, 0, 0, route.gsi, route.routeData & 0xff);
    rec.emit(K.irqDelivered, dev.sid, route.routeAddrHi, route.routeAddrLo, 0, 0, route.routeData & 0xff, route.gsi);
    return true;
  }
  // QEMU delivers it itself: the write lands in the vtd-ir region (vtd_mem_ir_write).
  rec.currentThread = 1;
  rec.emit(K.irqUncached, dev.sid, msg.addrHi, msg.addrLo, 0, 0, msg.data, route ? route.gsi : -1);
  if (!w.iommu) {
    rec.emit(K.irqDelivered, dev.sid, msg.addrHi, msg.addrLo, 0, 0, msg.data & 0xff, -1);
    return true;
  }
  const ok = remapMsi(w.iommu, msg.addrHi, msg.addrLo, msg.data, dev.sid, true, rr);
  if (ok) rec.emit(K.irqDelivered, dev.sid, rr.addrHi, rr.addrLo, 0, 0, rr.vector, -1);
  return ok;
}
