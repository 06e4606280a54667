// The event sink of a running simulation: gives each event its thread, cost
// and time, folds it into the digest, counts it, stores it (unless the run
// only wants figures), and stops the run when a step limit or a breakpoint
// is reached (by throwing HALT, caught by the engine's run loop: every event
// is emitted after the change it reports, so the state at a halt is exactly
// the state after that event).

import { Fnv1a } from '../digest';
import { K, KIND_SPECS, THREAD_CODES } from './kinds';

const K_INV_DESC = K.invDesc;
import { EventLog, type EventSink } from './log';

export const HALT = Symbol('halt');

export type Breakpoint = (index: number, kind: number, sid: number, aHi: number, aLo: number, c: number) => boolean;

const KIND_THREAD = Int8Array.from(KIND_SPECS.map((s) => THREAD_CODES[s.thread]));

export class Recorder implements EventSink {
  readonly log: EventLog | null;
  readonly digest = new Fnv1a();
  count = 0;
  /** Events per kind since the start. */
  readonly kindCounts = new Float64Array(KIND_SPECS.length);
  /** Nanoseconds per thread (index: 1 vCPU, 2 backend, 3 device) while measuring. */
  readonly threadNs = new Float64Array(4);
  /** Nanoseconds per kind while measuring. */
  readonly kindNs = new Float64Array(KIND_SPECS.length);
  /**
   * Share of each kind's cost spent holding QEMU's global lock (the BQL):
   * MMIO emulation of the IOMMU, QEMU's handling of vhost's IOTLB misses,
   * QEMU's own virtio and MSI translation. Work under the lock serialises
   * across threads, so its sum bounds the throughput like a thread does.
   */
  readonly bqlShare = new Float64Array(KIND_SPECS.length);
  /** Nanoseconds under the BQL while measuring. */
  bqlNs = 0;
  /** Cost of each kind in ns (set by the engine from the cost model). */
  readonly kindCost = new Float64Array(KIND_SPECS.length);
  /** Kinds whose cost applies only when `chargeLookups` is on (QEMU doing the DMA itself). */
  readonly lookupKinds = new Uint8Array(KIND_SPECS.length);
  chargeLookups = false;
  /** Cost of a wait descriptor (an inv-desc event of type 5); other descriptors cost kindCost. */
  waitDescriptorCost = 0;
  /** Thread code for events of thread 'current'. */
  currentThread = 1;
  measuring = false;
  /** Clock (ns) at the start of the current step, and the time used on each thread since. */
  clock = 0;
  readonly threadClock = new Float64Array(4);
  limit = Infinity;
  breakpoint: Breakpoint | undefined;
  /** Index of the event that halted the run, or -1. */
  haltedAt = -1;

  /** Events stored at most (the run goes on counting and hashing the rest). */
  readonly keep: number;

  /** `record`: store every event, none, or the first N. */
  constructor(record: boolean | number) {
    this.keep = record === true ? Infinity : record === false ? 0 : Math.max(0, record);
    this.log = this.keep > 0 ? new EventLog(Math.min(4096, this.keep)) : null;
  }

  /** An announced event reached the limit or a breakpoint: the halt waits for its change (settle). */
  private pendingHalt = false;
  private announcing = false;

  announce(kind: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void {
    this.announcing = true;
    try {
      this.emit(kind, sid, aHi, aLo, bHi, bLo, c, d);
    } finally {
      this.announcing = false;
    }
  }

  settle(): void {
    if (this.pendingHalt) {
      this.pendingHalt = false;
      throw HALT;
    }
  }

  emit(kind: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void {
    let cost = this.kindCost[kind];
    if (this.lookupKinds[kind] === 1 && !this.chargeLookups) cost = 0;
    else if (kind === K_INV_DESC && c === 5) cost = this.waitDescriptorCost;
    this.emitCost(kind, cost, sid, aHi, aLo, bHi, bLo, c, d);
  }

  /** Emits with an explicit cost (events whose cost depends on context). */
  emitCost(kind: number, cost: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void {
    // An effect of an announced event that halted: the run stops before it.
    this.settle();
    const t0 = KIND_THREAD[kind];
    const thread = t0 < 0 ? this.currentThread : t0;
    const time = this.clock + this.threadClock[thread];
    this.threadClock[thread] += cost;
    if (this.measuring) {
      this.threadNs[thread] += cost;
      this.kindNs[kind] += cost;
      this.bqlNs += cost * this.bqlShare[kind];
    }
    const dg = this.digest;
    dg.add(kind);
    dg.add(sid);
    dg.add(aHi);
    dg.add(aLo);
    dg.add(bHi);
    dg.add(bLo);
    dg.add(c);
    dg.add(d);
    if (this.log && this.count < this.keep) this.log.push(kind, thread, time, cost, sid, aHi >>> 0, aLo >>> 0, bHi >>> 0, bLo >>> 0, c, d);
    this.kindCounts[kind]++;
    const index = this.count++;
    if (this.count >= this.limit || (this.breakpoint !== undefined && this.breakpoint(index, kind, sid, aHi, aLo, c))) {
      this.haltedAt = index;
      if (this.announcing) this.pendingHalt = true;
      else throw HALT;
    }
  }

  /** The simulated time now: the clock plus the busiest thread's time in the current step. */
  now(): number {
    let busiest = 0;
    for (let t = 1; t < 4; t++) if (this.threadClock[t] > busiest) busiest = this.threadClock[t];
    return this.clock + busiest;
  }

  /** Ends a step: the clock moves by the busiest thread's time (or the given minimum). */
  advance(minimumNs = 0): number {
    let step = minimumNs;
    for (let t = 1; t < 4; t++) if (this.threadClock[t] > step) step = this.threadClock[t];
    this.clock += step;
    this.threadClock.fill(0);
    return step;
  }
}
