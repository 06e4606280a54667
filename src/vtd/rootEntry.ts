// Root table entries (128 bits, one per bus, table at RTADDR).
//
// Legacy mode (RTADDR.TTM = 00): P and one context-table pointer.
// Scalable mode (TTM = 01): two pointers, the lower one for devfn 0x00-0x7f
// and the upper one for 0x80-0xff, since a scalable context entry is 256 bits
// and only 128 of them fit a 4 KiB table.
//
// Reserved bits: QEMU's vtd_root_entry_rsvd_bits_check() uses
// VTD_ROOT_ENTRY_RSVD(aw) = bits 11:1 plus every bit at or above the host
// address width, on the lo qword (and, in scalable mode, on the hi qword; in
// legacy mode the whole hi qword must be 0). It records fault 0xA in both
// modes; the specification's scalable-mode code is 0x3A, which is what real
// hardware records and what we report for scalable entries.

import { DecodeContext, FieldSpec, SpecFinding, Structure, checkAddressWidth, decodeFields, field, reserved } from './layout';
import { bitSet, fromHiLo, hex, MASK64 } from './u64';
import { hostAddressWidth } from './capEcap';
import { withoutFault } from './faultReasons';

/** Fault reason for reserved bits: legacy (ROOT_ENTRY_RSVD) and scalable (SM). */
const FR_ROOT_RSVD = 0x0a;
const FR_SM_ROOT_RSVD = 0x3a;

const presentText = (table: string) => (v: bigint) => (v === 1n ? `present: ${table} context table in use` : `not present: requests from this bus fault`);

const ROOT_FIELDS: FieldSpec[] = [
  field('P', 0, 0, 'Present', { describe: presentText('the') }),
  reserved(11, 1, FR_ROOT_RSVD),
  field('CTP', 63, 12, 'Context-table Pointer', { address: true }),
  reserved(127, 64, FR_ROOT_RSVD),
];

const SM_ROOT_FIELDS: FieldSpec[] = [
  field('LP', 0, 0, 'Lower Present', { describe: presentText('the lower (devfn 0x00-0x7f)') }),
  reserved(11, 1, FR_SM_ROOT_RSVD),
  field('LCTP', 63, 12, 'Lower Context-table Pointer', { address: true }),
  field('UP', 64, 64, 'Upper Present', { describe: presentText('the upper (devfn 0x80-0xff)') }),
  reserved(75, 65, FR_SM_ROOT_RSVD),
  // Bits 63:12 of the hi qword: the address is the qword with its low 12 bits cleared.
  field('UCTP', 127, 76, 'Upper Context-table Pointer', { describe: (v) => hex(v << 12n) }),
];

/** Decodes a legacy root entry printed as hi:lo. Never throws. */
export function decodeRootEntry(hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  hi &= MASK64;
  lo &= MASK64;
  const raw = fromHiLo(hi, lo);
  const { fields, findings } = decodeFields(ROOT_FIELDS, raw, ctx);
  const beyond = checkAddressWidth(lo, 'CTP', 63, hostAddressWidth(ctx), FR_ROOT_RSVD);
  if (beyond) findings.push(beyond);
  const present = bitSet(lo, 0);
  return {
    type: 'root-entry',
    title: 'Root entry (legacy)',
    width: 128,
    raw,
    fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: present ? `P CTP=${hex(lo & ~0xfffn)}` : 'not present',
  };
}

/** Decodes a scalable-mode root entry printed as hi:lo. Never throws. */
export function decodeScalableRootEntry(hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  hi &= MASK64;
  lo &= MASK64;
  const raw = fromHiLo(hi, lo);
  const { fields, findings } = decodeFields(SM_ROOT_FIELDS, raw, ctx);
  const uctp = fields.find((f) => f.name === 'UCTP');
  if (uctp) uctp.address = hi & ~0xfffn;
  const haw = hostAddressWidth(ctx);
  const extra: (SpecFinding | undefined)[] = [
    checkAddressWidth(lo, 'LCTP', 63, haw, FR_SM_ROOT_RSVD),
    checkAddressWidth(hi, 'UCTP', 63, haw, FR_SM_ROOT_RSVD),
  ];
  for (const f of extra) if (f) findings.push(f);
  const lp = bitSet(lo, 0);
  const up = bitSet(hi, 0);
  const parts: string[] = [];
  if (lp) parts.push(`LP LCTP=${hex(lo & ~0xfffn)}`);
  if (up) parts.push(`UP UCTP=${hex(hi & ~0xfffn)}`);
  return {
    type: 'sm-root-entry',
    title: 'Root entry (scalable mode)',
    width: 128,
    raw,
    fields,
    findings: lp || up ? findings : withoutFault(findings, 'entry not present'),
    summary: parts.length ? parts.join(' ') : 'not present',
  };
}

/** The one decode of a root entry as Linux prints it (hi:lo), in the unit's mode. */
export function decodeRootEntryFor(mode: 'legacy' | 'scalable', hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  return mode === 'scalable' ? decodeScalableRootEntry(hi, lo, ctx) : decodeRootEntry(hi, lo, ctx);
}
