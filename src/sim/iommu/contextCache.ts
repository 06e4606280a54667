// The context cache as QEMU keeps it: no table of its own, but one cached
// context entry per device address space, valid while its generation equals
// the unit's (vtd_as->context_cache_entry.context_cache_gen ==
// s->context_cache_gen). A global or domain-selective invalidation bumps the
// unit's generation (QEMU treats domain-selective as global); wrapping at
// 0xffffffff resets every entry. A device-selective invalidation zeroes the
// generation of the devices whose source id matches under the function mask.
//
// Besides the raw entry, a slot keeps what the translation path needs from
// it (domain, table root, levels, mode, FPD), in typed arrays indexed by slot.

import { FM_IGNORED_BITS } from '../../vtd/source-id';

const GEN_MAX = 0xffffffff;

/** Translation modes of a cached entry. */
export const MODE_TRANSLATE = 0;
export const MODE_PASS_THROUGH = 2;
/** A scalable-mode PASID entry with PGTT = 001: first-stage translation (QEMU 10 x-flts). */
export const MODE_FIRST_STAGE = 3;

/** What a context (and, in scalable mode, PASID) entry resolves to; filled by contextReader. */
export interface ContextFields {
  did: number;
  levels: number;
  rootHi: number;
  rootLo: number;
  mode: number;
  /** ATS translation requests allowed (legacy TT=01, scalable DTE=1). */
  ats: boolean;
  fpd: boolean;
  /** The context entry's first 128 bits as words, lowest first. */
  raw: [number, number, number, number];
}

export function emptyContextFields(): ContextFields {
  return { did: 0, levels: 0, rootHi: 0, rootLo: 0, mode: 0, ats: false, fpd: false, raw: [0, 0, 0, 0] };
}

export class ContextCache {
  generation = 1;
  hits = 0;
  misses = 0;
  invalidations = 0;
  private readonly slotOf = new Int32Array(65536).fill(-1);
  private sids: number[] = [];
  private gen = new Uint32Array(16);
  private did = new Uint32Array(16);
  private levels = new Uint8Array(16);
  private rootHi = new Uint32Array(16);
  private rootLo = new Uint32Array(16);
  private mode = new Uint8Array(16);
  private flags = new Uint8Array(16); // bit 0 ATS, bit 1 FPD
  private raw = new Uint32Array(64);

  private slotFor(sid: number): number {
    let s = this.slotOf[sid];
    if (s >= 0) return s;
    s = this.sids.length;
    this.sids.push(sid);
    this.slotOf[sid] = s;
    if (s >= this.gen.length) this.grow(this.gen.length * 2);
    return s;
  }

  private grow(n: number): void {
    const g = <T extends Uint32Array | Uint8Array>(a: T, per = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(n * per);
      b.set(a);
      return b;
    };
    this.gen = g(this.gen);
    this.did = g(this.did);
    this.levels = g(this.levels);
    this.rootHi = g(this.rootHi);
    this.rootLo = g(this.rootLo);
    this.mode = g(this.mode);
    this.flags = g(this.flags);
    this.raw = g(this.raw, 4);
  }

  /** The slot of a valid cached entry for `sid`, or -1 (a miss). */
  lookup(sid: number): number {
    const s = this.slotOf[sid];
    if (s >= 0 && this.gen[s] === this.generation) {
      this.hits++;
      return s;
    }
    this.misses++;
    return -1;
  }

  /** Caches the entry read for `sid`; returns its slot and the generation it had before. */
  fill(sid: number, f: ContextFields): { slot: number; previous: number } {
    const s = this.slotFor(sid);
    const previous = this.gen[s];
    this.gen[s] = this.generation;
    this.did[s] = f.did;
    this.levels[s] = f.levels;
    this.rootHi[s] = f.rootHi;
    this.rootLo[s] = f.rootLo;
    this.mode[s] = f.mode;
    this.flags[s] = (f.ats ? 1 : 0) | (f.fpd ? 2 : 0);
    for (let i = 0; i < 4; i++) this.raw[s * 4 + i] = f.raw[i];
    return { slot: s, previous };
  }

  didOf(slot: number): number {
    return this.did[slot];
  }
  levelsOf(slot: number): number {
    return this.levels[slot];
  }
  rootHiOf(slot: number): number {
    return this.rootHi[slot];
  }
  rootLoOf(slot: number): number {
    return this.rootLo[slot];
  }
  modeOf(slot: number): number {
    return this.mode[slot];
  }
  atsOf(slot: number): boolean {
    return (this.flags[slot] & 1) !== 0;
  }
  fpdOf(slot: number): boolean {
    return (this.flags[slot] & 2) !== 0;
  }

  /** Global (and, in QEMU, domain-selective) invalidation: a new generation. */
  invalidateAll(): void {
    this.invalidations++;
    this.generation++;
    if (this.generation >= GEN_MAX) {
      this.gen.fill(0);
      this.generation = 1;
    }
  }

  /** Device-selective invalidation; returns the source ids it hit. */
  invalidateDevices(sid: number, fm: number): number[] {
    this.invalidations++;
    const ignore = FM_IGNORED_BITS[fm & 3];
    const hit: number[] = [];
    for (let s = 0; s < this.sids.length; s++) {
      const other = this.sids[s];
      if (other >> 8 === sid >> 8 && ((other & 0xff) & ~ignore) === ((sid & 0xff) & ~ignore)) {
        this.gen[s] = 0;
        hit.push(other);
      }
    }
    return hit;
  }

  /** Every slot, valid or not, for the state views. */
  entries(): { sid: number; valid: boolean; generation: number; did: number; levels: number; mode: number; ats: boolean; fpd: boolean; raw: number[] }[] {
    return this.sids.map((sid, s) => ({
      sid,
      valid: this.gen[s] === this.generation,
      generation: this.gen[s],
      did: this.did[s],
      levels: this.levels[s],
      mode: this.mode[s],
      ats: this.atsOf(s),
      fpd: this.fpdOf(s),
      raw: Array.from(this.raw.subarray(s * 4, s * 4 + 4)),
    }));
  }
}
