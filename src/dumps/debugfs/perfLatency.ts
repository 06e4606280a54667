// Parser of /sys/kernel/debug/iommu/intel/dmar_perf_latency (v5.14+,
// CONFIG_DMAR_PERF): per unit the same header as iommu_regset, a column
// title line, then one line per enabled latency type with seven histogram
// bucket counts and min, max, average in microseconds ("%12lld" each).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { LineScanner, U64Cache, isBlankCode } from '../fastScan';
import { FieldOrder, RowColumnsCache, spanOf, type RowColumns } from '../rowColumns';
import { BaseAddressHeader } from './baseAddressHeader';
import { FindingList, addDialect, headLines, hexValue, isBlank, tokenize, wordsAre, type Token } from './scan';

/** The fields of a latency row, for spanOf(): the type, and value k as `value${k}`. */
type PerfLatencyRowField = 'type' | `value${number}`;

interface PerfLatencyRow {
  kind: 'perf-row';
  /** inv_iotlb, inv_devtlb, inv_iec, svm_prq */
  type: string;
  /** Seven bucket counts, then min, max, average (µs). */
  values: number[];
  /** The row's line; spanOf(row, field) is where a field is on it. */
  line: number;
  lineEnd: number;
  columns: RowColumns<PerfLatencyRowField>;
}

export interface PerfLatencyUnit {
  kind: 'perf-unit';
  unit: string;
  baseAddress: bigint;
  /** The unit header line. */
  span: Span;
  /**
   * Column titles as printed ("<0.1us" … "average(us)"); empty until the
   * title line. Units under the same title line share one array.
   */
  columns: readonly string[];
  rows: PerfLatencyRow[];
}

const WHAT = 'dmar_perf_latency';
/** The titles perf.c prints, in order. */
export const PERF_COLUMNS = ['<0.1us', '0.1us-1us', '1us-10us', '10us-100us', '100us-1ms', '1ms-10ms', '>=10ms', 'min(us)', 'max(us)', 'average(us)'];
const TYPES = ['inv_iotlb', 'inv_devtlb', 'inv_iec', 'svm_prq'];
/** Most values a row is read with (one more than the kernel prints, so that a long row is told apart). */
const MAX_VALUES = 11;

/** The fields of a row of n values, by n. */
const ROW_ORDERS: FieldOrder<PerfLatencyRowField>[] = [];
for (let n = 0; n <= MAX_VALUES; n++) {
  const names: PerfLatencyRowField[] = ['type'];
  for (let k = 0; k < n; k++) names.push(`value${k}`);
  ROW_ORDERS.push(new FieldOrder(names));
}

/** What the rows and headers of one file share: their columns and the bigints of base addresses. */
class FileParts {
  readonly columns = new RowColumnsCache<PerfLatencyRowField>(1 + MAX_VALUES);
  readonly addresses = new U64Cache();

  /** The RowColumns of a row from its words: the type, then the values. */
  columnsOf(words: readonly Token[]): RowColumns<PerfLatencyRowField> {
    const b = this.columns.bounds;
    words.forEach((w, k) => {
      b[2 * k] = w.start;
      b[2 * k + 1] = w.end;
    });
    return this.columns.get(ROW_ORDERS[words.length - 1]);
  }
}

/** "IOMMU: %s Register Base Address: %llx" (shared with iommu_regset). */
function parseUnitHeader(text: string, line: number): PerfLatencyUnit | undefined {
  const t = tokenize(text, 6);
  if (t.length !== 6 || t[0].text !== 'IOMMU:' || !wordsAre(t.slice(2, 5), ['Register', 'Base', 'Address:'])) return undefined;
  const base = hexValue(t[5].text, 'optional');
  if (base === undefined) return undefined;
  return { kind: 'perf-unit', unit: t[1].text, baseAddress: base, span: lineSpan(line, text), columns: [], rows: [] };
}

/** A "%12lld" value: digits only (a count or a time cannot be negative). */
function count(text: string): number | undefined {
  if (text.length === 0 || text.length > 20) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(text);
}

function parseRow(text: string, line: number, findings: FindingList, parts: FileParts): PerfLatencyRow | undefined {
  const t = tokenize(text, 1 + MAX_VALUES);
  if (t.length < 2 || t.length > 1 + MAX_VALUES || count(t[0].text) !== undefined) return undefined;
  const values: number[] = [];
  for (let k = 1; k < t.length; k++) {
    const v = count(t[k].text);
    if (v === undefined) return undefined;
    values.push(v);
  }
  const row: PerfLatencyRow = { kind: 'perf-row', type: t[0].text, values, line, lineEnd: text.length, columns: parts.columnsOf(t) };
  for (let k = 0; k < values.length; k++) {
    if (!Number.isSafeInteger(values[k])) findings.semantic('inexact-value', 'Value above 2^53: shown rounded', spanOf(row, `value${k}`), 'info');
  }
  return row;
}

const TITLE_WORD = PERF_COLUMNS[0];

/** The hot path of a unit header (see baseAddressHeader.ts); undefined for any other line. */
function scanUnitHeader(sc: LineScanner, h: BaseAddressHeader, parts: FileParts): PerfLatencyUnit | undefined {
  if (!h.scan(sc)) return undefined;
  const baseAddress = parts.addresses.get(sc.hex[0], sc.hex[1]);
  return { kind: 'perf-unit', unit: sc.text.slice(h.nameStart, h.nameEnd), baseAddress, span: { line: sc.line, start: 0, end: sc.end - sc.start }, columns: NO_COLUMNS, rows: [] };
}

/** The columns of a unit before its title line. */
const NO_COLUMNS: readonly string[] = Object.freeze([]);

/**
 * The hot path of a latency row: a type, then at most 11 counts of at most 15
 * digits (exact numbers); undefined for any other line (parseRow then reads it).
 */
function scanRow(sc: LineScanner, parts: FileParts): PerfLatencyRow | undefined {
  const from = sc.start;
  const ts = sc.skipBlanks(from);
  const c0 = sc.text.charCodeAt(ts);
  if (ts >= sc.end || (c0 >= 48 && c0 <= 57)) return undefined;
  let te = ts;
  while (te < sc.end && !isBlankCode(sc.text.charCodeAt(te))) te++;
  // A title line is never a row, even cut short after a number.
  if (te - ts === TITLE_WORD.length && sc.startsWithAt(ts, TITLE_WORD)) return undefined;
  const values: number[] = [];
  const bounds = parts.columns.bounds;
  bounds[0] = ts - from;
  bounds[1] = te - from;
  let i = sc.skipBlanks(te);
  while (i < sc.end) {
    if (values.length === MAX_VALUES) return undefined;
    const e = sc.decimalDigits(i);
    if (e <= i || !sc.wordEndsAt(e)) return undefined;
    bounds[2 + 2 * values.length] = i - from;
    bounds[3 + 2 * values.length] = e - from;
    values.push(sc.decimal);
    i = sc.skipBlanks(e);
  }
  if (values.length === 0) return undefined;
  return { kind: 'perf-row', type: sc.text.slice(ts, te), values, line: sc.line, lineEnd: sc.end - from, columns: parts.columns.get(ROW_ORDERS[values.length]) };
}

/** The last column title line read, so that the same line again costs one comparison. */
interface TitleLine {
  text: string;
  /** The titles, shared by the units under this line. */
  columns: readonly string[];
  expected: boolean;
}

export function parsePerfLatency(text: string): ParseResult<PerfLatencyUnit> {
  const sc = new LineScanner(text);
  const findings = new FindingList();
  const dialect: string[] = [];
  const records: PerfLatencyUnit[] = [];
  let unit: PerfLatencyUnit | undefined;
  let title: TitleLine | undefined;
  const headerScan = new BaseAddressHeader();
  const parts = new FileParts();

  while (sc.advance()) {
    const ln = sc.line;
    // Headers, title lines and rows in their usual shape are read in place.
    const fastHeader = scanUnitHeader(sc, headerScan, parts);
    if (fastHeader) {
      unit = fastHeader;
      records.push(unit);
      continue;
    }
    if (title && sc.lineEquals(title.text)) {
      placeTitle(title, unit, ln, findings);
      continue;
    }
    const fastRow = scanRow(sc, parts);
    if (fastRow) {
      placeRow(fastRow, unit, findings);
      continue;
    }
    const l = sc.lineText();
    if (isBlank(l)) {
      unit = undefined;
      continue;
    }
    const header = parseUnitHeader(l, ln);
    if (header) {
      unit = header;
      records.push(unit);
      continue;
    }
    const t = tokenize(l, 12);
    if (t.length > 0 && t[0].text === TITLE_WORD) {
      title = { text: l, columns: Object.freeze(t.map((x) => x.text)), expected: wordsAre(t, PERF_COLUMNS) };
      placeTitle(title, unit, ln, findings);
      continue;
    }
    if (wordsAre(t, ['Failed', 'to', 'get', 'latency', 'snapshot'])) {
      findings.semantic('snapshot-failed', 'The kernel could not take the latency snapshot', lineSpan(ln, l));
      continue;
    }
    const row = parseRow(l, ln, findings, parts);
    if (row) {
      placeRow(row, unit, findings);
      continue;
    }
    findings.unrecognised(ln, l, WHAT);
  }

  const types: string[] = [];
  for (const u of records) for (const r of u.rows) if (!types.includes(r.type)) types.push(r.type);
  if (records.length > 0) {
    addDialect(dialect, types.length === 0 ? 'no latency type enabled (title line only)' : `sampled types: ${types.join(', ')}`);
    if (types.includes('svm_prq')) addDialect(dialect, 'svm_prq row: page-request latency (v5.14, before its removal)');
  }
  return { format: 'dmar_perf_latency', dialect, records, findings: findings.done(), lineCount: sc.count };
}

/** The column titles of line `ln` go to the unit. */
function placeTitle(title: TitleLine, unit: PerfLatencyUnit | undefined, ln: number, findings: FindingList): void {
  if (!unit) findings.syntax('line-outside-unit', 'Column titles before any "IOMMU: … Register Base Address" header', lineSpan(ln, title.text));
  else unit.columns = title.columns;
  if (!title.expected) findings.semantic('unexpected-columns', 'The column titles differ from those the kernel prints', lineSpan(ln, title.text), 'info');
}

function placeRow(row: PerfLatencyRow, unit: PerfLatencyUnit | undefined, findings: FindingList): void {
  if (!unit) findings.syntax('row-outside-unit', 'Latency row before any unit header', spanOf(row, 'line'));
  else if (row.values.length !== PERF_COLUMNS.length) {
    findings.syntax('row-width', `A latency row has ${PERF_COLUMNS.length} values; this one has ${row.values.length}`, spanOf(row, 'line'));
  } else {
    if (!TYPES.includes(row.type)) findings.semantic('unknown-type', `"${row.type}" is not a latency type the kernel samples`, spanOf(row, 'type'), 'info');
    if (unit.rows.some((r) => r.type === row.type)) findings.semantic('duplicate-type', `${row.type} is listed twice in ${unit.unit}`, spanOf(row, 'type'));
    unit.rows.push(row);
  }
}

/** The regset-style unit header followed by the "<0.1us …" title line. */
export function looksLikePerfLatency(head: string): boolean {
  const [first, second] = headLines(head, 2);
  if (first === undefined || !first.startsWith('IOMMU: ') || !first.includes(' Register Base Address:')) return false;
  return second !== undefined && second.startsWith('<0.1us');
}
