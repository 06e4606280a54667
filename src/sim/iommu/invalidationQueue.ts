// Queued invalidation as QEMU processes it (vtd_fetch_inv_desc and the
// vtd_process_*_desc functions): on an IQT write, descriptors are read from
// the ring in guest memory from IQH to IQT; each is checked (reserved bits
// with QEMU's masks, granularity, AM <= MAMV) and carried out; a bad one sets
// FSTS.IQE and stops the queue at that descriptor (IQH stays on it).
//
// Context-cache: global and domain-selective bump the generation (QEMU makes
// no difference), device-selective drops the devices under the function mask.
// IOTLB: global, domain (DSI), page-selective (PSI: 2^AM pages). Device-TLB:
// the PCIe size encoding (deviceTlbRange), sent to the device's ATS cache.
// IEC: to the KVM route refresh. Wait: status write and/or completion interrupt.

import { deviceTlbRange } from '../../vtd/invalidation';
import { K } from '../events/kinds';
import { hiOf, loOf } from '../halves';
import { MAMV } from './capabilities';
import { FSTS_IQE, REG } from './registerFile';
import type { VtdIommu } from './vtdIommu';

const ICS_IWC = 1;
const CTL_IM = 1 << 31;
const CTL_IP = 1 << 30;

const d = [0, 0, 0, 0, 0, 0, 0, 0];

/** Reasons a descriptor is refused, for the iqe event (d). */
export const IQE_REASONS = ['', 'invalid tail', 'tail not aligned for 256-bit descriptors', 'invalid descriptor type', 'reserved bits set', 'invalid granularity', 'AM above MAMV'];

function readDescriptor(iommu: VtdIommu, head: number): void {
  const bytes = iommu.iqDw ? 32 : 16;
  const lo = iommu.iqBaseLo + head * bytes;
  const hi = iommu.iqBaseHi + Math.floor(lo / 4294967296);
  const l = lo >>> 0;
  const page = iommu.mem.page(hi * 1048576 + (l >>> 12));
  const w = (l & 0xfff) >>> 2;
  const n = bytes >>> 2;
  for (let i = 0; i < 8; i++) d[i] = page !== undefined && i < n ? page[w + i] : 0;
}

function queueError(iommu: VtdIommu, head: number, reason: number): void {
  iommu.regs.set32(REG.FSTS, iommu.regs.get32(REG.FSTS) | FSTS_IQE);
  iommu.sink.emit(K.iqe, -1, d[1], d[0], d[3], d[2], head, reason);
}

/** Processes the ring from IQH to IQT. */
export function processInvalidationQueue(iommu: VtdIommu): void {
  const regs = iommu.regs;
  if (regs.get32(REG.FSTS) & FSTS_IQE) return; // stopped until software clears IQE
  const size = iommu.iqSize;
  const shift = 4 + iommu.iqDw;
  const tailLo = regs.lo(REG.IQT);
  const tail = tailLo >>> shift;
  d.fill(0);
  if (iommu.iqDw && tailLo & 0x10) return queueError(iommu, regs.lo(REG.IQH) >>> shift, 2);
  if (tail >= size) return queueError(iommu, regs.lo(REG.IQH) >>> shift, 1);
  let head = regs.lo(REG.IQH) >>> shift;
  while (head !== tail) {
    readDescriptor(iommu, head);
    const reason = processDescriptor(iommu, head);
    if (reason !== 0) {
      regs.set64(REG.IQH, 0, head << shift);
      return queueError(iommu, head, reason);
    }
    head = (head + 1) % size;
    regs.set64(REG.IQH, 0, head << shift);
  }
}

/** Carries out the descriptor in `d`; returns 0 or an IQE reason. */
function processDescriptor(iommu: VtdIommu, head: number): number {
  const type = (d[0] & 0xf) | (((d[0] >>> 9) & 7) << 4);
  iommu.sink.emit(K.invDesc, -1, d[1], d[0], d[3], d[2], type, head);
  const upperClear = d[4] === 0 && d[5] === 0 && d[6] === 0 && d[7] === 0;
  switch (type) {
    case 1:
      return contextCache(iommu, upperClear);
    case 2:
      return iotlb(iommu, upperClear);
    case 3:
      return deviceTlb(iommu, upperClear, -1);
    case 4:
      return iec(iommu, upperClear);
    case 5:
      return wait(iommu);
    case 6:
      // QEMU 7.2 accepts PASID-based IOTLB descriptors and does nothing with them.
      return iommu.shape.scalable ? (iommu.behaviour.pasidDescriptorsNoop ? 0 : pasidIotlb(iommu)) : 3;
    case 7:
      return iommu.shape.scalable ? 0 : 3; // PASID cache: nothing to invalidate (the simulator caches no PASID entries)
    case 8:
      return iommu.shape.scalable ? deviceTlb(iommu, upperClear, ((d[1] & 0xfffff) >>> 0)) : 3;
    default:
      return 3;
  }
}

function contextCache(iommu: VtdIommu, upperClear: boolean): number {
  if (d[0] & 0xf1c0 || d[1] & 0xfffc0000 || d[2] || d[3] || !upperClear) return 4;
  const g = (d[0] >>> 4) & 3;
  const did = d[0] >>> 16;
  const sid = d[1] & 0xffff;
  const fm = (d[1] >>> 16) & 3;
  if (g === 0) return 5;
  if (g === 3) {
    const hit = iommu.cc.invalidateDevices(sid, fm);
    iommu.sink.emit(K.ccInvalidate, sid, 0, 0, 0, 0, 3, hit.length | (fm << 16));
    iommu.hooks.contextSync(sid, fm);
  } else {
    iommu.cc.invalidateAll();
    iommu.sink.emit(K.ccInvalidate, -1, 0, 0, 0, did, g, 0);
    iommu.hooks.contextSync(-1, 0);
  }
  return 0;
}

function iotlb(iommu: VtdIommu, upperClear: boolean): number {
  if (d[0] & 0xf100 || d[1] || d[2] & 0xf80 || !upperClear) return 4;
  const g = (d[0] >>> 4) & 3;
  const did = d[0] >>> 16;
  const t = iommu.iotlb;
  switch (g) {
    case 1: {
      const n = t.invalidateAll();
      iommu.sink.emit(K.iotlbInvalidate, -1, 0, 0, 0, did, 1, n);
      iommu.hooks.unmapNotify(-1, 0, 0, 64);
      return 0;
    }
    case 2: {
      const n = t.invalidateDomain(did);
      iommu.sink.emit(K.iotlbInvalidate, -1, 0, 0, 0, did, 2, n);
      iommu.hooks.unmapNotify(did, 0, 0, 64);
      return 0;
    }
    case 3: {
      const am = d[2] & 0x3f;
      if (am > MAMV) return 6;
      const addrHi = d[3];
      const addrLo = (d[2] & ~0xfff) >>> 0;
      const n = t.invalidatePages(did, addrHi, addrLo, am);
      iommu.sink.emit(K.iotlbInvalidate, -1, addrHi, addrLo, 0, did, 3, n | (am << 20));
      iommu.hooks.unmapNotify(did, addrHi, addrLo, 12 + am);
      return 0;
    }
    default:
      return 5;
  }
}

function pasidIotlb(iommu: VtdIommu): number {
  const g = (d[0] >>> 4) & 3;
  const did = d[0] >>> 16;
  const pasid = d[1] & 0xfffff;
  // Like the IOTLB descriptors, these notify the UNMAP listeners (vhost) of the range (vtd_piotlb_*_invalidate).
  if (g === 2) {
    const n = iommu.iotlb.invalidatePasid(did, pasid);
    iommu.sink.emit(K.iotlbInvalidate, -1, 0, 0, 0, did, 6, n);
    iommu.hooks.unmapNotify(did, 0, 0, 64);
    return 0;
  }
  if (g === 3) {
    const am = d[2] & 0x3f;
    if (am > MAMV) return 6;
    const n = iommu.iotlb.invalidatePages(did, d[3], (d[2] & ~0xfff) >>> 0, am, pasid);
    iommu.sink.emit(K.iotlbInvalidate, -1, d[3], (d[2] & ~0xfff) >>> 0, 0, did, 7, n | (am << 20));
    iommu.hooks.unmapNotify(did, d[3], (d[2] & ~0xfff) >>> 0, 12 + am);
    return 0;
  }
  return 5;
}

/** QEMU processes device-TLB descriptors whether or not it offers ECAP.DT (device-iotlb). */
function deviceTlb(iommu: VtdIommu, upperClear: boolean, pasid: number): number {
  const rsvdLo = pasid < 0 ? d[0] & 0xffe0f1f0 || d[1] & 0xffff0000 : 0;
  const sBit = pasid < 0 ? d[2] & 1 : (d[2] >>> 11) & 1;
  const rsvdHi = pasid < 0 ? d[2] & 0xffe : 0;
  if (rsvdLo || rsvdHi || !upperClear) return 4;
  const sid = pasid < 0 ? d[1] & 0xffff : d[0] >>> 16;
  // The PCIe size encoding, decoded by src/vtd (QEMU: 8K << cto64(addr >> 12), base aligned down).
  const range = deviceTlbRange((BigInt(d[3]) << 32n) | BigInt(d[2]), sBit === 1);
  let sizeShift = 64;
  if (!range.all) for (sizeShift = 12; 1n << BigInt(sizeShift) < range.size; sizeShift++);
  const baseHi = hiOf(range.base);
  const baseLo = loOf(range.base);
  iommu.sink.emit(K.notifyDevIotlb, sid, baseHi, baseLo, 0, 0, sizeShift, pasid);
  iommu.hooks.deviceTlbInvalidate(sid, pasid, baseHi, baseLo, sizeShift);
  return 0;
}

function iec(iommu: VtdIommu, upperClear: boolean): number {
  if (d[0] & 0x07fff1e0 || d[1] & 0xffff0000 || d[2] || d[3] || !upperClear) return 4;
  const global = (d[0] & 0x10) === 0;
  const index = d[1] & 0xffff;
  const mask = (d[0] >>> 27) & 0x1f;
  iommu.sink.emit(K.iecNotify, -1, 0, index, 0, 0, global ? 1 : 0, mask);
  iommu.hooks.iecInvalidate(global, index, mask);
  return 0;
}

function wait(iommu: VtdIommu): number {
  if (d[0] & 0xfffff180 || d[2] & 3) return 4;
  const sw = (d[0] & 0x20) !== 0;
  const ifFlag = (d[0] & 0x10) !== 0;
  if (sw) {
    iommu.mem.writeWord(d[3], (d[2] & ~3) >>> 0, d[1]);
    iommu.sink.emit(K.waitStatus, -1, d[3], (d[2] & ~3) >>> 0, 0, 0, d[1], 0);
  }
  if (ifFlag) {
    const regs = iommu.regs;
    if (regs.get32(REG.ICS) & ICS_IWC) {
      iommu.sink.emit(K.waitInterrupt, -1, 0, 0, 0, 0, 0, 0); // "One pending, skip current"
    } else {
      regs.set32(REG.ICS, ICS_IWC);
      const iectl = regs.get32(REG.IECTL);
      if (iectl & CTL_IM) {
        regs.set32(REG.IECTL, iectl | CTL_IP);
        iommu.sink.emit(K.waitInterrupt, -1, 0, 0, 0, 0, 1, 0); // "IM in IECTL_REG is set, new event not generated"
      } else {
        iommu.sink.emit(K.waitInterrupt, -1, 0, 0, 0, 0, 2, 0); // "Generating complete event"
        iommu.hooks.waitInterrupt();
      }
    }
  }
  return 0;
}
