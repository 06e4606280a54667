// The semantic tokens of one line of a dump: requester ids, raw entries
// (marked when not present or when they break the specification), addresses
// and fault reasons. Page-table rows and trace events are read line by line
// when asked, so a range request on a million-line file decodes only its own
// lines; the other formats, small by nature, index their tokens once.

import type { DocumentAnalysis } from '../../analysis';
import type { AnyParseResult } from '../../../dumps/registry';
import type { Span } from '../../../dumps/types';
import type { LineIndex } from '../../../dumps/lineIndex';
import { spanOf } from '../../../dumps/rowColumns';
import type { KernelLogRecord } from '../../../dumps/kernelLog/index';
import type { TraceEvent } from '../../../dumps/qemuTrace/index';
import { pageTableRowTokenColumns } from '../../../dumps/debugfs/pageTableRowScanner';
import type { DomainBlock } from '../../../dumps/debugfs/domainTranslation';
import { fieldValue, type DecodeContext, type Structure } from '../../../vtd/layout';
import { pagingEntryPresent, pagingEntryProblems, type PagingStage } from '../../../vtd/paging';
import { decodeInvDescriptor } from '../../../vtd/invalidation';
import { decodeIrte } from '../../../vtd/irte';
import { decodeContextEntryFor } from '../../../vtd/contextEntry';
import { rowAtLine } from '../../../model/mappings';
import type { DecodeScope } from '../../../model/decodeScope';
import { NOT_PRESENT, SPEC_VIOLATION, TYPE } from './tokenLegend';

interface RawToken {
  start: number;
  end: number;
  type: number;
  mods: number;
}

/** The modifiers a decoded entry earns. */
function entryModifiers(s: Structure): number {
  let mods = 0;
  const p = fieldValue(s, 'P');
  const r = fieldValue(s, 'R');
  const w = fieldValue(s, 'W');
  const lp = fieldValue(s, 'LP');
  const up = fieldValue(s, 'UP');
  if (p === 0n || (p === undefined && r === 0n && w === 0n) || (p === undefined && lp === 0n && up === 0n)) mods |= NOT_PRESENT;
  if (s.findings.some((f) => f.severity === 'error')) mods |= SPEC_VIOLATION;
  return mods;
}

type Index = Map<number, RawToken[]>;

function add(index: Index, span: Span | undefined, type: number, mods = 0): void {
  if (!span || span.end <= span.start) return;
  const t: RawToken = { start: span.start, end: span.end, type, mods };
  const list = index.get(span.line);
  if (list) list.push(t);
  else index.set(span.line, [t]);
}

const HEX_WORD = /\b0x[0-9a-fA-F]+\b/g;

/** Every 0x-number of a line from `from` on, as spans. */
function hexWords(text: string, line: number, from: number): Span[] {
  const out: Span[] = [];
  HEX_WORD.lastIndex = from;
  for (let m = HEX_WORD.exec(text); m; m = HEX_WORD.exec(text)) out.push({ line, start: m.index, end: m.index + m[0].length });
  return out;
}

function kernelLogTokens(index: Index, records: readonly KernelLogRecord[], lines: LineIndex): void {
  for (const r of records) {
    if (r.kind === 'dmar-fault') {
      add(index, r.deviceSpan, TYPE.requester);
      add(index, r.addressSpan, TYPE.address);
      add(index, r.reasonSpan, TYPE.faultReason);
    } else if (r.kind === 'ir-fault') {
      add(index, r.deviceSpan, TYPE.requester);
      add(index, r.reasonSpan, TYPE.faultReason);
    } else if (r.kind === 'fault-dump') {
      const header = hexWords(lines.line(r.span.line) ?? '', r.span.line, r.span.start);
      add(index, header[header.length - 1], TYPE.address);
      for (const d of r.lines) {
        if (d.kind === 'status' || d.kind === 'not-present') continue;
        const words = hexWords(lines.line(d.span.line) ?? '', d.span.line, d.span.start);
        // The values are the last numbers of the line, in printed order.
        const values = words.slice(Math.max(0, words.length - d.values.length));
        values.forEach((w, k) => add(index, w, TYPE.entry, d.values[k] === 0n ? NOT_PRESENT : 0));
      }
    }
  }
}

/** Tokens of the formats small enough to index whole (entries come from the analysis). */
function recordTokens(p: AnyParseResult, lines: LineIndex): Index {
  const index: Index = new Map();
  switch (p.format) {
    case 'iommu_regset':
      for (const u of p.records) add(index, u.baseSpan, TYPE.address);
      break;
    case 'dmar_translation_struct':
      for (const u of p.records) {
        add(index, u.addressSpan, TYPE.address);
        for (const row of u.rows) add(index, spanOf(row, 'bdf'), TYPE.requester);
      }
      break;
    case 'ir_translation_struct':
      for (const t of p.records) {
        add(index, t.tableAddressSpan, TYPE.address);
        for (const e of t.entries) add(index, spanOf(e, 'sid'), TYPE.requester);
      }
      break;
    case 'invalidation_queue':
      for (const u of p.records) add(index, u.baseSpan, TYPE.address);
      break;
    case 'dmesg':
      kernelLogTokens(index, p.records, lines);
      break;
    case 'proc_interrupts':
      for (const t of p.records) {
        for (const row of t.rows) {
          if (row.requesterId === undefined || row.hwirq === undefined || !row.chip) continue;
          // The hardware irq of a PCI MSI row encodes the requester id.
          const text = lines.line(row.line) ?? '';
          const at = text.indexOf(String(row.hwirq), Math.max(0, text.indexOf(row.chip) + row.chip.length));
          if (at >= 0) add(index, { line: row.line, start: at, end: at + String(row.hwirq).length }, TYPE.requester);
        }
      }
      break;
    case 'iommu_groups':
      for (const g of p.records) for (const d of g.devices) add(index, d.span, TYPE.requester);
      break;
    default:
      break;
  }
  return index;
}

/** "sid 0x28", "iova 0x…", "fault 6", "high 0x… low 0x…", "dev 00:04.00": the labelled values of a trace line. */
const TRACE_VALUE = /\b(sid|iova|addr|gpa|high|low|slpte|fault|dev|Device|device)\s+(0x[0-9a-fA-F]+|[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-9a-fA-F]{1,2}|\d+)\b/g;

function traceLineTokens(e: TraceEvent, text: string, entryMods: number | undefined, out: RawToken[]): void {
  TRACE_VALUE.lastIndex = e.columns.end('name');
  for (let m = TRACE_VALUE.exec(text); m; m = TRACE_VALUE.exec(text)) {
    const label = m[1];
    const start = m.index + m[0].length - m[2].length;
    const end = m.index + m[0].length;
    const isBdf = m[2].includes(':');
    let type: number | undefined;
    let mods = 0;
    if (label === 'sid' || ((label === 'dev' || label === 'Device' || label === 'device') && isBdf)) type = TYPE.requester;
    else if (label === 'fault') type = e.name === 'vtd_dmar_fault' ? TYPE.faultReason : undefined;
    else if (label === 'high' || label === 'low') {
      type = TYPE.entry;
      mods = entryMods ?? 0;
    } else if (label === 'slpte') type = TYPE.entry;
    else if (!isBdf && m[2].startsWith('0x')) type = TYPE.address;
    if (type !== undefined) out.push({ start, end, type, mods });
  }
}

/** The dump block whose lines include `line` (blocks are in line order). */
function blockAt(blocks: readonly DomainBlock[], line: number): DomainBlock | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid].span.line <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const b = found >= 0 ? blocks[found] : undefined;
  return b && line <= b.lastLine ? b : undefined;
}

/** How the trace events that print a raw entry are decoded: their two qwords (high, low) and the decoder. */
const TRACE_ENTRY_DECODERS: Readonly<Record<string, { qwords: (a: TraceEvent['args']) => unknown[]; decode: (hi: bigint, lo: bigint, ctx: DecodeContext) => Structure | undefined }>> = {
  vtd_inv_desc: { qwords: (a) => [a.hi, a.lo], decode: (hi, lo, ctx) => decodeInvDescriptor([lo, hi], ctx) },
  vtd_ir_irte_get: { qwords: (a) => [a.hi, a.lo], decode: (hi, lo, ctx) => decodeIrte(hi, lo, ctx) },
  // QEMU caches legacy context entries; a scalable-mode one is wider than what it prints.
  vtd_iotlb_cc_hit: { qwords: (a) => [a.high, a.low], decode: (hi, lo, ctx) => decodeContextEntryFor(ctx.scalable ? 'scalable' : 'legacy', hi, lo, ctx) },
  vtd_iotlb_cc_update: { qwords: (a) => [a.high, a.low], decode: (hi, lo, ctx) => decodeContextEntryFor(ctx.scalable ? 'scalable' : 'legacy', hi, lo, ctx) },
};

/** The event that starts on `line` (events are in line order). */
function eventAt(events: readonly TraceEvent[], line: number): TraceEvent | undefined {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = events[mid].line;
    if (l === line) return events[mid];
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

const indexes = new WeakMap<DocumentAnalysis, Index>();

/**
 * Semantic tokens of one document, line by line. One instance serves one
 * request: it memoises paging-entry decodes (a dump repeats its upper-level
 * entries on every row).
 */
export class DocumentTokens {
  private readonly slMemo = new Map<string, number>();
  private readonly traceMemo = new Map<string, number>();

  constructor(
    private readonly doc: DocumentAnalysis,
    private readonly scope: DecodeScope,
  ) {}

  /** The tokens of `line`, sorted, none overlapping. */
  line(line: number): RawToken[] {
    const p = this.doc.parsed;
    const text = this.doc.lines.line(line);
    if (!p || text === undefined) return [];
    const out: RawToken[] = [];
    if (p.format === 'domain_translation_struct') this.pageTableLine(line, text, out);
    else if (p.format === 'qemu_trace') {
      const e = eventAt(p.records, line);
      if (e) traceLineTokens(e, text, this.traceEntryModifiers(e), out);
    } else {
      let index = indexes.get(this.doc);
      if (!index) {
        index = recordTokens(p, this.doc.lines);
        indexes.set(this.doc, index);
      }
      out.push(...(index.get(line) ?? []));
      for (const e of this.doc.entriesAt(line, this.scope)) out.push({ start: e.span.start, end: e.span.end, type: TYPE.entry, mods: entryModifiers(e.structure) });
    }
    return tidy(out, text.length);
  }

  private pageTableLine(line: number, text: string, out: RawToken[]): void {
    const p = this.doc.parsed;
    if (p?.format !== 'domain_translation_struct') return;
    const block = blockAt(p.records, line);
    if (!block) return;
    if (block.span.line === line) {
      out.push({ start: block.deviceSpan.start, end: block.deviceSpan.end, type: TYPE.requester, mods: 0 });
      out.push({ start: block.pgdSpan.start, end: block.pgdSpan.end, type: TYPE.address, mods: 0 });
      return;
    }
    const row = rowAtLine(block.rows, line);
    if (row < 0) return;
    const rows = block.rows;
    const columns = pageTableRowTokenColumns(text);
    if (columns[0]) out.push({ start: columns[0].start, end: columns[0].end, type: TYPE.address, mods: 0 });
    const printed = rows.entryCount(row);
    const { ctx, stage } = this.scope.pageTable(block);
    for (let k = 0; k < printed && k + 1 < columns.length; k++) {
      const level = 5 - k;
      const value = rows.entry(row, level) ?? 0n;
      out.push({ start: columns[k + 1].start, end: columns[k + 1].end, type: TYPE.entry, mods: value === 0n ? NOT_PRESENT : this.pagingModifiers(stage, ctx, value, level) });
    }
  }

  /** Modifiers of the entry a trace event carries (decoded here: the analysis would decode the whole trace first). */
  private traceEntryModifiers(e: TraceEvent): number | undefined {
    const decoder = TRACE_ENTRY_DECODERS[e.name];
    if (!decoder) return undefined;
    const [hi, lo] = decoder.qwords(e.args);
    if (typeof hi !== 'bigint' || typeof lo !== 'bigint') return undefined;
    const key = `${e.name}:${hi}:${lo}`;
    let mods = this.traceMemo.get(key);
    if (mods === undefined) {
      const s = decoder.decode(hi, lo, this.scope.unit(undefined));
      mods = s ? entryModifiers(s) : 0;
      this.traceMemo.set(key, mods);
    }
    return mods;
  }

  private pagingModifiers(stage: PagingStage, ctx: DecodeContext, value: bigint, level: number): number {
    const key = `${stage}:${level}:${value}`;
    let mods = this.slMemo.get(key);
    if (mods === undefined) {
      // Not present: R = W = 0 (second stage), P = 0 (first stage); problems are decoded only for entries that have one.
      mods = pagingEntryPresent(stage, value) ? 0 : NOT_PRESENT;
      if (pagingEntryProblems(stage, value, level, ctx).some((f) => f.severity === 'error')) mods |= SPEC_VIOLATION;
      this.slMemo.set(key, mods);
    }
    return mods;
  }
}

/** Sorted by start, clamped to the line, overlaps dropped (the first one kept). */
function tidy(tokens: RawToken[], length: number): RawToken[] {
  tokens.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: RawToken[] = [];
  let end = 0;
  for (const t of tokens) {
    const e = Math.min(t.end, length);
    if (t.start < end || e <= t.start) continue;
    out.push(e === t.end ? t : { ...t, end: e });
    end = e;
  }
  return out;
}
