// Parser of /sys/kernel/debug/iommu/intel/ir_translation_struct: the present
// interrupt remapping table entries, in two passes over the units. First the
// remapped entries ("Remapped Interrupt supported on IOMMU: %s", rows with
// DstID), then after a "****" line the posted ones ("Posted Interrupt
// supported on IOMMU: %s", rows with the posted-descriptor address halves).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { LineScanner, isBlankCode } from '../fastScan';
import { IR_ROW, IrRowScanner } from './irRowScanner';
import { spanOf, type RowColumns } from '../rowColumns';
import { RepeatCheck } from '../repeatCheck';
import { FindingList, addDialect, decimalValue, headLines, hexSmall, hexValue, isBlank, parseBdf, sidOf, tokenize, wordsAre } from './scan';

/** The fields of an IRTE row, for spanOf(). */
export type IrRowField = 'index' | 'sid' | 'hi' | 'lo';

export interface IrRow {
  kind: 'irte-row';
  index: number;
  /** Source id as printed: bus << 8 | dev << 3 | fn. */
  sid: number;
  /** DstID column (IRTE bits 63:32) of a remapped entry. */
  destId?: number;
  /** PDA_high column (IRTE bits 127:96) of a posted entry. */
  pdaHigh?: number;
  /** PDA_low column of a posted entry: bits 63:38 shifted back to a byte address. */
  pdaLow?: number;
  vector: number;
  hi: bigint;
  lo: bigint;
  /** The row's line; spanOf(row, field) is where a field is on it. */
  line: number;
  lineEnd: number;
  columns: RowColumns<IrRowField>;
}

export interface IrUnitTable {
  kind: 'ir-unit';
  section: 'remapped' | 'posted';
  unit: string;
  tableAddress?: bigint;
  tableAddressSpan?: Span;
  /** "Interrupt Remapping is not enabled" (no table, or IRES clear). */
  notEnabled?: boolean;
  /** The "… Interrupt supported on IOMMU" line. */
  span: Span;
  entries: IrRow[];
}

const WHAT = 'ir_translation_struct';
const MAX_INDEX = 65535;

/** " IR table address:1200000" (no space after the colon; tolerated). */
function parseTableAddress(text: string, line: number): { value: bigint; span: Span } | undefined {
  const t = tokenize(text, 4);
  if (t.length < 3 || t[0].text !== 'IR' || t[1].text !== 'table') return undefined;
  let digits: string;
  let start: number;
  if (t.length === 3 && t[2].text.startsWith('address:')) {
    digits = t[2].text.slice('address:'.length);
    start = t[2].start + 'address:'.length;
  } else if (t.length === 4 && t[2].text === 'address:') {
    digits = t[3].text;
    start = t[3].start;
  } else return undefined;
  const value = hexValue(digits, 'optional');
  return value === undefined ? undefined : { value, span: { line, start, end: start + digits.length } };
}

/**
 * Remapped: " %-5d %02x:%02x.%01x %08x %02x  %016llx\t%016llx";
 * posted:   " %-5d %02x:%02x.%01x %08x %08x %02x  %016llx\t%016llx".
 */
function parseRow(text: string, line: number, rows: IrRowScanner): IrRow | undefined {
  const t = tokenize(text, 7);
  if (t.length !== 6 && t.length !== 7) return undefined;
  const posted = t.length === 7;
  const index = decimalValue(t[0].text);
  const bdf = parseBdf(t[1].text);
  const a = hexSmall(t[2].text, 'none');
  const b = posted ? hexSmall(t[3].text, 'none') : 0;
  const vector = hexSmall(t[t.length - 3].text, 'none', 8);
  const hi = hexValue(t[t.length - 2].text, 'none');
  const lo = hexValue(t[t.length - 1].text, 'none');
  if (index === undefined || index < 0 || !bdf || a === undefined || b === undefined || vector === undefined || hi === undefined || lo === undefined) return undefined;
  const bounds = rows.columns.bounds;
  [t[0], t[1], t[t.length - 2], t[t.length - 1]].forEach((token, k) => {
    bounds[2 * k] = token.start;
    bounds[2 * k + 1] = token.end;
  });
  const row: IrRow = { kind: 'irte-row', index, sid: sidOf(bdf), vector, hi, lo, line, lineEnd: text.length, columns: rows.columns.get(IR_ROW) };
  if (posted) {
    row.pdaHigh = a;
    row.pdaLow = b;
  } else row.destId = a;
  return row;
}

/** The 32-bit words (bits 127:96, 95:64, 63:32, 31:0) of a row's IRTE. */
function irteWords(row: IrRow, out: Uint32Array): Uint32Array {
  out[0] = Number(row.hi >> 32n);
  out[1] = Number(row.hi & 0xffffffffn);
  out[2] = Number(row.lo >> 32n);
  out[3] = Number(row.lo & 0xffffffffn);
  return out;
}

/**
 * The printed columns are copies of IRTE fields: a mismatch means an edited
 * or garbled row. `w` holds the IRTE's 32-bit words, highest first.
 */
function checkColumns(row: IrRow, w: Uint32Array, findings: FindingList): void {
  const sidOk = (w[1] & 0xffff) === row.sid;
  const vectorOk = ((w[3] >>> 16) & 0xff) === row.vector;
  const destOk = row.destId === undefined || w[2] === row.destId;
  const pdaHighOk = row.pdaHigh === undefined || w[0] === row.pdaHigh;
  const pdaLowOk = row.pdaLow === undefined || (w[2] & 0xffffffc0) >>> 0 === row.pdaLow;
  if (sidOk && vectorOk && destOk && pdaHighOk && pdaLowOk) return;
  const problems: string[] = [];
  if (!sidOk) problems.push('SrcID is not IRTE bits 79:64');
  if (!vectorOk) problems.push('Vct is not IRTE bits 23:16');
  if (!destOk) problems.push('DstID is not IRTE bits 63:32');
  if (!pdaHighOk) problems.push('PDA_high is not IRTE bits 127:96');
  if (!pdaLowOk) problems.push('PDA_low is not IRTE bits 63:38 << 6');
  findings.semantic('column-mismatch', `IRTE ${row.index}: ${problems.join('; ')}`, spanOf(row, 'line'));
}

function checkUnit(unit: IrUnitTable, findings: FindingList): void {
  let prev = -1;
  let orderReported = false;
  const rows = unit.entries;
  const repeats = new RepeatCheck((k) => rows[k].index);
  for (let k = 0; k < rows.length; k++) {
    const e = rows[k];
    if (repeats.isRepeat(k)) findings.semantic('duplicate-index', `IRTE ${e.index} is listed twice in ${unit.unit}`, spanOf(e, 'index'));
    else if (e.index < prev && !orderReported) {
      orderReported = true;
      findings.semantic('rows-out-of-order', 'IRTE indices stop ascending here (the kernel prints them in order)', spanOf(e, 'index'), 'info');
    }
    prev = Math.max(prev, e.index);
    if (e.index > MAX_INDEX) findings.semantic('index-out-of-range', `IRTE index ${e.index} is beyond the 65536-entry table`, spanOf(e, 'index'));
  }
}

const REMAPPED_HEAD = 'Remapped Interrupt supported on IOMMU: ';
const POSTED_HEAD = 'Posted Interrupt supported on IOMMU: ';

/** "Remapped|Posted Interrupt supported on IOMMU: %s" with single spaces, read in place; undefined for anything else. */
function scanUnitLine(sc: LineScanner): { section: 'remapped' | 'posted'; name: string } | undefined {
  const from = sc.start;
  const section = sc.startsWithAt(from, REMAPPED_HEAD) ? 'remapped' : sc.startsWithAt(from, POSTED_HEAD) ? 'posted' : undefined;
  if (!section) return undefined;
  const ns = from + (section === 'remapped' ? REMAPPED_HEAD : POSTED_HEAD).length;
  let ne = ns;
  while (ne < sc.end && !isBlankCode(sc.text.charCodeAt(ne))) ne++;
  if (ne === ns || !sc.restIsBlank(ne)) return undefined;
  return { section, name: sc.text.slice(ns, ne) };
}

const ADDRESS_HEAD = 'IR table address:';

/** " IR table address:%llx" (no space after the colon), read in place; undefined for anything else. */
function scanTableAddress(sc: LineScanner): { value: bigint; span: Span } | undefined {
  const as = sc.skipBlanks(sc.start);
  if (!sc.startsWithAt(as, ADDRESS_HEAD)) return undefined;
  const ds = as + ADDRESS_HEAD.length;
  const digits = sc.has0x(ds) ? ds + 2 : ds;
  const de = sc.hexDigits(digits);
  if (de <= digits || de - ds > 66 || !sc.restIsBlank(de)) return undefined;
  return { value: sc.hexValue(), span: { line: sc.line, start: ds - sc.start, end: de - sc.start } };
}

export function parseIrTranslation(text: string): ParseResult<IrUnitTable> {
  const findings = new FindingList();
  const dialect: string[] = [];
  const records: IrUnitTable[] = [];
  const sc = new LineScanner(text);
  const rows = new IrRowScanner();
  const words = new Uint32Array(4);
  let section: 'remapped' | 'posted' = 'remapped';
  let unit: IrUnitTable | undefined;

  const addRow = (row: IrRow, w: Uint32Array) => {
    const posted = row.pdaHigh !== undefined;
    if (!unit) findings.syntax('row-outside-unit', 'IRTE row outside a unit', spanOf(row, 'line'));
    else if (posted !== (unit.section === 'posted')) {
      findings.syntax('row-shape', `A ${posted ? 'posted' : 'remapped'} row in a ${unit.section} unit`, spanOf(row, 'line'));
    } else {
      unit.entries.push(row);
      checkColumns(row, w, findings);
    }
  };

  const openUnit = (s: 'remapped' | 'posted', name: string, span: Span) => {
    if (s === 'remapped' && section === 'posted') findings.semantic('section-order', 'A remapped-entries unit after the "****" line (the kernel prints all remapped units first)', span, 'info');
    section = s;
    if (s === 'posted') addDialect(dialect, 'posted-interrupt section (units with CAP.PI)');
    unit = { kind: 'ir-unit', section: s, unit: name, span, entries: [] };
    records.push(unit);
  };
  /** The last column header line: the same line again is skipped after one comparison. */
  let columnsLine = '';

  while (sc.advance()) {
    const ln = sc.line;
    // IRTE rows, nearly every line, and the lines around them are read in place.
    const fast = rows.scan(sc);
    if (fast) {
      addRow(fast, rows.words);
      continue;
    }
    if (sc.lineEquals(columnsLine)) continue;
    const fastUnit = scanUnitLine(sc);
    if (fastUnit) {
      openUnit(fastUnit.section, fastUnit.name, { line: ln, start: 0, end: sc.end - sc.start });
      continue;
    }
    const fastAddress = unit ? scanTableAddress(sc) : undefined;
    if (fastAddress && unit) {
      unit.tableAddress = fastAddress.value;
      unit.tableAddressSpan = fastAddress.span;
      continue;
    }
    const l = sc.lineText();
    if (isBlank(l)) {
      unit = undefined;
      continue;
    }
    const t = tokenize(l, 8);
    if (t.length === 6 && (t[0].text === 'Remapped' || t[0].text === 'Posted') && wordsAre(t.slice(1, 5), ['Interrupt', 'supported', 'on', 'IOMMU:'])) {
      openUnit(t[0].text === 'Remapped' ? 'remapped' : 'posted', t[5].text, lineSpan(ln, l));
      continue;
    }
    if (t.length === 1 && t[0].text === '****') {
      unit = undefined;
      section = 'posted';
      continue;
    }
    if (wordsAre(t, ['Interrupt', 'Remapping', 'is', 'not', 'enabled'])) {
      if (unit) unit.notEnabled = true;
      else findings.syntax('line-outside-unit', '"Interrupt Remapping is not enabled" outside a unit', lineSpan(ln, l));
      continue;
    }
    const addr = parseTableAddress(l, ln);
    if (addr) {
      if (unit) {
        unit.tableAddress = addr.value;
        unit.tableAddressSpan = addr.span;
      } else findings.syntax('line-outside-unit', 'IR table address outside a unit', lineSpan(ln, l));
      continue;
    }
    if (wordsAre(t, ['Entry', 'SrcID', 'DstID', 'Vct', 'IRTE_high', 'IRTE_low']) || wordsAre(t, ['Entry', 'SrcID', 'PDA_high', 'PDA_low', 'Vct', 'IRTE_high', 'IRTE_low'])) {
      columnsLine = l;
      continue;
    }
    const row = parseRow(l, ln, rows);
    if (row) {
      addRow(row, irteWords(row, words));
      continue;
    }
    findings.unrecognised(ln, l, WHAT);
  }
  for (const u of records) checkUnit(u, findings);
  return { format: 'ir_translation_struct', dialect, records, findings: findings.done(), lineCount: sc.count };
}

/** Starts with "Remapped Interrupt supported on IOMMU:" (or the posted pass). */
export function looksLikeIrTranslation(head: string): boolean {
  const [first] = headLines(head, 1);
  if (first === undefined) return false;
  return /^(Remapped|Posted) Interrupt supported on IOMMU:/.test(first) || first === '****';
}
