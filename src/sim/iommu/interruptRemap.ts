// Interrupt remapping as QEMU's vtd_interrupt_remap_msi() does it, on halves:
//   remapping off: the message passes unchanged;
//   address bits 63:32 set or 31:20 not 0xFEE: fault 0x20;
//   compatibility format: blocked with 0x25 when EIME is set or GSTS.CFIS is
//     clear (hardware, and the 2024 QEMU CFI series), or passed unchanged
//     (QEMU up to 10.1) as the platform's `compat-interrupts` says;
//   remappable format: index = HANDLE (+ SUBHANDLE with SHV, data 31:16 must
//     be 0: else 0x20), index beyond the table 0x21, IRTE not present 0x22,
//     reserved bits 0x24, source-id verification 0x26 (QEMU's reading of the
//     SVT=10 bus range; no check for requests without a source id, 0xffff);
//   then the compatibility message QEMU builds (x86_iommu_irq_to_msi_message).
// QEMU never looks at IRTE.IM: a posted-format entry is remapped as if it
// were a remapped one (VV as the vector, PDA_L bits as the destination), and
// its URG bit (14) falls in QEMU's reserved bits 14:12, so URG=1 faults 0x24.
// `doFault` = false is the route-building path (vtd_int_remap): no record.

import { SQ_COMPARE_MASKS } from '../../vtd/source-id';
import { K } from '../events/kinds';
import type { VtdIommu } from './vtdIommu';
import { FR } from '../../vtd/faultReasons';

export const SID_NONE = 0xffff;

export interface RemapResult {
  ok: boolean;
  fault: number;
  /** IRTE index used (0 for compatibility-format faults, as QEMU records). */
  index: number;
  addrHi: number;
  addrLo: number;
  data: number;
  vector: number;
  destination: number;
  logical: boolean;
  level: boolean;
  deliveryMode: number;
  /** The request was in compatibility format (and passed unchanged). */
  compat: boolean;
  /** Remapping is off: passed unchanged. */
  bypass: boolean;
  /** The IRTE used has IM = 1 (posted), which QEMU does not emulate. */
  posted: boolean;
}

export function emptyRemapResult(): RemapResult {
  return { ok: false, fault: 0, index: 0, addrHi: 0, addrLo: 0, data: 0, vector: 0, destination: 0, logical: false, level: false, deliveryMode: 0, compat: false, bypass: false, posted: false };
}

function fault(iommu: VtdIommu, out: RemapResult, sid: number, reason: number, index: number, fpd: boolean, doFault: boolean): boolean {
  out.ok = false;
  out.fault = reason;
  out.index = index;
  // Before QEMU 8.2 an interrupt-remapping fault is refused but not recorded (only QEMU's stderr says so).
  const record = doFault && iommu.behaviour.recordsIrFaults;
  iommu.sink.emit(K.irFault, sid, 0, index, 0, 0, reason, record ? 1 : 0);
  if (record) iommu.faults.report(sid, reason, 0, index, false, fpd, true);
  return false;
}

function passUnchanged(out: RemapResult, addrHi: number, addrLo: number, data: number): boolean {
  out.ok = true;
  out.fault = 0;
  out.addrHi = addrHi;
  out.addrLo = addrLo;
  out.data = data;
  out.vector = data & 0xff;
  out.destination = ((addrLo >>> 12) & 0xff) | (addrHi & 0xffffff00);
  out.logical = (addrLo & 4) !== 0;
  out.deliveryMode = (data >>> 8) & 7;
  out.level = (data & 0x8000) !== 0;
  return true;
}

export function remapMsi(iommu: VtdIommu, addrHi: number, addrLo: number, data: number, sid: number, doFault: boolean, out: RemapResult): boolean {
  out.compat = false;
  out.bypass = false;
  out.posted = false;
  out.index = 0;
  if (!iommu.irEnabled) {
    out.bypass = true;
    return passUnchanged(out, addrHi, addrLo, data);
  }
  if (addrHi !== 0 || addrLo >>> 20 !== 0xfee) return fault(iommu, out, sid, FR.IR_REQ_RSVD, 0, false, doFault);
  if ((addrLo & 0x10) === 0) {
    if (iommu.options.compatInterrupts === 'block' && (iommu.eime || !iommu.cfiEnabled)) return fault(iommu, out, sid, FR.IR_REQ_COMPAT, 0, false, doFault);
    out.compat = true;
    return passUnchanged(out, addrHi, addrLo, data);
  }
  let index = (((addrLo >>> 2) & 1) << 15) | ((addrLo >>> 5) & 0x7fff);
  if (addrLo & 8) {
    if (data >>> 16 !== 0) return fault(iommu, out, sid, FR.IR_REQ_RSVD, index, false, doFault);
    index += data & 0xffff;
  }
  if (index >= iommu.irtSize) return fault(iommu, out, sid, FR.IR_INDEX_OVER, index, false, doFault);
  const lo = iommu.irtBaseLo + index * 16;
  const hi = iommu.irtBaseHi + Math.floor(lo / 4294967296);
  const l = lo >>> 0;
  const page = iommu.mem.page(hi * 1048576 + (l >>> 12));
  const w = (l & 0xfff) >>> 2;
  const w0 = page ? page[w] : 0;
  const w1 = page ? page[w + 1] : 0;
  const w2 = page ? page[w + 2] : 0;
  const w3 = page ? page[w + 3] : 0;
  const fpd = (w0 & 2) !== 0;
  if ((w0 & 1) === 0) return fault(iommu, out, sid, FR.IR_ENTRY_P, index, fpd, doFault);
  if (w0 & 0x7000 || w0 & 0xff000000 || w2 & 0xfff00000 || w3 !== 0) return fault(iommu, out, sid, FR.IR_IRTE_RSVD, index, fpd, doFault);
  if (sid !== SID_NONE) {
    const svt = (w2 >>> 18) & 3;
    const irteSid = w2 & 0xffff;
    let okSource = true;
    if (svt === 1) {
      const m = SQ_COMPARE_MASKS[(w2 >>> 16) & 3];
      okSource = (sid & m) === (irteSid & m);
    } else if (svt === 2) {
      const bus = sid >>> 8;
      okSource = bus >= (irteSid & 0xff) && bus <= irteSid >>> 8;
    } else if (svt === 3) {
      okSource = false;
    }
    if (!okSource) return fault(iommu, out, sid, FR.IR_SID_ERR, index, fpd, doFault);
  }
  out.posted = (w0 & 0x8000) !== 0;
  const vector = (w0 >>> 16) & 0xff;
  const dm = (w0 >>> 2) & 1;
  const rh = (w0 >>> 3) & 1;
  const tm = (w0 >>> 4) & 1;
  const dlm = (w0 >>> 5) & 7;
  const dest = iommu.eime ? w1 >>> 0 : (w1 >>> 8) & 0xff;
  out.ok = true;
  out.fault = 0;
  out.index = index;
  out.vector = vector;
  out.destination = dest;
  out.logical = dm === 1;
  out.deliveryMode = dlm;
  out.level = tm === 1;
  out.addrHi = (dest & 0xffffff00) >>> 0;
  out.addrLo = (0xfee00000 | ((dest & 0xff) << 12) | (rh << 3) | (dm << 2) | (addrLo & 3)) >>> 0;
  out.data = (vector | (dlm << 8) | (1 << 14) | (tm << 15)) >>> 0;
  iommu.sink.emit(K.irRemap, sid, out.addrHi, out.addrLo, addrHi, addrLo, out.data, index);
  return true;
}
