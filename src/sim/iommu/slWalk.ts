// The second-level page walk, as QEMU's vtd_iova_to_slpte() does it, on
// 32-bit halves: from the table root down `levels` levels (3, 4 or 5), one
// 8-byte entry read per level. At each level the R/W bits are accumulated,
// the access right the request needs must be present (else fault 0x6 for a
// read, 0x5 for a write: QEMU checks this before reserved bits, which is why
// an unmapped IOVA faults with 0x6/0x5), then the reserved bits of that level
// (fault 0xC), then PS decides whether the entry is a 2 MiB / 1 GiB leaf.
//
// Reserved masks follow QEMU's VTD_SPTE_* macros: bits 51:HAW and bit 62 in
// every entry (bit 62 allowed in leaves with stale-tm), bit 11 (SNP) in
// non-leaf entries and in leaves unless snoop control (or scalable mode)
// allows it, PS and bit 11 in PML4E/PML5E, and the address bits below the
// page size in large-page leaves (20:12, 29:12).

import { hiMask } from '../halves';
import type { GuestMemory } from '../memory';

export interface WalkMasks {
  /** Indexed level * 2 + (leaf ? 1 : 0). */
  hi: Uint32Array;
  lo: Uint32Array;
  /** Address bits of the hi word an entry may use (HAW-1:32). */
  addrHi: number;
  /** Fault reasons: permission (read, write) and reserved bits. */
  readFault: number;
  writeFault: number;
  reservedFault: number;
}

export function walkMasks(haw: number, staleTm: boolean, snoopAllowed: boolean): WalkMasks {
  const hi = new Uint32Array(12);
  const lo = new Uint32Array(12);
  const beyond = haw < 52 ? hiMask(51, Math.max(32, haw)) : 0;
  const tm = 1 << 30;
  for (let level = 1; level <= 5; level++) {
    for (const leaf of [false, true]) {
      const k = level * 2 + (leaf ? 1 : 0);
      hi[k] = (beyond | (leaf && staleTm ? 0 : tm)) >>> 0;
      let l = level >= 4 ? 0x880 : 0x800;
      if (leaf && level === 2) l = 0x1ff800;
      if (leaf && level === 3) l = 0x3ffff800;
      if (leaf && snoopAllowed) l &= ~0x800;
      lo[k] = l >>> 0;
    }
  }
  return {
    hi,
    lo,
    addrHi: haw >= 64 ? 0xffffffff : haw <= 32 ? 0 : hiMask(haw - 1, 32),
    // QEMU's vtd_iova_to_slpte() returns the legacy reasons in scalable mode too
    // (the specification's would be 0x79 and 0x7A); the fault record then carries the PASID with PP set.
    readFault: 0x6,
    writeFault: 0x5,
    reservedFault: 0xc,
  };
}

export interface WalkResult {
  /** 0 when the walk reached a leaf with the needed right, else the fault reason. */
  fault: number;
  /** Level of the leaf (or of the entry that faulted). */
  level: number;
  pteHi: number;
  pteLo: number;
  read: boolean;
  write: boolean;
  /** Page size of the leaf as a shift: 12, 21 or 30. */
  shift: number;
  outHi: number;
  outLo: number;
  /** Guest-memory reads done. */
  reads: number;
}

export function emptyWalkResult(): WalkResult {
  return { fault: 0, level: 0, pteHi: 0, pteLo: 0, read: false, write: false, shift: 12, outHi: 0, outLo: 0, reads: 0 };
}

/** The 9 IOVA bits that index the table at `level` (1 = PTE, 5 = PML5E). */
export function levelIndex(iovaHi: number, iovaLo: number, level: number): number {
  const shift = 3 + 9 * level;
  if (shift + 9 <= 32) return (iovaLo >>> shift) & 511;
  if (shift >= 32) return (iovaHi >>> (shift - 32)) & 511;
  return ((iovaLo >>> shift) | (iovaHi << (32 - shift))) & 511;
}

/** One level of a walk as the state views and tests show it. */
export interface WalkStepTrace {
  level: number;
  tableHi: number;
  tableLo: number;
  index: number;
  entryHi: number;
  entryLo: number;
}

/**
 * Walks `levels` levels from the table at rootHi:rootLo. Fills `out`; returns
 * true on success. `trace`, when given, receives each level read.
 */
export function slWalk(
  mem: GuestMemory,
  rootHi: number,
  rootLo: number,
  levels: number,
  iovaHi: number,
  iovaLo: number,
  isWrite: boolean,
  m: WalkMasks,
  out: WalkResult,
  trace?: WalkStepTrace[],
): boolean {
  let tHi = rootHi >>> 0;
  let tLo = (rootLo & ~0xfff) >>> 0;
  let read = true;
  let write = true;
  const need = isWrite ? 2 : 1;
  out.reads = 0;
  for (let level = levels; level >= 1; level--) {
    const idx = levelIndex(iovaHi, iovaLo, level);
    const page = mem.page(tHi * 1048576 + (tLo >>> 12));
    let eLo = 0;
    let eHi = 0;
    if (page !== undefined) {
      eLo = page[idx << 1];
      eHi = page[(idx << 1) + 1];
    }
    out.reads++;
    if (trace) trace.push({ level, tableHi: tHi, tableLo: tLo, index: idx, entryHi: eHi, entryLo: eLo });
    read = read && (eLo & 1) !== 0;
    write = write && (eLo & 2) !== 0;
    out.level = level;
    out.pteHi = eHi;
    out.pteLo = eLo;
    out.read = read;
    out.write = write;
    if ((eLo & need) === 0) {
      out.fault = isWrite ? m.writeFault : m.readFault;
      return false;
    }
    const leaf = level === 1 || ((level === 2 || level === 3) && (eLo & 0x80) !== 0);
    const k = (level << 1) | (leaf ? 1 : 0);
    if ((eLo & m.lo[k]) !== 0 || (eHi & m.hi[k]) !== 0) {
      out.fault = m.reservedFault;
      return false;
    }
    if (leaf) {
      const shift = 3 + 9 * level;
      const low = shift === 12 ? 0xfff : shift === 21 ? 0x1fffff : 0x3fffffff;
      out.shift = shift;
      out.outHi = eHi & m.addrHi;
      out.outLo = ((eLo & ~low) | (iovaLo & low)) >>> 0;
      out.fault = 0;
      return true;
    }
    tHi = eHi & m.addrHi;
    tLo = (eLo & ~0xfff) >>> 0;
  }
  out.fault = m.readFault;
  return false;
}
