// One DMA request through the IOMMU, as QEMU's vtd_do_iommu_translate():
//   1. DMA remapping off (GSTS.TES = 0): the request uses the guest physical
//      address (QEMU switches the device to the `vtd-nodmar` address space).
//   2. The context cache (vtd_iotlb_cc_hit / vtd_iotlb_cc_update), else the
//      root and context (and PASID) entries from guest memory; faults there.
//   3. Pass-through (TT=10 / PGTT=100): identity, 4 KiB (vtd_translate_pt).
//   4. The IOTLB (vtd_iotlb_page_hit). A hit whose permissions do not allow
//      the access is not a VT-d fault in QEMU: the memory core aborts it.
//   5. The IOVA against the address width (0x4), the second-level walk
//      (0x5/0x6/0xC), the IOTLB insert (vtd_iotlb_page_update, and
//      vtd_iotlb_reset when full), the interrupt-range check (0xE).
// Faults go through the fault recorder with the FPD of the governing entry.
// Everything here works on 32-bit halves and preallocated objects.

import { K } from '../events/kinds';
import { MODE_FIRST_STAGE, MODE_PASS_THROUGH } from './contextCache';
import { fsWalk } from './fsWalk';
import { readLegacyContext, readScalableContext } from './contextReader';
import { slWalk } from './slWalk';
import type { VtdIommu } from './vtdIommu';
import { FR } from '../../vtd/faultReasons';

interface TranslateResult {
  ok: boolean;
  /** The fault reason; -1 when the access was refused without a fault (an IOTLB hit without the right). */
  fault: number;
  outHi: number;
  outLo: number;
  /** Page size shift of the translation (12, 21, 30). */
  shift: number;
  read: boolean;
  write: boolean;
  did: number;
  /** Where the answer came from. */
  source: 'nodmar' | 'pass-through' | 'iotlb' | 'walk' | 'fault';
}

export function emptyTranslateResult(): TranslateResult {
  return { ok: false, fault: 0, outHi: 0, outLo: 0, shift: 12, read: false, write: false, did: 0, source: 'fault' };
}

function fail(iommu: VtdIommu, out: TranslateResult, sid: number, iovaHi: number, iovaLo: number, isWrite: boolean, reason: number, fpd: boolean, pasid: number): boolean {
  iommu.sink.emit(K.dmarFault, sid, iovaHi, iovaLo, 0, 0, reason, isWrite ? 1 : 0);
  // In scalable mode QEMU records the request's PASID, or the RID_PASID (0) of a request without one, with PP set.
  iommu.faults.report(sid, reason, iovaHi, iovaLo, isWrite, fpd, false, 0, iommu.shape.scalable ? Math.max(pasid, 0) : -1);
  out.ok = false;
  out.fault = reason;
  out.source = 'fault';
  return false;
}

/** Largest IOVA width the context allows: min(aw-bits, 30 + 9 * AW). */
function iovaBeyond(iovaHi: number, iovaLo: number, levels: number, haw: number): boolean {
  const bits = Math.min(haw, 12 + 9 * levels);
  if (bits >= 64) return false;
  if (bits <= 32) return iovaHi !== 0 || (iovaLo >>> bits) !== 0;
  return iovaHi >>> (bits - 32) !== 0;
}

/**
 * Translates one request. `pasid` < 0 for requests without PASID. Fills
 * `out` and returns out.ok.
 */
export function translateDma(iommu: VtdIommu, sid: number, pasid: number, iovaHi: number, iovaLo: number, isWrite: boolean, out: TranslateResult): boolean {
  const sink = iommu.sink;
  if (!iommu.dmarEnabled) {
    out.ok = true;
    out.fault = 0;
    out.outHi = iovaHi;
    out.outLo = iovaLo;
    out.shift = 12;
    out.read = out.write = true;
    out.source = 'nodmar';
    return true;
  }
  const cc = iommu.cc;
  let slot = pasid < 0 ? cc.lookup(sid) : -1;
  if (slot >= 0) {
    sink.emit(K.ccHit, sid, 0, 0, 0, 0, cc.generation, 0);
  } else {
    const f = iommu.scratchContext;
    f.fpd = false;
    const shape = iommu.shape;
    const code = shape.scalable ? readScalableContext(iommu.mem, shape, sid, pasid, f) : readLegacyContext(iommu.mem, shape, sid, f);
    if (code !== 0) return fail(iommu, out, sid, iovaHi, iovaLo, isWrite, code, f.fpd && code !== FR.ROOT_ENTRY_P && code !== FR.SM_ROOT_ENTRY_P, pasid);
    const filled = cc.fill(sid, f);
    slot = filled.slot;
    sink.emit(K.ccUpdate, sid, f.raw[3], f.raw[2], f.raw[1], f.raw[0], filled.previous, cc.generation);
  }
  const did = cc.didOf(slot);
  out.did = did;
  if (cc.modeOf(slot) === MODE_PASS_THROUGH) {
    sink.emit(K.translatePt, sid, iovaHi, iovaLo, 0, 0, 0, 0);
    out.ok = true;
    out.fault = 0;
    out.outHi = iovaHi;
    out.outLo = iovaLo;
    out.shift = 12;
    out.read = out.write = true;
    out.source = 'pass-through';
    return true;
  }
  const iotlb = iommu.iotlb;
  // In scalable mode a request without PASID is translated (and cached) as the RID_PASID, 0.
  const tlbPasid = iommu.shape.scalable ? Math.max(pasid, 0) : pasid;
  const hit = iotlb.lookup(sid, tlbPasid, iovaHi, iovaLo);
  if (hit >= 0) {
    const pteHi = iotlb.pteHiOf(hit);
    const pteLo = iotlb.pteLoOf(hit);
    sink.emit(K.iotlbHit, sid, iovaHi, iovaLo, pteHi, pteLo, iotlb.didOf(hit), iotlb.levelOf(hit));
    const access = iotlb.accessOf(hit);
    out.read = (access & 1) !== 0;
    out.write = (access & 2) !== 0;
    if ((access & (isWrite ? 2 : 1)) === 0) {
      sink.emit(K.iotlbHitDenied, sid, iovaHi, iovaLo, pteHi, pteLo, access, isWrite ? 1 : 0);
      out.ok = false;
      out.fault = -1;
      out.source = 'iotlb';
      return false;
    }
    const shift = 3 + 9 * iotlb.levelOf(hit);
    const low = shift === 12 ? 0xfff : shift === 21 ? 0x1fffff : 0x3fffffff;
    out.outHi = pteHi & iommu.masks.addrHi;
    out.outLo = ((pteLo & ~low) | (iovaLo & low)) >>> 0;
    out.shift = shift;
    out.source = 'iotlb';
  } else {
    const levels = cc.levelsOf(slot);
    const fpd = cc.fpdOf(slot);
    // QEMU: VTD_FR_ADDR_BEYOND_MGAW in both modes (the specification's scalable-mode reason is 0x83);
    // the first stage checks canonical addresses instead (fsWalk).
    if (cc.modeOf(slot) !== MODE_FIRST_STAGE && iovaBeyond(iovaHi, iovaLo, levels, iommu.shape.haw)) return fail(iommu, out, sid, iovaHi, iovaLo, isWrite, FR.ADDR_BEYOND_MGAW, fpd, pasid);
    const w = iommu.scratchWalk;
    const firstStage = cc.modeOf(slot) === MODE_FIRST_STAGE;
    const walked = firstStage
      ? fsWalk(iommu.mem, cc.rootHiOf(slot), cc.rootLoOf(slot), levels, iovaHi, iovaLo, isWrite, iommu.shape.haw, w)
      : slWalk(iommu.mem, cc.rootHiOf(slot), cc.rootLoOf(slot), levels, iovaHi, iovaLo, isWrite, iommu.walkMasksNow(), w);
    sink.emit(K.pageWalk, sid, iovaHi, iovaLo, w.pteHi, w.pteLo, w.level, w.reads);
    if (!walked) return fail(iommu, out, sid, iovaHi, iovaLo, isWrite, w.fault, fpd, pasid);
    const access = (w.read ? 1 : 0) | (w.write ? 2 : 0);
    const dropped = iotlb.insert(sid, tlbPasid, did, iovaHi, iovaLo, w.level, w.pteHi, w.pteLo, access);
    sink.emit(K.iotlbUpdate, sid, iovaHi, iovaLo, w.pteHi, w.pteLo, did, w.level);
    if (dropped > 0 && iotlb.policy === 'qemu') sink.emit(K.iotlbReset, sid, 0, 0, 0, 0, dropped, 0);
    out.outHi = w.outHi;
    out.outLo = w.outLo;
    out.shift = w.shift;
    out.read = w.read;
    out.write = w.write;
    out.source = 'walk';
  }
  // The translated address must not fall in the interrupt range.
  if (out.outHi === 0 && out.outLo >>> 20 === 0xfee) {
    return fail(iommu, out, sid, iovaHi, iovaLo, isWrite, iommu.shape.scalable ? FR.SM_INTERRUPT_ADDR : FR.INTERRUPT_ADDR, cc.fpdOf(slot), pasid);
  }
  sink.emit(K.dmarTranslate, sid, iovaHi, iovaLo, out.outHi, out.outLo, out.shift, isWrite ? 1 : 0);
  out.ok = true;
  out.fault = 0;
  return true;
}
