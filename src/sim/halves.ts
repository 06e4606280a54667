// 64-bit values on the simulator's hot path: two unsigned 32-bit halves
// (hi = bits 63:32, lo = bits 31:0) kept in plain numbers or typed arrays.
// Bigints appear only at the edges (APIs, tests, display), through these helpers.

export const TWO32 = 4294967296;

export function hiOf(v: bigint): number {
  return Number((v >> 32n) & 0xffffffffn);
}

export function loOf(v: bigint): number {
  return Number(v & 0xffffffffn);
}

/** Joins two halves into an exact bigint. */
export function joinHalves(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** 0x-prefixed hex of a hi:lo pair without going through a bigint. */
export function hexHalves(hi: number, lo: number): string {
  const h = hi >>> 0;
  const l = lo >>> 0;
  return h === 0 ? '0x' + l.toString(16) : '0x' + h.toString(16) + l.toString(16).padStart(8, '0');
}

/** The guest frame number (address >> 12) of a hi:lo address; exact, since it is below 2^52. */
export function pfnOf(hi: number, lo: number): number {
  return (hi >>> 0) * 1048576 + (lo >>> 12);
}

/** A mask of the hi-half bits msb..lsb (bit numbers of the 64-bit value, both in 32..63). */
export function hiMask(msb: number, lsb: number): number {
  if (msb < lsb) return 0;
  const width = msb - lsb + 1;
  const ones = width >= 32 ? 0xffffffff : (1 << width) - 1;
  return (ones << (lsb - 32)) >>> 0;
}
