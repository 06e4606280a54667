// Guest physical pages for the structures the guest driver allocates (root,
// context, PASID and page tables, the queue ring, the remapping table): a bump
// allocator from a base frame, as a freshly booted guest hands out pages.

export class PageAllocator {
  private next: number;

  constructor(firstPfn = 0x1000) {
    this.next = firstPfn;
  }

  /** One 4 KiB frame. */
  alloc(): number {
    return this.next++;
  }

  /** `count` contiguous frames, the first aligned to `align` frames. */
  allocContiguous(count: number, align = 1): number {
    if (this.next % align !== 0) this.next += align - (this.next % align);
    const first = this.next;
    this.next += count;
    return first;
  }

  get nextPfn(): number {
    return this.next;
  }
}

/** Byte address halves of a frame. */
export function frameHi(pfn: number): number {
  return Math.floor(pfn / 1048576) >>> 0;
}

export function frameLo(pfn: number): number {
  return ((pfn % 1048576) * 4096) >>> 0;
}
