// Fault recording as QEMU does it (vtd_report_frcd_fault and friends): one
// fault-recording register (CAP.NFR = 0, FRCD at 0x220), FSTS.PPF while it
// holds a fault, a second fault from another requester sets FSTS.PFO and is
// lost, one from the same requester is "compressed" (dropped), and nothing is
// recorded while PFO is set. A qualified fault is not recorded at all when the
// governing entry has FPD = 1 (trace vtd_fault_disabled). The first recorded
// fault raises the fault event: an interrupt through FEDATA/FEADDR, or
// FECTL.IP when FECTL.IM masks it.

import { faultReason } from '../../vtd/faultReasons';
import { K } from '../events/kinds';
import type { EventSink } from '../events/log';
import { CTL_IM, CTL_IP, FSTS_PFO, FSTS_PPF, REG, RegisterFile } from './registerFile';

type FaultOutcome = 'suppressed' | 'recorded' | 'overflow' | 'compressed' | 'dropped';

interface FaultRecord {
  sid: number;
  reason: number;
  /** DMA faults: the page address; interrupt faults: the IRTE index (also in addrLo). */
  addrHi: number;
  addrLo: number;
  write: boolean;
  interrupt: boolean;
  /** The PASID recorded with PP set (QEMU in scalable mode: the RID_PASID 0 for a request without one). */
  pasid?: number;
  outcome: FaultOutcome;
  /** Event index of the fault, filled by the caller's log. */
  time: number;
}

const FRCD_HI = REG.FRCD + 8;
const F_BIT = 1 << 31; // bit 63 of the hi qword = bit 31 of its hi word
const T_BIT = 1 << 30; // bit 62: 1 = read
const PP_BIT = 1 << 31; // bit 95 of the record: bit 31 of the hi qword's lo word

export class FaultRecorder {
  readonly history: FaultRecord[] = [];

  constructor(
    private readonly regs: RegisterFile,
    private readonly sink: EventSink,
  ) {}

  private frcdPending(): boolean {
    return (this.regs.hi(FRCD_HI) & F_BIT) !== 0;
  }

  /**
   * Reports a fault. `fpd` is the FPD bit of the entry that governs the
   * request (false when no entry was read). `interrupt` faults put the IRTE
   * index in FI bits 63:48, as QEMU's vtd_report_ir_fault does.
   */
  report(sid: number, reason: number, addrHi: number, addrLo: number, write: boolean, fpd: boolean, interrupt: boolean, time = 0, pasid = -1): FaultOutcome {
    const rec: FaultRecord = { sid, reason, addrHi, addrLo, write, interrupt, outcome: 'recorded', time, ...(pasid >= 0 ? { pasid } : {}) };
    this.history.push(rec);
    if (fpd && faultReason(reason).qualified) {
      this.sink.emit(K.faultDisabled, sid, addrHi, addrLo, 0, 0, reason, 0);
      return (rec.outcome = 'suppressed');
    }
    const fsts = this.regs.get32(REG.FSTS);
    if (fsts & FSTS_PFO) return (rec.outcome = 'dropped');
    if (this.frcdPending()) {
      if ((this.regs.lo(FRCD_HI) & 0xffff) === (sid & 0xffff)) {
        this.sink.emit(K.faultCompressed, sid, addrHi, addrLo, 0, 0, reason, 0);
        return (rec.outcome = 'compressed');
      }
      this.regs.set32(REG.FSTS, fsts | FSTS_PFO);
      this.sink.emit(K.faultOverflow, sid, addrHi, addrLo, 0, 0, reason, 0);
      return (rec.outcome = 'overflow');
    }
    // lo: the page address, or the interrupt index in bits 63:48.
    const loHi = interrupt ? ((addrLo & 0xffff) << 16) >>> 0 : addrHi;
    const loLo = interrupt ? 0 : (addrLo & ~0xfff) >>> 0;
    // PP (bit 95) and PV (bits 123:104) when the fault carries a PASID.
    const hiLo = ((sid & 0xffff) | (pasid >= 0 ? PP_BIT : 0)) >>> 0;
    const hiHi = ((reason & 0xff) | (pasid >= 0 ? (pasid & 0xfffff) << 8 : 0) | (write || interrupt ? 0 : T_BIT) | F_BIT) >>> 0;
    this.regs.set64(REG.FRCD, loHi, loLo);
    this.regs.set64(FRCD_HI, hiHi, hiLo);
    this.sink.emit(K.faultRecorded, sid, hiHi, hiLo, loHi, loLo, reason, 0);
    const alreadyPending = (fsts & FSTS_PPF) !== 0;
    this.regs.set32(REG.FSTS, fsts | FSTS_PPF);
    if (!alreadyPending) this.faultEvent();
    return 'recorded';
  }

  private faultEvent(): void {
    const fectl = this.regs.get32(REG.FECTL);
    if (fectl & CTL_IM) {
      this.regs.set32(REG.FECTL, fectl | CTL_IP);
      this.sink.emit(K.faultEvent, -1, 0, this.regs.get32(REG.FEADDR), 0, 0, this.regs.get32(REG.FEDATA), 1);
      return;
    }
    this.regs.set32(REG.FECTL, fectl & ~CTL_IP);
    this.sink.emit(K.faultEvent, -1, this.regs.get32(REG.FEUADDR), this.regs.get32(REG.FEADDR), 0, 0, this.regs.get32(REG.FEDATA), 0);
  }

  /** Software writes 1 to FRCD.F: the record is free again and PPF follows. */
  clearRecord(): void {
    this.regs.set32(FRCD_HI + 4, this.regs.hi(FRCD_HI) & ~F_BIT);
    this.regs.set32(REG.FSTS, this.regs.get32(REG.FSTS) & ~FSTS_PPF);
  }

  /** The FRCD as two 64-bit values (hi carries F, T, FR and SID). */
  frcd(): { hi: bigint; lo: bigint } {
    return { hi: this.regs.get64(FRCD_HI), lo: this.regs.get64(REG.FRCD) };
  }
}
