// Parser of /sys/kernel/debug/iommu/intel/invalidation_queue (v5.8+): per
// unit with queued invalidation, the ring's base, Head and Tail (descriptor
// indices) and all 256 slots with the software status of each.
// Units that can run in scalable mode use 256-bit descriptors (qw0..qw3);
// others 128-bit ones (qw0, qw1). Values are printed without 0x.

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { LineScanner, U64Cache } from '../fastScan';
import { FieldOrder, RowColumnsCache, spanOf, type RowColumns } from '../rowColumns';
import { RepeatCheck } from '../repeatCheck';
import { FindingList, addDialect, decimalValue, headLines, hexValue, isBlank, tokenSpan, tokenize, wordsAre, type Token } from './scan';

/** The fields of a descriptor row, for spanOf(): qw2 and qw3 only on 256-bit rows. */
type InvQueueRowField = 'index' | 'qw0' | 'qw1' | 'qw2' | 'qw3' | 'status';

/** The field of each qword, lowest first. */
export const QWORD_FIELDS = ['qw0', 'qw1', 'qw2', 'qw3'] as const;

interface InvQueueRow {
  kind: 'inv-desc-row';
  index: number;
  /** qw0, qw1[, qw2, qw3]: lowest first. */
  qwords: bigint[];
  /** desc_status[index]: 0 free, 1 in use, 2 done, 3 abort. */
  status: bigint;
  /** The row's line; spanOf(row, field) is where a field is on it. */
  line: number;
  lineEnd: number;
  columns: RowColumns<InvQueueRowField>;
}

const NARROW_ROW = new FieldOrder<InvQueueRowField>(['index', 'qw0', 'qw1', 'status']);
const WIDE_ROW = new FieldOrder<InvQueueRowField>(['index', 'qw0', 'qw1', 'qw2', 'qw3', 'status']);

export interface InvQueueUnit {
  kind: 'inv-queue';
  unit: string;
  /** Physical address of the descriptor ring. */
  base: bigint;
  /** Head and Tail as descriptor indices (IQH/IQT shifted by the descriptor size). */
  head: number;
  tail: number;
  /** 256-bit descriptors (the unit supports scalable mode). */
  wide: boolean;
  /** The "Invalidation queue on IOMMU" line. */
  span: Span;
  baseSpan?: Span;
  headSpan?: Span;
  tailSpan?: Span;
  descriptors: InvQueueRow[];
}

const WHAT = 'invalidation_queue';
/** QI_LENGTH: slots in the ring. */
const RING_SLOTS = 256;
const HEADER_NARROW = ['Index', 'qw0', 'qw1', 'status'];
const HEADER_WIDE = ['Index', 'qw0', 'qw1', 'qw2', 'qw3', 'status'];

/** " Base: 0x%llx\tHead: %lld\tTail: %lld" */
function parseBaseLine(text: string, line: number, unit: InvQueueUnit): boolean {
  const t = tokenize(text, 6);
  if (t.length !== 6 || t[0].text !== 'Base:' || t[2].text !== 'Head:' || t[4].text !== 'Tail:') return false;
  const base = hexValue(t[1].text, 'optional');
  const head = decimalValue(t[3].text);
  const tail = decimalValue(t[5].text);
  if (base === undefined || head === undefined || tail === undefined) return false;
  unit.base = base;
  unit.head = head;
  unit.tail = tail;
  unit.baseSpan = tokenSpan(line, t[1]);
  unit.headSpan = tokenSpan(line, t[3]);
  unit.tailSpan = tokenSpan(line, t[5]);
  return true;
}

/**
 * Reads the descriptor rows of one file: the hot path reads a row in place
 * in one pass (index, then two or four qwords and the status, each at most
 * 16 hex digits); parse() reads any other row from its words.
 */
class RowReader {
  private readonly values = new U64Cache();
  private readonly columns = new RowColumnsCache<InvQueueRowField>(6);
  private readonly words: bigint[] = [0n, 0n, 0n, 0n, 0n];

  /** The row on the scanner's line, or undefined for any other line and a row in another shape. */
  scan(sc: LineScanner): InvQueueRow | undefined {
    const from = sc.start;
    const is = sc.skipBlanks(from);
    const ie = sc.decimalDigits(is);
    if (ie <= is || ie - is > 9 || !sc.wordEndsAt(ie)) return undefined;
    const index = sc.decimal;
    const bounds = this.columns.bounds;
    const words = this.words;
    const hex = sc.hex;
    bounds[0] = is - from;
    bounds[1] = ie - from;
    let n = 0;
    let i = sc.skipBlanks(ie);
    while (i < sc.end) {
      if (n === 5) return undefined;
      // "%016llx" as printed, else any run of at most 16 digits.
      const e = sc.hex16At(i) ? i + 16 : sc.hexDigits(i);
      if (e <= i || e - i > 16 || !sc.wordEndsAt(e)) return undefined;
      bounds[2 + 2 * n] = i - from;
      bounds[3 + 2 * n] = e - from;
      words[n++] = this.values.get(hex[0], hex[1]);
      i = sc.skipBlanks(e);
    }
    if (n !== 3 && n !== 5) return undefined;
    const qwords = n === 3 ? [words[0], words[1]] : [words[0], words[1], words[2], words[3]];
    return { kind: 'inv-desc-row', index, qwords, status: words[n - 1], line: sc.line, lineEnd: sc.end - from, columns: this.columns.get(n === 3 ? NARROW_ROW : WIDE_ROW) };
  }

  /** "%5d\t%016llx\t%016llx[\t%016llx\t%016llx]\t%016x" read from its words. */
  parse(text: string, line: number): InvQueueRow | undefined {
    const t = tokenize(text, 6);
    if (t.length !== 4 && t.length !== 6) return undefined;
    const index = decimalValue(t[0].text);
    if (index === undefined || index < 0) return undefined;
    const qwords: bigint[] = [];
    for (let k = 1; k < t.length - 1; k++) {
      const v = hexValue(t[k].text, 'none');
      if (v === undefined) return undefined;
      qwords.push(v);
    }
    const status = hexValue(t[t.length - 1].text, 'none');
    if (status === undefined) return undefined;
    return { kind: 'inv-desc-row', index, qwords, status, line, lineEnd: text.length, columns: this.columnsOf(t, t.length === 4 ? NARROW_ROW : WIDE_ROW) };
  }

  private columnsOf(t: Token[], order: FieldOrder<InvQueueRowField>): RowColumns<InvQueueRowField> {
    const bounds = this.columns.bounds;
    t.forEach((token, k) => {
      bounds[2 * k] = token.start;
      bounds[2 * k + 1] = token.end;
    });
    return this.columns.get(order);
  }
}

function checkUnit(unit: InvQueueUnit, findings: FindingList): void {
  for (const [name, value, span] of [
    ['Head', unit.head, unit.headSpan],
    ['Tail', unit.tail, unit.tailSpan],
  ] as const) {
    if (span && (value < 0 || value >= RING_SLOTS)) {
      findings.semantic('index-beyond-ring', `${name} ${value} is outside the ${RING_SLOTS}-slot ring`, span);
    }
  }
  const rows = unit.descriptors;
  const repeats = new RepeatCheck((k) => rows[k].index);
  let expected = 0;
  let orderReported = false;
  for (let k = 0; k < rows.length; k++) {
    const d = rows[k];
    if (repeats.isRepeat(k)) findings.semantic('duplicate-index', `Slot ${d.index} is listed twice in ${unit.unit}`, spanOf(d, 'index'));
    else if (d.index >= RING_SLOTS) findings.semantic('index-beyond-ring', `Slot ${d.index} is outside the ${RING_SLOTS}-slot ring`, spanOf(d, 'index'));
    else if (d.index !== expected && !orderReported) {
      orderReported = true;
      findings.semantic('rows-out-of-order', `Slot ${expected} was expected here (the kernel prints slots 0 to ${RING_SLOTS - 1} in order)`, spanOf(d, 'index'), 'info');
    }
    expected = d.index + 1;
    if (d.status > 3n) findings.semantic('unknown-status', `Status ${d.status} is none of free (0), in use (1), done (2), abort (3)`, spanOf(d, 'status'), 'info');
  }
  if (unit.descriptors.length > 0 && unit.descriptors.length !== RING_SLOTS) {
    findings.semantic('ring-incomplete', `${unit.unit} lists ${unit.descriptors.length} slots; the kernel prints all ${RING_SLOTS}`, unit.span, 'info');
  }
  if (unit.descriptors.length > 0 && !unit.baseSpan) {
    findings.syntax('missing-base-line', `${unit.unit} has no " Base: … Head: … Tail: …" line`, unit.span);
  }
}

export function parseInvalidationQueue(text: string): ParseResult<InvQueueUnit> {
  const findings = new FindingList();
  const dialect: string[] = [];
  const records: InvQueueUnit[] = [];
  const sc = new LineScanner(text);
  const rows = new RowReader();
  let unit: InvQueueUnit | undefined;
  /** Width the header announced, until a blank line ends the unit. */
  let headerWide: boolean | undefined;
  /** The last column header line and its width: the same line again costs one comparison. */
  let headerLine = '';
  let headerLineWide = false;

  while (sc.advance()) {
    const ln = sc.line;
    // Descriptor rows, nearly every line, and the lines around them are read in place.
    let row = rows.scan(sc);
    if (!row) {
      if (sc.lineEquals(headerLine)) {
        headerWide = headerLineWide;
        if (unit) unit.wide = headerWide;
        continue;
      }
      const l = sc.lineText();
      if (isBlank(l)) {
        unit = undefined;
        headerWide = undefined;
        continue;
      }
      const t = tokenize(l, 6);
      if (t.length === 5 && wordsAre(t.slice(0, 4), ['Invalidation', 'queue', 'on', 'IOMMU:'])) {
        unit = { kind: 'inv-queue', unit: t[4].text, base: 0n, head: 0, tail: 0, wide: false, span: lineSpan(ln, l), descriptors: [] };
        headerWide = undefined;
        records.push(unit);
        continue;
      }
      if (unit && parseBaseLine(l, ln, unit)) continue;
      if (wordsAre(t, HEADER_NARROW) || wordsAre(t, HEADER_WIDE)) {
        headerWide = t.length === HEADER_WIDE.length;
        if (unit) unit.wide = headerWide;
        headerLine = l;
        headerLineWide = headerWide;
        continue;
      }
      row = rows.parse(l, ln);
      if (!row) {
        findings.unrecognised(ln, l, WHAT);
        continue;
      }
    }
    const wide = row.qwords.length === 4;
    if (!unit) findings.syntax('row-outside-unit', 'Descriptor row before any "Invalidation queue on IOMMU" line', spanOf(row, 'line'));
    else if (headerWide !== undefined && wide !== headerWide) {
      findings.syntax('row-width', `A ${wide ? '256' : '128'}-bit row under a ${headerWide ? '256' : '128'}-bit header`, spanOf(row, 'line'));
    } else if (unit.descriptors.length > 0 && wide !== unit.wide) {
      findings.syntax('row-width', 'Descriptor rows of different widths in one unit', spanOf(row, 'line'));
    } else {
      if (unit.descriptors.length === 0) unit.wide = wide;
      unit.descriptors.push(row);
    }
  }
  for (const u of records) {
    checkUnit(u, findings);
    if (u.descriptors.length > 0) addDialect(dialect, u.wide ? '256-bit descriptors (scalable-mode capable unit)' : '128-bit descriptors');
  }
  return { format: 'invalidation_queue', dialect, records, findings: findings.done(), lineCount: sc.count };
}

/** Starts with "Invalidation queue on IOMMU:". */
export function looksLikeInvalidationQueue(head: string): boolean {
  const [first] = headLines(head, 1);
  return first !== undefined && first.startsWith('Invalidation queue on IOMMU:');
}
