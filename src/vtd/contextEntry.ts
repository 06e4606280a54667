// Context entries: how the requests of one device (bus, devfn) are translated.
//
// Legacy (128 bits): translation type, second-level table root, its depth
// (AW) and the domain id. Scalable mode (256 bits): DTE/PASIDE/PRE switches
// and the PASID directory the PASID entries hang from.
//
// Fault reasons follow QEMU's vtd_dev_to_context_entry(): reserved bits
// (VTD_CONTEXT_ENTRY_RSVD_LO(aw) = bits 11:4 and bits >= HAW of lo,
// VTD_CONTEXT_ENTRY_RSVD_HI = bits 127:88 and 71) record 0xB; an AW outside
// CAP.SAGAW or a TT the unit does not support records 0x3 (CONTEXT_ENTRY_INV),
// as the specification asks. In scalable mode QEMU checks val[0] bits 8:5 and
// >= HAW, val[1] bits 127:85 and all of val[2..3]; it records 0xB there too,
// but the specification's code (what hardware records) is 0x42.

import { DecodeContext, FieldSpec, SpecFinding, Structure, checkAddressWidth, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, fromQwords, hex, MASK64 } from './u64';
import { capInfo, ecapInfo, hostAddressWidth, sagawAllows, sagawWidths } from './capEcap';
import { withoutFault } from './faultReasons';

const FR_CONTEXT_INV = 0x03;
const FR_CONTEXT_RSVD = 0x0b;
const FR_SM_CONTEXT_RSVD = 0x42;
const FR_SM_RID_PASID = 0x48;

/** Address width in bits of an AW value: 0→30, 1→39, 2→48, 3→57, 4→64 (reserved encodings 5-7 read as 64). */
export function awBits(aw: number): number {
  const a = Number.isFinite(aw) ? Math.max(0, Math.trunc(aw)) : 0;
  return Math.min(64, 30 + 9 * a);
}

/** Page-table depth of an AW value: AW + 2 (AW 1 → 3 levels). */
export function awLevels(aw: number): number {
  return aw + 2;
}

function describeAw(v: bigint): string {
  const aw = Number(v);
  if (aw > 4) return `reserved encoding ${aw}`;
  return `${awBits(aw)}-bit, ${awLevels(aw)}-level table${aw === 4 ? ' (reserved)' : ''}`;
}

const TT_VALUES: Record<number, string> = {
  0: '00: untranslated requests translated through second-level tables; ATS blocked',
  1: '01: untranslated and ATS translation requests translated through second-level tables; device-TLB allowed',
  2: '10: pass-through: untranslated requests use the IOVA as host address; SLPTPTR ignored',
  3: '11: reserved',
};

const CONTEXT_FIELDS: FieldSpec[] = [
  field('P', 0, 0, 'Present', { values: { 0: 'not present: requests fault (0x2)', 1: 'present' } }),
  field('FPD', 1, 1, 'Fault Processing Disable', { values: { 0: 'faults are recorded', 1: 'qualified faults are not recorded' } }),
  field('TT', 3, 2, 'Translation Type', { values: TT_VALUES }),
  reserved(11, 4, FR_CONTEXT_RSVD),
  field('SLPTPTR', 63, 12, 'Second Level Page Translation Pointer', { address: true }),
  field('AW', 66, 64, 'Address Width', { describe: describeAw }),
  field('AVAIL', 70, 67, 'Available (ignored by hardware)'),
  reserved(71, 71, FR_CONTEXT_RSVD),
  field('DID', 87, 72, 'Domain Identifier'),
  reserved(127, 88, FR_CONTEXT_RSVD),
];

function err(code: string, field: string, message: string, faultReason?: number): SpecFinding {
  return { severity: 'error', code, field, message, faultReason };
}

/** DID checks shared with PASID entries: beyond CAP.ND, and 0 under caching mode. */
export function checkDomainId(did: number, ctx: DecodeContext): SpecFinding[] {
  if (ctx.cap === undefined) return [];
  const cap = capInfo(ctx.cap);
  const out: SpecFinding[] = [];
  // No fault reason: QEMU masks DID to 16 bits and never faults on it; the
  // specification leaves ids beyond ND to the implementation.
  if (did >= cap.domains) out.push(err('did-beyond-nd', 'DID', `DID ${did} is not below the ${cap.domains} domain ids CAP.ND=${cap.nd} provides`));
  if (did === 0 && cap.cm) {
    out.push({ severity: 'warning', code: 'did-zero-with-cm', field: 'DID', message: 'DID 0 is used while CAP.CM is set: caching-mode hardware reserves domain id 0 for not-present entries' });
  }
  return out;
}

/** AW checks shared with PASID entries (faultReason is the caller's "invalid entry" code). */
export function checkAw(aw: number, ctx: DecodeContext, faultReason: number): SpecFinding[] {
  if (aw > 4) return [err('aw-reserved', 'AW', `AW=${aw} is a reserved encoding`, faultReason)];
  if (ctx.cap === undefined) {
    return aw === 4 ? [err('aw-reserved', 'AW', 'AW=4 (64-bit, 6-level) is reserved', faultReason)] : [];
  }
  if (sagawAllows(ctx.cap, aw)) return [];
  const sagaw = Number(bitsOf(ctx.cap, 12, 8));
  return [err('aw-not-in-sagaw', 'AW', `AW=${aw} (${awBits(aw)}-bit, ${awLevels(aw)}-level) is not in CAP.SAGAW (${sagawWidths(sagaw)}-bit)`, faultReason)];
}

function checkTt(tt: number, ctx: DecodeContext): SpecFinding[] {
  if (tt === 3) return [err('tt-reserved', 'TT', 'TT = 11 is reserved', FR_CONTEXT_INV)];
  if (ctx.ecap === undefined) return [];
  const e = ecapInfo(ctx.ecap);
  if (tt === 2 && !e.pt) return [err('tt-pt-unsupported', 'TT', 'TT = 10 (pass-through) but ECAP.PT is clear', FR_CONTEXT_INV)];
  if (tt === 1 && !e.dt) return [err('tt-dt-unsupported', 'TT', 'TT = 01 (device-TLB) but ECAP.DT is clear', FR_CONTEXT_INV)];
  return [];
}

const TT_SHORT = ['', 'TT=DT', 'TT=PT', 'TT=11'];

/** Decodes a legacy context entry printed as hi:lo. Never throws. */
export function decodeContextEntry(hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  hi &= MASK64;
  lo &= MASK64;
  const raw = fromQwords([lo, hi]);
  const { fields, findings } = decodeFields(CONTEXT_FIELDS, raw, ctx);
  const beyond = checkAddressWidth(lo, 'SLPTPTR', 63, hostAddressWidth(ctx), FR_CONTEXT_RSVD);
  if (beyond) findings.push(beyond);
  const tt = Number(bitsOf(lo, 3, 2));
  const aw = Number(bitsOf(hi, 2, 0));
  const did = Number(bitsOf(hi, 23, 8));
  const ptr = lo & ~0xfffn;
  findings.push(...checkAw(aw, ctx, FR_CONTEXT_INV), ...checkTt(tt, ctx), ...checkDomainId(did, ctx));
  if (tt === 2 && ptr !== 0n) {
    findings.push({ severity: 'info', code: 'pt-with-pointer', field: 'SLPTPTR', message: `TT = 10 (pass-through) ignores SLPTPTR ${hex(ptr)}` });
  }
  const present = bitSet(lo, 0);
  const parts = ['P'];
  if (bitSet(lo, 1)) parts.push('FPD');
  if (tt) parts.push(TT_SHORT[tt]);
  parts.push(`DID=${did}`, `AW=${awBits(aw)}`);
  if (tt !== 2 || ptr !== 0n) parts.push(`SLPTPTR=${hex(ptr)}`);
  return {
    type: 'context-entry',
    title: 'Context entry (legacy)',
    width: 128,
    raw,
    fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: present ? parts.join(' ') : 'not present',
  };
}

const SM_CONTEXT_FIELDS: FieldSpec[] = [
  field('P', 0, 0, 'Present', { values: { 0: 'not present: requests fault (0x41)', 1: 'present' } }),
  field('FPD', 1, 1, 'Fault Processing Disable', { values: { 0: 'faults are recorded', 1: 'qualified faults are not recorded' } }),
  field('DTE', 2, 2, 'Device-TLB Enable', { values: { 0: 'ATS translation requests blocked', 1: 'ATS translation requests allowed' } }),
  field('PASIDE', 3, 3, 'PASID Enable', { values: { 0: 'requests with PASID blocked', 1: 'requests with PASID allowed' } }),
  field('PRE', 4, 4, 'Page Request Enable', { values: { 0: 'page requests blocked', 1: 'page requests (PRI) allowed' } }),
  reserved(8, 5, FR_SM_CONTEXT_RSVD),
  field('PDTS', 11, 9, 'PASID Directory Table Size', { describe: (v) => `${1n << (v + 7n)} directory entries (PASIDs below ${hex(1n << (v + 13n))})` }),
  field('PASIDDIRPTR', 63, 12, 'PASID Directory Pointer', { address: true }),
  field('RID_PASID', 83, 64, 'RID_PASID', { describe: (v) => `requests without PASID use PASID ${v}` }),
  field('RID_PRIV', 84, 84, 'RID_PRIV', { values: { 0: 'requests without PASID are user requests', 1: 'requests without PASID are supervisor requests' } }),
  reserved(127, 85, FR_SM_CONTEXT_RSVD),
  reserved(255, 128, FR_SM_CONTEXT_RSVD),
];

function scalableChecks(q0: bigint, q1: bigint, ctx: DecodeContext): SpecFinding[] {
  const out: SpecFinding[] = [];
  const beyond = checkAddressWidth(q0, 'PASIDDIRPTR', 63, hostAddressWidth(ctx), FR_SM_CONTEXT_RSVD);
  if (beyond) out.push(beyond);
  if (ctx.ecap === undefined) return out;
  const e = ecapInfo(ctx.ecap);
  // The specification treats a switch for a feature the unit lacks as a reserved bit.
  const needs: [number, boolean, string, string][] = [
    [2, e.dt, 'DTE', 'ECAP.DT'],
    [3, e.pasid, 'PASIDE', 'ECAP.PASID'],
    [4, e.prs, 'PRE', 'ECAP.PRS'],
  ];
  for (const [bit, ok, name, cap] of needs) {
    if (bitSet(q0, bit) && !ok) out.push(err('feature-unsupported', name, `${name} is set but ${cap} is clear`, FR_SM_CONTEXT_RSVD));
  }
  const ridPasid = bitsOf(q1, 19, 0);
  if (ridPasid !== 0n && !e.rps) {
    out.push(err('rid-pasid-unsupported', 'RID_PASID', `RID_PASID ${ridPasid} is not 0 but ECAP.RPS is clear`, FR_SM_RID_PASID));
  }
  if (!e.smts) out.push({ severity: 'warning', code: 'sm-without-smts', message: 'Scalable-mode context entry on a unit without ECAP.SMTS' });
  return out;
}

/** Decodes a scalable-mode context entry from up to 4 qwords, lowest first (missing = 0). Never throws. */
export function decodeScalableContextEntry(qwords: readonly bigint[], ctx: DecodeContext = {}): Structure {
  const q = [0, 1, 2, 3].map((i) => (qwords[i] ?? 0n) & MASK64);
  const raw = fromQwords(q);
  const { fields, findings } = decodeFields(SM_CONTEXT_FIELDS, raw, ctx);
  // Bits 8:5: QEMU reserves them, but real entries have been seen with bits
  // 6:5 set (newer specification revisions may use them): a warning, so the
  // walk does not stop on them, still naming the fault QEMU would record.
  for (const f of findings) {
    if (f.field !== 'RSVD_8_5') continue;
    f.severity = 'warning';
    f.message += ' (QEMU faults on them; newer specification revisions may define them)';
  }
  findings.push(...scalableChecks(q[0], q[1], ctx));
  const present = bitSet(q[0], 0);
  const parts = ['P'];
  const flags: [number, string][] = [
    [1, 'FPD'],
    [2, 'DTE'],
    [3, 'PASIDE'],
    [4, 'PRE'],
  ];
  for (const [bit, name] of flags) if (bitSet(q[0], bit)) parts.push(name);
  parts.push(`PDTS=${bitsOf(q[0], 11, 9)}`, `PASIDDIRPTR=${hex(q[0] & ~0xfffn)}`);
  const ridPasid = bitsOf(q[1], 19, 0);
  if (ridPasid !== 0n) parts.push(`RID_PASID=${ridPasid}`);
  return {
    type: 'sm-context-entry',
    title: 'Context entry (scalable mode)',
    width: 256,
    raw,
    fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: present ? parts.join(' ') : 'not present',
  };
}

/** The translation mode of a unit: which root and context entry layout its tables use. */
type TableMode = 'legacy' | 'scalable';

/**
 * The one decode of a context entry as Linux prints it (hi:lo): legacy
 * layout, or the low 128 bits of a scalable-mode entry (its upper half is
 * reserved and never printed).
 */
export function decodeContextEntryFor(mode: TableMode, hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  return mode === 'scalable' ? decodeScalableContextEntry([lo, hi], ctx) : decodeContextEntry(hi, lo, ctx);
}
