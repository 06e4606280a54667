// Cross-references across one capture: what a place in a dump file names (a
// requester, a domain, an IOVA some requester used, a host page), where the
// capture defines it and every other place that names it. Go to definition,
// find references and the code actions all read the files through this one
// module, so a format learns to link in one place.

import type { Location as LspLocation } from 'vscode-languageserver/node';
import type { Span } from '../../dumps/types';
import type { LineIndex } from '../../dumps/lineIndex';
import { spanOf } from '../../dumps/rowColumns';
import type { AnyParseResult } from '../../dumps/registry';
import type { TraceEvent } from '../../dumps/qemuTrace/index';
import { recordLine } from '../../dumps/kernelLog/index';
import type { DomainBlock } from '../../dumps/debugfs/domainTranslation';
import { pageTableRowTokenColumns } from '../../dumps/debugfs/pageTableRowScanner';
import type { Capture, Domain, Location, PageTableView, ParsedFile, Requester } from '../../model/types';
import { domainOf, findDomain, findRequester } from '../../model/keys';
import { findMapping, mappingOfRow, rowAtLine } from '../../model/mappings';
import { pageTableRowSpans } from '../../model/decodeFile';
import { makeSid, parseBdf } from '../../model/bdf';
import { fieldValue } from '../../vtd/layout';
import { reverseMapOf, type CaptureEntry } from '../captureWorkspace';
import { bdfAt } from './textAt';

/** What a place in a dump names. */
/**
 * What a place names. A requester is (segment, unit, source id) and a domain
 * (unit, DID): a file that says which unit or segment fills them in, the
 * others leave them out (then the first match stands).
 */
type Subject =
  | { kind: 'requester'; sid: number; unit?: string; segment?: number }
  | { kind: 'domain'; did: number; unit?: string }
  /** An address a requester put on the bus (a fault, a trace event, a page-table row). */
  | { kind: 'iova'; sid: number; unit?: string; segment?: number; iova: bigint; write?: boolean }
  /** The host page a page-table leaf points at. */
  | { kind: 'host-page'; hpa: bigint };

interface Mention {
  subject: Subject;
  span: Span;
}

/** Past this many references the list stops (a trace can name one domain a million times). */
const MAX_REFERENCES = 5000;

// ---- Mentions, format by format ---------------------------------------------

type Sink = (subject: Subject, span: Span | undefined) => void;

/** Thrown by a visitor to end a scan early. */
const STOP = Symbol('stop');

/**
 * Visits the mentions in a file: on one line when `line` is given (page-table
 * rows included), else in the whole file (page-table rows left out: the
 * reverse map answers for them). `visit` returns true to stop.
 */
function forEachMention(capture: Capture, file: ParsedFile, line: number | undefined, visit: (m: Mention) => boolean | void): void {
  const p = file.parsed;
  if (!p) return;
  const sink: Sink = (subject, span) => {
    if (!span || (line !== undefined && span.line !== line)) return;
    if (visit({ subject, span })) throw STOP;
  };
  try {
    scanFile(capture, file, p, line, sink);
  } catch {
    // STOP, or a record shape this module did not expect: fewer links rather than a failed request.
  }
}

/** The mentions on one line of a file. */
export function mentionsOf(capture: Capture, file: ParsedFile, line: number): Mention[] {
  const out: Mention[] = [];
  forEachMention(capture, file, line, (m) => {
    out.push(m);
  });
  return out;
}

function scanFile(capture: Capture, file: ParsedFile, p: AnyParseResult, line: number | undefined, sink: Sink): void {
  switch (p.format) {
    case 'dmar_translation_struct':
      for (const table of p.records) {
        const unit = table.unit;
        for (const row of table.rows) {
          const sid = makeSid(row.bus, row.dev, row.fn);
          sink({ kind: 'requester', sid, unit }, spanOf(row, 'bdf'));
          const r = findRequester(capture, sid, { unit });
          const did = row.pasid < 0 ? r?.did : pasidEntryDid(r, row.pasid);
          if (did !== undefined) sink({ kind: 'domain', did, unit }, row.pasid < 0 ? spanOf(row, 'context') : spanOf(row, 'pasidEntry'));
        }
      }
      return;
    case 'domain_translation_struct':
      p.records.forEach((block) => {
        if (line !== undefined && (line < block.span.line || line > block.lastLine)) return;
        const sid = makeSid(block.bus, block.dev, block.fn);
        sink({ kind: 'requester', sid, segment: block.segment }, block.deviceSpan);
        const d = domainOfPgd(capture, block.pgd);
        if (d !== undefined) sink({ kind: 'domain', did: d.did, unit: d.unit }, block.pgdSpan);
        if (line !== undefined && line > block.span.line) pageTableRowMentions(block, sid, line, file.lines.line(line), sink);
      });
      return;
    case 'ir_translation_struct':
      for (const table of p.records) for (const e of table.entries) sink({ kind: 'requester', sid: e.sid, unit: table.unit }, spanOf(e, 'sid'));
      return;
    case 'proc_interrupts':
      for (const table of p.records) {
        for (const row of table.rows) {
          if (row.requesterId === undefined || (line !== undefined && row.line !== line)) continue;
          const text = file.lines.line(row.line);
          const span = row.hwirq !== undefined ? wordSpan(text, row.line, String(row.hwirq), row.chip ? Math.max(0, text?.indexOf(row.chip) ?? 0) : 0) : undefined;
          sink({ kind: 'requester', sid: row.requesterId, segment: row.segment }, span ?? spanOf(row, row.name !== undefined ? 'name' : 'line'));
        }
      }
      return;
    case 'iommu_groups':
      for (const g of p.records) for (const d of g.devices) sink({ kind: 'requester', sid: makeSid(d.bus, d.dev, d.fn), segment: d.segment }, d.span);
      return;
    case 'dmesg':
      for (const r of line === undefined ? p.records : recordsOnLine(p.records, line, recordLine)) {
        if (r.kind === 'dmar-fault') {
          sink({ kind: 'requester', sid: r.sid }, r.deviceSpan);
          sink({ kind: 'iova', sid: r.sid, iova: r.address, write: r.type === 'write' }, r.addressSpan);
        } else if (r.kind === 'ir-fault') {
          sink({ kind: 'requester', sid: r.sid }, r.deviceSpan);
        } else if (r.kind === 'dmar-info' && r.bdf !== undefined) {
          sink({ kind: 'requester', sid: r.bdf }, bdfSpanIn(file.lines.line(r.span.line), r.span.line) ?? r.span);
        }
      }
      return;
    case 'qemu_trace':
      for (const e of line === undefined ? p.records : recordsOnLine(p.records, line, (e) => e.line)) traceMentions(e, file.lines.line(e.line), sink);
      return;
    case 'invalidation_queue':
      for (const inv of capture.invalidations) {
        if (inv.location.file !== file.name) continue;
        if (inv.info.sid !== undefined) sink({ kind: 'requester', sid: inv.info.sid, unit: inv.unit }, inv.location.span);
        if (inv.info.did !== undefined && inv.info.granularity !== 'global') sink({ kind: 'domain', did: inv.info.did, unit: inv.unit }, inv.location.span);
      }
      return;
    default:
      return;
  }
}

/** The DID of a scalable-mode row's PASID entry. */
function pasidEntryDid(r: Requester | undefined, pasid: number): number | undefined {
  const pe = r?.pasidEntries.find((e) => e.pasid === pasid);
  const did = pe ? fieldValue(pe.decoded, 'DID') : undefined;
  return did !== undefined ? Number(did) : undefined;
}

const pgdIndex = new WeakMap<Capture, Map<bigint, Domain>>();

/** The domain whose page-table root a dump block starts at. */
function domainOfPgd(capture: Capture, pgd: bigint): Domain | undefined {
  let index = pgdIndex.get(capture);
  if (!index) {
    index = new Map();
    for (const d of capture.domains.values()) if (d.pgd !== undefined && !index.has(d.pgd)) index.set(d.pgd, d);
    pgdIndex.set(capture, index);
  }
  return index.get(pgd);
}

/** A page-table row: its IOVA (the PFN column) and, on its leaf, the host page. */
function pageTableRowMentions(block: DomainBlock, sid: number, line: number, text: string | undefined, sink: Sink): void {
  const i = rowAtLine(block.rows, line);
  if (i < 0 || text === undefined) return;
  const pfn = pageTableRowTokenColumns(text)[0];
  if (pfn) sink({ kind: 'iova', sid, iova: block.rows.iova(i) }, { line, start: pfn.start, end: pfn.end });
  const m = mappingOfRow(block.rows, i);
  if (m) sink({ kind: 'host-page', hpa: m.hpa }, pageTableRowSpans(line, text)[m.level]);
}

/** Records that start on `line` (`lineOf` of a record), found by bisection (parsers emit records in line order). */
function recordsOnLine<T>(records: readonly T[], line: number, lineOf: (r: T) => number): T[] {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lineOf(records[mid]) < line) lo = mid + 1;
    else hi = mid;
  }
  const out: T[] = [];
  for (let i = lo; i < records.length && lineOf(records[i]) === line; i++) out.push(records[i]);
  return out;
}

/** What a trace event names: its requester (sid, bus+devfn, bus:dev.fn), its IOVA, its domain. */
function traceMentions(e: TraceEvent, text: string | undefined, sink: Sink): void {
  if (text === undefined) return;
  const a = e.args;
  const line = e.line;
  const from = e.columns.end('name');
  let sid: number | undefined;
  if (typeof a.sid === 'number') {
    sid = a.sid;
    sink({ kind: 'requester', sid }, valueSpan(text, line, ' sid ', from) ?? valueSpan(text, line, ' source id ', from));
  } else if (typeof a.bus === 'number' && typeof a.devfn === 'number') {
    sid = ((a.bus & 0xff) << 8) | (a.devfn & 0xff);
    const bus = valueSpan(text, line, ' bus ', from);
    const devfn = valueSpan(text, line, ' devfn ', from);
    sink({ kind: 'requester', sid }, bus && devfn ? { line, start: bus.start - 'bus '.length, end: devfn.end } : undefined);
  } else {
    const dev = typeof a.slot === 'number' ? a.slot : a.dev;
    const fn = typeof a.fn === 'number' ? a.fn : a.func;
    if (typeof a.bus === 'number' && typeof dev === 'number' && typeof fn === 'number' && dev <= 0x1f && fn <= 7) {
      sid = makeSid(a.bus, dev, fn);
      sink({ kind: 'requester', sid }, traceBdfSpan(text, line, from));
    }
  }
  if (sid !== undefined) {
    if (typeof a.iova === 'bigint') {
      sink({ kind: 'iova', sid, iova: a.iova }, valueSpan(text, line, ' iova ', from) ?? valueSpan(text, line, ' start ', from));
    } else if (typeof a.addr === 'bigint' && (e.name === 'vtd_dmar_fault' || e.name === 'vtd_translate_pt')) {
      sink({ kind: 'iova', sid, iova: a.addr, write: typeof a.is_write === 'boolean' ? a.is_write : undefined }, valueSpan(text, line, ' addr ', from) ?? valueSpan(text, line, ', iova ', from));
    }
  }
  if (typeof a.domain === 'number') sink({ kind: 'domain', did: a.domain }, valueSpan(text, line, ' domain ', from));
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The number printed after `label` ("0x20", "6"), searched from `from`. */
function valueSpan(text: string, line: number, label: string, from: number): Span | undefined {
  const i = text.indexOf(label, from);
  if (i < 0) return undefined;
  const start = i + label.length;
  let end = text.startsWith('0x', start) ? start + 2 : start;
  while (end < text.length && isHexDigit(text.charCodeAt(end))) end++;
  return end > start ? { line, start, end } : undefined;
}

/** "00:04.00" in a trace message. */
function traceBdfSpan(text: string, line: number, from: number): Span | undefined {
  const m = /\b[0-9a-fA-F]{1,2}:[0-9a-fA-F]{1,2}\.[0-9a-fA-F]{1,2}\b/.exec(text.slice(from, from + 256));
  return m ? { line, start: from + m.index, end: from + m.index + m[0].length } : undefined;
}

/** A B:D.F (with or without its segment) on a kernel log line. */
function bdfSpanIn(text: string | undefined, line: number): Span | undefined {
  if (text === undefined) return undefined;
  const m = /\b(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\b/.exec(text.length > 4096 ? text.slice(0, 4096) : text);
  return m ? { line, start: m.index, end: m.index + m[0].length } : undefined;
}

/** A blank-separated word that starts with `prefix` ("512000" in "512000-edge"). */
function wordSpan(text: string | undefined, line: number, prefix: string, from: number): Span | undefined {
  if (text === undefined) return undefined;
  for (let i = text.indexOf(prefix, from); i >= 0; i = text.indexOf(prefix, i + 1)) {
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + prefix.length] ?? ' ';
    if ((before === ' ' || before === '\t') && !/[0-9]/.test(after)) return { line, start: i, end: i + prefix.length };
  }
  return undefined;
}

// ---- What is under the cursor -------------------------------------------------

export interface Located {
  entry: CaptureEntry;
  file: ParsedFile;
  mention: Mention;
}

/** The capture file a document is, as the capture sees it. */
export function captureFileOf(entry: CaptureEntry, uri: string): ParsedFile | undefined {
  for (const f of entry.capture.files) if (entry.uris.get(f.name) === uri) return f;
  return undefined;
}

const FALLBACK_ORDER: Subject['kind'][] = ['iova', 'requester', 'domain'];

/**
 * The mention under a position. With `lineSubject`, a position on no mention
 * falls back to what the line is about (its IOVA, else its requester, else its
 * domain): "go to definition" anywhere on a fault line goes somewhere useful.
 * Any other B:D.F under the cursor (the register dump excepted) names a requester.
 */
export function subjectAt(entry: CaptureEntry, uri: string, line: number, character: number, lineSubject = false): Located | undefined {
  const file = captureFileOf(entry, uri);
  if (!file) return undefined;
  const mentions = mentionsOf(entry.capture, file, line);
  const exact = mentions.find((m) => character >= m.span.start && character <= m.span.end);
  if (exact) return { entry, file, mention: exact };
  if (file.parsed?.format !== 'iommu_regset') {
    const text = file.lines.line(line) ?? '';
    const bdf = bdfAt(text, character);
    const sid = bdf ? parseBdf(bdf.text) : undefined;
    if (bdf && sid !== undefined) return { entry, file, mention: { subject: { kind: 'requester', sid }, span: { line, start: bdf.start, end: bdf.end } } };
  }
  if (lineSubject) {
    for (const kind of FALLBACK_ORDER) {
      const m = mentions.find((x) => x.subject.kind === kind);
      if (m) return { entry, file, mention: m };
    }
  }
  return undefined;
}

// ---- Definitions ----------------------------------------------------------------

/** Where the capture defines a subject. */
export function definitionOf(capture: Capture, subject: Subject): Location[] {
  switch (subject.kind) {
    case 'requester': {
      const r = findRequester(capture, subject.sid, subject);
      return r?.context ? [r.context.location] : [];
    }
    case 'domain': {
      const d = findDomain(capture, subject.did, subject.unit);
      if (!d) return [];
      if (d.table) return [d.table.location];
      // No dump of its table: the context entries that name the DID define it.
      return d.requesters.flatMap((r) => (r.context ? [r.context.location] : []));
    }
    case 'iova': {
      const table = tableOf(capture, findRequester(capture, subject.sid, subject));
      if (!table) return definitionOf(capture, { kind: 'requester', sid: subject.sid, unit: subject.unit, segment: subject.segment });
      const m = findMapping(table.rows, subject.iova);
      // Unmapped: the block is where the mapping is missing.
      if (!m) return [table.location];
      const line = table.rows.line(m.row);
      return [{ file: table.file, span: pfnSpan(capture, table.file, line) }];
    }
    case 'host-page':
      return [];
  }
}

/** The page-table dump a requester's DMA goes through: its domain's, else one labelled with it. */
function tableOf(capture: Capture, r: Requester | undefined): PageTableView | undefined {
  return domainOf(capture, r)?.table ?? r?.tables[0];
}

function linesOf(capture: Capture, name: string): LineIndex | undefined {
  return capture.files.find((f) => f.name === name)?.lines;
}

function pfnSpan(capture: Capture, file: string, line: number): Span {
  const text = linesOf(capture, file)?.line(line);
  const pfn = text !== undefined ? pageTableRowTokenColumns(text)[0] : undefined;
  return { line, start: pfn?.start ?? 0, end: pfn?.end ?? text?.length ?? 0 };
}

// ---- References -------------------------------------------------------------------

function sameSubject(capture: Capture, a: Subject, b: Subject): boolean {
  switch (a.kind) {
    case 'requester':
      return b.kind === 'requester' && b.sid === a.sid && agree(a.unit, b.unit) && agree(a.segment, b.segment);
    case 'domain':
      return b.kind === 'domain' && b.did === a.did && agree(a.unit, b.unit);
    case 'iova':
      // The same 4 KiB page of the same address space (a domain is one, whichever member used it).
      return b.kind === 'iova' && b.iova >> 12n === a.iova >> 12n && spaceOf(capture, b) === spaceOf(capture, a);
    case 'host-page':
      return b.kind === 'host-page' && b.hpa >> 12n === a.hpa >> 12n;
  }
}

/** Two places agree on a unit or segment unless both name one and they differ. */
function agree<T>(a: T | undefined, b: T | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function spaceOf(capture: Capture, s: { sid: number; unit?: string; segment?: number }): string {
  const r = findRequester(capture, s.sid, s);
  return r?.domainKey ?? `sid:${r?.key ?? s.sid}`;
}

/** Every place of the capture that names a subject (at most `limit`). */
export function referencesOf(entry: CaptureEntry, subject: Subject, limit = MAX_REFERENCES): Location[] {
  const capture = entry.capture;
  const out: Location[] = [];
  const seen = new Set<string>();
  const add = (loc: Location) => {
    const key = `${loc.file}\n${loc.span.line}\n${loc.span.start}`;
    if (out.length >= limit || seen.has(key)) return;
    seen.add(key);
    out.push(loc);
  };
  if (subject.kind === 'host-page') {
    for (const { hit } of reverseMapOf(entry).lookup(subject.hpa)) {
      const text = linesOf(capture, hit.file)?.line(hit.line);
      add({ file: hit.file, span: pageTableRowSpans(hit.line, text)[hit.mapping.level] ?? { line: hit.line, start: 0, end: 0 } });
    }
    return out;
  }
  // An IOVA's mapping row is not a mention the file scan sees (rows are left out of it).
  if (subject.kind === 'iova') for (const loc of definitionOf(capture, subject)) add(loc);
  for (const f of capture.files) {
    if (out.length >= limit) break;
    forEachMention(capture, f, undefined, (m) => {
      if (sameSubject(capture, subject, m.subject)) add({ file: f.name, span: m.span });
      return out.length >= limit;
    });
  }
  return out;
}

/** Capture locations as LSP locations (those whose file has a URI). */
export function toLspLocations(entry: CaptureEntry, locations: readonly Location[]): LspLocation[] {
  const out: LspLocation[] = [];
  for (const loc of locations) {
    const uri = entry.uris.get(loc.file);
    if (uri) out.push({ uri, range: { start: { line: loc.span.line, character: loc.span.start }, end: { line: loc.span.line, character: loc.span.end } } });
  }
  return out;
}
