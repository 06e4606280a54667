// QEMU's IOTLB: entries keyed by (gfn, PASID, source id, level), where gfn is
// the IOVA >> 12 aligned to the entry's page size, so one lookup tries the
// 4 KiB, 2 MiB and 1 GiB keys in turn (vtd_lookup_iotlb). Capacity 1024
// (VTD_IOTLB_MAX_SIZE); QEMU's policy resets the WHOLE table when an insertion
// finds it full (vtd_update_iotlb: trace vtd_iotlb_page_update, then
// vtd_iotlb_reset "iotlb exceeds size limit", then the insert). An LRU policy
// that evicts one entry is offered for comparison.
//
// Storage: an open-addressing hash table (linear probing) in typed arrays,
// keys and values as 32-bit halves: no strings, no bigints, no objects per
// entry. Invalidations scan every slot, as QEMU's g_hash_table_foreach_remove.

import type { IotlbPolicy } from '../platform';

interface IotlbEntryView {
  sid: number;
  pasid: number;
  did: number;
  level: number;
  /** IOVA of the page (gfn << 12) as halves. */
  iovaHi: number;
  iovaLo: number;
  pteHi: number;
  pteLo: number;
  read: boolean;
  write: boolean;
}

const EMPTY = 0;
const LEVEL_MASKS = [0, 0xffffffff, 0xfffffe00, 0xfffc0000];

/** gfnHi, gfnLo, sid, pasid, level, pteHi, pteLo, did, access, stamp: one slot, as Iotlb.write takes it. */
type SlotColumns = [number, number, number, number, number, number, number, number, number, number];

export class Iotlb {
  readonly capacity: number;
  readonly policy: IotlbPolicy;
  size = 0;
  hits = 0;
  misses = 0;
  inserts = 0;
  resets = 0;
  evictions = 0;
  invalidated = 0;
  private readonly bits: number;
  private readonly mask: number;
  private used: Uint8Array;
  private gfnHi: Uint32Array;
  private gfnLo: Uint32Array;
  private sid: Uint32Array;
  private pasid: Int32Array;
  private level: Uint8Array;
  private pteHi: Uint32Array;
  private pteLo: Uint32Array;
  private did: Uint32Array;
  private access: Uint8Array;
  // LRU list (policy 'lru'): most recent at head.
  private prev: Int32Array;
  private next: Int32Array;
  private head = -1;
  private tail = -1;
  private stamp: Float64Array;
  private clock = 0;
  /** The occupied slots, densely (scans cost the number of entries, not the table size). */
  private occupied: Int32Array;
  private posOf: Int32Array;

  constructor(
    capacity = 1024,
    policy: IotlbPolicy = 'qemu',
    /** Bits of the masked gfn a page-selective invalidation compares: 8 before QEMU 9.1, else all. */
    readonly psiMaskBits: 8 | 64 = 64,
  ) {
    this.capacity = Math.max(1, Math.trunc(capacity));
    this.policy = policy;
    let bits = 4;
    while (1 << bits < this.capacity * 4) bits++;
    this.bits = bits;
    const n = 1 << bits;
    this.mask = n - 1;
    this.used = new Uint8Array(n);
    this.gfnHi = new Uint32Array(n);
    this.gfnLo = new Uint32Array(n);
    this.sid = new Uint32Array(n);
    this.pasid = new Int32Array(n);
    this.level = new Uint8Array(n);
    this.pteHi = new Uint32Array(n);
    this.pteLo = new Uint32Array(n);
    this.did = new Uint32Array(n);
    this.access = new Uint8Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
    this.stamp = new Float64Array(n);
    this.occupied = new Int32Array(n);
    this.posOf = new Int32Array(n);
  }

  private occupy(slot: number): void {
    this.used[slot] = 1;
    this.posOf[slot] = this.size;
    this.occupied[this.size++] = slot;
  }

  private vacate(slot: number): void {
    this.used[slot] = EMPTY;
    const pos = this.posOf[slot];
    const last = this.occupied[--this.size];
    this.occupied[pos] = last;
    this.posOf[last] = pos;
  }

  private hash(gfnHi: number, gfnLo: number, sid: number, pasid: number, level: number): number {
    let h = Math.imul(gfnLo ^ 0x9e3779b9, 0x85ebca6b);
    h ^= Math.imul(gfnHi + 0x7f4a7c15, 0xc2b2ae35);
    h ^= Math.imul(((sid << 2) | (level - 1)) + 0x165667b1, 0x27d4eb2f);
    h ^= Math.imul(pasid + 0x61c88647, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h >>> (32 - this.bits)) & this.mask;
  }

  private find(gfnHi: number, gfnLo: number, sid: number, pasid: number, level: number): number {
    let i = this.hash(gfnHi, gfnLo, sid, pasid, level);
    while (this.used[i] !== EMPTY) {
      if (this.gfnLo[i] === gfnLo && this.sid[i] === sid && this.level[i] === level && this.gfnHi[i] === gfnHi && this.pasid[i] === pasid) return i;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /**
   * The slot of the entry that covers the IOVA (4 KiB key first, then 2 MiB,
   * then 1 GiB), or -1. Counts a hit or a miss.
   */
  lookup(sid: number, pasid: number, iovaHi: number, iovaLo: number): number {
    const gfnHi = iovaHi >>> 12;
    const gfnLo = ((iovaHi << 20) | (iovaLo >>> 12)) >>> 0;
    for (let level = 1; level <= 3; level++) {
      const slot = this.find(gfnHi, (gfnLo & LEVEL_MASKS[level]) >>> 0, sid, pasid, level);
      if (slot >= 0) {
        this.hits++;
        if (this.policy === 'lru') this.touch(slot);
        return slot;
      }
    }
    this.misses++;
    return -1;
  }

  pteHiOf(slot: number): number {
    return this.pteHi[slot];
  }
  pteLoOf(slot: number): number {
    return this.pteLo[slot];
  }
  didOf(slot: number): number {
    return this.did[slot];
  }
  levelOf(slot: number): number {
    return this.level[slot];
  }
  /** Bit 0 read, bit 1 write. */
  accessOf(slot: number): number {
    return this.access[slot];
  }

  /**
   * Inserts an entry for the page of `level` holding the IOVA. Returns how
   * many entries were dropped to make room: the whole table under QEMU's
   * policy when it was full, one entry under LRU, else 0.
   */
  insert(sid: number, pasid: number, did: number, iovaHi: number, iovaLo: number, level: number, pteHi: number, pteLo: number, access: number): number {
    const gfnHi = iovaHi >>> 12;
    const gfnLo = (((iovaHi << 20) | (iovaLo >>> 12)) & LEVEL_MASKS[level]) >>> 0;
    let dropped = 0;
    let slot = this.find(gfnHi, gfnLo, sid, pasid, level);
    if (slot < 0 && this.size >= this.capacity) {
      if (this.policy === 'qemu') {
        dropped = this.size;
        this.clear();
        this.resets++;
      } else {
        this.removeSlot(this.tail);
        this.evictions++;
        dropped = 1;
      }
    }
    if (slot < 0) {
      slot = this.hash(gfnHi, gfnLo, sid, pasid, level);
      while (this.used[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.occupy(slot);
      if (this.policy === 'lru') this.linkFront(slot);
    } else if (this.policy === 'lru') {
      this.touch(slot);
    }
    this.write(slot, gfnHi, gfnLo, sid, pasid, level, pteHi, pteLo, did, access, this.clock++);
    this.inserts++;
    return dropped;
  }

  /** The one place a slot's columns are written (an insert, a move, a re-placement). */
  private write(slot: number, gfnHi: number, gfnLo: number, sid: number, pasid: number, level: number, pteHi: number, pteLo: number, did: number, access: number, stamp: number): void {
    this.gfnHi[slot] = gfnHi;
    this.gfnLo[slot] = gfnLo;
    this.sid[slot] = sid;
    this.pasid[slot] = pasid;
    this.level[slot] = level;
    this.pteHi[slot] = pteHi;
    this.pteLo[slot] = pteLo;
    this.did[slot] = did;
    this.access[slot] = access;
    this.stamp[slot] = stamp;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.used[this.occupied[k]] = EMPTY;
    this.size = 0;
    this.head = -1;
    this.tail = -1;
  }

  // ---- LRU list ----

  private linkFront(slot: number): void {
    this.prev[slot] = -1;
    this.next[slot] = this.head;
    if (this.head >= 0) this.prev[this.head] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }

  private unlink(slot: number): void {
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
  }

  private touch(slot: number): void {
    if (this.head === slot) return;
    this.unlink(slot);
    this.linkFront(slot);
  }

  /** Removes one slot and re-places the probe run after it, so lookups never stop early. */
  private removeSlot(slot: number): void {
    if (this.policy === 'lru') this.unlink(slot);
    this.vacate(slot);
    let i = (slot + 1) & this.mask;
    while (this.used[i] !== EMPTY) {
      this.used[i] = EMPTY;
      let j = this.hash(this.gfnHi[i], this.gfnLo[i], this.sid[i], this.pasid[i], this.level[i]);
      while (this.used[j] !== EMPTY) j = (j + 1) & this.mask;
      this.used[j] = 1;
      if (j !== i) {
        this.moveSlot(i, j);
        const pos = this.posOf[i];
        this.occupied[pos] = j;
        this.posOf[j] = pos;
      }
      i = (i + 1) & this.mask;
    }
  }

  private moveSlot(from: number, to: number): void {
    this.write(to, ...this.columnsOf(from));
    if (this.policy !== 'lru') return;
    const p = this.prev[from];
    const n = this.next[from];
    this.prev[to] = p;
    this.next[to] = n;
    if (p >= 0) this.next[p] = to;
    else this.head = to;
    if (n >= 0) this.prev[n] = to;
    else this.tail = to;
  }

  /** A slot's columns in write()'s order. */
  private columnsOf(i: number): SlotColumns {
    return [this.gfnHi[i], this.gfnLo[i], this.sid[i], this.pasid[i], this.level[i], this.pteHi[i], this.pteLo[i], this.did[i], this.access[i], this.stamp[i]];
  }

  private place(e: SlotColumns): void {
    let slot = this.hash(e[0], e[1], e[2], e[3], e[4]);
    while (this.used[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.occupy(slot);
    this.write(slot, ...e);
  }

  /**
   * Removes every entry the predicate selects (given the slot); returns how
   * many. A first pass only counts, so the common no-match case allocates
   * nothing; matches are then removed one by one (backward-shift deletion).
   */
  private removeWhere(pred: (slot: number) => boolean): number {
    let matched = 0;
    for (let k = 0; k < this.size; k++) if (pred(this.occupied[k])) matched++;
    if (matched === 0) return 0;
    if (matched * 4 > this.size) return this.rebuildWithout(pred, matched);
    const keys: number[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = this.occupied[k];
      if (pred(i)) keys.push(this.gfnHi[i], this.gfnLo[i], this.sid[i], this.pasid[i], this.level[i]);
    }
    for (let k = 0; k < keys.length; k += 5) {
      const slot = this.find(keys[k], keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]);
      if (slot >= 0) this.removeSlot(slot);
    }
    this.invalidated += matched;
    return matched;
  }

  /** Bulk removal: keep the survivors, clear, and place them again in their age order. */
  private rebuildWithout(pred: (slot: number) => boolean, matched: number): number {
    const keep: SlotColumns[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.used[i] !== EMPTY && !pred(i)) keep.push(this.columnsOf(i));
    this.clear();
    keep.sort((a, b) => a[9] - b[9]);
    for (const e of keep) this.place(e);
    if (this.policy === 'lru') this.relinkByStamp();
    this.invalidated += matched;
    return matched;
  }

  /** Rebuilds the LRU list from the insertion/touch stamps (after a bulk removal). */
  private relinkByStamp(): void {
    const slots: number[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.used[i] !== EMPTY) slots.push(i);
    slots.sort((a, b) => this.stamp[a] - this.stamp[b]);
    this.head = -1;
    this.tail = -1;
    for (const s of slots) this.linkFront(s);
  }

  /** Global invalidation: everything. */
  invalidateAll(): number {
    const n = this.size;
    this.clear();
    this.invalidated += n;
    return n;
  }

  /** Domain-selective invalidation. */
  invalidateDomain(did: number): number {
    return this.removeWhere((i) => this.did[i] === did);
  }

  /** PASID-selective (all mappings of a PASID in a domain). */
  invalidatePasid(did: number, pasid: number): number {
    return this.removeWhere((i) => this.did[i] === did && this.pasid[i] === pasid);
  }

  /**
   * Page-selective invalidation of 2^am pages at addr in a domain, with
   * QEMU's match (vtd_hash_remove_by_page): the entry's gfn under the AM
   * mask equals the address's, or the entry's page contains the address.
   * `pasid` >= 0 restricts it to one PASID.
   */
  invalidatePages(did: number, addrHi: number, addrLo: number, am: number, pasid = -1): number {
    const gHi = addrHi >>> 12;
    const gLo = ((addrHi << 20) | (addrLo >>> 12)) >>> 0;
    const amMask = am >= 32 ? 0 : (~((1 << am) - 1)) >>> 0;
    const gHiMasked = am >= 32 ? (gHi & ~((2 ** (am - 32)) - 1)) >>> 0 : gHi;
    const cut = this.psiMaskBits === 8 ? (amMask & 0xff) >>> 0 : 0;
    return this.removeWhere((i) => {
      if (this.did[i] !== did || (pasid >= 0 && this.pasid[i] !== pasid)) return false;
      // Before QEMU 9.1 only the low 8 bits of the masked gfns are compared: entries far from the range go too.
      if (this.psiMaskBits === 8 && ((this.gfnLo[i] & cut) >>> 0) === ((gLo & cut) >>> 0)) return true;
      const eHi = am >= 32 ? (this.gfnHi[i] & ~((2 ** (am - 32)) - 1)) >>> 0 : this.gfnHi[i];
      if (eHi === gHiMasked && ((this.gfnLo[i] & amMask) >>> 0) === ((gLo & amMask) >>> 0)) return true;
      return this.gfnHi[i] === gHi && this.gfnLo[i] === ((gLo & LEVEL_MASKS[this.level[i]]) >>> 0);
    });
  }

  /** Entries, least recently inserted first. */
  entries(): IotlbEntryView[] {
    const slots: number[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.used[i] !== EMPTY) slots.push(i);
    slots.sort((a, b) => this.stamp[a] - this.stamp[b]);
    return slots.map((i) => ({
      sid: this.sid[i],
      pasid: this.pasid[i],
      did: this.did[i],
      level: this.level[i],
      iovaHi: ((this.gfnHi[i] << 12) | (this.gfnLo[i] >>> 20)) >>> 0,
      iovaLo: (this.gfnLo[i] << 12) >>> 0,
      pteHi: this.pteHi[i],
      pteLo: this.pteLo[i],
      read: (this.access[i] & 1) !== 0,
      write: (this.access[i] & 2) !== 0,
    }));
  }
}
