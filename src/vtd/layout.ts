// The one way every VT-d structure is described and decoded: a list of field
// specifications (name as the VT-d specification spells it, bit range, how to
// read the value), turned into a `Structure` with named fields and findings.

import { bitsOf, hex, maskOf } from './u64';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** What the decoders may know about the unit an entry belongs to. */
export interface DecodeContext {
  /** CAP register of the unit (MGAW, SAGAW, ND, SLLPS, PI, ...). */
  cap?: bigint;
  /** ECAP register of the unit (PT, DT, SC, SMTS, EIM, ...). */
  ecap?: bigint;
  /**
   * Host address width in bits for reserved-bit checks of addresses
   * (QEMU: aw-bits; otherwise MGAW + 1 is a fair stand-in). Default 52.
   */
  haw?: number;
  /** IRTA.EIME: IRTE destinations are x2APIC (true) or xAPIC (false). */
  eime?: boolean;
  /** The unit runs in scalable mode (RTADDR.TTM = 01). */
  scalable?: boolean;
  /**
   * The invalidation queue holds 256-bit descriptors, as something other than
   * IQA shows (the debugfs ring, the guest's IQA write in a trace): the file
   * or event it shows in. QEMU before 9.1 reads IQA.DW back as 0.
   */
  queue256From?: string;
  /** The low qword of the entry being decoded, for fields whose meaning depends on another field (IRTE DST on DM). */
  entryLow?: bigint;
}

/** A violation of the specification found while decoding. */
export interface SpecFinding {
  severity: Severity;
  /** Stable id, e.g. "reserved-bits", "aw-not-in-sagaw". */
  code: string;
  message: string;
  /** The field the finding is about, by its specification name. */
  field?: string;
  /** The VT-d fault reason a real IOMMU would record for this entry. */
  faultReason?: number;
}

export interface FieldSpec {
  /** Specification name: P, FPD, TT, AW, DID, SLPTPTR, ... */
  name: string;
  msb: number;
  lsb: number;
  /** Long name, e.g. "Present". */
  title: string;
  /** Named values of the field. */
  values?: Record<number, string>;
  /** Custom rendering of the value (wins over `values`). */
  describe?: (value: bigint, ctx: DecodeContext) => string;
  /** The field holds address bits msb..lsb: its meaning is value << lsb. */
  address?: boolean;
  /** Reserved: must be zero. */
  reserved?: boolean;
  /** Fault reason recorded when this reserved field is not zero. */
  reservedFault?: number;
}

export interface Field {
  name: string;
  title: string;
  msb: number;
  lsb: number;
  /** The bits of the field, shifted down to bit 0. */
  raw: bigint;
  /** For address fields: the address the bits stand for (raw << lsb). */
  address?: bigint;
  /** What the value means, in words. */
  meaning: string;
  reserved?: boolean;
}

/** A decoded VT-d structure. */
export interface Structure {
  /** Structure id, e.g. "context-entry", "sl-pte", "irte-remapped". */
  type: string;
  /** Human title, e.g. "Context entry (legacy)". */
  title: string;
  /** Width in bits (32, 64, 128, 256, 512). */
  width: number;
  /** The whole value; bit 0 is the LSB of the lowest qword. */
  raw: bigint;
  fields: Field[];
  findings: SpecFinding[];
  /** Compact one-line decode for inlay hints, e.g. "P DID=7 AW=39 SLPTPTR=0x1b1f000". */
  summary: string;
}

/** Builds a field spec; a shorthand for layouts. */
export function field(name: string, msb: number, lsb: number, title: string, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name, msb, lsb, title, ...extra };
}

/** A reserved range; named RSVD_<msb>_<lsb>. */
export function reserved(msb: number, lsb: number, reservedFault?: number): FieldSpec {
  return { name: `RSVD_${msb}_${lsb}`, msb, lsb, title: 'Reserved', reserved: true, reservedFault };
}

function meaningOf(spec: FieldSpec, raw: bigint, ctx: DecodeContext): string {
  if (spec.describe) return spec.describe(raw, ctx);
  if (spec.values) {
    const n = Number(raw);
    if (spec.values[n] !== undefined) return spec.values[n];
    return `reserved value ${raw}`;
  }
  if (spec.reserved) return raw === 0n ? 'reserved (zero)' : `reserved, set: ${hex(raw)}`;
  if (spec.address) return hex(raw << BigInt(spec.lsb));
  if (spec.msb === spec.lsb) return raw === 1n ? 'set' : 'clear';
  return `${raw} (${hex(raw)})`;
}

/**
 * Decodes `raw` with the given field specs. Reserved fields that are not zero
 * become findings (error, with the fault reason of the spec when it has one).
 */
export function decodeFields(specs: readonly FieldSpec[], raw: bigint, ctx: DecodeContext = {}): { fields: Field[]; findings: SpecFinding[] } {
  const fields: Field[] = [];
  const findings: SpecFinding[] = [];
  for (const spec of specs) {
    const v = bitsOf(raw, spec.msb, spec.lsb);
    const f: Field = {
      name: spec.name,
      title: spec.title,
      msb: spec.msb,
      lsb: spec.lsb,
      raw: v,
      meaning: meaningOf(spec, v, ctx),
    };
    if (spec.address) f.address = v << BigInt(spec.lsb);
    if (spec.reserved) {
      f.reserved = true;
      if (v !== 0n) {
        findings.push({
          severity: 'error',
          code: 'reserved-bits',
          message: `Reserved bits ${spec.msb}:${spec.lsb} are set (${hex(v << BigInt(spec.lsb))})`,
          field: spec.name,
          faultReason: spec.reservedFault,
        });
      }
    }
    fields.push(f);
  }
  return { fields, findings };
}

/** The raw value of a field by specification name (undefined when absent). */
export function fieldValue(s: Structure, name: string): bigint | undefined {
  for (const f of s.fields) if (f.name === name) return f.raw;
  return undefined;
}

/** The address a field stands for (raw << lsb), by specification name. */
export function fieldAddress(s: Structure, name: string): bigint | undefined {
  for (const f of s.fields) if (f.name === name) return f.address ?? f.raw << BigInt(f.lsb);
  return undefined;
}

/**
 * Reserved bits above the host address width in an address field that ends
 * at `fieldMsb`: a finding when any is set.
 */
export function checkAddressWidth(
  raw: bigint,
  fieldName: string,
  fieldMsb: number,
  haw: number,
  faultReason?: number,
): SpecFinding | undefined {
  if (haw > fieldMsb) return undefined;
  const beyond = raw & maskOf(fieldMsb, haw);
  if (beyond === 0n) return undefined;
  return {
    severity: 'error',
    code: 'address-beyond-haw',
    message: `${fieldName} has bits set above the host address width (${haw} bits): ${hex(beyond)}`,
    field: fieldName,
    faultReason,
  };
}
