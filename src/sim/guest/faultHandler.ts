// The guest's DMAR fault handler (dmar_fault in drivers/iommu/intel/dmar.c):
// on a fault event it reads FSTS and the fault-recording register, prints the
// line a Linux 5.15+ guest prints, clears FRCD.F and the overflow bit, so the
// next fault can be recorded.

import { faultReason } from '../../vtd/faultReasons';
import { sidName } from '../../vtd/source-id';
import { REG } from '../iommu/registerFile';
import type { VtdIommu } from '../iommu/vtdIommu';

const FSTS_PPF = 2;
const FSTS_PFO = 1;

/** Handles pending faults; returns the kernel log lines printed. */
export function handleFaults(iommu: VtdIommu): string[] {
  const fsts = iommu.readReg32(REG.FSTS);
  if ((fsts & (FSTS_PPF | FSTS_PFO)) === 0) return [];
  const lines = [`DMAR: DRHD: handling fault status reg ${fsts.toString(16)}`];
  const { hi, lo } = iommu.faults.frcd();
  if (hi >> 63n === 1n) {
    const reason = Number((hi >> 32n) & 0xffn);
    const sid = Number(hi & 0xffffn);
    const r = faultReason(reason);
    const code = '0x' + reason.toString(16).padStart(2, '0');
    if (r.kind === 'interrupt') {
      lines.push(`DMAR: [INTR-REMAP] Request device [${sidName(sid)}] fault index 0x${(lo >> 48n).toString(16)} [fault reason ${code}] ${r.description}`);
    } else {
      const type = (hi >> 62n) & 1n ? 'DMA Read' : 'DMA Write';
      // PP (bit 31 of the high qword): the PASID in bits 59:40 of it.
      const pasid = (hi >> 31n) & 1n ? `PASID 0x${((hi >> 40n) & 0xfffffn).toString(16)}` : 'NO_PASID';
      lines.push(`DMAR: [${type} ${pasid}] Request device [${sidName(sid)}] fault addr 0x${lo.toString(16)} [fault reason ${code}] ${r.description}`);
    }
    iommu.write64(REG.FRCD + 8, 0x80000000, 0);
  }
  iommu.write32(REG.FSTS, FSTS_PFO);
  return lines;
}
