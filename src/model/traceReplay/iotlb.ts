// QEMU's IOTLB (hw/i386/intel_iommu.c), replayed from its trace lines: a hash
// table keyed by (source id, level, gfn) holding the leaf entry, the domain
// and the access flags; at most 1024 entries, the whole table dropped when a
// fill finds it full. QEMU prints vtd_iotlb_page_update *before* it checks the
// size and prints vtd_iotlb_reset, so the entry of that fill survives the
// reset: the replay inserts on the update line and, on the reset line that
// follows it, keeps that one entry. Both lines are printed under the IOMMU
// lock, so no other IOTLB line can come between them; lines of other threads
// (interrupts, register writes) can, and do not end that window.

import { bitSet, MASK64 } from '../../vtd/u64';
import type { InvalidationScope, IotlbCounters, IotlbEntry, IotlbInvalidation, IotlbReset } from './types';

/** VTD_IOTLB_MAX_SIZE. */
export const IOTLB_MAX_SIZE = 1024;

const ADDRESS_BITS = ((1n << 52n) - 1n) & ~0xfffn;

function levelShift(level: number): bigint {
  return BigInt(12 + 9 * (level - 1));
}

/** vtd_get_iotlb_gfn: the page number of `addr` at `level`. */
export function gfnOf(addr: bigint, level: number): bigint {
  return (addr & MASK64 & ~((1n << levelShift(level)) - 1n)) >> 12n;
}

/**
 * The level of a leaf entry: the trace does not print it. PS (bit 7) clear is
 * a 4 KiB page; set, a 2 MiB page, or a 1 GiB one when the host address is
 * 1 GiB aligned (then the level is a guess).
 */
export function leafLevel(slpte: bigint): { level: number; certain: boolean } {
  if (!bitSet(slpte, 7)) return { level: 1, certain: true };
  const address = slpte & ADDRESS_BITS;
  if ((address & ((1n << 30n) - 1n)) !== 0n) return { level: 2, certain: true };
  return { level: 3, certain: false };
}

function keyOf(sid: number, level: number, gfn: bigint): string {
  return `${sid}:${level}:${gfn.toString(16)}`;
}

function emptyCounters(): IotlbCounters {
  return {
    hits: 0,
    misses: 0,
    faults: 0,
    passThrough: 0,
    invalidations: { global: 0, domain: 0, page: 0, pasid: 0, 'pasid-page': 0 },
    entriesInvalidated: 0,
    entriesBeyondRange: 0,
    resets: { sizeLimit: 0, cachesReset: 0 },
    peakEntries: 0,
    checks: { hitsNotHeld: 0, fillsAlreadyHeld: 0, unexpectedResets: 0, missingResets: 0 },
  };
}

/**
 * How wide QEMU keeps a page-selective invalidation's mask: 64 bits since QEMU
 * 9.1; 8 bits before ("intel_iommu: fix type of the mask field in
 * VTDIOTLBPageInvInfo", July 2024: the field was a uint8_t), so older QEMU
 * compares only gfn bits 7:0 and drops every entry of the domain that agrees
 * with ADDR there, and with AM >= 8 every entry of the domain.
 */
export type PsiMaskBits = 8 | 64;

export class IotlbModel {
  constructor(readonly maskBits: PsiMaskBits = 64) {}

  private readonly table = new Map<string, IotlbEntry>();
  readonly counters = emptyCounters();
  lastReset?: IotlbReset;
  lastInvalidation?: IotlbInvalidation;
  /** The key of the last fill, while no other IOTLB line has come since (for the reset that may follow it). */
  private lastFillKey?: string;
  /** The fill found the table full: QEMU must print a reset next. */
  private resetExpected = false;

  get size(): number {
    return this.table.size;
  }

  entries(): IotlbEntry[] {
    return [...this.table.values()].map((e) => ({ ...e }));
  }

  /** vtd_lookup_iotlb: levels 1, 2 and 3 in turn. */
  lookup(sid: number, addr: bigint): IotlbEntry | undefined {
    for (let level = 1; level <= 3; level++) {
      const e = this.table.get(keyOf(sid, level, gfnOf(addr, level)));
      if (e) return e;
    }
    return undefined;
  }

  private mismatch(line: number): void {
    this.counters.checks.firstMismatchLine ??= line;
  }

  private settleExpectedReset(line: number): void {
    if (!this.resetExpected) return;
    this.resetExpected = false;
    this.counters.checks.missingResets++;
    this.mismatch(line);
  }

  /** vtd_iotlb_page_hit. */
  hit(line: number, sid: number, iova: bigint, slpte: bigint, domain: number): void {
    this.settleExpectedReset(line);
    this.lastFillKey = undefined;
    this.counters.hits++;
    const e = this.lookup(sid, iova);
    if (e && e.slpte === slpte && e.domain === domain) {
      e.hits++;
      e.lastHitLine = line;
      return;
    }
    this.counters.checks.hitsNotHeld++;
    this.mismatch(line);
  }

  /** vtd_iotlb_page_update: QEMU's vtd_update_iotlb (the reset it may do is on the next line). */
  fill(line: number, sid: number, iova: bigint, slpte: bigint, domain: number): void {
    this.settleExpectedReset(line);
    this.counters.misses++;
    if (this.lookup(sid, iova)) {
      this.counters.checks.fillsAlreadyHeld++;
      this.mismatch(line);
    }
    if (this.table.size >= IOTLB_MAX_SIZE) this.resetExpected = true;
    const { level, certain } = leafLevel(slpte);
    const gfn = gfnOf(iova, level);
    const key = keyOf(sid, level, gfn);
    const size = 1n << levelShift(level);
    this.table.set(key, {
      sid,
      domain,
      level,
      levelCertain: certain,
      iova: gfn << 12n,
      size,
      slpte,
      read: bitSet(slpte, 0),
      write: bitSet(slpte, 1),
      accessIova: iova,
      line,
      hits: 0,
    });
    this.lastFillKey = key;
    this.counters.peakEntries = Math.max(this.counters.peakEntries, this.table.size);
  }

  /** vtd_iotlb_reset ("iotlb exceeds size limit"): everything but the fill that caused it. */
  sizeLimitReset(line: number): void {
    const keep = this.lastFillKey !== undefined ? this.table.get(this.lastFillKey) : undefined;
    if (!this.resetExpected) {
      this.counters.checks.unexpectedResets++;
      this.mismatch(line);
    }
    this.resetExpected = false;
    const dropped = [...this.table.values()].filter((e) => e !== keep);
    this.table.clear();
    if (keep && this.lastFillKey) this.table.set(this.lastFillKey, keep);
    this.counters.resets.sizeLimit++;
    this.lastReset = { line, reason: 'size-limit', dropped };
    this.lastFillKey = undefined;
  }

  /** vtd_reset_caches: the IOTLB emptied with the context cache (no trace line of its own). */
  cachesReset(line: number): void {
    this.settleExpectedReset(line);
    const dropped = [...this.table.values()];
    this.table.clear();
    this.counters.resets.cachesReset++;
    this.lastReset = { line, reason: 'caches-reset', dropped };
    this.lastFillKey = undefined;
  }

  private removeWhere(line: number, scope: InvalidationScope, pred: (e: IotlbEntry) => boolean, info: Omit<IotlbInvalidation, 'line' | 'scope' | 'removed'>): void {
    this.settleExpectedReset(line);
    this.lastFillKey = undefined;
    let removed = 0;
    for (const [k, e] of this.table) {
      if (pred(e)) {
        this.table.delete(k);
        removed++;
      }
    }
    this.counters.invalidations[scope]++;
    this.counters.entriesInvalidated += removed;
    this.lastInvalidation = { line, scope, removed, ...info };
  }

  /** vtd_inv_desc_iotlb_global. */
  invalidateGlobal(line: number): void {
    this.removeWhere(line, 'global', () => true, {});
  }

  /** vtd_inv_desc_iotlb_domain: vtd_hash_remove_by_domain. */
  invalidateDomain(line: number, domain: number): void {
    this.removeWhere(line, 'domain', (e) => e.domain === domain, { domain });
  }

  /**
   * vtd_inv_desc_iotlb_pages: vtd_hash_remove_by_page. An entry of the domain
   * goes when its gfn matches ADDR's under the mask ~(2^AM - 1) (cut to 8 bits
   * before QEMU 9.1), or when it is a superpage that contains ADDR.
   */
  invalidatePages(line: number, domain: number, addr: bigint, am: number, scope: 'page' | 'pasid-page' = 'page', pasid?: number): void {
    const full = ~((1n << BigInt(am)) - 1n);
    const matches = (e: IotlbEntry, mask: bigint) => {
      const entryGfn = e.iova >> 12n;
      const gfnTlb = (addr & ~(e.size - 1n)) >> 12n;
      return (entryGfn & mask) === ((addr >> 12n) & mask) || entryGfn === gfnTlb;
    };
    const mask = this.maskBits === 8 ? full & 0xffn : full;
    let beyond = 0;
    this.removeWhere(
      line,
      scope,
      (e) => {
        if (e.domain !== domain || !matches(e, mask)) return false;
        if (!matches(e, full)) beyond++;
        return true;
      },
      { domain, addr, am, pasid },
    );
    if (this.lastInvalidation) this.lastInvalidation.beyondRange = beyond;
    this.counters.entriesBeyondRange += beyond;
  }

  /**
   * vtd_inv_desc_iotlb_pasid: QEMU drops the domain's entries of that PASID.
   * The trace does not print an entry's PASID, so the replay drops every entry
   * of the domain (an over-approximation the tree says out loud).
   */
  invalidatePasid(line: number, domain: number, pasid: number): void {
    this.removeWhere(line, 'pasid', (e) => e.domain === domain, { domain, pasid });
  }
}
