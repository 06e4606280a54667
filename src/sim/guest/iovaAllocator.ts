// Linux's IOVA allocation for DMA mappings (drivers/iommu/dma-iommu.c and
// iova.c), reduced to what changes the caches' behaviour: PCI devices get
// addresses below 4 GiB first, allocated top-down (0xfffff000, 0xffffe000, ...,
// as the real capture shows 0xffefd000...), and freed ranges go to per-CPU
// caches (magazines) that hand them out again last-in first-out. So a strict
// unmap followed by a map reuses the same IOVA, while the lazy flush queue
// holds IOVAs back until they are flushed.

export class IovaAllocator {
  /** Next free page number, counting down. */
  private cursor: number;
  private readonly cache = new Map<number, number[]>();
  allocated = 0;
  reused = 0;

  constructor(limitPfn = 0x100000) {
    this.cursor = limitPfn;
  }

  /** A range of `pages` pages; returns its first page number. */
  alloc(pages: number): number {
    const cached = this.cache.get(pages);
    if (cached && cached.length > 0) {
      this.reused++;
      return cached.pop() as number;
    }
    // Aligned to the size rounded up to a power of two (alloc_iova size_aligned).
    let align = 1;
    while (align < pages) align *= 2;
    this.cursor -= pages;
    this.cursor -= this.cursor % align;
    this.allocated++;
    return this.cursor;
  }

  free(pfn: number, pages: number): void {
    let list = this.cache.get(pages);
    if (!list) {
      list = [];
      this.cache.set(pages, list);
    }
    // A magazine holds 128 ranges per CPU; beyond that they go back to the tree (not modelled: dropped).
    if (list.length < 256) list.push(pfn);
  }
}
