// FNV-1a (32-bit) over a stream of numbers: the digest of a simulation is the
// hash of its event sequence, so two runs agree exactly when their events do.
// Each number is hashed as the four little-endian bytes of its low 32 bits,
// plus, for values outside 0..2^32-1, the bytes of its 2^32 multiple.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class Fnv1a {
  private h = FNV_OFFSET;

  private byte(b: number): void {
    this.h = Math.imul(this.h ^ (b & 0xff), FNV_PRIME) >>> 0;
  }

  private word(w: number): void {
    this.byte(w);
    this.byte(w >>> 8);
    this.byte(w >>> 16);
    this.byte(w >>> 24);
  }

  /** Adds one number (integers exactly; fractions by their rounded value). */
  add(n: number): void {
    const v = Math.round(n);
    const lo = v >>> 0;
    this.word(lo);
    const high = Math.floor((v - lo) / 4294967296);
    if (high !== 0) this.word(high >>> 0);
  }

  value(): number {
    return this.h >>> 0;
  }

  /** "fnv1a32:1234abcd". */
  text(): string {
    return 'fnv1a32:' + this.value().toString(16).padStart(8, '0');
  }
}

/** The FNV-1a digest of a list of numbers. */
export function fnv1aOf(values: Iterable<number>): string {
  const f = new Fnv1a();
  for (const v of values) f.add(v);
  return f.text();
}
