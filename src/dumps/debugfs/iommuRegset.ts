// Parser of /sys/kernel/debug/iommu/intel/iommu_regset: per unit, a header
// with the DRHD base address, then one row per register (name, offset, value).
//
// Two register orders exist. Up to v5.6 the kernel read every register with a
// 64-bit read in one list, so a 32-bit register's row also shows the next
// register in its upper half; from v5.7 the 32-bit registers come first and
// are read 32 bits wide. The order tells the two apart, and in the old order
// 32-bit rows are masked to their own 32 bits (keeping the printed value).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { MASK32 } from '../../vtd/u64';
import { LineScanner, U64Cache } from '../fastScan';
import { FieldOrder, RowColumnsCache, spanOf, type RowColumns } from '../rowColumns';
import { BaseAddressHeader } from './baseAddressHeader';
import { REGSET_REGISTERS, type RegsetRegister } from './regsetNames';
import { FindingList, addDialect, headLines, hexSmall, hexValue, isBlank, tokenSpan, tokenize, wordsAre } from './scan';

/** The fields of a register row, for spanOf(). */
type RegsetRowField = 'name' | 'offset' | 'value';

interface RegsetRow {
  kind: 'register';
  name: string;
  offset: number;
  /** The register's value (32-bit registers masked to 32 bits in pre-5.7 dumps). */
  value: bigint;
  /** The row's line; spanOf(row, field) is where a field is on it. */
  line: number;
  lineEnd: number;
  columns: RowColumns<RegsetRowField>;
  /**
   * The value as printed, for a 32-bit register of a pre-5.7 dump: the kernel
   * read it 64 bits wide, so bits 63:32 show the register 4 bytes further on.
   */
  maskedFrom?: bigint;
}

export interface RegsetUnit {
  kind: 'regset-unit';
  /** "dmar0" */
  unit: string;
  baseAddress: bigint;
  /** The unit header line. */
  span: Span;
  unitSpan: Span;
  baseSpan: Span;
  registers: RegsetRow[];
}

const WHAT = 'iommu_regset';
const OLD_ORDER = 'pre-v5.7 register order (one list, every register read 64 bits wide; 32-bit rows masked)';
const NEW_ORDER = 'v5.7+ register order (32-bit registers first)';

/** "IOMMU: dmar0 Register Base Address: fed90000" */
function parseUnitHeader(text: string, line: number): RegsetUnit | undefined {
  const t = tokenize(text, 6);
  if (t.length !== 6 || t[0].text !== 'IOMMU:' || t[2].text !== 'Register' || t[3].text !== 'Base' || t[4].text !== 'Address:') return undefined;
  const base = hexValue(t[5].text, 'optional');
  if (base === undefined) return undefined;
  return {
    kind: 'regset-unit',
    unit: t[1].text,
    baseAddress: base,
    span: lineSpan(line, text),
    unitSpan: tokenSpan(line, t[1]),
    baseSpan: tokenSpan(line, t[5]),
    registers: [],
  };
}

/** The hot path of a unit header (see baseAddressHeader.ts); undefined for any other line. */
function scanUnitHeader(sc: LineScanner, h: BaseAddressHeader): RegsetUnit | undefined {
  if (!h.scan(sc)) return undefined;
  const line = sc.line;
  const from = sc.start;
  return {
    kind: 'regset-unit',
    unit: sc.text.slice(h.nameStart, h.nameEnd),
    baseAddress: sc.hexValue(),
    span: { line, start: 0, end: sc.end - from },
    unitSpan: { line, start: h.nameStart - from, end: h.nameEnd - from },
    baseSpan: { line, start: h.baseStart - from, end: h.baseEnd - from },
    registers: [],
  };
}

/** Every known register name by a hash of its characters, so a row's name is not sliced anew. */
const NAME_BY_HASH = new Map<number, string>();
for (const name of REGSET_REGISTERS.keys()) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  // A collision leaves both names to slicing.
  NAME_BY_HASH.set(h, NAME_BY_HASH.has(h) ? '' : name);
}

const REGISTER_ROW = new FieldOrder<RegsetRowField>(['name', 'offset', 'value']);

/** What the rows of one file share: the bigints of their values and their columns. */
class RowParts {
  readonly values = new U64Cache();
  readonly columns = new RowColumnsCache<RegsetRowField>(3);

  /** The columns of a row whose name, offset and value are at [ns, ne), [os, oe), [vs, ve). */
  columnsOf(ns: number, ne: number, os: number, oe: number, vs: number, ve: number): RowColumns<RegsetRowField> {
    const b = this.columns.bounds;
    b[0] = ns;
    b[1] = ne;
    b[2] = os;
    b[3] = oe;
    b[4] = vs;
    b[5] = ve;
    return this.columns.get(REGISTER_ROW);
  }
}

/**
 * "%-16s\t0x%02x\t\t0x%016llx": the register row on the scanner's line, read
 * in one pass; undefined for any other line, and for a row this fast path
 * does not take (parseRow then reads it).
 */
function scanRow(sc: LineScanner, parts: RowParts): RegsetRow | undefined {
  const text = sc.text;
  const from = sc.start;
  const to = sc.end;
  const ns = sc.skipBlanks(from);
  let i = ns;
  let h = 0;
  const longest = ns + 33;
  while (i < to && i < longest) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) {
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    } else break;
  }
  const ne = i;
  if (ne === ns || ne - ns > 32 || !sc.wordEndsAt(i)) return undefined;
  // The offset: 0x and at most four significant digits.
  const os = sc.skipBlanks(i);
  if (!sc.has0x(os)) return undefined;
  const oe = sc.hexDigits(os + 2);
  const hex = sc.hex;
  if (oe <= os + 2 || oe - os > 18 || hex[0] !== 0 || hex[1] > 0xffff || !sc.wordEndsAt(oe)) return undefined;
  const offset = hex[1];
  // The value: 0x and at most 16 significant digits, the last word.
  const vs = sc.skipBlanks(oe);
  if (!sc.has0x(vs)) return undefined;
  // "0x%016llx" as printed, else any run of at most 16 significant digits.
  const ve = sc.hex16At(vs + 2) ? vs + 18 : sc.hexDigits(vs + 2);
  if (ve <= vs + 2 || ve - vs > 66 || !sc.restIsBlank(ve)) return undefined;
  const known = NAME_BY_HASH.get(h);
  const name = known !== undefined && known.length === ne - ns && sc.startsWithAt(ns, known) ? known : text.slice(ns, ne);
  return {
    kind: 'register',
    name,
    offset,
    value: parts.values.get(hex[0], hex[1]),
    line: sc.line,
    lineEnd: to - from,
    columns: parts.columnsOf(ns - from, ne - from, os - from, oe - from, vs - from, ve - from),
  };
}

/** "%-16s\t0x%02x\t\t0x%016llx" (any row scanRow leaves aside). */
function parseRow(text: string, line: number, parts: RowParts): RegsetRow | undefined {
  const t = tokenize(text, 3);
  if (t.length !== 3) return undefined;
  const offset = hexSmall(t[1].text, 'required', 16);
  const value = hexValue(t[2].text, 'required');
  if (offset === undefined || value === undefined) return undefined;
  if (!isRegisterName(t[0].text)) return undefined;
  return {
    kind: 'register',
    name: t[0].text,
    offset,
    value,
    line,
    lineEnd: text.length,
    columns: parts.columnsOf(t[0].start, t[0].end, t[1].start, t[1].end, t[2].start, t[2].end),
  };
}

/** Register names are upper-case words with digits and underscores. */
function isRegisterName(s: string): boolean {
  if (s.length === 0 || s.length > 32) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** Each known register's place in REGSET_REGISTERS, so that a unit can keep what it saw of it in an array. */
const REGISTER_INDEX = new Map<string, number>([...REGSET_REGISTERS.keys()].map((name, k) => [name, k]));
/** The known registers by that place. */
const REGISTER_AT: readonly RegsetRegister[] = [...REGSET_REGISTERS.values()];

/** The place of a register that is surely known. */
function indexOf(name: string): number {
  return REGISTER_INDEX.get(name) as number;
}

const CAP = indexOf('CAP');
const GCMD = indexOf('GCMD');
const CCMD = indexOf('CCMD');
const AFLOG = indexOf('AFLOG');
const VCCAP = indexOf('VCCAP');
const MTRR_PHYSMASK9 = indexOf('MTRR_PHYSMASK9');

/**
 * The checks of a unit whose rows are complete: row by row (name, offset,
 * repeats), then its register order, which masks the 32-bit rows of the old
 * order and tells `dialect` about the kernel version.
 */
function closeUnit(unit: RegsetUnit | undefined, dialect: string[], findings: FindingList): void {
  if (!unit) return;
  /** The first row of each known register, by its place in REGSET_REGISTERS. */
  const firstOf: (RegsetRow | undefined)[] = new Array<RegsetRow | undefined>(REGISTER_INDEX.size).fill(undefined);
  /** The first row of each name no kernel prints (a Map, as such names are rare). */
  let unknown: Map<string, RegsetRow> | undefined;
  /** Rows of 32-bit registers. */
  const narrow: RegsetRow[] = [];
  /** Where CAP and GCMD first appear: their order is the register order. */
  let cap = -1;
  let gcmd = -1;
  unit.registers.forEach((row, k) => {
    const index = REGISTER_INDEX.get(row.name);
    let earlier: RegsetRow | undefined;
    if (index === undefined) {
      findings.semantic('unknown-register', `${row.name} is not a register iommu_regset prints in any kernel version`, spanOf(row, 'name'), 'info');
      unknown ??= new Map();
      earlier = unknown.get(row.name);
      if (!earlier) unknown.set(row.name, row);
    } else {
      const known = REGISTER_AT[index];
      if (known.offset !== row.offset) {
        findings.semantic(
          'offset-mismatch',
          `${row.name} is at offset 0x${known.offset.toString(16)}, but this row says 0x${row.offset.toString(16)}`,
          spanOf(row, 'offset'),
        );
      }
      if (known.width === 32) narrow.push(row);
      if (index === CAP && cap < 0) cap = k;
      if (index === GCMD && gcmd < 0) gcmd = k;
      earlier = firstOf[index];
      if (!earlier) firstOf[index] = row;
    }
    if (earlier) findings.semantic('duplicate-register', `${row.name} is listed twice in ${unit.unit} (first on line ${earlier.line + 1})`, spanOf(row, 'name'));
  });

  if (cap < 0 || gcmd < 0) return;
  const oldOrder = cap < gcmd;
  addDialect(dialect, oldOrder ? OLD_ORDER : NEW_ORDER);
  for (const row of narrow) {
    if (oldOrder) {
      row.maskedFrom = row.value;
      row.value = row.value & MASK32;
    } else if (row.value > MASK32) {
      findings.semantic(
        'value-wider-than-register',
        `${row.name} is a 32-bit register read 32 bits wide in this kernel version, yet bits 63:32 are not zero`,
        spanOf(row, 'value'),
      );
    }
  }
  // Presence of the late registers dates the kernel, but only in a unit
  // whose list ran to its end (a cut paste would look like a newer kernel).
  const has = (index: number) => firstOf[index] !== undefined;
  if (oldOrder || !has(MTRR_PHYSMASK9)) return;
  addDialect(dialect, has(VCCAP) ? 'VCCAP/VCMD/VCRSP present: v6.7 or older' : 'no VCCAP/VCMD/VCRSP: v6.8 or newer');
  if (!has(CCMD) && !has(AFLOG)) addDialect(dialect, 'no AFLOG/CCMD: about v6.18 or newer');
}

export function parseIommuRegset(text: string): ParseResult<RegsetUnit> {
  const findings = new FindingList();
  const dialect: string[] = [];
  const records: RegsetUnit[] = [];
  const unitLines = new Map<string, number>();
  const cursor = new LineScanner(text);
  const headerScan = new BaseAddressHeader();
  const parts = new RowParts();
  let unit: RegsetUnit | undefined;
  /** The last "Name Offset Contents" line: the same line again is skipped after one comparison. */
  let titleLine = '';

  while (cursor.advance()) {
    const ln = cursor.line;
    // Register rows, nearly every line, and the lines around them are read
    // in place; any other line as a string.
    const fast = scanRow(cursor, parts);
    if (fast) {
      if (unit) unit.registers.push(fast);
      else findings.syntax('row-outside-unit', 'Register row before any "IOMMU: ... Register Base Address" header', spanOf(fast, 'line'));
      continue;
    }
    if (cursor.lineEquals(titleLine)) continue;
    const l = cursor.lineText();
    // (A blank line is never a header, so the header can be looked for first.)
    const header = scanUnitHeader(cursor, headerScan) ?? parseUnitHeader(l, ln);
    if (header) {
      closeUnit(unit, dialect, findings);
      const before = unitLines.get(header.unit);
      if (before !== undefined) {
        findings.semantic('duplicate-unit', `${header.unit} appears twice (first on line ${before + 1})`, header.unitSpan);
      } else unitLines.set(header.unit, ln);
      unit = header;
      records.push(header);
      continue;
    }
    if (isBlank(l)) {
      closeUnit(unit, dialect, findings);
      unit = undefined;
      continue;
    }
    const t = tokenize(l, 4);
    if (wordsAre(t, ['Name', 'Offset', 'Contents'])) {
      titleLine = l;
      continue;
    }
    if (wordsAre(t, ['IOMMU:', 'Invalid', 'base', 'address'])) {
      closeUnit(unit, dialect, findings);
      unit = undefined;
      findings.semantic('invalid-base-address', 'The kernel found a unit with register base 0 and stopped the dump here', lineSpan(ln, l));
      continue;
    }
    const row = parseRow(l, ln, parts);
    if (row) {
      if (unit) unit.registers.push(row);
      else findings.syntax('row-outside-unit', 'Register row before any "IOMMU: ... Register Base Address" header', spanOf(row, 'line'));
      continue;
    }
    findings.unrecognised(ln, l, WHAT);
  }
  closeUnit(unit, dialect, findings);
  return { format: 'iommu_regset', dialect, records, findings: findings.done(), lineCount: cursor.count };
}

/** iommu_regset starts with a unit header followed by the "Name Offset Contents" line. */
export function looksLikeIommuRegset(head: string): boolean {
  const [first, second] = headLines(head, 2);
  if (first === undefined) return false;
  if (first === 'IOMMU: Invalid base address') return true;
  if (!first.startsWith('IOMMU: ') || !first.includes(' Register Base Address:')) return false;
  return second !== undefined && wordsAre(tokenize(second, 4), ['Name', 'Offset', 'Contents']);
}
