// QEMU's context cache, replayed: no table of its own, but one cached context
// entry per device address space with a generation number, valid while it
// equals the unit's generation. A global (and QEMU's "domain-selective",
// which it treats as global) invalidation bumps the unit's generation; a
// device-selective one zeroes the device's; vtd_reset_context_cache_locked
// zeroes them all and sets the unit's to 1. The trace prints the generations
// on every vtd_iotlb_cc_hit / vtd_iotlb_cc_update line, which the replay
// checks against its own.

import type { ContextCacheEntry, ContextCacheState } from './types';

/** VTD_CONTEXT_CACHE_GEN_MAX: the generation wraps (and every entry is reset) here. */
export const CONTEXT_CACHE_GEN_MAX = 0xffffffff;

export class ContextCacheModel {
  private generation = 1;
  private readonly table = new Map<number, ContextCacheEntry>();
  readonly counters: ContextCacheState['counters'] = {
    hits: 0,
    updates: 0,
    globalInvalidations: 0,
    domainInvalidations: 0,
    deviceInvalidations: 0,
    resets: 0,
    generationMismatches: 0,
  };
  /** The last global invalidation wrapped the generation: the reset line that follows is that wrap, not vtd_reset_caches. */
  private wrapPending = false;

  get unitGeneration(): number {
    return this.generation;
  }

  state(): ContextCacheState {
    return {
      generation: this.generation,
      entries: [...this.table.values()].map((e) => ({ ...e })).sort((a, b) => a.sid - b.sid),
      counters: { ...this.counters },
    };
  }

  entry(sid: number): ContextCacheEntry | undefined {
    return this.table.get(sid);
  }

  private mismatch(line: number): void {
    this.counters.generationMismatches++;
    this.counters.firstMismatchLine ??= line;
  }

  /** vtd_iotlb_cc_hit: the device's cached entry was valid. */
  hit(line: number, bus: number, devfn: number, hi: bigint, lo: bigint, gen: number): void {
    this.counters.hits++;
    const sid = (bus << 8) | devfn;
    const e = this.table.get(sid);
    if (!e || e.gen !== this.generation || gen !== this.generation || e.hi !== hi || e.lo !== lo) this.mismatch(line);
    if (e) {
      e.hits++;
    } else {
      // Loaded before the trace started: take it as the trace shows it.
      this.table.set(sid, { sid, bus, devfn, hi, lo, gen, line, hits: 1 });
    }
  }

  /** vtd_iotlb_cc_update: the entry was read from guest memory and cached with the unit's generation. */
  update(line: number, bus: number, devfn: number, hi: bigint, lo: bigint, oldGen: number, newGen: number): void {
    this.counters.updates++;
    const sid = (bus << 8) | devfn;
    const before = this.table.get(sid)?.gen ?? 0;
    if (newGen !== this.generation || oldGen !== before) this.mismatch(line);
    this.table.set(sid, { sid, bus, devfn, hi, lo, gen: newGen, line, hits: 0 });
  }

  /** vtd_inv_desc_cc_global (also printed after vtd_inv_desc_cc_domain). */
  globalInvalidate(): void {
    this.counters.globalInvalidations++;
    this.generation++;
    if (this.generation === CONTEXT_CACHE_GEN_MAX) this.wrapPending = true;
  }

  /** vtd_inv_desc_cc_domain: counted; QEMU treats it as global and prints vtd_inv_desc_cc_global next. */
  domainInvalidate(): void {
    this.counters.domainInvalidations++;
  }

  /** vtd_inv_desc_cc_device: one address space's generation set to 0. */
  deviceInvalidate(line: number, bus: number, devfn: number): void {
    this.counters.deviceInvalidations++;
    const e = this.table.get((bus << 8) | devfn);
    if (e) {
      e.gen = 0;
      e.invalidatedLine = line;
    }
  }

  /**
   * vtd_context_cache_reset. Returns true when it came from vtd_reset_caches
   * (which empties the IOTLB too), false when it is the generation wrap.
   */
  reset(line: number): boolean {
    this.counters.resets++;
    for (const e of this.table.values()) {
      e.gen = 0;
      e.invalidatedLine = line;
    }
    this.generation = 1;
    const wrap = this.wrapPending;
    this.wrapPending = false;
    return !wrap;
  }
}
