// Finds the rows of a table that repeat an earlier row's key (a slot index,
// an IRTE index), for tables the kernel prints in ascending order.

/**
 * While keys ascend no key can be a repeat, so only the largest so far is
 * kept; the first time a key does not ascend, a Set of every earlier key is
 * built, and used from then on. A table in kernel order then costs one
 * comparison a row instead of a Set lookup and insertion.
 */
export class RepeatCheck {
  private largest = -Infinity;
  private seen: Set<number> | undefined;

  /** `keyOf(k)`: the key of row k. */
  constructor(private readonly keyOf: (k: number) => number) {}

  /** True when row k has the key of a row before it (rows are asked about in order 0, 1, 2, …). */
  isRepeat(k: number): boolean {
    const key = this.keyOf(k);
    if (this.seen === undefined) {
      if (key > this.largest) {
        this.largest = key;
        return false;
      }
      this.seen = new Set();
      for (let j = 0; j < k; j++) this.seen.add(this.keyOf(j));
    }
    const repeat = this.seen.has(key);
    this.seen.add(key);
    return repeat;
  }
}
