// Shared by the VT-d decoder tests: the real capture's unit, deterministic
// 64-bit fuzz values, and a field reader that fails loudly.

import { strict as assert } from 'node:assert';
import { fieldValue, type Structure } from '../src/vtd/layout';

/** CAP and ECAP of the real capture's dmar0 (QEMU 7.2, caching-mode, device-iotlb, xAPIC). */
export const CAPTURE_CAP = 0x00d2008c22260286n;
export const CAPTURE_ECAP = 0x0000000000f00f4en;
export const CAPTURE_CTX = { cap: CAPTURE_CAP, ecap: CAPTURE_ECAP, eime: false };

/** Deterministic 64-bit values: xorshift64, plus a few edge cases. */
export function* fuzzValues(count: number): Generator<bigint> {
  yield* [0n, (1n << 64n) - 1n, 1n << 63n, -1n, 1n << 100n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < count; i++) {
    x ^= (x << 13n) & ((1n << 64n) - 1n);
    x ^= x >> 7n;
    x ^= (x << 17n) & ((1n << 64n) - 1n);
    yield x;
  }
}

/** A field's raw value; a missing field fails the test. */
export function field(s: Structure, name: string): bigint {
  const v = fieldValue(s, name);
  assert.notEqual(v, undefined, `field ${name} missing`);
  return v as bigint;
}
