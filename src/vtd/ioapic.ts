// I/O APIC redirection table entries (64 bits). With interrupt remapping the
// entry is written in the VT-d remappable format (bit 48 = 1): it names an
// IRTE instead of a destination, and the IOAPIC turns it into a remappable
// MSI. Layouts as in Linux `struct IO_APIC_route_entry` and the VT-d
// specification's IOAPIC programming section.

import { FieldSpec, Structure, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, hex, MASK64 } from './u64';
import { deliveryModeName } from './irte';

const COMMON_STATUS_FIELDS: readonly FieldSpec[] = [
  field('DELIVS', 12, 12, 'Delivery Status (read-only)', { values: { 0: 'idle', 1: 'send pending' } }),
  field('INTPOL', 13, 13, 'Interrupt Input Pin Polarity', { values: { 0: 'active high', 1: 'active low' } }),
  field('RIRR', 14, 14, 'Remote IRR (level-triggered: accepted, EOI pending)'),
  field('TM', 15, 15, 'Trigger Mode', { values: { 0: 'edge', 1: 'level' } }),
  field('MASK', 16, 16, 'Interrupt Mask', { values: { 0: 'unmasked', 1: 'masked' } }),
  reserved(47, 17),
];

const FORMAT = field('IF', 48, 48, 'Interrupt Format', { values: { 0: 'compatibility', 1: 'remappable' } });

const IOAPIC_RTE_COMPAT_FIELDS: readonly FieldSpec[] = [
  field('VECTOR', 7, 0, 'Vector', { describe: (v) => hex(v, 2) }),
  field('DLM', 10, 8, 'Delivery Mode', { describe: (v) => deliveryModeName(Number(v)) }),
  field('DESTMOD', 11, 11, 'Destination Mode', { values: { 0: 'physical', 1: 'logical' } }),
  ...COMMON_STATUS_FIELDS,
  FORMAT,
  field('EXT_DEST_ID', 55, 49, 'Reserved (KVM extended destination id: destination bits 14:8)', { describe: (v) => hex(v) }),
  field('DEST', 63, 56, 'Destination (APIC id or logical set)', { describe: (v) => `APIC ${v}` }),
];

const IOAPIC_RTE_REMAPPABLE_FIELDS: readonly FieldSpec[] = [
  field('VECTOR', 7, 0, 'Vector (should equal the IRTE vector)', {
    // QEMU compares it with the IRTE vector and logs vtd_warn_ir_vector.
    describe: (v) => `${hex(v, 2)} — Linux writes the IOAPIC pin number here, not the IRTE vector`,
  }),
  reserved(10, 8),
  field('INDEX[15]', 11, 11, 'Interrupt index bit 15'),
  ...COMMON_STATUS_FIELDS,
  FORMAT,
  field('INDEX[14:0]', 63, 49, 'Interrupt index bits 14:0', { describe: (v) => `${v} (${hex(v)})` }),
];

/** The IRTE index of a remappable-format RTE; undefined for compatibility format. */
export function ioapicRteIndex(value: bigint): number | undefined {
  if (!bitSet(value, 48)) return undefined;
  return Number(bitsOf(value, 63, 49)) | (Number(bitsOf(value, 11, 11)) << 15);
}

/**
 * The MSI an IOAPIC sends for an entry, as QEMU's ioapic_entry_parse() builds
 * it: RTE bits 63:48 go to address bits 19:4 and the destination-mode bit 11
 * to address bit 2, so a remappable entry becomes a remappable MSI without SHV
 * (index 14:0 in 19:5, format bit 4, index 15 in bit 2); data = vector |
 * delivery mode << 8 | trigger << 15.
 */
export function ioapicRteToMsi(value: bigint): { address: bigint; data: bigint } {
  value &= MASK64;
  const address = 0xfee00000n | (bitsOf(value, 63, 48) << 4n) | (bitsOf(value, 11, 11) << 2n);
  const data = bitsOf(value, 7, 0) | (bitsOf(value, 10, 8) << 8n) | (bitsOf(value, 15, 15) << 15n);
  return { address, data };
}

/**
 * A remappable RTE as Linux writes it for an IOAPIC pin: index split over
 * 63:49 and 11, format bit 48, the pin number in the vector field, trigger
 * and polarity from the pin's configuration.
 */
export function encodeRemappableIoapicRte(p: { index: number; pin: number; level?: boolean; activeLow?: boolean; masked?: boolean }): bigint {
  const index = Number.isFinite(p.index) ? BigInt(Math.trunc(p.index) & 0xffff) : 0n;
  const pin = Number.isFinite(p.pin) ? BigInt(Math.trunc(p.pin) & 0xff) : 0n;
  return (
    ((index & 0x7fffn) << 49n) |
    (1n << 48n) |
    (((index >> 15n) & 1n) << 11n) |
    ((p.masked ? 1n : 0n) << 16n) |
    ((p.level ? 1n : 0n) << 15n) |
    ((p.activeLow ? 1n : 0n) << 13n) |
    pin
  );
}

function statusWords(value: bigint): string {
  const words = [bitSet(value, 15) ? 'level' : 'edge', bitSet(value, 13) ? 'active-low' : 'active-high'];
  if (bitSet(value, 16)) words.push('masked');
  if (bitSet(value, 14)) words.push('RIRR');
  return words.join(' ');
}

/**
 * Decodes an IOAPIC redirection entry; bit 48 decides the format:
 * 'ioapic-rte-compat' or 'ioapic-rte-remappable'.
 */
export function decodeIoapicRte(value: bigint): Structure {
  const tooWide = value < 0n || value > MASK64;
  value &= MASK64;
  const remappable = bitSet(value, 48);
  const decoded = decodeFields(remappable ? IOAPIC_RTE_REMAPPABLE_FIELDS : IOAPIC_RTE_COMPAT_FIELDS, value);
  if (tooWide) {
    decoded.findings.unshift({ severity: 'error', code: 'value-too-wide', message: 'An IOAPIC RTE is 64 bits wide; extra bits were dropped' });
  }
  const vector = hex(bitsOf(value, 7, 0), 2);
  let summary: string;
  if (remappable) {
    const index = ioapicRteIndex(value) ?? 0;
    summary = `IOAPIC RTE remappable → IRTE ${index}, vector field ${vector} (pin), ${statusWords(value)}`;
  } else {
    const dm = bitSet(value, 11) ? 'logical' : 'physical';
    const dlm = deliveryModeName(Number(bitsOf(value, 10, 8)));
    summary = `IOAPIC RTE vector ${vector} ${dlm} → APIC ${bitsOf(value, 63, 56)} ${dm}, ${statusWords(value)}`;
  }
  return {
    type: remappable ? 'ioapic-rte-remappable' : 'ioapic-rte-compat',
    title: remappable ? 'IOAPIC redirection entry (remappable format)' : 'IOAPIC redirection entry (compatibility format)',
    width: 64,
    raw: value,
    fields: decoded.fields,
    findings: decoded.findings,
    summary,
  };
}
