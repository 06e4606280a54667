// The event log: every event of a run in typed-array columns (no object per
// event), so a run of millions of events stays small and fast. An event is a
// kind, the thread it ran on, its time and cost in nanoseconds, a requester
// id, two 64-bit values as hi/lo halves (`a`: usually the IOVA or address,
// `b`: usually the entry or the translated address) and two small numbers.

export interface EventSink {
  emit(kind: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void;
  /**
   * An event QEMU traces before the change it starts (a register write, then
   * its effects): a step limit or breakpoint on it halts only at settle() or
   * the next event, so the state at the halt holds the write's effect.
   */
  announce?(kind: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void;
  /** The announced change is complete: halt now if the announced event asked to. */
  settle?(): void;
}

/** A sink that drops everything (benchmarks of the bare IOMMU). */
export const NULL_SINK: EventSink = { emit() {} };

/** One event as plain numbers. */
export interface RawEvent {
  index: number;
  kind: number;
  thread: number;
  time: number;
  cost: number;
  sid: number;
  aHi: number;
  aLo: number;
  bHi: number;
  bLo: number;
  c: number;
  d: number;
}

export class EventLog {
  count = 0;
  private capacity = 0;
  private kind = new Uint8Array(0);
  private thread = new Uint8Array(0);
  private sid = new Int32Array(0);
  private words = new Uint32Array(0); // aHi aLo bHi bLo per event
  private nums = new Float64Array(0); // c d time cost per event

  constructor(capacity = 1024) {
    this.grow(capacity);
  }

  private grow(capacity: number): void {
    const copy = <T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T, per: number): T => {
      const a = make(capacity * per);
      a.set(old.subarray(0, this.count * per) as never);
      return a;
    };
    this.kind = copy(this.kind, (n) => new Uint8Array(n), 1);
    this.thread = copy(this.thread, (n) => new Uint8Array(n), 1);
    this.sid = copy(this.sid, (n) => new Int32Array(n), 1);
    this.words = copy(this.words, (n) => new Uint32Array(n), 4);
    this.nums = copy(this.nums, (n) => new Float64Array(n), 4);
    this.capacity = capacity;
  }

  push(kind: number, thread: number, time: number, cost: number, sid: number, aHi: number, aLo: number, bHi: number, bLo: number, c: number, d: number): void {
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const i = this.count++;
    this.kind[i] = kind;
    this.thread[i] = thread;
    this.sid[i] = sid;
    const w = i * 4;
    this.words[w] = aHi;
    this.words[w + 1] = aLo;
    this.words[w + 2] = bHi;
    this.words[w + 3] = bLo;
    this.nums[w] = c;
    this.nums[w + 1] = d;
    this.nums[w + 2] = time;
    this.nums[w + 3] = cost;
  }

  kindAt(i: number): number {
    return this.kind[i];
  }

  get(i: number): RawEvent {
    const w = i * 4;
    return {
      index: i,
      kind: this.kind[i],
      thread: this.thread[i],
      sid: this.sid[i],
      aHi: this.words[w],
      aLo: this.words[w + 1],
      bHi: this.words[w + 2],
      bLo: this.words[w + 3],
      c: this.nums[w],
      d: this.nums[w + 1],
      time: this.nums[w + 2],
      cost: this.nums[w + 3],
    };
  }
}
