// MSI address/data pairs. Address bit 4 (the interrupt format) decides how
// the pair reads: 0 = compatibility format (destination, vector and mode in
// the message itself, not remapped), 1 = remappable format (a handle that
// indexes the interrupt remapping table). The Structure's raw value is
// data << 64 | address, so data bit n is raw bit 64 + n.

import { FieldSpec, SpecFinding, Structure, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, hex, MASK32, MASK64 } from './u64';
import { deliveryModeName } from './irte';

/** Fault reason "reserved fields in the interrupt request" (QEMU VTD_FR_IR_REQ_RSVD). */
const FR_IR_REQ_RSVD = 0x20;

/** Bit offset of the data word inside the Structure's raw value. */
const DATA = 64;

const INTERRUPT_FORMAT = field('IF', 4, 4, 'Interrupt Format', { values: { 0: 'compatibility', 1: 'remappable' } });
const FEE = field('FEE', 31, 20, 'Interrupt address identifier (must be 0xFEE)', { describe: (v) => hex(v) });

const COMPAT_FIELDS: readonly FieldSpec[] = [
  field('IGN', 1, 0, 'Ignored'),
  field('DM', 2, 2, 'Destination Mode', { values: { 0: 'physical', 1: 'logical' } }),
  field('RH', 3, 3, 'Redirection Hint'),
  INTERRUPT_FORMAT,
  field('EXT_DEST_ID', 11, 5, 'Reserved (KVM extended destination id: destination bits 14:8)', { describe: (v) => hex(v) }),
  field('DEST_ID', 19, 12, 'Destination ID', { describe: (v) => `APIC ${v}` }),
  FEE,
  field('ADDR_HI', 63, 32, 'Address bits 63:32 (KVM X2APIC_API: destination bits 31:8; otherwise 0)', {
    describe: (v) => hex(v),
  }),
  field('VECTOR', DATA + 7, DATA + 0, 'Vector (data 7:0)', { describe: (v) => hex(v, 2) }),
  field('DLM', DATA + 10, DATA + 8, 'Delivery Mode (data 10:8)', { describe: (v) => deliveryModeName(Number(v)) }),
  reserved(DATA + 13, DATA + 11),
  field('LEVEL', DATA + 14, DATA + 14, 'Level (data 14: 1 = assert)'),
  field('TM', DATA + 15, DATA + 15, 'Trigger Mode (data 15)', { values: { 0: 'edge', 1: 'level' } }),
  reserved(DATA + 31, DATA + 16),
];

const REMAP_ADDRESS_FIELDS: readonly FieldSpec[] = [
  field('IGN', 1, 0, 'Ignored'),
  field('HANDLE[15]', 2, 2, 'Interrupt handle bit 15'),
  field('SHV', 3, 3, 'SubHandle Valid'),
  INTERRUPT_FORMAT,
  field('HANDLE[14:0]', 19, 5, 'Interrupt handle bits 14:0', { describe: (v) => hex(v) }),
  FEE,
  reserved(63, 32, FR_IR_REQ_RSVD),
];

const SUBHANDLE_DATA_FIELDS: readonly FieldSpec[] = [
  field('SUBHANDLE', DATA + 15, DATA + 0, 'Sub-handle (data 15:0), added to the handle', { describe: (v) => hex(v) }),
  reserved(DATA + 31, DATA + 16, FR_IR_REQ_RSVD),
];

const IGNORED_DATA_FIELDS: readonly FieldSpec[] = [
  field('DATA', DATA + 31, DATA + 0, 'Data (not used for the index without SHV)', {
    describe: (v) =>
      `${hex(v)}: bits 7:0 = ${hex(v & 0xffn, 2)} (an IOAPIC message carries the RTE vector field here; Linux puts the pin number there), ` +
      `trigger ${bitSet(v, 15) ? 'level' : 'edge'}`,
  }),
];

/** Where a remappable MSI points in the interrupt remapping table. */
interface MsiIndex {
  /** The IRTE index: handle + subhandle (not wrapped at 16 bits). */
  index: number;
  handle: number;
  shv: boolean;
  subhandle: number;
}

/** The IRTE a remappable MSI selects; undefined for compatibility format. */
export function msiRemapIndex(address: bigint, data: bigint): MsiIndex | undefined {
  if (!bitSet(address, 4)) return undefined;
  const handle = Number(bitsOf(address, 19, 5)) | (Number(bitsOf(address, 2, 2)) << 15);
  const shv = bitSet(address, 3);
  const subhandle = shv ? Number(bitsOf(data, 15, 0)) : 0;
  return { index: handle + subhandle, handle, shv, subhandle };
}

/** The facts of a compatibility-format MSI. */
interface CompatMsiInfo {
  /** APIC id: address 19:12, plus KVM's extended bits (address 11:5 → 14:8, address 63:40 → 31:8). */
  destination: number;
  logical: boolean;
  redirectionHint: boolean;
  vector: number;
  deliveryMode: number;
  level: boolean;
  trigger: 'edge' | 'level';
}

export function compatMsiInfo(address: bigint, data: bigint): CompatMsiInfo {
  const ext = Number(bitsOf(address, 11, 5)) << 8;
  const high = Number(bitsOf(address, 63, 40)) * 256;
  return {
    destination: (Number(bitsOf(address, 19, 12)) | ext | high) >>> 0,
    logical: bitSet(address, 2),
    redirectionHint: bitSet(address, 3),
    vector: Number(bitsOf(data, 7, 0)),
    deliveryMode: Number(bitsOf(data, 10, 8)),
    level: bitSet(data, 14),
    trigger: bitSet(data, 15) ? 'level' : 'edge',
  };
}

function safeBig(n: number | undefined, bits: number): bigint {
  if (n === undefined || !Number.isFinite(n)) return 0n;
  return BigInt.asUintN(bits, BigInt(Math.trunc(n)));
}

/**
 * A remappable MSI as Linux writes it: the handle (`index`) split over
 * address bits 19:5 and 2, SHV always set, and data = subhandle (0 for MSI-X
 * and single MSI; the vector offset for multi-MSI). The IRTE used is then
 * index + subhandle.
 */
export function encodeRemappableMsi(index: number, subhandle = 0): { address: bigint; data: bigint } {
  const handle = safeBig(index, 16);
  const address = 0xfee00000n | ((handle & 0x7fffn) << 5n) | 0x10n | 0x08n | (((handle >> 15n) & 1n) << 2n);
  return { address, data: safeBig(subhandle, 16) };
}

/**
 * A compatibility-format MSI, the way QEMU turns a remapped interrupt back
 * into a message (x86_iommu_irq_to_msi_message): destination bits 7:0 in
 * address 19:12 and bits 31:8 in address 63:40, RH and DM, and data = vector,
 * delivery mode, level (asserted unless told otherwise) and trigger.
 */
export function encodeCompatMsi(p: {
  destination: number;
  vector: number;
  logical?: boolean;
  redirectionHint?: boolean;
  deliveryMode?: number;
  level?: boolean;
  trigger?: 'edge' | 'level';
}): { address: bigint; data: bigint } {
  const dest = safeBig(p.destination, 32);
  const address =
    0xfee00000n |
    ((dest & 0xffn) << 12n) |
    ((p.redirectionHint ? 1n : 0n) << 3n) |
    ((p.logical ? 1n : 0n) << 2n) |
    ((dest & 0xffffff00n) << 32n);
  const data =
    safeBig(p.vector, 8) |
    (safeBig(p.deliveryMode ?? 0, 3) << 8n) |
    ((p.level ?? true ? 1n : 0n) << 14n) |
    ((p.trigger === 'level' ? 1n : 0n) << 15n);
  return { address, data };
}

function compatSummary(info: CompatMsiInfo): string {
  const flags = [info.logical ? 'logical' : 'physical', ...(info.redirectionHint ? ['RH'] : [])].join(' ');
  return `compat MSI → APIC ${info.destination} ${flags} ${deliveryModeName(info.deliveryMode)} vector ${hex(info.vector, 2)} ${info.trigger}${
    info.level ? ' (assert)' : ''
  }`;
}

function remapSummary(ix: MsiIndex, data: bigint): string {
  const how = ix.shv ? `handle ${hex(ix.handle)} + subhandle ${hex(ix.subhandle)}` : `handle ${hex(ix.handle)}, no SHV, data ${hex(data)} ignored`;
  return `remappable MSI → IRTE ${ix.index} (${how})`;
}

/**
 * Decodes an MSI address/data pair: type 'msi-compat' or 'msi-remappable'.
 * Findings follow what QEMU's vtd_interrupt_remap_msi() rejects with fault
 * 0x20 once remapping is on: address bits 63:32 set or address 31:20 not
 * 0xFEE (checked before the format, so compatibility messages are rejected
 * too), and data 31:16 set with SHV.
 */
export function decodeMsi(address: bigint, data: bigint): Structure {
  const inputFindings: SpecFinding[] = [];
  if (address < 0n || address > MASK64) {
    inputFindings.push({ severity: 'error', code: 'value-too-wide', message: 'The MSI address must be a 64-bit value; extra bits were dropped' });
    address &= MASK64;
  }
  if (data < 0n || data > MASK32) {
    inputFindings.push({ severity: 'error', code: 'msi-data-too-wide', message: `MSI data is 32 bits wide; ${hex(data & ~MASK32 & MASK64)} dropped` });
    data &= MASK32;
  }
  const raw = (data << BigInt(DATA)) | address;
  const remappable = bitSet(address, 4);
  const shv = bitSet(address, 3);
  const specs = remappable ? [...REMAP_ADDRESS_FIELDS, ...(shv ? SUBHANDLE_DATA_FIELDS : IGNORED_DATA_FIELDS)] : COMPAT_FIELDS;
  const decoded = decodeFields(specs, raw);
  const findings = [...inputFindings, ...decoded.findings];
  if (bitsOf(address, 31, 20) !== 0xfeen) {
    findings.push({
      severity: 'error',
      code: 'msi-address-not-fee',
      message: `Address bits 31:20 are ${hex(bitsOf(address, 31, 20))}, not 0xFEE: not an interrupt message (QEMU rejects it with fault 0x20 when remapping is on)`,
      field: 'FEE',
      faultReason: FR_IR_REQ_RSVD,
    });
  }
  if (!remappable && bitsOf(address, 63, 32) !== 0n) {
    findings.push({
      severity: 'info',
      code: 'msi-address-high',
      message:
        'Address bits 63:32 are set: fine for a route KVM delivers (x2APIC destination bits 31:8), ' +
        'but a request like this reaching an enabled remapping unit is rejected (fault 0x20)',
      field: 'ADDR_HI',
    });
  }
  const ix = msiRemapIndex(address, data);
  return {
    type: remappable ? 'msi-remappable' : 'msi-compat',
    title: remappable ? 'MSI (remappable format)' : 'MSI (compatibility format)',
    width: 96,
    raw,
    fields: decoded.fields,
    findings,
    summary: ix ? remapSummary(ix, data) : compatSummary(compatMsiInfo(address, data)),
  };
}
