// A device's own cache of translations: vhost's device IOTLB (an interval
// tree in Linux, max_iotlb_entries = 2048, oldest entry retired when full) or
// the ATC of an ATS-capable device. Entries are 4 KiB, 2 MiB or 1 GiB pages
// (the size of the translation the IOMMU answered with); a lookup tries the
// three keys of the IOVA. Keys are page numbers (exact below 2^53), values
// live in typed arrays.

interface DeviceTlbEntryView {
  iova: bigint;
  size: bigint;
  translated: bigint;
  read: boolean;
  write: boolean;
}

const SHIFTS = [12, 21, 30];

function keyOf(pfn: number, code: number): number {
  return pfn * 4 + code;
}

export class DeviceTlb {
  hits = 0;
  misses = 0;
  fills = 0;
  invalidations = 0;
  invalidated = 0;
  evictions = 0;
  private readonly slots = new Map<number, number>();
  private readonly keys: Float64Array;
  private readonly outHi: Uint32Array;
  private readonly outLo: Uint32Array;
  private readonly perm: Uint8Array;
  private readonly serial: Float64Array;
  private readonly free: number[] = [];
  private fifo: number[] = [];
  private fifoHead = 0;
  private nextSerial = 1;

  constructor(readonly capacity = 2048) {
    this.keys = new Float64Array(capacity);
    this.outHi = new Uint32Array(capacity);
    this.outLo = new Uint32Array(capacity);
    this.perm = new Uint8Array(capacity);
    this.serial = new Float64Array(capacity);
    for (let i = capacity - 1; i >= 0; i--) this.free.push(i);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot covering the IOVA with the needed right, or -1 (a miss). */
  lookup(iovaHi: number, iovaLo: number, write: boolean): number {
    const pfn = (iovaHi >>> 0) * 1048576 + (iovaLo >>> 12);
    for (let c = 0; c < 3; c++) {
      const span = c === 0 ? 1 : c === 1 ? 512 : 262144;
      const slot = this.slots.get(keyOf(pfn - (pfn % span), c));
      if (slot !== undefined && (this.perm[slot] & (write ? 2 : 1)) !== 0) {
        this.hits++;
        return slot;
      }
    }
    this.misses++;
    return -1;
  }

  /** Translated address of an IOVA through a slot, low half. */
  translateLo(slot: number, iovaLo: number): number {
    const c = this.keys[slot] % 4;
    const low = c === 0 ? 0xfff : c === 1 ? 0x1fffff : 0x3fffffff;
    return ((this.outLo[slot] & ~low) | (iovaLo & low)) >>> 0;
  }

  translateHi(slot: number): number {
    return this.outHi[slot];
  }

  /** Caches a translation of a page of 2^shift bytes (12, 21 or 30); returns how many entries were retired. */
  fill(iovaHi: number, iovaLo: number, shift: number, outHi: number, outLo: number, read: boolean, write: boolean): number {
    const c = shift >= 30 ? 2 : shift >= 21 ? 1 : 0;
    const span = c === 0 ? 1 : c === 1 ? 512 : 262144;
    const pfn = (iovaHi >>> 0) * 1048576 + (iovaLo >>> 12);
    const key = keyOf(pfn - (pfn % span), c);
    let retired = 0;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.free.length === 0) {
        this.retireOldest();
        retired = 1;
      }
      slot = this.free.pop() as number;
      this.slots.set(key, slot);
    }
    this.keys[slot] = key;
    this.outHi[slot] = outHi >>> 0;
    this.outLo[slot] = outLo >>> 0;
    this.perm[slot] = (read ? 1 : 0) | (write ? 2 : 0);
    this.serial[slot] = this.nextSerial;
    this.fifo.push(slot, this.nextSerial++);
    this.fills++;
    return retired;
  }

  private retireOldest(): void {
    while (this.fifoHead < this.fifo.length) {
      const slot = this.fifo[this.fifoHead++];
      const serial = this.fifo[this.fifoHead++];
      if (this.serial[slot] === serial && this.slots.get(this.keys[slot]) === slot) {
        this.remove(slot);
        this.evictions++;
        break;
      }
    }
    if (this.fifoHead > 65536) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }

  private remove(slot: number): void {
    this.slots.delete(this.keys[slot]);
    this.serial[slot] = 0;
    this.free.push(slot);
  }

  /** Drops every entry overlapping [base, base + 2^shift); shift >= 64 drops everything. Returns how many. */
  invalidate(baseHi: number, baseLo: number, shift: number): number {
    this.invalidations++;
    if (shift >= 64) return this.clearAll();
    const first = (baseHi >>> 0) * 1048576 + (baseLo >>> 12);
    const pages = shift <= 12 ? 1 : 2 ** (shift - 12);
    let removed = 0;
    if (pages <= 64) {
      // Every 4 KiB key in the range, and the 2 MiB / 1 GiB keys of its first and last page.
      for (let p = first; p < first + pages; p++) removed += this.removeKey(keyOf(p, 0));
      const last = first + pages - 1;
      for (let c = 1; c < 3; c++) {
        const span = c === 1 ? 512 : 262144;
        const a = keyOf(first - (first % span), c);
        const b = keyOf(last - (last % span), c);
        removed += this.removeKey(a);
        if (b !== a) removed += this.removeKey(b);
      }
    } else {
      const end = first + pages;
      for (const [key, slot] of [...this.slots]) {
        const c = key % 4;
        const start = (key - c) / 4;
        const len = c === 0 ? 1 : c === 1 ? 512 : 262144;
        if (start < end && start + len > first) {
          this.remove(slot);
          removed++;
        }
      }
    }
    this.invalidated += removed;
    return removed;
  }

  private removeKey(key: number): number {
    const slot = this.slots.get(key);
    if (slot === undefined) return 0;
    this.remove(slot);
    return 1;
  }

  private clearAll(): number {
    const n = this.slots.size;
    for (const slot of [...this.slots.values()]) this.remove(slot);
    this.invalidated += n;
    return n;
  }

  entries(): DeviceTlbEntryView[] {
    return [...this.slots.entries()]
      .sort((a, b) => this.serial[a[1]] - this.serial[b[1]])
      .map(([key, slot]) => {
        const c = key % 4;
        const pfn = (key - c) / 4;
        return {
          iova: BigInt(pfn) << 12n,
          size: 1n << BigInt(SHIFTS[c]),
          translated: (BigInt(this.outHi[slot]) << 32n) | BigInt(this.outLo[slot]),
          read: (this.perm[slot] & 1) !== 0,
          write: (this.perm[slot] & 2) !== 0,
        };
      });
  }
}
