// Parser of /sys/kernel/debug/iommu/intel/dmar_translation_struct: the root
// and context entries (and, in scalable mode, PASID table entries) per unit.
//
// Three layouts exist:
// - v4.20 – v5.2: "IOMMU dmar0: Root Table Address:<hex>", then per present
//   bus a " Bus: %d H: %llx L: %llx" line and rows
//   "  %-5d\t%02x:%02x.%x\t%-6llx\t%llx" (devfn in decimal, hi, lo);
// - the May 2019 intermediate one (v3 of the patch that brought the next
//   layout): a "B.D.F\tRoot_entry\t\t\t\tContext_entry" header and rows of
//   three fields "%02x:%02x.%x\t0x%016llx:0x%016llx\t0x%016llx:0x%016llx";
// - v5.3 on: one header line and rows of five TAB-separated fields
//   B.D.F, root hi:lo, context hi:lo, PASID, PASID entry as three qwords.
// A v5.3+ row whose PASID columns are cut off (a copy of a wide terminal)
// is read with what it has, and marked so that nothing is inferred from the
// PASID entry it does not show.
// The three PASID-entry qwords were printed LSB first in v5.3-rc and MSB
// first ever since; the order is found from the values (see pasidOrder).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { LineScanner } from '../fastScan';
import { FieldOrder, spanOf, type RowColumns } from '../rowColumns';
import { DmarRowScanner, NEW_ROW } from './dmarRowScanner';
import { FindingList, addDialect, decimalValue, headLines, hexValue, isBlank, parseBdf, tokenSpan, tokenize, wordsAre, type HexPrefix, type Token } from './scan';

/** The fields of a context row, for spanOf() (the root entry's span: rootSpanOf()). */
export type DmarRowField = 'bdf' | 'root' | 'context' | 'pasid' | 'pasidEntry';

export interface DmarRow {
  kind: 'dmar-row';
  bus: number;
  dev: number;
  fn: number;
  devfn: number;
  rootHi: bigint;
  rootLo: bigint;
  ctxHi: bigint;
  ctxLo: bigint;
  /** PASID of the row's PASID table entry; -1 for legacy-mode rows. */
  pasid: number;
  /**
   * val[0], val[1], val[2] of the PASID entry: lowest first, whatever order
   * the file printed. Rows that print the same entry share one array.
   */
  pasidEntry: readonly [bigint, bigint, bigint];
  /**
   * False when the row prints no PASID columns (the 2019 three-field layout,
   * or a v5.3+ row cut off after its context entry): `pasid` is -1 and the
   * PASID entry is unknown, not zero.
   */
  pasidColumns: boolean;
  /**
   * The row's line; spanOf(row, field) is where a field is on it. Rows of
   * the v4.20 – v5.2 layout print no PASID: 'pasid' and 'pasidEntry' are
   * empty spans at the end of their line.
   */
  line: number;
  lineEnd: number;
  /** Line of the root entry: the row's own (v5.3+) or the " Bus:" line above it (v4.20 – v5.2). */
  rootLine: number;
  columns: RowColumns<DmarRowField>;
}

/** Where the root entry of a row is printed (see DmarRow.rootLine). */
export function rootSpanOf(row: DmarRow): Span {
  return { line: row.rootLine, start: row.columns.start('root'), end: row.columns.end('root') };
}

/** The fields of a v4.20 – v5.2 row: the root columns are those on its " Bus:" line. */
const OLD_ROW = new FieldOrder<DmarRowField>(['bdf', 'root', 'context']);

export interface DmarUnitTable {
  kind: 'dmar-unit';
  unit: string;
  /** Physical address of the root table; 0 for a unit whose remapping is off. */
  rootTableAddress: bigint;
  /** The unit header line (or the "not enabled" line). */
  span: Span;
  unitSpan: Span;
  addressSpan?: Span;
  rows: DmarRow[];
  /** "DMA Remapping is not enabled on <unit>" (v5.7+): no table follows. */
  notEnabled?: boolean;
}

const WHAT = 'dmar_translation_struct';
const NEW_TITLE = ['B.D.F', 'Root_entry', 'Context_entry', 'PASID', 'PASID_table_entry'];
const NEW_LAYOUT_CUT = 'v5.3+ layout cut off before its last columns';
const THREE_FIELDS = '2019 intermediate layout (B.D.F, Root_entry, Context_entry; no PASID columns)';
/** The fields of a row without PASID columns (and, when it printed it, its PASID number). */
const SHORT_ROW = new FieldOrder<DmarRowField>(['bdf', 'root', 'context']);
const SHORT_ROW_WITH_PASID = new FieldOrder<DmarRowField>(['bdf', 'root', 'context', 'pasid']);
const NEW_LAYOUT = 'v5.3+ layout (B.D.F, Root_entry, Context_entry, PASID, PASID_table_entry)';
const OLD_LAYOUT = 'v4.20–v5.2 layout (root entry per bus, context rows with decimal devfn)';
const MSB_FIRST = 'PASID entries printed MSB first (val[2]:val[1]:val[0]; v5.3 release and later)';
const LSB_FIRST = 'PASID entries printed LSB first (val[0]:val[1]:val[2]; v5.3-rc)';
const ORDER_UNCLEAR = 'PASID entry order not evident from the values; read MSB first (the released format)';

/** Splits "0x…:0x…" into its hex values; undefined unless exactly `count`. */
function hexGroup(text: string, count: number, prefix: HexPrefix): bigint[] | undefined {
  const parts = text.split(':', count + 1);
  if (parts.length !== count) return undefined;
  const out: bigint[] = [];
  for (const p of parts) {
    const v = hexValue(p, prefix);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

const HEADER_HEAD = 'IOMMU ';
const HEADER_MID = ': Root Table Address: ';

/**
 * The v5.3+ unit header "IOMMU %s: Root Table Address: 0x%llx" with single
 * spaces, read in place; undefined for any other line (parseUnitHeader then
 * reads it).
 */
function scanUnitHeader(sc: LineScanner): DmarUnitTable | undefined {
  const text = sc.text;
  const from = sc.start;
  if (!sc.startsWithAt(from, HEADER_HEAD)) return undefined;
  const ns = from + HEADER_HEAD.length;
  let ne = ns;
  while (ne < sc.end) {
    const c = text.charCodeAt(ne);
    if (c === 58 /* : */ || c === 32 || c === 9 || c === 13 || c === 11 || c === 12) break;
    ne++;
  }
  if (ne === ns || !sc.startsWithAt(ne, HEADER_MID)) return undefined;
  const as = ne + HEADER_MID.length;
  const digits = sc.has0x(as) ? as + 2 : as;
  const ae = sc.hexDigits(digits);
  if (ae <= digits || ae - as > 66 || !sc.restIsBlank(ae)) return undefined;
  const line = sc.line;
  return {
    kind: 'dmar-unit',
    unit: text.slice(ns, ne),
    rootTableAddress: sc.hexValue(),
    span: { line, start: 0, end: sc.end - from },
    unitSpan: { line, start: ns - from, end: ne - from },
    addressSpan: { line, start: as - from, end: ae - from },
    rows: [],
  };
}

/**
 * A row whose PASID entry order is settled at the end: `pasidEntry` holds the
 * printed qwords last first (right for the MSB-first order of the released
 * format), and is reversed if the file turns out to print them LSB first.
 */
type PendingRow = DmarRow;

function unitName(token: string): string {
  return token.endsWith(':') ? token.slice(0, -1) : token;
}

/** "IOMMU dmar0: Root Table Address: 0x1a8e000" (new) or "…Address:1a8e000" (old). */
function parseUnitHeader(text: string, line: number): { unit: DmarUnitTable; old: boolean } | undefined {
  const t = tokenize(text, 6);
  if (t.length < 5 || t[0].text !== 'IOMMU' || !t[1].text.endsWith(':') || t[2].text !== 'Root' || t[3].text !== 'Table') return undefined;
  let addrToken = t[5];
  let addrText = t[5]?.text;
  let old = false;
  if (t.length === 5 && t[4].text.startsWith('Address:')) {
    // Old layout: no space between the colon and the address.
    old = true;
    addrText = t[4].text.slice('Address:'.length);
    addrToken = { text: addrText, start: t[4].start + 'Address:'.length, end: t[4].end };
  } else if (t.length !== 6 || t[4].text !== 'Address:') return undefined;
  const address = addrText === undefined ? undefined : hexValue(addrText, 'optional');
  if (address === undefined || addrToken === undefined) return undefined;
  const unit: DmarUnitTable = {
    kind: 'dmar-unit',
    unit: unitName(t[1].text),
    rootTableAddress: address,
    span: lineSpan(line, text),
    unitSpan: { line, start: t[1].start, end: t[1].end - 1 },
    addressSpan: tokenSpan(line, addrToken),
    rows: [],
  };
  return { unit, old };
}

/** The columns of the fields of `order`, each from the start of its first token to the end of its last. */
function columnsOf(rows: DmarRowScanner, order: FieldOrder<DmarRowField>, tokens: readonly (readonly [Token, Token])[]): RowColumns<DmarRowField> {
  const bounds = rows.columns.bounds;
  tokens.forEach(([first, last], k) => {
    bounds[2 * k] = first.start;
    bounds[2 * k + 1] = last.end;
  });
  return rows.columns.get(order);
}

/**
 * A v5.3+ row: five fields, or fewer when it is a row of the 2019
 * three-field layout or one cut off after its context entry (or its PASID).
 * "00:05.0\t0x…:0x…\t0x…:0x…\t-1    \t0x…:0x…:0x…"
 */
function parseNewRow(text: string, line: number, rows: DmarRowScanner): PendingRow | undefined {
  const t = tokenize(text, 5);
  if (t.length < 3) return undefined;
  const bdf = parseBdf(t[0].text);
  const root = hexGroup(t[1].text, 2, 'required');
  const ctx = hexGroup(t[2].text, 2, 'required');
  const pasid = t.length >= 4 ? decimalValue(t[3].text) : -1;
  const entry = t.length === 5 ? hexGroup(t[4].text, 3, 'required') : undefined;
  if (!bdf || !root || !ctx || pasid === undefined || pasid < -1 || pasid >= 1 << 20 || (t.length === 5 && !entry)) return undefined;
  const order = t.length === 5 ? NEW_ROW : t.length === 4 ? SHORT_ROW_WITH_PASID : SHORT_ROW;
  return {
    kind: 'dmar-row',
    ...bdf,
    devfn: (bdf.dev << 3) | bdf.fn,
    rootHi: root[0],
    rootLo: root[1],
    ctxHi: ctx[0],
    ctxLo: ctx[1],
    pasid,
    pasidEntry: entry ? [entry[2], entry[1], entry[0]] : NO_PASID_ENTRY,
    pasidColumns: entry !== undefined,
    line,
    lineEnd: text.length,
    rootLine: line,
    columns: columnsOf(
      rows,
      order,
      t.map((x): [Token, Token] => [x, x]),
    ),
  };
}

/** The root entry of the current bus in the old layout. */
interface OldBus {
  bus: number;
  hi: bigint;
  lo: bigint;
  /** Where "H: … L: …" is. */
  span: Span;
}

/** " Bus: %d H: %llx L: %llx" */
function parseOldBus(text: string, line: number): OldBus | undefined {
  const t = tokenize(text, 6);
  if (t.length !== 6 || t[0].text !== 'Bus:' || t[2].text !== 'H:' || t[4].text !== 'L:') return undefined;
  const bus = decimalValue(t[1].text);
  const hi = hexValue(t[3].text, 'optional');
  const lo = hexValue(t[5].text, 'optional');
  if (bus === undefined || bus < 0 || bus > 255 || hi === undefined || lo === undefined) return undefined;
  return { bus, hi, lo, span: { line, start: t[2].start, end: t[5].end } };
}

/** A context row of the old layout, before the root entry of its bus is added. */
interface OldRow {
  devfnPrinted: number;
  devfnSpan: Span;
  bus: number;
  dev: number;
  fn: number;
  ctxHi: bigint;
  ctxLo: bigint;
  bdf: Token;
  context: readonly [Token, Token];
  lineEnd: number;
}

/** "  %-5d\t%02x:%02x.%x\t%-6llx\t%llx": devfn (decimal), B:D.F, context hi, lo. */
function parseOldRow(text: string, line: number): OldRow | undefined {
  const t = tokenize(text, 4);
  if (t.length !== 4) return undefined;
  const devfnPrinted = decimalValue(t[0].text);
  const bdf = parseBdf(t[1].text);
  const hi = hexValue(t[2].text, 'optional');
  const lo = hexValue(t[3].text, 'optional');
  if (devfnPrinted === undefined || devfnPrinted < 0 || devfnPrinted > 255 || !bdf || hi === undefined || lo === undefined) return undefined;
  return { devfnPrinted, devfnSpan: tokenSpan(line, t[0]), ...bdf, ctxHi: hi, ctxLo: lo, bdf: t[1], context: [t[2], t[3]], lineEnd: text.length };
}

const NO_PASID_ENTRY = [0n, 0n, 0n] as const;

/** The row of an old-layout context line `line` under the root entry of its bus. */
function oldLayoutRow(old: OldRow, line: number, bus: OldBus, rows: DmarRowScanner): DmarRow {
  const root: Token = { text: '', start: bus.span.start, end: bus.span.end };
  return {
    kind: 'dmar-row',
    bus: old.bus,
    dev: old.dev,
    fn: old.fn,
    devfn: (old.dev << 3) | old.fn,
    rootHi: bus.hi,
    rootLo: bus.lo,
    ctxHi: old.ctxHi,
    ctxLo: old.ctxLo,
    pasid: -1,
    pasidEntry: NO_PASID_ENTRY,
    pasidColumns: false,
    line,
    lineEnd: old.lineEnd,
    rootLine: bus.span.line,
    columns: columnsOf(rows, OLD_ROW, [[old.bdf, old.bdf], [root, root], old.context]),
  };
}

/** P set and a defined PGTT (1..4): what val[0] of a present PASID entry looks like. */
function looksLikeVal0(q: bigint): boolean {
  const pgtt = Number((q >> 6n) & 7n);
  return (q & 1n) === 1n && pgtt >= 1 && pgtt <= 4;
}

/**
 * Which end of the printed triple is val[0]: counts rows whose last (MSB
 * first) or first (LSB first) qword looks like a present entry's val[0].
 */
function pasidOrder(rows: PendingRow[]): 'msb' | 'lsb' | undefined {
  let msb = 0;
  let lsb = 0;
  for (const r of rows) {
    if (r.pasid < 0) continue;
    const last = looksLikeVal0(r.pasidEntry[0]);
    const first = looksLikeVal0(r.pasidEntry[2]);
    if (last && !first) msb++;
    else if (first && !last) lsb++;
  }
  if (msb === lsb) return undefined;
  return msb > lsb ? 'msb' : 'lsb';
}

function bdfText(r: DmarRow): string {
  return `${r.bus.toString(16).padStart(2, '0')}:${r.dev.toString(16).padStart(2, '0')}.${r.fn}`;
}

/** Order, duplicates and per-bus root consistency within one unit. */
function checkUnit(unit: DmarUnitTable, findings: FindingList): void {
  let prevKey = -1;
  let reportedOrder = false;
  const rootOfBus = new Map<number, DmarRow>();
  // The rows of a bus come together: the map is looked at when the bus changes.
  let bus = -1;
  let first: DmarRow | undefined;
  for (const r of unit.rows) {
    const key = ((r.bus << 8) | r.devfn) * (1 << 21) + (r.pasid + 1);
    if (key === prevKey) {
      findings.semantic('duplicate-row', `${bdfText(r)}${r.pasid >= 0 ? ` PASID ${r.pasid}` : ''} is listed twice in ${unit.unit}`, spanOf(r, 'bdf'));
    } else if (key < prevKey && !reportedOrder) {
      reportedOrder = true;
      findings.semantic('rows-out-of-order', `Rows of ${unit.unit} are not in bus/device/function order from here on (the kernel prints them ascending)`, spanOf(r, 'bdf'), 'info');
    }
    prevKey = Math.max(prevKey, key);
    if (r.bus !== bus) {
      bus = r.bus;
      first = rootOfBus.get(bus);
    }
    if (!first) {
      first = r;
      rootOfBus.set(bus, r);
    } else if (first.rootHi !== r.rootHi || first.rootLo !== r.rootLo) {
      findings.semantic('root-entry-differs', `The root entry of bus ${r.bus.toString(16)} differs from the one on line ${first.line + 1}`, rootSpanOf(r));
    }
    if (r.pasid < 0 && (r.pasidEntry[0] !== 0n || r.pasidEntry[1] !== 0n || r.pasidEntry[2] !== 0n)) {
      findings.semantic('pasid-entry-without-pasid', 'A row with PASID -1 should print a zero PASID entry', spanOf(r, 'pasidEntry'));
    }
  }
}

export function parseDmarTranslation(text: string): ParseResult<DmarUnitTable> {
  const findings = new FindingList();
  const dialect: string[] = [];
  const records: DmarUnitTable[] = [];
  const pending: PendingRow[] = [];
  const sc = new LineScanner(text);
  const rows = new DmarRowScanner();
  let unit: DmarUnitTable | undefined;
  let oldBus: OldBus | undefined;
  /** The last column title line: the same line again is skipped after one comparison. */
  let titleLine = '';

  while (sc.advance()) {
    const ln = sc.line;
    // v5.3+ rows, nearly every line, and the lines around them are read in place.
    const fast = rows.scan(sc);
    if (fast) {
      addRow(fast, unit, pending, findings);
      continue;
    }
    if (sc.lineEquals(titleLine)) continue;
    const fastHeader = scanUnitHeader(sc);
    if (fastHeader) {
      unit = fastHeader;
      oldBus = undefined;
      records.push(unit);
      addDialect(dialect, NEW_LAYOUT);
      continue;
    }
    const l = sc.lineText();
    if (isBlank(l)) continue;
    const header = parseUnitHeader(l, ln);
    if (header) {
      unit = header.unit;
      oldBus = undefined;
      records.push(unit);
      addDialect(dialect, header.old ? OLD_LAYOUT : NEW_LAYOUT);
      continue;
    }
    const t = tokenize(l, 7);
    if (t.length === 7 && wordsAre(t.slice(0, 6), ['DMA', 'Remapping', 'is', 'not', 'enabled', 'on'])) {
      records.push({ kind: 'dmar-unit', unit: t[6].text, rootTableAddress: 0n, span: lineSpan(ln, l), unitSpan: tokenSpan(ln, t[6]), rows: [], notEnabled: true });
      addDialect(dialect, NEW_LAYOUT);
      addDialect(dialect, 'v5.7+ ("DMA Remapping is not enabled" lines)');
      unit = undefined;
      continue;
    }
    if (wordsAre(t, ['B.D.F', 'Root_entry', 'Context_entry', 'PASID', 'PASID_table_entry'])) {
      titleLine = l;
      continue;
    }
    if (wordsAre(t, ['B.D.F', 'Root_entry', 'Context_entry']) && !dialect.includes(NEW_LAYOUT_CUT)) {
      titleLine = l;
      addDialect(dialect, THREE_FIELDS);
      continue;
    }
    if (t.length >= 2 && t.length < 5 && wordsAre(t, NEW_TITLE.slice(0, t.length))) {
      // The five-column title cut off like its rows.
      titleLine = l;
      addDialect(dialect, NEW_LAYOUT_CUT);
      continue;
    }
    if (wordsAre(t, ['Root', 'Table', 'Entries:']) || wordsAre(t, ['Entry', 'B:D.F', 'High', 'Low'])) continue;
    if (t.length === 6 && wordsAre(t.slice(0, 5), ['Context', 'Table', 'Entries', 'for', 'Bus:'])) {
      const bus = decimalValue(t[5].text);
      if (oldBus && bus !== oldBus.bus) findings.semantic('bus-mismatch', `This context table is for bus ${t[5].text}, but the root entry above is for bus ${oldBus.bus}`, tokenSpan(ln, t[5]));
      continue;
    }
    const newRow = parseNewRow(l, ln, rows);
    if (newRow) {
      if (!newRow.pasidColumns && !dialect.includes(THREE_FIELDS)) {
        findings.syntax('pasid-columns-missing', 'This row has no PASID columns (cut off?): its PASID entry is unknown', spanOf(newRow, 'line'), 'info');
      }
      addRow(newRow, unit, pending, findings);
      continue;
    }
    const bus = parseOldBus(l, ln);
    if (bus) {
      oldBus = bus;
      continue;
    }
    const old = parseOldRow(l, ln);
    if (old) {
      if (!oldBus) {
        findings.syntax('row-outside-bus', 'Context row before any " Bus: … H: … L: …" line', lineSpan(ln, l));
        continue;
      }
      const row = oldLayoutRow(old, ln, oldBus, rows);
      if (old.devfnPrinted !== row.devfn) findings.semantic('devfn-mismatch', `Entry ${old.devfnPrinted} is devfn 0x${old.devfnPrinted.toString(16)}, not ${row.dev.toString(16)}.${row.fn}`, old.devfnSpan);
      if (row.bus !== oldBus.bus) findings.semantic('bus-mismatch', `This row is on bus ${row.bus.toString(16)}, but the root entry above is for bus ${oldBus.bus}`, spanOf(row, 'bdf'));
      addRow(row, unit, pending, findings);
      continue;
    }
    findings.unrecognised(ln, l, WHAT);
  }

  const order = pasidOrder(pending);
  if (pending.some((r) => r.pasid >= 0)) {
    addDialect(dialect, 'scalable-mode rows (PASID table entries)');
    addDialect(dialect, order === 'lsb' ? LSB_FIRST : order === 'msb' ? MSB_FIRST : ORDER_UNCLEAR);
  }
  if (dialect.includes(NEW_LAYOUT) && pending.some((r) => r.pasid < 0)) addDialect(dialect, 'legacy-mode rows (PASID -1)');
  if (order === 'lsb') {
    for (const r of pending) r.pasidEntry = [r.pasidEntry[2], r.pasidEntry[1], r.pasidEntry[0]];
  }
  for (const u of records) checkUnit(u, findings);
  return { format: 'dmar_translation_struct', dialect, records, findings: findings.done(), lineCount: sc.count };
}

function addRow(row: PendingRow, unit: DmarUnitTable | undefined, pending: PendingRow[], findings: FindingList): void {
  if (!unit) findings.syntax('row-outside-unit', 'Context row before any "IOMMU … Root Table Address" header', spanOf(row, 'line'));
  else {
    unit.rows.push(row);
    pending.push(row);
  }
}

/** The file starts with a unit header or with "DMA Remapping is not enabled on" lines. */
export function looksLikeDmarTranslation(head: string): boolean {
  for (const l of headLines(head, 16)) {
    if (l.startsWith('DMA Remapping is not enabled on ')) continue;
    return l.startsWith('IOMMU ') && l.includes(': Root Table Address:');
  }
  // Only "not enabled" lines: the per-device domain_translation_struct can
  // look the same; the file name has to decide.
  return headLines(head, 1).length > 0;
}
