// Parser of /sys/kernel/debug/iommu/intel/dmar_translation_struct: the root
// and context entries (and, in scalable mode, PASID table entries) per unit.
//
// Two layouts exist:
// - v4.20 – v5.2: "IOMMU dmar0: Root Table Address:<hex>", then per present
//   bus a " Bus: %d H: %llx L: %llx" line and rows
//   "  %-5d\t%02x:%02x.%x\t%-6llx\t%llx" (devfn in decimal, hi, lo);
// - v5.3 on: one header line and rows of five TAB-separated fields
//   B.D.F, root hi:lo, context hi:lo, PASID, PASID entry as three qwords.
// The three PASID-entry qwords were printed LSB first in v5.3-rc and MSB
// first ever since; the order is found from the values (see pasidOrder).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { LineScanner } from '../fastScan';
import { DmarRowScanner } from './dmarRowScanner';
import { FindingList, addDialect, decimalValue, endSpan, headLines, hexValue, isBlank, parseBdf, tokenSpan, tokensSpan, tokenize, wordsAre, type HexPrefix } from './scan';

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
  /** val[0], val[1], val[2] of the PASID entry: lowest first, whatever order the file printed. */
  pasidEntry: [bigint, bigint, bigint];
  span: Span;
  bdfSpan: Span;
  /** The root entry: on the row (v5.3+) or on the " Bus:" line (v4.20 – v5.2). */
  rootSpan: Span;
  contextSpan: Span;
  /** Empty spans at the end of the row when the layout prints no PASID. */
  pasidSpan: Span;
  pasidEntrySpan: Span;
}

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

/** "00:05.0\t0x…:0x…\t0x…:0x…\t-1    \t0x…:0x…:0x…" */
function parseNewRow(text: string, line: number): PendingRow | undefined {
  const t = tokenize(text, 5);
  if (t.length !== 5) return undefined;
  const bdf = parseBdf(t[0].text);
  const root = hexGroup(t[1].text, 2, 'required');
  const ctx = hexGroup(t[2].text, 2, 'required');
  const pasid = decimalValue(t[3].text);
  const entry = hexGroup(t[4].text, 3, 'required');
  if (!bdf || !root || !ctx || pasid === undefined || !entry) return undefined;
  if (pasid < -1 || pasid >= 1 << 20) return undefined;
  return {
    kind: 'dmar-row',
    ...bdf,
    devfn: (bdf.dev << 3) | bdf.fn,
    rootHi: root[0],
    rootLo: root[1],
    ctxHi: ctx[0],
    ctxLo: ctx[1],
    pasid,
    pasidEntry: [entry[2], entry[1], entry[0]],
    span: lineSpan(line, text),
    bdfSpan: tokenSpan(line, t[0]),
    rootSpan: tokenSpan(line, t[1]),
    contextSpan: tokenSpan(line, t[2]),
    pasidSpan: tokenSpan(line, t[3]),
    pasidEntrySpan: tokenSpan(line, t[4]),
  };
}

/** The root entry of the current bus in the old layout. */
interface OldBus {
  bus: number;
  hi: bigint;
  lo: bigint;
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
  return { bus, hi, lo, span: tokensSpan(line, t[2], t[5]) };
}

/** "  %-5d\t%02x:%02x.%x\t%-6llx\t%llx": devfn (decimal), B:D.F, context hi, lo. */
function parseOldRow(text: string, line: number): { devfnPrinted: number; devfnSpan: Span; row: Omit<DmarRow, 'rootHi' | 'rootLo' | 'rootSpan'> } | undefined {
  const t = tokenize(text, 4);
  if (t.length !== 4) return undefined;
  const devfnPrinted = decimalValue(t[0].text);
  const bdf = parseBdf(t[1].text);
  const hi = hexValue(t[2].text, 'optional');
  const lo = hexValue(t[3].text, 'optional');
  if (devfnPrinted === undefined || devfnPrinted < 0 || devfnPrinted > 255 || !bdf || hi === undefined || lo === undefined) return undefined;
  const none = endSpan(line, text);
  return {
    devfnPrinted,
    devfnSpan: tokenSpan(line, t[0]),
    row: {
      kind: 'dmar-row',
      ...bdf,
      devfn: (bdf.dev << 3) | bdf.fn,
      ctxHi: hi,
      ctxLo: lo,
      pasid: -1,
      pasidEntry: [0n, 0n, 0n],
      span: lineSpan(line, text),
      bdfSpan: tokenSpan(line, t[1]),
      contextSpan: tokensSpan(line, t[2], t[3]),
      pasidSpan: none,
      pasidEntrySpan: none,
    },
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
  for (const r of unit.rows) {
    const key = ((r.bus << 8) | r.devfn) * (1 << 21) + (r.pasid + 1);
    if (key === prevKey) {
      findings.semantic('duplicate-row', `${bdfText(r)}${r.pasid >= 0 ? ` PASID ${r.pasid}` : ''} is listed twice in ${unit.unit}`, r.bdfSpan);
    } else if (key < prevKey && !reportedOrder) {
      reportedOrder = true;
      findings.semantic('rows-out-of-order', `Rows of ${unit.unit} are not in bus/device/function order from here on (the kernel prints them ascending)`, r.bdfSpan, 'info');
    }
    prevKey = Math.max(prevKey, key);
    const first = rootOfBus.get(r.bus);
    if (!first) rootOfBus.set(r.bus, r);
    else if (first.rootHi !== r.rootHi || first.rootLo !== r.rootLo) {
      findings.semantic('root-entry-differs', `The root entry of bus ${r.bus.toString(16)} differs from the one on line ${first.span.line + 1}`, r.rootSpan);
    }
    if (r.pasid < 0 && (r.pasidEntry[0] | r.pasidEntry[1] | r.pasidEntry[2]) !== 0n) {
      findings.semantic('pasid-entry-without-pasid', 'A row with PASID -1 should print a zero PASID entry', r.pasidEntrySpan);
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
    if (wordsAre(t, ['Root', 'Table', 'Entries:']) || wordsAre(t, ['Entry', 'B:D.F', 'High', 'Low'])) continue;
    if (t.length === 6 && wordsAre(t.slice(0, 5), ['Context', 'Table', 'Entries', 'for', 'Bus:'])) {
      const bus = decimalValue(t[5].text);
      if (oldBus && bus !== oldBus.bus) findings.semantic('bus-mismatch', `This context table is for bus ${t[5].text}, but the root entry above is for bus ${oldBus.bus}`, tokenSpan(ln, t[5]));
      continue;
    }
    const newRow = parseNewRow(l, ln);
    if (newRow) {
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
      const { row, devfnPrinted, devfnSpan } = old;
      if (!oldBus) {
        findings.syntax('row-outside-bus', 'Context row before any " Bus: … H: … L: …" line', row.span);
        continue;
      }
      if (devfnPrinted !== row.devfn) findings.semantic('devfn-mismatch', `Entry ${devfnPrinted} is devfn 0x${devfnPrinted.toString(16)}, not ${row.dev.toString(16)}.${row.fn}`, devfnSpan);
      if (row.bus !== oldBus.bus) findings.semantic('bus-mismatch', `This row is on bus ${row.bus.toString(16)}, but the root entry above is for bus ${oldBus.bus}`, row.bdfSpan);
      addRow({ ...row, rootHi: oldBus.hi, rootLo: oldBus.lo, rootSpan: oldBus.span }, unit, pending, findings);
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
  if (!unit) findings.syntax('row-outside-unit', 'Context row before any "IOMMU … Root Table Address" header', row.span);
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
