// The translation tables a simulated guest wrote, read back from its memory
// the way the IOMMU finds them: the root table RTADDR points to, each present
// root entry's context table (legacy: 256 entries of 128 bits; scalable: a
// lower and an upper half of 128 entries of 256 bits), in scalable mode each
// device's PASID directory and tables, and every present leaf of each
// device's second-level page table.

import type { GuestMemory } from '../../sim/memory';
import { bitsOf } from '../../vtd/u64';

const ADDRESS = ((1n << 52n) - 1n) & ~0xfffn;
const present = (v: bigint) => (v & 1n) === 1n;

export interface PasidRow {
  pasid: number;
  /** The 512-bit entry's first three qwords (what debugfs prints). */
  qwords: [bigint, bigint, bigint];
}

export interface ContextRow {
  bus: number;
  devfn: number;
  rootLo: bigint;
  rootHi: bigint;
  /** The context entry's first 128 bits. */
  ctxLo: bigint;
  ctxHi: bigint;
  /** Scalable mode: the present PASID entries. */
  pasids: PasidRow[];
  /** The device's second-level table for requests without PASID; undefined for pass-through. */
  table?: { pgd: bigint; levels: number };
}

export function rootTableOf(rtaddr: bigint): { address: bigint; scalable: boolean } {
  return { address: rtaddr & ADDRESS, scalable: bitsOf(rtaddr, 11, 10) === 1n };
}

/** Legacy: TT 10 is pass-through; AW gives the levels. */
function legacyTable(ctxLo: bigint, ctxHi: bigint): ContextRow['table'] {
  if (bitsOf(ctxLo, 3, 2) === 2n) return undefined;
  return { pgd: ctxLo & ADDRESS, levels: Number(bitsOf(ctxHi, 2, 0)) + 2 };
}

/** Scalable: the PASID entry of RID_PASID (PGTT 010 second-level; 100 pass-through has no table). */
function scalableTable(pasids: readonly PasidRow[], ridPasid: number): ContextRow['table'] {
  const e = pasids.find((p) => p.pasid === ridPasid);
  if (!e || bitsOf(e.qwords[0], 8, 6) !== 2n) return undefined;
  return { pgd: e.qwords[0] & ADDRESS, levels: Number(bitsOf(e.qwords[0], 4, 2)) + 2 };
}

function pasidRows(mem: GuestMemory, ctxLo: bigint): PasidRow[] {
  const dir = ctxLo & ADDRESS;
  const dirEntries = 2 ** (Number(bitsOf(ctxLo, 11, 9)) + 7);
  const out: PasidRow[] = [];
  for (let d = 0; d < dirEntries; d++) {
    const de = mem.read64(dir + BigInt(d * 8));
    if (!present(de)) continue;
    const table = de & ADDRESS;
    for (let i = 0; i < 64; i++) {
      const at = table + BigInt(i * 64);
      const q0 = mem.read64(at);
      if (!present(q0)) continue;
      out.push({ pasid: d * 64 + i, qwords: [q0, mem.read64(at + 8n), mem.read64(at + 16n)] });
    }
  }
  return out;
}

/** Every present context entry under the root table, in bus and devfn order. */
export function contextRows(mem: GuestMemory, rtaddr: bigint): ContextRow[] {
  const { address, scalable } = rootTableOf(rtaddr);
  const out: ContextRow[] = [];
  for (let bus = 0; bus < 256; bus++) {
    const rootLo = mem.read64(address + BigInt(bus * 16));
    const rootHi = mem.read64(address + BigInt(bus * 16 + 8));
    if (!present(rootLo) && !(scalable && present(rootHi))) continue;
    for (let devfn = 0; devfn < 256; devfn++) {
      // Legacy: one context table per bus (root lo); scalable: devfn 0-127 in root lo's table, 128-255 in root hi's.
      const rootHalf = scalable && devfn >= 0x80 ? rootHi : rootLo;
      if (!present(rootHalf)) continue;
      const at = (rootHalf & ADDRESS) + BigInt(scalable ? (devfn & 0x7f) * 32 : devfn * 16);
      const ctxLo = mem.read64(at);
      const ctxHi = mem.read64(at + 8n);
      if (!present(ctxLo)) continue;
      const pasids = scalable ? pasidRows(mem, ctxLo) : [];
      const table = scalable ? scalableTable(pasids, Number(bitsOf(ctxHi, 19, 0))) : legacyTable(ctxLo, ctxHi);
      out.push({ bus, devfn, rootLo, rootHi, ctxLo, ctxHi, pasids, table });
    }
  }
  return out;
}

interface LeafRow {
  iova: bigint;
  /** Entries of the walk by level (5 = PML5E … 1 = PTE); absent above the table's top and below the leaf. */
  entries: Map<number, bigint>;
}

/**
 * Every present leaf of a second-level table, in IOVA order, at most `limit`
 * (a static mapping of 4 KiB pages can hold millions); `truncated` says when
 * more were left out.
 */
export function leafRows(mem: GuestMemory, pgd: bigint, levels: number, limit: number): { rows: LeafRow[]; truncated: boolean } {
  const rows: LeafRow[] = [];
  let truncated = false;
  const walk = (table: bigint, level: number, base: bigint, path: Map<number, bigint>): void => {
    for (let i = 0; i < 512; i++) {
      if (truncated) return;
      const e = mem.read64(table + BigInt(i * 8));
      if ((e & 3n) === 0n) continue;
      const iova = base + (BigInt(i) << BigInt(12 + 9 * (level - 1)));
      const entries = new Map(path).set(level, e);
      if (level === 1 || (level <= 3 && (e & 0x80n) !== 0n)) {
        if (rows.length >= limit) {
          truncated = true;
          return;
        }
        rows.push({ iova, entries });
      } else {
        walk(e & ADDRESS, level - 1, iova, entries);
      }
    }
  };
  if (levels >= 2 && levels <= 5) walk(pgd, levels, 0n, new Map());
  return { rows, truncated };
}

interface IrteRow {
  index: number;
  lo: bigint;
  hi: bigint;
}

/** The present entries of the interrupt remapping table IRTA points to (2^(S+1) entries). */
export function irteRows(mem: GuestMemory, irta: bigint): IrteRow[] {
  const base = irta & ADDRESS;
  const size = 2 ** (Number(bitsOf(irta, 3, 0)) + 1);
  const out: IrteRow[] = [];
  if (base === 0n) return out;
  for (let i = 0; i < size; i++) {
    const lo = mem.read64(base + BigInt(i * 16));
    if (!present(lo)) continue;
    out.push({ index: i, lo, hi: mem.read64(base + BigInt(i * 16 + 8)) });
  }
  return out;
}
