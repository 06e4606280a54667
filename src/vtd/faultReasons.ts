// VT-d fault reasons — the 8-bit FR code of a fault recording register — and
// the fault recording register (FRCD) itself, decoded at the bottom.
//
// `description` is exactly what a Linux guest prints after "[fault reason
// 0xNN]" (drivers/iommu/intel/dmar.c, dmar_get_fault_reason()), so a log line
// can be matched against it; codes Linux has no string for print "Unknown".
// `name` is QEMU's VTDFaultReason enum name without the VTD_FR_ prefix
// (hw/i386/intel_iommu_internal.h); scalable-mode codes QEMU does not model
// get an SM_ name of our own, shaped after the Linux string.
//
// `qualified`: whether FPD = 1 in the entry that governs the request
// suppresses the fault. Values for the codes QEMU models follow its
// vtd_qualified_faults[] table (0xB is absent there, so not qualified). The
// remaining scalable-mode codes follow the same rule QEMU and the legacy
// table use: faults raised before the governing entry (and its FPD) could be
// trusted — table access errors, root/context/directory reserved fields,
// TTM mismatches — are not qualified; everything after is. For interrupt
// remapping, faults found once the IRTE (with its own FPD) has been read
// (0x22, 0x24, 0x26) are qualified.

import { FieldSpec, SpecFinding, Structure, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, fromHiLo, hex } from './u64';
import { sidName } from './source-id';

type FaultKind = 'dma' | 'interrupt' | 'scalable';

interface FaultReason {
  code: number;
  /** QEMU's enum name without VTD_FR_ (e.g. 'READ'); SM_... for scalable codes QEMU lacks. */
  name: string;
  /** Exact Linux dmar_get_fault_reason() string; 'Unknown' when Linux has none. */
  description: string;
  kind: FaultKind;
  /** Suppressed when FPD = 1. */
  qualified: boolean;
}

const UNKNOWN = 'Unknown';

// [code, name, Linux string (or UNKNOWN), qualified]
type Row = [number, string, string, boolean];

const LEGACY_ROWS: Row[] = [
  [0x00, 'RESERVED', 'Software', false],
  [0x01, 'ROOT_ENTRY_P', 'Present bit in root entry is clear', false],
  [0x02, 'CONTEXT_ENTRY_P', 'Present bit in context entry is clear', true],
  [0x03, 'CONTEXT_ENTRY_INV', 'Invalid context entry', true],
  [0x04, 'ADDR_BEYOND_MGAW', 'Access beyond MGAW', true],
  [0x05, 'WRITE', 'PTE Write access is not set', true],
  [0x06, 'READ', 'PTE Read access is not set', true],
  [0x07, 'PAGING_ENTRY_INV', 'Next page table ptr is invalid', true],
  [0x08, 'ROOT_TABLE_INV', 'Root table address invalid', false],
  [0x09, 'CONTEXT_TABLE_INV', 'Context table ptr is invalid', false],
  [0x0a, 'ROOT_ENTRY_RSVD', 'non-zero reserved fields in RTP', false],
  [0x0b, 'CONTEXT_ENTRY_RSVD', 'non-zero reserved fields in CTP', false],
  [0x0c, 'PAGING_ENTRY_RSVD', 'non-zero reserved fields in PTE', true],
  [0x0d, 'CONTEXT_ENTRY_TT', 'PCE for translation request specifies blocking', true],
  // QEMU only: translated output inside 0xFEE00000-0xFEEFFFFF.
  [0x0e, 'INTERRUPT_ADDR', UNKNOWN, true],
];

const INTERRUPT_ROWS: Row[] = [
  [0x20, 'IR_REQ_RSVD', 'Detected reserved fields in the decoded interrupt-remapped request', false],
  [0x21, 'IR_INDEX_OVER', 'Interrupt index exceeded the interrupt-remapping table size', false],
  [0x22, 'IR_ENTRY_P', 'Present field in the IRTE entry is clear', true],
  [0x23, 'IR_ROOT_INVAL', 'Error accessing interrupt-remapping table pointed by IRTA_REG', false],
  [0x24, 'IR_IRTE_RSVD', 'Detected reserved fields in the IRTE entry', true],
  [0x25, 'IR_REQ_COMPAT', 'Blocked a compatibility format interrupt request', false],
  [0x26, 'IR_SID_ERR', 'Blocked an interrupt request due to source-id verification failure', true],
];

const SCALABLE_ROWS: Row[] = [
  [0x30, 'SM_ROOT_TABLE_ADDR_INV', 'SM: Invalid Root Table Address', false],
  [0x31, 'SM_TTM0_PASID_REQ', 'SM: TTM 0 for request with PASID', false],
  [0x32, 'SM_TTM0_PAGE_GROUP_REQ', 'SM: TTM 0 for page group request', false],
  [0x38, 'SM_ROOT_ENTRY_ACCESS_ERR', 'SM: Error attempting to access Root Entry', false],
  [0x39, 'SM_ROOT_ENTRY_P', 'SM: Present bit in Root Entry is clear', false],
  [0x3a, 'SM_ROOT_ENTRY_RSVD', 'SM: Non-zero reserved field set in Root Entry', false],
  [0x40, 'SM_CONTEXT_ENTRY_ACCESS_ERR', 'SM: Error attempting to access Context Entry', false],
  [0x41, 'SM_CONTEXT_ENTRY_P', 'SM: Present bit in Context Entry is clear', true],
  [0x42, 'SM_CONTEXT_ENTRY_RSVD', 'SM: Non-zero reserved field set in the Context Entry', false],
  [0x43, 'SM_CONTEXT_ENTRY_INV', 'SM: Invalid Context Entry', true],
  [0x44, 'SM_CONTEXT_DTE_CLEAR', 'SM: DTE field in Context Entry is clear', true],
  [0x45, 'SM_CONTEXT_PASIDE_CLEAR', 'SM: PASID Enable field in Context Entry is clear', true],
  [0x46, 'SM_PASID_TOO_LARGE', 'SM: PASID is larger than the max in Context Entry', true],
  [0x47, 'SM_CONTEXT_PRE_CLEAR', 'SM: PRE field in Context-Entry is clear', true],
  [0x48, 'SM_RID_PASID_ERR', 'SM: RID_PASID field error in Context-Entry', true],
  [0x50, 'PASID_DIR_ACCESS_ERR', 'SM: Error attempting to access the PASID Directory Entry', false],
  [0x51, 'PASID_DIR_ENTRY_P', 'SM: Present bit in Directory Entry is clear', true],
  [0x52, 'SM_PASID_DIR_ENTRY_RSVD', 'SM: Non-zero reserved field set in PASID Directory Entry', false],
  [0x58, 'PASID_TABLE_ACCESS_ERR', 'SM: Error attempting to access PASID Table Entry', false],
  [0x59, 'PASID_ENTRY_P', 'SM: Present bit in PASID Table Entry is clear', true],
  [0x5a, 'SM_PASID_ENTRY_RSVD', 'SM: Non-zero reserved field set in PASID Table Entry', false],
  [0x5b, 'PASID_TABLE_ENTRY_INV', 'SM: Invalid Scalable-Mode PASID Table Entry', true],
  [0x5c, 'SM_PASID_ERE_CLEAR', 'SM: ERE field is clear in PASID Table Entry', true],
  [0x5d, 'SM_PASID_SRE_CLEAR', 'SM: SRE field is clear in PASID Table Entry', true],
  [0x70, 'FS_PAGING_ENTRY_INV', 'SM: Error attempting to access first-level paging entry', true],
  [0x71, 'FS_PAGING_ENTRY_P', 'SM: Present bit in first-level paging entry is clear', true],
  [0x72, 'FS_PAGING_ENTRY_RSVD', 'SM: Non-zero reserved field set in first-level paging entry', true],
  [0x73, 'PASID_ENTRY_FSPTPTR_INV', 'SM: Error attempting to access FL-PML4 entry', true],
  [0x74, 'SM_NESTED_FS_ADDR_BEYOND_MGAW', 'SM: First-level entry address beyond MGAW in Nested translation', true],
  [0x75, 'SM_NESTED_FS_PML4_READ', 'SM: Read permission error in FL-PML4 entry in Nested translation', true],
  [0x76, 'SM_NESTED_FS_READ', 'SM: Read permission error in first-level paging entry in Nested translation', true],
  [0x77, 'SM_NESTED_FS_WRITE', 'SM: Write permission error in first-level paging entry in Nested translation', true],
  [0x78, 'SM_SS_PAGING_ENTRY_ACCESS_ERR', 'SM: Error attempting to access second-level paging entry', true],
  [0x79, 'SM_SS_PERMISSION', 'SM: Read/Write permission error in second-level paging entry', true],
  [0x7a, 'SM_SS_PAGING_ENTRY_RSVD', 'SM: Non-zero reserved field set in second-level paging entry', true],
  [0x7b, 'SM_SSPTPTR_INV', 'SM: Invalid second-level page table pointer', true],
  [0x7c, 'SM_SS_AD_NO_SNOOP', 'SM: A/D bit update needed in second-level entry when set up in no snoop', true],
  [0x80, 'FS_NON_CANONICAL', 'SM: Address in first-level translation is not canonical', true],
  [0x81, 'FS_PAGING_ENTRY_US', 'SM: U/S set 0 for first-level translation with user privilege', true],
  [0x82, 'SM_NO_EXECUTE', 'SM: No execute permission for request with PASID and ER=1', true],
  [0x83, 'SM_ADDR_BEYOND_MAX', 'SM: Address beyond the DMA hardware max', true],
  [0x84, 'SM_SS_ADDR_BEYOND_MAX', 'SM: Second-level entry address beyond the max', true],
  [0x85, 'SM_WRITE', 'SM: No write permission for Write/AtomicOp request', true],
  [0x86, 'SM_READ', 'SM: No read permission for Read/AtomicOp request', true],
  [0x87, 'SM_INTERRUPT_ADDR', 'SM: Invalid address-interrupt address', true],
  [0x90, 'SM_FS_AD_NO_SNOOP', 'SM: A/D bit update needed in first-level entry when set up in no snoop', true],
  // QEMU's first-stage A/D update failure ("SFS.10"); Linux prints "Unknown".
  [0x91, 'FS_BIT_UPDATE_FAILED', UNKNOWN, true],
];

function build(rows: Row[], kind: FaultKind): FaultReason[] {
  return rows.map(([code, name, description, qualified]) => ({ code, name, description, kind, qualified }));
}

/** Every fault reason Linux or QEMU knows, in code order. */
export const FAULT_REASONS: readonly FaultReason[] = [
  ...build(LEGACY_ROWS, 'dma'),
  ...build(INTERRUPT_ROWS, 'interrupt'),
  ...build(SCALABLE_ROWS, 'scalable'),
];

const BY_CODE = new Map<number, FaultReason>(FAULT_REASONS.map((r) => [r.code, r]));

/** Kind of a code nobody names: by the range the specification groups it in. */
function kindOfRange(code: number): FaultKind {
  if (code >= 0x20 && code < 0x30) return 'interrupt';
  if (code >= 0x30) return 'scalable';
  return 'dma';
}

/** The fault reason of any code; codes nobody names are 'UNKNOWN' / 'Unknown'. Never throws. */
export function faultReason(code: number): FaultReason {
  const known = Number.isInteger(code) ? BY_CODE.get(code) : undefined;
  if (known) return known;
  const safe = Number.isFinite(code) ? code : 0;
  return { code, name: 'UNKNOWN', description: UNKNOWN, kind: kindOfRange(safe), qualified: false };
}

/** "0x06 PTE Read access is not set" — the way Linux shows a reason. */
export function faultReasonLabel(code: number): string {
  const hexCode = Number.isInteger(code) && code >= 0 ? '0x' + code.toString(16).padStart(2, '0') : String(code);
  return `${hexCode} ${faultReason(code).description}`;
}

/**
 * Hardware checks reserved bits only in entries it uses: a not-present entry
 * faults for being absent, never for its other bits. This keeps such findings
 * visible (stale bits are a clue) but as warnings that record no fault.
 */
export function withoutFault(findings: SpecFinding[], why: string): SpecFinding[] {
  return findings.map((f) =>
    f.faultReason === undefined && f.severity !== 'error'
      ? f
      : { ...f, severity: f.severity === 'error' ? 'warning' : f.severity, faultReason: undefined, message: `${f.message} (${why})` },
  );
}

// ---- fault recording registers (FRCD, 128 bits at CAP.FRO × 16 + 16·i) -----

function describeFi(v: bigint): string {
  return `page ${hex(v << 12n)}; for an interrupt-remapping fault the interrupt index is bits 63:48 = ${hex(v >> 36n)}`;
}

// Bits 92:94 and 125:124 are after the specification; FI/SID/PP/FR/PV/T/F
// are the ones Linux's dmar_fault() and QEMU's vtd_report_frcd_fault() use.
const FRCD_FIELDS: FieldSpec[] = [
  reserved(11, 0),
  field('FI', 63, 12, 'Fault Info', { describe: describeFi }),
  field('SID', 79, 64, 'Source Identifier', { describe: (v) => `${sidName(v)} (${hex(v, 4)})` }),
  reserved(91, 80),
  field('T2', 92, 92, 'Type bit 2'),
  field('PRIV', 93, 93, 'Privilege Mode Requested', { values: { 0: 'user', 1: 'supervisor' } }),
  field('EXE', 94, 94, 'Execute Permission Requested'),
  field('PP', 95, 95, 'PASID Present', { values: { 0: 'request without PASID', 1: 'request with PASID (PV valid)' } }),
  field('FR', 103, 96, 'Fault Reason', { describe: (v) => faultReasonLabel(Number(v)) }),
  field('PV', 123, 104, 'PASID Value', { describe: (v) => hex(v) }),
  field('AT', 125, 124, 'Address Type', { values: { 0: 'untranslated', 1: 'translation request', 2: 'translated', 3: 'reserved' } }),
  field('T', 126, 126, 'Type', { values: { 0: 'write request', 1: 'read request' } }),
  field('F', 127, 127, 'Fault', { values: { 0: 'no fault recorded', 1: 'fault recorded (software writes 1 to clear)' } }),
];

/** Decodes a fault recording register given as its hi and lo qwords. Never throws. */
export function decodeFrcd(hi: bigint, lo: bigint): Structure {
  const raw = fromHiLo(hi, lo);
  const { fields, findings } = decodeFields(FRCD_FIELDS, raw);
  const out = findings.map((f) => ({ ...f, severity: 'warning' as const }));
  const fr = Number(bitsOf(raw, 103, 96));
  const reason = faultReason(fr);
  const sid = sidName(bitsOf(raw, 79, 64));
  const recorded = bitSet(raw, 127);
  let what: string;
  if (reason.kind === 'interrupt') {
    what = `interrupt index ${hex(bitsOf(raw, 63, 48))}`;
  } else {
    const pasid = bitSet(raw, 95) ? ` PASID ${hex(bitsOf(raw, 123, 104))}` : '';
    what = `${bitSet(raw, 126) ? 'read' : 'write'} ${hex(raw & 0xfffffffffffff000n)}${pasid}`;
  }
  const summary = `${recorded ? 'F' : 'no fault:'} FR=${faultReasonLabel(fr)} SID=${sid} ${what}`;
  return { type: 'reg-frcd', title: 'Fault Recording Register (FRCD)', width: 128, raw, fields, findings: out, summary };
}

// ---- fault reasons by name ---------------------------------------------------

/** The fault reasons code refers to, by the names of the table above. */
export const FR = {
  ROOT_ENTRY_P: 0x01,
  CONTEXT_ENTRY_P: 0x02,
  CONTEXT_ENTRY_INV: 0x03,
  ADDR_BEYOND_MGAW: 0x04,
  WRITE: 0x05,
  READ: 0x06,
  ROOT_ENTRY_RSVD: 0x0a,
  CONTEXT_ENTRY_RSVD: 0x0b,
  PAGING_ENTRY_RSVD: 0x0c,
  CONTEXT_ENTRY_TT: 0x0d,
  INTERRUPT_ADDR: 0x0e,
  IR_REQ_RSVD: 0x20,
  IR_INDEX_OVER: 0x21,
  IR_ENTRY_P: 0x22,
  IR_IRTE_RSVD: 0x24,
  IR_REQ_COMPAT: 0x25,
  IR_SID_ERR: 0x26,
  SM_ROOT_ENTRY_P: 0x39,
  SM_ROOT_ENTRY_RSVD: 0x3a,
  SM_CONTEXT_ENTRY_P: 0x41,
  SM_CONTEXT_ENTRY_RSVD: 0x42,
  SM_CONTEXT_ENTRY_INV: 0x43,
  SM_CONTEXT_PASIDE_CLEAR: 0x45,
  PASID_DIR_ENTRY_P: 0x51,
  PASID_ENTRY_P: 0x59,
  PASID_TABLE_ENTRY_INV: 0x5b,
  FS_PAGING_ENTRY_P: 0x71,
  FS_PAGING_ENTRY_RSVD: 0x72,
  SM_SS_PERMISSION: 0x79,
  SM_SS_PAGING_ENTRY_RSVD: 0x7a,
  FS_NON_CANONICAL: 0x80,
  FS_PAGING_ENTRY_US: 0x81,
  SM_ADDR_BEYOND_MAX: 0x83,
  SM_WRITE: 0x85,
  SM_READ: 0x86,
  SM_INTERRUPT_ADDR: 0x87,
  FS_BIT_UPDATE_FAILED: 0x91,
} as const;

/**
 * What QEMU's intel-iommu records where the specification's scalable-mode
 * rules give `spec`. QEMU reaches the root and context entries, and walks
 * second-level tables, with the code it uses in legacy mode
 * (vtd_get_root_entry / vtd_dev_to_context_entry / vtd_iova_to_slpte in
 * hw/i386/intel_iommu.c): 0x01, 0x02, 0x03, 0x0B, 0x04, 0x05 / 0x06, 0x0C,
 * 0x0E; its PASID-table and first-stage checks (QEMU 10.0+, x-flts) record
 * the scalable-mode codes. `write` picks 0x05 or 0x06 for a second-level
 * entry without R and W.
 */
export function qemuScalableReason(spec: number, write: boolean, stage: 'context' | 'second' | 'first'): number {
  if (stage === 'first') return spec;
  if (spec === FR.SM_SS_PERMISSION) return write ? FR.WRITE : FR.READ;
  return QEMU_LEGACY_CODE.get(spec) ?? spec;
}

/** Scalable-mode codes of the specification and the legacy code QEMU records for them instead. */
const QEMU_LEGACY_CODE: ReadonlyMap<number, number> = new Map([
  [FR.SM_READ, FR.READ],
  [FR.SM_WRITE, FR.WRITE],
  [FR.SM_INTERRUPT_ADDR, FR.INTERRUPT_ADDR],
  [FR.SM_ROOT_ENTRY_P, FR.ROOT_ENTRY_P],
  [FR.SM_ROOT_ENTRY_RSVD, FR.ROOT_ENTRY_RSVD],
  [FR.SM_CONTEXT_ENTRY_P, FR.CONTEXT_ENTRY_P],
  [FR.SM_CONTEXT_ENTRY_RSVD, FR.CONTEXT_ENTRY_RSVD],
  [FR.SM_CONTEXT_ENTRY_INV, FR.CONTEXT_ENTRY_INV],
  [FR.SM_ADDR_BEYOND_MAX, FR.ADDR_BEYOND_MGAW],
  [FR.SM_SS_PAGING_ENTRY_RSVD, FR.PAGING_ENTRY_RSVD],
]);
