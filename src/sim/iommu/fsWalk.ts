// The first-stage walk (x86 paging format), as QEMU 10's vtd_iova_to_flpte()
// does it with x-flts=on: the IOVA must be canonical for the paging mode
// (fault 0x80); at each level the entry must be present (0x71) and allow user
// access (0x81, QEMU's devices make no supervisor requests); a write needs R/W
// on every level (0x85, VTD_FR_SM_WRITE); reserved bits fault 0x72; QEMU sets
// the Accessed bit of each entry it goes through, and Dirty in the leaf of a
// write, in guest memory. Reads need only presence: the first stage has no
// read permission bit.

import type { GuestMemory } from '../memory';
import { levelIndex, type WalkResult, type WalkStepTrace } from './slWalk';
import { FR } from '../../vtd/faultReasons';

const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;

/** Bits of the IOVA above the paging mode's width are copies of its top bit (4-level: 63:48 of bit 47). */
export function canonical(iovaHi: number, levels: number): boolean {
  const width = 12 + 9 * levels; // 48 or 57
  if (width >= 64) return true;
  const top = width - 1 - 32; // bit of the hi word that is the IOVA's top bit
  const msb = (iovaHi >>> top) & 1;
  const upper = iovaHi >>> (top + 1);
  const ones = 2 ** (32 - top - 1) - 1;
  return msb ? upper === ones : upper === 0;
}

/** Address bits of an entry above the host address width (bits 51:haw of the hi word), which must be clear. */
function beyondHaw(eHi: number, haw: number): boolean {
  if (haw >= 52) return false;
  const mask = (((1 << (52 - 32)) - 1) & ~((1 << (Math.max(haw, 32) - 32)) - 1)) >>> 0;
  return (eHi & mask) !== 0;
}

export function fsWalk(
  mem: GuestMemory,
  rootHi: number,
  rootLo: number,
  levels: number,
  iovaHi: number,
  iovaLo: number,
  isWrite: boolean,
  haw: number,
  out: WalkResult,
  trace?: WalkStepTrace[],
): boolean {
  out.reads = 0;
  if (!canonical(iovaHi, levels)) {
    out.fault = FR.FS_NON_CANONICAL;
    out.level = levels;
    out.read = out.write = false;
    return false;
  }
  let tHi = rootHi >>> 0;
  let tLo = (rootLo & ~0xfff) >>> 0;
  let write = true;
  for (let level = levels; level >= 1; level--) {
    const idx = levelIndex(iovaHi, iovaLo, level);
    const page = mem.page(tHi * 1048576 + (tLo >>> 12));
    const eLo = page ? page[idx << 1] : 0;
    const eHi = page ? page[(idx << 1) + 1] : 0;
    out.reads++;
    if (trace) trace.push({ level, tableHi: tHi, tableLo: tLo, index: idx, entryHi: eHi, entryLo: eLo });
    out.level = level;
    out.pteHi = eHi;
    out.pteLo = eLo;
    if ((eLo & P) === 0) {
      out.read = out.write = false;
      out.fault = FR.FS_PAGING_ENTRY_P;
      return false;
    }
    if ((eLo & US) === 0) {
      out.read = out.write = false;
      out.fault = FR.FS_PAGING_ENTRY_US;
      return false;
    }
    write = write && (eLo & RW) !== 0;
    out.read = true;
    out.write = write;
    if (isWrite && (eLo & RW) === 0) {
      out.fault = FR.SM_WRITE;
      return false;
    }
    const leaf = level === 1 || ((level === 2 || level === 3) && (eLo & PS) !== 0);
    if (beyondHaw(eHi, haw) || (level >= 4 && (eLo & PS) !== 0)) {
      out.fault = FR.FS_PAGING_ENTRY_RSVD;
      return false;
    }
    // QEMU sets A on the way (and D in a written leaf) when they are clear.
    const set = A | (leaf && isWrite ? D : 0);
    if (page && (eLo & set) !== set) page[idx << 1] = (eLo | set) >>> 0;
    if (leaf) {
      const shift = 3 + 9 * level;
      const low = shift === 12 ? 0xfff : shift === 21 ? 0x1fffff : 0x3fffffff;
      const addrHi = haw >= 64 ? 0x7fffffff : haw <= 32 ? 0 : ((1 << (haw - 32)) - 1) >>> 0;
      out.shift = shift;
      out.outHi = eHi & addrHi;
      out.outLo = ((eLo & ~low) | (iovaLo & low)) >>> 0;
      out.fault = 0;
      return true;
    }
    tHi = eHi & 0x000fffff;
    tLo = (eLo & ~0xfff) >>> 0;
  }
  out.fault = FR.FS_PAGING_ENTRY_P;
  return false;
}
