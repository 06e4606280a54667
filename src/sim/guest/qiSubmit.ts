// The guest side of queued invalidation, as Linux's qi_submit_sync(): the
// descriptors, then one wait descriptor whose status write tells the guest
// the batch is done, are copied into the ring; one write of IQT hands them to
// the IOMMU (under QEMU, one trap to the VMM, which processes the whole batch
// before the vCPU runs again); the guest then polls the status word.

import { K } from '../events/kinds';
import type { EventSink } from '../events/log';
import type { GuestMemory } from '../memory';
import { REG } from '../iommu/registerFile';
import type { VtdIommu } from '../iommu/vtdIommu';
import { frameHi, frameLo, type PageAllocator } from './pageAllocator';
import { waitDescriptor, type Descriptor } from './descriptors';

const QI_IN_USE = 1;
const QI_DONE = 2;

export class QueuedInvalidation {
  /** 256 descriptors of 128 bits: one 4 KiB page (IQA.QS = 0). */
  readonly size = 256;
  readonly ringPfn: number;
  readonly statusPfn: number;
  private tail = 0;
  submissions = 0;
  descriptors = 0;
  /** Status words that did not read QI_DONE after a submission (queue errors). */
  failures = 0;

  constructor(
    private readonly mem: GuestMemory,
    pages: PageAllocator,
    private readonly iommu: VtdIommu,
    private readonly sink: EventSink,
  ) {
    this.ringPfn = pages.alloc();
    this.statusPfn = pages.alloc();
    mem.pageForWrite(this.ringPfn);
    mem.pageForWrite(this.statusPfn);
  }

  /** IQA as dmar_enable_qi writes it (base, 128-bit descriptors, QS 0). */
  get iqa(): bigint {
    return BigInt(this.ringPfn) * 4096n;
  }

  /** Submits descriptors plus a wait; returns true when the wait completed (status QI_DONE). */
  submit(descs: readonly Descriptor[]): boolean {
    const ring = this.mem.pageForWrite(this.ringPfn);
    const status = this.mem.pageForWrite(this.statusPfn);
    const waitSlot = (this.tail + descs.length) % this.size;
    status[waitSlot] = QI_IN_USE;
    const all: Descriptor[] = [...descs, waitDescriptor(frameHi(this.statusPfn), (frameLo(this.statusPfn) + waitSlot * 4) >>> 0, QI_DONE)];
    for (const d of all) {
      const w = this.tail * 4;
      ring[w] = d[0];
      ring[w + 1] = d[1];
      ring[w + 2] = d[2];
      ring[w + 3] = d[3];
      this.tail = (this.tail + 1) % this.size;
    }
    this.submissions++;
    this.descriptors += descs.length;
    this.sink.emit(K.qiSubmit, -1, 0, 0, 0, 0, all.length, this.tail);
    this.iommu.write64(REG.IQT, 0, this.tail << 4);
    const done = status[waitSlot] === QI_DONE;
    if (!done) this.failures++;
    return done;
  }
}
