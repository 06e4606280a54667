// How the views write numbers: hex, decimal or both (the viommu.numberFormat
// setting), and, with viommu.padNumbers, hex zero-padded to the width of the
// field the number came from (a 16-bit DID as 0x0004, a 64-bit entry as
// 0x000000000268e003). Values are bigints: entries use all 64 bits.

import type { NumberFormat } from '../../protocol';
import { hex } from '../../vtd/u64';

export interface NumberStyle {
  format: NumberFormat;
  pad: boolean;
}


/** Width of a host address in VT-d entries (ADDR bits 51:12): what host addresses are padded to. */
export const HOST_ADDRESS_BITS = 52;

/** Hex digits a field of `bits` bits needs. */
export function hexDigits(bits: number): number {
  return Math.max(1, Math.ceil(bits / 4));
}

/** A number in the style; `bits` is the width of its field (for padding). */
export function formatNumber(v: bigint | number, style: NumberStyle, bits = 0): string {
  const n = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  const h = hex(n, style.pad && bits > 0 ? hexDigits(bits) : 0);
  if (style.format === 'hex') return h;
  if (style.format === 'decimal') return n.toString(10);
  return `${h} (${n.toString(10)})`;
}

/** An address: like formatNumber, but "both" keeps to hex (a decimal address reads as noise beside it). */
export function formatAddress(v: bigint, style: NumberStyle, bits = 64): string {
  return formatNumber(v, style.format === 'both' ? { ...style, format: 'hex' } : style, bits);
}

/** An inclusive range "start–end" of addresses. */
export function formatRange(start: bigint, endExclusive: bigint, style: NumberStyle, bits = 64): string {
  return `${formatAddress(start, style, bits)}–${formatAddress(endExclusive - 1n, style, bits)}`;
}

/** The number style a request asks for (hex and unpadded when it says nothing). */
export function styleOf(params: { numberFormat?: NumberFormat; pad?: boolean }): NumberStyle {
  const format = params.numberFormat === 'decimal' || params.numberFormat === 'both' ? params.numberFormat : 'hex';
  return { format, pad: params.pad === true };
}
