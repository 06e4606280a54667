// Scalable-mode PASID directory entries (64 bits) and PASID table entries
// (512 bits, val[0..7]). Linux debugfs prints only val[2]:val[1]:val[0].
//
// Field positions after Linux drivers/iommu/intel/pasid.h (pasid_set_*()),
// with the memory-type and execute controls after the specification.
//
// Fault reasons: QEMU's vtd_get_pe_in_pasid_leaf_table() records 0x5B
// (invalid PASID table entry) for a PGTT the unit does not support or an AW
// outside SAGAW for second-stage tables; QEMU does not check reserved bits of
// PASID structures, so for those we use the specification's codes (0x52
// directory, 0x5A table entry).

import { DecodeContext, FieldSpec, SpecFinding, Structure, checkAddressWidth, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, fromQwords, hex, MASK64 } from './u64';
import { capInfo, ecapInfo, hostAddressWidth } from './capEcap';
import { awBits, checkAw, checkDomainId } from './contextEntry';
import { withoutFault } from './faultReasons';

const FR_PASID_DIR_RSVD = 0x52;
const FR_PASID_RSVD = 0x5a;
const FR_PASID_INV = 0x5b;

const PASID_DIR_FIELDS: FieldSpec[] = [
  field('P', 0, 0, 'Present', { values: { 0: 'not present: the 64 PASIDs of this table fault (0x51)', 1: 'present' } }),
  field('FPD', 1, 1, 'Fault Processing Disable', { values: { 0: 'faults are recorded', 1: 'qualified faults are not recorded' } }),
  reserved(11, 2, FR_PASID_DIR_RSVD),
  field('SMPTBLPTR', 63, 12, 'Scalable-Mode PASID Table Pointer', { address: true }),
];

/** Decodes a PASID directory entry. Never throws. */
export function decodePasidDirEntry(value: bigint, ctx: DecodeContext = {}): Structure {
  const raw = value & MASK64;
  const { fields, findings } = decodeFields(PASID_DIR_FIELDS, raw, ctx);
  const beyond = checkAddressWidth(raw, 'SMPTBLPTR', 63, hostAddressWidth(ctx), FR_PASID_DIR_RSVD);
  if (beyond) findings.push(beyond);
  const present = bitSet(raw, 0);
  return {
    type: 'pasid-dir-entry',
    title: 'PASID directory entry',
    width: 64,
    raw,
    fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: present ? `P${bitSet(raw, 1) ? ' FPD' : ''} SMPTBLPTR=${hex(raw & ~0xfffn)}` : 'not present',
  };
}

const PGTT_VALUES: Record<number, string> = {
  1: '001: first-stage translation only (FSPTPTR)',
  2: '010: second-stage translation only (SSPTPTR)',
  3: '011: nested (first stage, then second stage)',
  4: '100: pass-through (address used as is)',
};

const PGTT_SHORT: Record<number, string> = { 1: 'FL', 2: 'SL', 3: 'NESTED', 4: 'PT' };

const MEMORY_TYPES: Record<number, string> = { 0: 'UC', 1: 'WC', 4: 'WT', 5: 'WP', 6: 'WB', 7: 'UC-' };

const PASID_FIELDS: FieldSpec[] = [
  // val[0]
  field('P', 0, 0, 'Present', { values: { 0: 'not present: requests with this PASID fault (0x59)', 1: 'present' } }),
  field('FPD', 1, 1, 'Fault Processing Disable', { values: { 0: 'faults are recorded', 1: 'qualified faults are not recorded' } }),
  field('AW', 4, 2, 'Address Width (second stage)', { describe: (v) => `${awBits(Number(v))}-bit, ${Number(v) + 2}-level second-stage table` }),
  field('SSEE', 5, 5, 'Second Stage Execute Enable'),
  field('PGTT', 8, 6, 'PASID Granular Translation Type', { values: PGTT_VALUES }),
  field('SSADE', 9, 9, 'Second Stage Accessed/Dirty Enable'),
  reserved(11, 10, FR_PASID_RSVD),
  field('SSPTPTR', 63, 12, 'Second Stage Page Table Pointer', { address: true }),
  // val[1]
  field('DID', 79, 64, 'Domain Identifier'),
  reserved(86, 80, FR_PASID_RSVD),
  field('PWSNP', 87, 87, 'Page-Walk Snoop', { values: { 0: 'table walks may be non-snooped', 1: 'table walks snoop CPU caches' } }),
  field('PGSNP', 88, 88, 'Page Snoop', { values: { 0: 'accesses snoop as the request says', 1: 'all accesses are forced to snoop' } }),
  field('CD', 89, 89, 'Cache Disable'),
  field('EMTE', 90, 90, 'Extended Memory Type Enable'),
  field('EMT', 93, 91, 'Extended Memory Type', { values: MEMORY_TYPES }),
  field('PWT', 94, 94, 'Page-level Write Through'),
  field('PCD', 95, 95, 'Page-level Cache Disable'),
  field('PAT', 127, 96, 'Page Attribute Table', { describe: (v) => hex(v, 8) }),
  // val[2]
  field('SRE', 128, 128, 'Supervisor Request Enable', { values: { 0: 'supervisor requests fault (0x5D)', 1: 'supervisor requests allowed' } }),
  field('ERE', 129, 129, 'Execute Request Enable', { values: { 0: 'execute requests fault (0x5C)', 1: 'execute requests allowed' } }),
  field('FLPM', 131, 130, 'First Level Paging Mode', { values: { 0: '4-level first-stage table', 1: '5-level first-stage table', 2: 'reserved', 3: 'reserved' } }),
  field('WPE', 132, 132, 'Write Protect Enable'),
  field('NXE', 133, 133, 'No Execute Enable'),
  field('SMEP', 134, 134, 'Supervisor Mode Execute Prevention'),
  field('EAFE', 135, 135, 'Extended Accessed Flag Enable'),
  reserved(139, 136, FR_PASID_RSVD),
  // Bits 63:12 of val[2]; the address is val[2] with its low 12 bits cleared.
  field('FSPTPTR', 191, 140, 'First Stage Page Table Pointer', { describe: (v) => hex(v << 12n) }),
  // val[3]: later specification revisions put nesting controls here.
  field('VAL3', 255, 192, 'val[3] (not decoded)', { describe: (v) => hex(v) }),
  reserved(511, 256, FR_PASID_RSVD),
];

function err(code: string, fieldName: string, message: string, faultReason: number): SpecFinding {
  return { severity: 'error', code, field: fieldName, message, faultReason };
}

function pgttChecks(pgtt: number, aw: number, flpm: number, ctx: DecodeContext): SpecFinding[] {
  if (!PGTT_VALUES[pgtt]) return [err('pgtt-reserved', 'PGTT', `PGTT = ${pgtt.toString(2).padStart(3, '0')} is reserved`, FR_PASID_INV)];
  const out: SpecFinding[] = [];
  if (ctx.ecap !== undefined) {
    const e = ecapInfo(ctx.ecap);
    const support: Record<number, [boolean, string]> = { 1: [e.flts, 'ECAP.FLTS'], 2: [e.slts, 'ECAP.SLTS'], 3: [e.nest, 'ECAP.NEST'], 4: [e.pt, 'ECAP.PT'] };
    const [ok, bit] = support[pgtt];
    if (!ok) out.push(err('pgtt-unsupported', 'PGTT', `PGTT = ${PGTT_SHORT[pgtt]} but ${bit} is clear`, FR_PASID_INV));
  }
  if (pgtt === 2 || pgtt === 3) out.push(...checkAw(aw, ctx, FR_PASID_INV));
  if (pgtt === 1 || pgtt === 3) {
    if (flpm > 1) out.push(err('flpm-reserved', 'FLPM', `FLPM = ${flpm} is reserved`, FR_PASID_INV));
    if (flpm === 1 && ctx.cap !== undefined && !capInfo(ctx.cap).fl5lp) {
      out.push(err('flpm-5level-unsupported', 'FLPM', 'FLPM = 01 (5-level first stage) but CAP.FL5LP is clear', FR_PASID_INV));
    }
  }
  return out;
}

function summaryOf(q: bigint[], pgtt: number, aw: number, flpm: number): string {
  const parts = ['P'];
  if (bitSet(q[0], 1)) parts.push('FPD');
  parts.push(`PGTT=${PGTT_SHORT[pgtt] ?? pgtt.toString(2).padStart(3, '0')}`);
  if (pgtt === 2 || pgtt === 3) parts.push(`AW=${awBits(aw)}`);
  parts.push(`DID=${bitsOf(q[1], 15, 0)}`);
  if (pgtt === 2 || pgtt === 3) parts.push(`SSPTPTR=${hex(q[0] & ~0xfffn)}`);
  if (pgtt === 1 || pgtt === 3) parts.push(`FSPTPTR=${hex(q[2] & ~0xfffn)}`, flpm === 1 ? '5-level' : '4-level');
  const flags: [bigint, number, string][] = [
    [q[1], 23, 'PWSNP'],
    [q[1], 24, 'PGSNP'],
    [q[2], 0, 'SRE'],
    [q[2], 1, 'ERE'],
    [q[2], 4, 'WPE'],
  ];
  for (const [word, bit, name] of flags) if (bitSet(word, bit)) parts.push(name);
  return parts.join(' ');
}

/** Decodes a PASID table entry from val[0..7], lowest first (fewer = zeros). Never throws. */
export function decodePasidEntry(qwords: readonly bigint[], ctx: DecodeContext = {}): Structure {
  const q = Array.from({ length: 8 }, (_, i) => (qwords[i] ?? 0n) & MASK64);
  const raw = fromQwords(q);
  const { fields, findings } = decodeFields(PASID_FIELDS, raw, ctx);
  const fsptptr = fields.find((f) => f.name === 'FSPTPTR');
  if (fsptptr) fsptptr.address = q[2] & ~0xfffn;
  const pgtt = Number(bitsOf(q[0], 8, 6));
  const aw = Number(bitsOf(q[0], 4, 2));
  const flpm = Number(bitsOf(q[2], 3, 2));
  const haw = hostAddressWidth(ctx);
  // A pointer the PGTT does not use is ignored by hardware, so only check the one in use.
  const pointerChecks = [
    pgtt === 2 || pgtt === 3 ? checkAddressWidth(q[0], 'SSPTPTR', 63, haw, FR_PASID_RSVD) : undefined,
    pgtt === 1 || pgtt === 3 ? checkAddressWidth(q[2], 'FSPTPTR', 63, haw, FR_PASID_RSVD) : undefined,
  ];
  for (const f of pointerChecks) if (f) findings.push(f);
  findings.push(...pgttChecks(pgtt, aw, flpm, ctx), ...checkDomainId(Number(bitsOf(q[1], 15, 0)), ctx));
  const present = bitSet(q[0], 0);
  return {
    type: 'pasid-entry',
    title: 'PASID table entry',
    width: 512,
    raw,
    fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: present ? summaryOf(q, pgtt, aw, flpm) : 'not present',
  };
}
