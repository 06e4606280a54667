// The interrupt remapping table as Linux's irq_remapping.c manages it: a
// table of 65536 128-bit entries (IRTA.S = 0xf), indices handed out first-fit
// in aligned power-of-two blocks (bitmap_find_free_region), entries filled by
// prepare_irte() (P, RH=1, DLM fixed, DM from the APIC mode, vector,
// destination, SVT=01 with the requester id) and written by modify_irte(),
// which the caller follows with an index-selective IEC invalidation.

import { encodeRemappedIrte } from '../../vtd/irte';
import { hiOf, loOf } from '../halves';
import type { GuestMemory } from '../memory';
import type { PageAllocator } from './pageAllocator';

const IRT_ENTRIES = 65536;

export class IrqRemapTable {
  readonly basePfn: number;
  private readonly used = new Uint8Array(IRT_ENTRIES);

  constructor(
    private readonly mem: GuestMemory,
    pages: PageAllocator,
  ) {
    // 1 MiB, 1 MiB aligned; pages are only materialised when written.
    this.basePfn = pages.allocContiguous(256, 256);
  }

  get base(): bigint {
    return BigInt(this.basePfn) * 4096n;
  }

  /** First-fit aligned block of `count` entries (rounded up to a power of two); returns the first index. */
  alloc(count: number): number {
    let n = 1;
    while (n < count) n *= 2;
    for (let i = 0; i + n <= IRT_ENTRIES; i += n) {
      let free = true;
      for (let k = 0; k < n && free; k++) if (this.used[i + k]) free = false;
      if (free) {
        this.used.fill(1, i, i + n);
        return i;
      }
    }
    return -1;
  }

  /** Writes the IRTE `index` (modify_irte); returns the two qwords written. */
  write(index: number, p: { vector: number; destination: number; x2apic: boolean; logical: boolean; sid: number; svt?: number; sq?: number; trigger?: 'edge' | 'level' }): { hi: bigint; lo: bigint } {
    const e = encodeRemappedIrte(p);
    this.writeRaw(index, e.hi, e.lo);
    return e;
  }

  writeRaw(index: number, hi: bigint, lo: bigint): void {
    const addr = this.base + BigInt(index) * 16n;
    this.mem.writeWord(hiOf(addr), loOf(addr), loOf(lo));
    this.mem.writeWord(hiOf(addr), loOf(addr) + 4, hiOf(lo));
    this.mem.writeWord(hiOf(addr), loOf(addr) + 8, loOf(hi));
    this.mem.writeWord(hiOf(addr), loOf(addr) + 12, hiOf(hi));
  }

  read(index: number): { hi: bigint; lo: bigint } {
    const addr = this.base + BigInt(index) * 16n;
    return { lo: this.mem.read64(addr), hi: this.mem.read64(addr + 8n) };
  }
}
