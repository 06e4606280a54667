// Linux's lazy IOTLB flushing (drivers/iommu/dma-iommu.c, the flush queue):
// an unmap clears the page-table entries at once but only queues the IOVA;
// the IOTLB is flushed for the whole domain when the per-CPU queue is full
// (IOVA_DEFAULT_FQ_SIZE = 256 entries) or 10 ms after it was armed
// (IOVA_DEFAULT_FQ_TIMEOUT), and only then are the queued IOVAs freed.

interface FlushQueueEntry {
  pfn: number;
  pages: number;
}

export class FlushQueue {
  readonly entries: FlushQueueEntry[] = [];
  /** Simulated time (ns) the timer was armed at, or -1. */
  armedAt = -1;
  flushes = 0;
  timerFlushes = 0;

  constructor(
    readonly size = 256,
    readonly timeoutNs = 10_000_000,
  ) {}

  /** Queues an unmapped range; returns true when the queue is now full and must be flushed. */
  push(e: FlushQueueEntry, now: number): boolean {
    this.entries.push(e);
    if (this.armedAt < 0) this.armedAt = now;
    return this.entries.length >= this.size;
  }

  /** True when the timer has expired at `now`. */
  timerDue(now: number): boolean {
    return this.armedAt >= 0 && now - this.armedAt >= this.timeoutNs && this.entries.length > 0;
  }

  /** Takes every queued entry (after the flush), disarming the timer. */
  drain(byTimer: boolean): FlushQueueEntry[] {
    this.flushes++;
    if (byTimer) this.timerFlushes++;
    this.armedAt = -1;
    return this.entries.splice(0, this.entries.length);
  }
}
