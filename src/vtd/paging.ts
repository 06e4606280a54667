// Paging-structure entries: second-level (second-stage) entries of legacy
// and scalable-mode tables, and first-level (first-stage, x86-64 format)
// entries. Level 1 is the PTE (IOVA bits 20:12), level 5 the PML5E.
//
// Reserved bits follow QEMU (hw/i386/intel_iommu_internal.h):
//  second level  VTD_SPTE_PAGE_L{1,2,3}_RSVD_MASK = 0x800 + bits 51:HAW,
//                L4 = 0x880 + bits 51:HAW (PS and bit 11), large pages add
//                bits 20:12 (2 MiB) / 29:12 (1 GiB); bit 62 (TM) is reserved
//                unless x-stale-tm; bits 63 and 61:52 are ignored. SNP (bit 11)
//                is allowed in leaves when ECAP.SC is set or in scalable mode.
//  first level   VTD_FPTE_PAGE_L{1,2,3} = bits 51:HAW, L4 adds PS (0x80),
//                large pages add bits 20:13 / 29:13 (bit 12 is PAT).
// QEMU records 0xC for second-level reserved bits in both modes; we report
// the specification's scalable-mode code 0x7A when ctx.scalable. First-level
// entries exist only in scalable mode: 0x72.
// QEMU checks R/W (or P) before reserved bits, so a not-present entry faults
// for being absent: its reserved-bit findings become warnings without a code.

import { DecodeContext, FieldSpec, SpecFinding, Structure, checkAddressWidth, decodeFields, field, reserved } from './layout';
import { bitSet, hex, maskOf, MASK64, sizeName } from './u64';
import { capInfo, ecapInfo, hostAddressWidth, sllpsAllows } from './capEcap';
import { withoutFault } from './faultReasons';

export const LEVEL_NAMES: Readonly<Record<number, string>> = { 5: 'PML5E', 4: 'PML4E', 3: 'PDPE', 2: 'PDE', 1: 'PTE' };

/** Bit position of the lowest IOVA bit a level's index covers: 12 + 9·(level-1). */
export function levelShift(level: number): number {
  return 12 + 9 * (level - 1);
}

/** The 9 IOVA bits that index the table at this level. */
export function iovaIndex(iova: bigint, level: number): number {
  const shift = levelShift(level);
  if (!Number.isFinite(shift) || shift < 0) return 0;
  return Number((iova >> BigInt(shift)) & 0x1ffn);
}

const FR_SL_RSVD = 0x0c;
const FR_SM_SL_RSVD = 0x7a;
const FR_FL_RSVD = 0x72;

/** Levels outside 1..5 are decoded as a PTE, with an error saying so. */
function normaliseLevel(level: number, findings: SpecFinding[]): number {
  if (Number.isInteger(level) && level >= 1 && level <= 5) return level;
  findings.push({ severity: 'error', code: 'bad-level', message: `Paging level ${level} does not exist (1 = PTE ... 5 = PML5E); decoded as a PTE` });
  return 1;
}

function pageBytes(level: number): bigint {
  return 1n << BigInt(levelShift(level));
}

/** "PDE (2 MiB page)", "PML4E (next table)". */
function levelTitle(level: number, leaf: boolean): string {
  if (!leaf) return `${LEVEL_NAMES[level]} (next table)`;
  const size = sizeName(pageBytes(level)).replace(/([KMGT])$/, ' $1iB');
  return `${LEVEL_NAMES[level]} (${size} page)`;
}

// ---- second level -------------------------------------------------------------

interface SlEntryInfo {
  /** R or W. */
  present: boolean;
  read: boolean;
  write: boolean;
  execute: boolean;
  leaf: boolean;
  superpage: boolean;
  snoop: boolean;
  /** Next table or page base. */
  address: bigint;
  /** Bytes, leaves only. */
  pageSize?: bigint;
}

const ADDRESS_BITS = maskOf(51, 12);

/** The facts of a second-level entry without building a Structure (cheap). */
export function slEntryInfo(value: bigint, level: number): SlEntryInfo {
  const v = value & MASK64;
  const read = bitSet(v, 0);
  const write = bitSet(v, 1);
  const ps = (level === 2 || level === 3) && bitSet(v, 7);
  const leaf = level === 1 || ps;
  const info: SlEntryInfo = {
    present: read || write,
    read,
    write,
    execute: bitSet(v, 2),
    leaf,
    superpage: ps,
    snoop: bitSet(v, 11),
    address: v & ADDRESS_BITS,
  };
  if (leaf) {
    info.pageSize = pageBytes(level);
    info.address &= ~(info.pageSize - 1n);
  }
  return info;
}

const SL_LOW: FieldSpec[] = [
  field('R', 0, 0, 'Read', { values: { 0: 'reads not allowed', 1: 'reads allowed' } }),
  field('W', 1, 1, 'Write', { values: { 0: 'writes not allowed', 1: 'writes allowed' } }),
  field('X', 2, 2, 'Execute', { values: { 0: 'execute not allowed', 1: 'execute allowed (with execute-request support)' } }),
];
const SL_HIGH: FieldSpec[] = [field('IGN_61_52', 61, 52, 'Ignored'), field('TM', 62, 62, 'Transient Mapping (reserved since VT-d 3.2)'), field('IGN_63', 63, 63, 'Ignored')];
const SL_LEAF_MIDDLE: FieldSpec[] = [
  field('EMT', 5, 3, 'Extended Memory Type', { values: { 0: 'UC', 1: 'WC', 4: 'WT', 5: 'WP', 6: 'WB' } }),
  field('IPAT', 6, 6, 'Ignore PAT'),
];

function slLayout(level: number, leaf: boolean, fault: number): FieldSpec[] {
  if (!leaf) {
    return [
      ...SL_LOW,
      field('IGN_6_3', 6, 3, 'Ignored'),
      field('PS', 7, 7, 'Page Size', { values: { 0: 'points to the next table', 1: 'large page' } }),
      field('A', 8, 8, 'Accessed'),
      field('IGN_10_9', 10, 9, 'Ignored'),
      reserved(11, 11, fault),
      field('ADDR', 51, 12, 'Address of next-level table', { address: true }),
      ...SL_HIGH,
    ];
  }
  const low = level === 1 ? [field('IGN_7', 7, 7, 'Ignored')] : [field('PS', 7, 7, 'Page Size', { values: { 1: 'large page' } })];
  const shift = levelShift(level);
  const addr = level === 1 ? [field('ADDR', 51, 12, 'Page address', { address: true })] : [reserved(shift - 1, 12, fault), field('ADDR', 51, shift, 'Page address', { address: true })];
  return [
    ...SL_LOW,
    ...SL_LEAF_MIDDLE,
    ...low,
    field('A', 8, 8, 'Accessed'),
    field('D', 9, 9, 'Dirty'),
    field('IGN_10', 10, 10, 'Ignored'),
    field('SNP', 11, 11, 'Snoop', { values: { 0: 'snoop as the request says', 1: 'accesses forced to snoop' } }),
    ...addr,
    ...SL_HIGH,
  ];
}

function rsvd(fieldName: string, message: string, fault: number, severity: SpecFinding['severity'] = 'error'): SpecFinding {
  return { severity, code: 'reserved-bits', field: fieldName, message, faultReason: fault };
}

function slChecks(v: bigint, level: number, leaf: boolean, fault: number, ctx: DecodeContext): SpecFinding[] {
  const out: SpecFinding[] = [];
  const beyond = checkAddressWidth(v, 'ADDR', 51, hostAddressWidth(ctx), fault);
  if (beyond) out.push(beyond);
  const ps = bitSet(v, 7);
  if (ps && level >= 4) out.push(rsvd('PS', `PS is reserved in a ${LEVEL_NAMES[level]}`, fault));
  if (ps && (level === 2 || level === 3) && ctx.cap !== undefined && !sllpsAllows(ctx.cap, level)) {
    out.push(rsvd('PS', `PS = 1 makes a ${sizeName(pageBytes(level))} page, which CAP.SLLPS does not offer`, fault));
  }
  // Leaf SNP: allowed with ECAP.SC or in scalable mode; unknown ECAP → not judged.
  if (leaf && bitSet(v, 11) && !ctx.scalable && ctx.ecap !== undefined && !ecapInfo(ctx.ecap).sc) {
    out.push(rsvd('SNP', 'SNP is set but ECAP.SC is clear (QEMU without snoop-control treats bit 11 as reserved)', fault));
  }
  // TM: only QEMU's x-stale-tm (or pre-3.2 hardware) accepts it — a warning.
  if (bitSet(v, 62)) out.push(rsvd('TM', 'TM (bit 62) is set: reserved since VT-d 3.2 and in QEMU unless x-stale-tm', fault, 'warning'));
  return out;
}

function slSummary(v: bigint, level: number): string {
  const i = slEntryInfo(v, level);
  if (!i.present) return v === 0n ? 'not present' : `not present (${hex(v)})`;
  const parts = [i.read ? 'R' : '', i.write ? 'W' : '', i.execute ? 'X' : ''].filter(Boolean);
  if (i.leaf) {
    if (i.snoop) parts.push('SNP');
    if (bitSet(v, 8)) parts.push('A');
    if (bitSet(v, 9)) parts.push('D');
    parts.push('→', hex(i.address), sizeName(i.pageSize ?? 4096n));
  } else {
    parts.push('→ table', hex(i.address));
  }
  return parts.join(' ');
}

const layoutCache = new Map<string, { specs: FieldSpec[]; reservedMask: bigint }>();

/** The layout of a level (built once): its field specs and the mask of its reserved bits. */
function cachedSlLayout(level: number, leaf: boolean, fault: number): { specs: FieldSpec[]; reservedMask: bigint } {
  const key = `${level}:${leaf ? 1 : 0}:${fault}`;
  let l = layoutCache.get(key);
  if (!l) {
    const specs = slLayout(level, leaf, fault);
    const reservedMask = specs.filter((f) => f.reserved).reduce((m, f) => m | maskOf(f.msb, f.lsb), 0n);
    l = { specs, reservedMask };
    layoutCache.set(key, l);
  }
  return l;
}

/**
 * The findings decodeSlEntry would report, without building the fields: for
 * checking every entry of a large page-table dump. Empty for a clean entry.
 */
function slEntryProblems(value: bigint, level: number, ctx: DecodeContext = {}): SpecFinding[] {
  const v = value & MASK64;
  if (!Number.isInteger(level) || level < 1 || level > 5) return decodeSlEntry(v, level, ctx).findings;
  const fault = ctx.scalable ? FR_SM_SL_RSVD : FR_SL_RSVD;
  const leaf = level === 1 || ((level === 2 || level === 3) && bitSet(v, 7));
  const { reservedMask } = cachedSlLayout(level, leaf, fault);
  const checks = slChecks(v, level, leaf, fault, ctx);
  if ((v & reservedMask) === 0n && checks.length === 0) return [];
  return decodeSlEntry(v, level, ctx).findings;
}

/** Decodes a second-level paging entry at `level` (1 = PTE ... 5 = PML5E). Never throws. */
export function decodeSlEntry(value: bigint, level: number, ctx: DecodeContext = {}): Structure {
  const v = value & MASK64;
  const findings: SpecFinding[] = [];
  const lvl = normaliseLevel(level, findings);
  const fault = ctx.scalable ? FR_SM_SL_RSVD : FR_SL_RSVD;
  const leaf = lvl === 1 || ((lvl === 2 || lvl === 3) && bitSet(v, 7));
  const decoded = decodeFields(cachedSlLayout(lvl, leaf, fault).specs, v, ctx);
  findings.push(...decoded.findings, ...slChecks(v, lvl, leaf, fault, ctx));
  const present = bitSet(v, 0) || bitSet(v, 1);
  return {
    type: 'sl-entry',
    title: `Second-level ${levelTitle(lvl, leaf)}`,
    width: 64,
    raw: v,
    fields: decoded.fields,
    findings: present ? findings : withoutFault(findings, 'entry not present'),
    summary: slSummary(v, lvl),
  };
}

// ---- first level (x86-64 format) --------------------------------------------

const FL_LOW: FieldSpec[] = [
  field('P', 0, 0, 'Present', { values: { 0: 'not present (0x71)', 1: 'present' } }),
  field('R/W', 1, 1, 'Read/Write', { values: { 0: 'read-only', 1: 'read and write' } }),
  field('U/S', 2, 2, 'User/Supervisor', { values: { 0: 'supervisor only', 1: 'user and supervisor' } }),
  field('PWT', 3, 3, 'Page-level Write-Through'),
  field('PCD', 4, 4, 'Page-level Cache Disable'),
  field('A', 5, 5, 'Accessed'),
];
const FL_HIGH: FieldSpec[] = [field('IGN_62_52', 62, 52, 'Ignored'), field('XD', 63, 63, 'Execute Disable', { values: { 0: 'execute allowed', 1: 'execute disabled' } })];
// Linux sets its SNP flag (bit 11) in first-level leaves too; hardware ignores it there.
const FL_IGN_11_9 = field('IGN_11_9', 11, 9, 'Ignored', { describe: (v) => (v === 0n ? 'ignored (zero)' : `ignored: ${hex(v << 9n)}`) });

function flLayout(level: number, leaf: boolean, fault: number): FieldSpec[] {
  if (!leaf) {
    return [
      ...FL_LOW,
      field('IGN_6', 6, 6, 'Ignored'),
      field('PS', 7, 7, 'Page Size', { values: { 0: 'points to the next table', 1: 'large page' } }),
      field('IGN_8', 8, 8, 'Ignored'),
      FL_IGN_11_9,
      field('ADDR', 51, 12, 'Address of next-level table', { address: true }),
      ...FL_HIGH,
    ];
  }
  const shift = levelShift(level);
  const tail: FieldSpec[] =
    level === 1
      ? [field('PAT', 7, 7, 'Page Attribute Table'), field('G', 8, 8, 'Global'), FL_IGN_11_9, field('ADDR', 51, 12, 'Page address', { address: true })]
      : [
          field('PS', 7, 7, 'Page Size', { values: { 1: 'large page' } }),
          field('G', 8, 8, 'Global'),
          FL_IGN_11_9,
          field('PAT', 12, 12, 'Page Attribute Table'),
          reserved(shift - 1, 13, fault),
          field('ADDR', 51, shift, 'Page address', { address: true }),
        ];
  return [...FL_LOW, field('D', 6, 6, 'Dirty'), ...tail, ...FL_HIGH];
}

function flSummary(v: bigint, level: number, leaf: boolean): string {
  if (!bitSet(v, 0)) return v === 0n ? 'not present' : `not present (${hex(v)})`;
  const names: [number, string][] = [
    [0, 'P'],
    [1, 'R/W'],
    [2, 'U/S'],
    [5, 'A'],
    [6, 'D'],
    [63, 'XD'],
  ];
  const parts = names.filter(([bit, name]) => bitSet(v, bit) && (leaf || name !== 'D')).map(([, name]) => name);
  if (leaf) {
    const size = pageBytes(level);
    parts.push('→', hex(v & ADDRESS_BITS & ~(size - 1n)), sizeName(size));
  } else {
    parts.push('→ table', hex(v & ADDRESS_BITS));
  }
  return parts.join(' ');
}

/** Decodes a first-level (x86-64 format) paging entry at `level`. Never throws. */
export function decodeFlEntry(value: bigint, level: number, ctx: DecodeContext = {}): Structure {
  const v = value & MASK64;
  const findings: SpecFinding[] = [];
  const lvl = normaliseLevel(level, findings);
  const ps = bitSet(v, 7);
  const leaf = lvl === 1 || ((lvl === 2 || lvl === 3) && ps);
  const decoded = decodeFields(flLayout(lvl, leaf, FR_FL_RSVD), v, ctx);
  findings.push(...decoded.findings);
  const beyond = checkAddressWidth(v, 'ADDR', 51, hostAddressWidth(ctx), FR_FL_RSVD);
  if (beyond) findings.push(beyond);
  if (ps && lvl >= 4) findings.push(rsvd('PS', `PS is reserved in a first-level ${LEVEL_NAMES[lvl]}`, FR_FL_RSVD));
  if (ps && lvl === 3 && ctx.cap !== undefined && !capInfo(ctx.cap).fl1gp) {
    findings.push(rsvd('PS', 'PS = 1 makes a 1 GiB first-level page, but CAP.FL1GP is clear', FR_FL_RSVD));
  }
  return {
    type: 'fl-entry',
    title: `First-level ${levelTitle(lvl, leaf)}`,
    width: 64,
    raw: v,
    fields: decoded.fields,
    findings: bitSet(v, 0) ? findings : withoutFault(findings, 'entry not present'),
    summary: flSummary(v, lvl, leaf),
  };
}

/** Which format a paging entry is in: a first-stage (x86-64) or a second-stage table's. */
export type PagingStage = 'first' | 'second';

/** Whether an entry of this stage is present: R or W for second stage, P for first stage. */
export function pagingEntryPresent(stage: PagingStage, value: bigint): boolean {
  return stage === 'first' ? (value & 1n) === 1n : (value & 3n) !== 0n;
}

/** The findings of a paging entry of either stage (second stage checked cheaply, see slEntryProblems). */
export function pagingEntryProblems(stage: PagingStage, value: bigint, level: number, ctx: DecodeContext = {}): SpecFinding[] {
  return stage === 'first' ? decodeFlEntry(value, level, ctx).findings : slEntryProblems(value, level, ctx);
}
