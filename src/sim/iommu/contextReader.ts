// Reading the context of a requester from guest memory, in the order QEMU's
// vtd_dev_to_context_entry() checks it: root entry present, root reserved
// bits, context entry present, context reserved bits, AW against CAP.SAGAW,
// and the translation type against ECAP (PT, DT). Returns 0 or the fault
// reason.
//
// Scalable mode goes on to the PASID directory and table entry of the
// request's PASID (RID_PASID for requests without one). QEMU records the
// legacy codes (0x1, 0x2, 0xA, 0xB) in scalable mode too; like src/vtd's
// decoders and src/model/walk.ts, we record the specification's
// scalable-mode codes (0x39, 0x41, 0x3A, 0x42, 0x51, 0x59, 0x5B).

import { FR } from '../../vtd/faultReasons';
import { hiMask, pfnOf } from '../halves';
import type { GuestMemory } from '../memory';
import { ContextFields, MODE_FIRST_STAGE, MODE_PASS_THROUGH, MODE_TRANSLATE } from './contextCache';

export interface UnitShape {
  rootHi: number;
  rootLo: number;
  scalable: boolean;
  /** CAP.SAGAW bits 12:8, shifted down. */
  sagaw: number;
  /** Host address width (aw-bits). */
  haw: number;
  pt: boolean;
  dt: boolean;
  /** ECAP.FSTS: first-stage translation (x-flts). */
  fs: boolean;
}

/** Reads a 64-bit value's words at a hi:lo address into out[k], out[k+1]. */
function readQword(mem: GuestMemory, hi: number, lo: number, out: number[], k: number): void {
  const p = mem.page(pfnOf(hi, lo));
  if (p === undefined) {
    out[k] = 0;
    out[k + 1] = 0;
    return;
  }
  const w = (lo & 0xfff) >>> 2;
  out[k] = p[w];
  out[k + 1] = p[w + 1];
}

const words = [0, 0, 0, 0, 0, 0, 0, 0];

/** Reserved address bits at or above the host address width, in a qword's hi word. */
function beyondHaw(hiWord: number, haw: number): boolean {
  return haw < 64 && (hiWord & hiMask(63, Math.max(32, haw))) !== 0;
}

function levelSupported(unit: UnitShape, aw: number): boolean {
  return aw <= 4 && ((unit.sagaw >> aw) & 1) === 1;
}

export function readLegacyContext(mem: GuestMemory, unit: UnitShape, sid: number, out: ContextFields): number {
  const bus = sid >>> 8;
  const devfn = sid & 0xff;
  // Root entry: 16 bytes per bus.
  const rlo = (unit.rootLo & ~0xfff) + bus * 16;
  readQword(mem, unit.rootHi, rlo, words, 0);
  readQword(mem, unit.rootHi, rlo + 8, words, 2);
  if ((words[0] & 1) === 0) return FR.ROOT_ENTRY_P;
  if ((words[0] & 0xffe) !== 0 || beyondHaw(words[1], unit.haw) || words[2] !== 0 || words[3] !== 0) return FR.ROOT_ENTRY_RSVD;
  const ctpHi = words[1];
  const ctpLo = (words[0] & ~0xfff) >>> 0;
  readQword(mem, ctpHi, ctpLo + devfn * 16, words, 0);
  readQword(mem, ctpHi, ctpLo + devfn * 16 + 8, words, 2);
  out.raw[0] = words[0];
  out.raw[1] = words[1];
  out.raw[2] = words[2];
  out.raw[3] = words[3];
  out.fpd = (words[0] & 2) !== 0;
  if ((words[0] & 1) === 0) return FR.CONTEXT_ENTRY_P;
  if ((words[0] & 0xff0) !== 0 || beyondHaw(words[1], unit.haw) || (words[2] & 0xff000080) !== 0 || words[3] !== 0) return FR.CONTEXT_ENTRY_RSVD;
  const aw = words[2] & 7;
  if (!levelSupported(unit, aw)) return FR.CONTEXT_ENTRY_INV;
  const tt = (words[0] >>> 2) & 3;
  if (tt === 3 || (tt === 2 && !unit.pt) || (tt === 1 && !unit.dt)) return FR.CONTEXT_ENTRY_INV;
  out.did = (words[2] >>> 8) & 0xffff;
  out.levels = aw + 2;
  out.rootHi = words[1];
  out.rootLo = (words[0] & ~0xfff) >>> 0;
  out.mode = tt === 2 ? MODE_PASS_THROUGH : MODE_TRANSLATE;
  out.ats = tt === 1;
  return 0;
}

/**
 * Scalable mode: root (lower/upper half), 256-bit context entry, PASID
 * directory and PASID table entry. `pasid` < 0 means a request without PASID
 * (RID_PASID is used).
 */
export function readScalableContext(mem: GuestMemory, unit: UnitShape, sid: number, pasid: number, out: ContextFields): number {
  const bus = sid >>> 8;
  const devfn = sid & 0xff;
  const rlo = (unit.rootLo & ~0xfff) + bus * 16 + (devfn >= 0x80 ? 8 : 0);
  readQword(mem, unit.rootHi, rlo, words, 0);
  if ((words[0] & 1) === 0) return FR.SM_ROOT_ENTRY_P;
  if ((words[0] & 0xffe) !== 0 || beyondHaw(words[1], unit.haw)) return FR.SM_ROOT_ENTRY_RSVD;
  const ctpHi = words[1];
  const ctpLo = ((words[0] & ~0xfff) >>> 0) + (devfn & 0x7f) * 32;
  for (let q = 0; q < 4; q++) readQword(mem, ctpHi, ctpLo + q * 8, words, q * 2);
  out.raw[0] = words[0];
  out.raw[1] = words[1];
  out.raw[2] = words[2];
  out.raw[3] = words[3];
  out.fpd = (words[0] & 2) !== 0;
  if ((words[0] & 1) === 0) return FR.SM_CONTEXT_ENTRY_P;
  if ((words[0] & 0x1e0) !== 0 || beyondHaw(words[1], unit.haw) || (words[2] & 0xffe00000) !== 0 || words[3] !== 0) return FR.SM_CONTEXT_ENTRY_RSVD;
  for (let k = 4; k < 8; k++) if (words[k] !== 0) return FR.SM_CONTEXT_ENTRY_RSVD;
  const dte = (words[0] & 4) !== 0;
  const pdts = (words[0] >>> 9) & 7;
  const ridPasid = words[2] & 0xfffff;
  const p = pasid < 0 ? ridPasid : pasid;
  if (pasid >= 0 && (words[0] & 8) === 0) return FR.SM_CONTEXT_PASIDE_CLEAR;
  if (p >>> 6 >= 1 << (pdts + 7)) return 0x46;
  const dirHi = words[1];
  const dirLo = (words[0] & ~0xfff) >>> 0;
  // PASID directory entry: 8 bytes per 64 PASIDs.
  readQword(mem, dirHi, dirLo + (p >>> 6) * 8, words, 0);
  if ((words[0] & 1) === 0) return FR.PASID_DIR_ENTRY_P;
  if ((words[0] & 2) !== 0) out.fpd = true;
  const tblHi = words[1];
  const tblLo = ((words[0] & ~0xfff) >>> 0) + (p & 0x3f) * 64;
  readQword(mem, tblHi, tblLo, words, 0);
  readQword(mem, tblHi, tblLo + 8, words, 2);
  if ((words[0] & 1) === 0) return FR.PASID_ENTRY_P;
  if ((words[0] & 2) !== 0) out.fpd = true;
  const pgtt = (words[0] >>> 6) & 7;
  const aw = (words[0] >>> 2) & 7;
  out.did = words[2] & 0xffff;
  out.ats = dte;
  if (pgtt === 4) {
    if (!unit.pt) return FR.PASID_TABLE_ENTRY_INV;
    out.mode = MODE_PASS_THROUGH;
    out.levels = 0;
    out.rootHi = 0;
    out.rootLo = 0;
    return 0;
  }
  if (pgtt === 1) {
    // First stage: the table root and paging mode (4- or 5-level) are in the entry's third qword.
    if (!unit.fs) return FR.PASID_TABLE_ENTRY_INV;
    readQword(mem, tblHi, tblLo + 16, words, 4);
    const fspm = (words[4] >>> 2) & 3;
    if (fspm > 1) return FR.PASID_TABLE_ENTRY_INV;
    out.mode = MODE_FIRST_STAGE;
    out.levels = fspm === 1 ? 5 : 4;
    out.rootHi = words[5] & 0x000fffff;
    out.rootLo = (words[4] & ~0xfff) >>> 0;
    return 0;
  }
  if (pgtt !== 2 || !levelSupported(unit, aw)) return FR.PASID_TABLE_ENTRY_INV;
  out.mode = MODE_TRANSLATE;
  out.levels = aw + 2;
  out.rootHi = words[1];
  out.rootLo = (words[0] & ~0xfff) >>> 0;
  return 0;
}
