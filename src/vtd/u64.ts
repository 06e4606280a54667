// Exact 64-bit (and wider) values. VT-d entries are 64 to 512 bits wide and
// routinely use bits above 2^53, so every value is a bigint: never a JS number.


export const MASK64 = (1n << 64n) - 1n;
export const MASK32 = 0xffffffffn;

/** Bits msb..lsb (inclusive, bit 0 = LSB) of v, shifted down to bit 0. */
export function bitsOf(v: bigint, msb: number, lsb: number): bigint {
  return (v >> BigInt(lsb)) & ((1n << BigInt(msb - lsb + 1)) - 1n);
}

/** True when bit n of v is set. */
export function bitSet(v: bigint, n: number): boolean {
  return ((v >> BigInt(n)) & 1n) === 1n;
}

/** A mask with bits msb..lsb set. */
export function maskOf(msb: number, lsb: number): bigint {
  return ((1n << BigInt(msb - lsb + 1)) - 1n) << BigInt(lsb);
}

const HEX_RE = /^(?:0[xX])?([0-9a-fA-F]+)$/;

/**
 * Parses a hexadecimal number, with or without a 0x prefix. Returns undefined
 * when the text is not hex or needs more than maxBits bits.
 */
export function parseHex(text: string, maxBits = 64): bigint | undefined {
  const m = HEX_RE.exec(text);
  if (!m) return undefined;
  const digits = m[1].replace(/^0+(?=.)/, '');
  if (digits.length * 4 > maxBits + 3) return undefined;
  const v = BigInt('0x' + digits);
  return v >> BigInt(maxBits) === 0n ? v : undefined;
}

/** Parses a decimal or 0x-prefixed hexadecimal number (as users type them). */
export function parseNumber(text: string, maxBits = 64): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseHex(t, maxBits);
  if (/^[0-9]+$/.test(t)) {
    const v = BigInt(t);
    return v >> BigInt(maxBits) === 0n ? v : undefined;
  }
  return undefined;
}

/** 0x-prefixed hex; zero-padded to `digits` when given. */
export function hex(v: bigint | number, digits = 0): string {
  const s = (typeof v === 'bigint' ? v : BigInt(v)).toString(16);
  return '0x' + (digits > s.length ? '0'.repeat(digits - s.length) + s : s);
}

/** A value as Linux prints entries: 0x-prefixed hex, and one wider than 64 bits as 16-digit qwords, high first ("0x…:0x…"). */
export function qwordsHex(v: bigint): string {
  if (v <= MASK64) return hex(v);
  const qwords: string[] = [];
  for (let x = v; x > 0n; x >>= 64n) qwords.unshift(hex(x & MASK64, 16));
  return qwords.join(':');
}

/** A hi:lo pair of 64-bit qwords (the way Linux prints 128-bit entries). */
export function fromHiLo(hi: bigint, lo: bigint): bigint {
  return ((hi & MASK64) << 64n) | (lo & MASK64);
}

/** Joins qwords given lowest first into one wide value. */
export function fromQwords(qwords: readonly bigint[]): bigint {
  let v = 0n;
  for (let i = qwords.length - 1; i >= 0; i--) v = (v << 64n) | (qwords[i] & MASK64);
  return v;
}

/** Splits a wide value into `count` qwords, lowest first. */
export function toQwords(v: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push((v >> BigInt(64 * i)) & MASK64);
  return out;
}

/** Human size of a power-of-two byte count: 4K, 2M, 1G, 512G. */
export function sizeName(bytes: bigint): string {
  const units: [bigint, string][] = [
    [1n << 40n, 'T'],
    [1n << 30n, 'G'],
    [1n << 20n, 'M'],
    [1n << 10n, 'K'],
  ];
  for (const [unit, name] of units) {
    if (bytes >= unit && bytes % unit === 0n) return `${bytes / unit}${name}`;
  }
  return `${bytes}B`;
}

