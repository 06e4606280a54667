// Outlines of the small debugfs files: the register file, the root/context
// (and PASID) table, the interrupt remapping table, the invalidation queue and
// the latency histograms. Each unit is a block from its header to the last
// line before the next header.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { RegsetUnit } from '../../../dumps/debugfs/iommuRegset';
import type { DmarRow, DmarUnitTable } from '../../../dumps/debugfs/dmarTranslation';
import type { IrUnitTable } from '../../../dumps/debugfs/irTranslation';
import type { InvQueueUnit } from '../../../dumps/debugfs/invalidationQueue';
import type { PerfLatencyUnit } from '../../../dumps/debugfs/perfLatency';
import { spanOf } from '../../../dumps/rowColumns';
import { rootSpanOf } from '../../../dumps/debugfs/dmarTranslation';
import { formatBdf, makeSid } from '../../../model/bdf';
import { awBits, decodeContextEntryFor } from '../../../vtd/contextEntry';
import { decodeInvDescriptor } from '../../../vtd/invalidation';
import { irteDestinationName, irteInfo } from '../../../vtd/irte';
import { fieldValue, type Structure } from '../../../vtd/layout';
import { decodePasidEntry } from '../../../vtd/pasidEntry';
import { decodeRegister } from '../../../vtd/registers';
import { hex } from '../../../vtd/u64';
import { hex2, lineRange, plural, spanRange, symbol, type OutlineInput } from './symbolBuild';

/** Last line of block `i` of `starts` (header lines): the last text line before the next header. */
function blockEnd(input: OutlineInput, starts: readonly number[], i: number, skip?: RegExp): number {
  const lines = input.doc.lines;
  const limit = i + 1 < starts.length ? starts[i + 1] - 1 : lines.count - 1;
  let last = starts[i];
  for (let l = starts[i]; l <= limit; l++) {
    const t = (lines.line(l) ?? '').trim();
    if (t.length > 0 && !(skip && skip.test(t))) last = l;
  }
  return last;
}

export function regsetOutline(input: OutlineInput, units: readonly RegsetUnit[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const starts = units.map((u) => u.span.line);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < units.length && budget.take(); i++) {
    const u = units[i];
    const children: DocumentSymbol[] = [];
    for (const reg of u.registers) {
      if (!budget.take()) break;
      const s = decodeRegister(reg.name, reg.value, input.ctx(u.unit));
      const value = hex(reg.value);
      const summary = s.summary && s.summary !== '0' && s.summary !== value ? ` ${s.summary}` : '';
      children.push(symbol(reg.name, SymbolKind.Field, lineRange(doc.lines, reg.line), spanRange(spanOf(reg, 'name')), value + summary));
    }
    const range = lineRange(doc.lines, u.span.line, blockEnd(input, starts, i));
    out.push(symbol(u.unit, SymbolKind.Module, range, spanRange(u.unitSpan), `registers at ${hex(u.baseAddress)}`, children));
  }
  return out;
}

/** "DID 7, AW 39, TT 0" for a legacy context entry; the summary for a scalable one. */
function contextDetail(s: Structure, scalable: boolean): string {
  if (fieldValue(s, 'P') === 0n) return 'not present';
  if (scalable) return s.summary;
  const did = fieldValue(s, 'DID');
  const aw = fieldValue(s, 'AW');
  const tt = fieldValue(s, 'TT');
  return `DID ${did ?? '?'}, AW ${aw !== undefined ? awBits(Number(aw)) : '?'}, TT ${tt ?? '?'}`;
}

function pasidDetail(s: Structure): string {
  if (fieldValue(s, 'P') === 0n) return 'not present';
  const parts: string[] = [];
  for (const name of ['DID', 'PGTT']) {
    const v = fieldValue(s, name);
    if (v !== undefined) parts.push(`${name} ${v}`);
  }
  const aw = fieldValue(s, 'AW');
  if (aw !== undefined) parts.splice(1, 0, `AW ${awBits(Number(aw))}`);
  return parts.join(', ') || s.summary;
}

/** One requester: its context entry, and in scalable mode its PASID entries as children. */
function requesterSymbol(input: OutlineInput, unit: string, rows: readonly DmarRow[], scalable: boolean): DocumentSymbol {
  const { doc, budget } = input;
  const first = rows[0];
  const ctx = input.ctx(unit);
  const context = decodeContextEntryFor(scalable ? 'scalable' : 'legacy', first.ctxHi, first.ctxLo, ctx);
  const children: DocumentSymbol[] = [];
  for (const row of rows) {
    if (row.pasid < 0 || !row.pasidColumns || !budget.take()) continue;
    const pe = decodePasidEntry(row.pasidEntry, ctx);
    children.push(symbol(`PASID ${row.pasid}`, SymbolKind.Field, lineRange(doc.lines, row.line), spanRange(spanOf(row, 'pasid')), pasidDetail(pe)));
  }
  const last = rows[rows.length - 1].line;
  return symbol(formatBdf(makeSid(first.bus, first.dev, first.fn)), SymbolKind.Struct, lineRange(doc.lines, first.line, last), spanRange(spanOf(first, 'bdf')), contextDetail(context, scalable), children);
}

export function dmarOutline(input: OutlineInput, units: readonly DmarUnitTable[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const starts = units.map((u) => u.span.line);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < units.length && budget.take(); i++) {
    const u = units[i];
    const scalable = input.ctx(u.unit).scalable ?? u.rows.some((r) => r.pasid >= 0);
    const buses: DocumentSymbol[] = [];
    let r = 0;
    while (r < u.rows.length && budget.take()) {
      const bus = u.rows[r].bus;
      const busStart = r;
      const requesters: DocumentSymbol[] = [];
      while (r < u.rows.length && u.rows[r].bus === bus) {
        const sid = makeSid(u.rows[r].bus, u.rows[r].dev, u.rows[r].fn);
        const from = r;
        while (r < u.rows.length && makeSid(u.rows[r].bus, u.rows[r].dev, u.rows[r].fn) === sid) r++;
        if (budget.take()) requesters.push(requesterSymbol(input, u.unit, u.rows.slice(from, r), scalable));
      }
      const firstRow = u.rows[busStart];
      // The v4.20–v5.2 layout prints the bus's root entry on its own line above the rows.
      const top = Math.min(firstRow.rootLine, firstRow.line);
      const range = lineRange(doc.lines, top, u.rows[r - 1].line);
      const selection = firstRow.rootLine < firstRow.line ? spanRange(rootSpanOf(firstRow)) : range;
      buses.push(symbol(`bus ${hex2(bus)}`, SymbolKind.Namespace, range, selection, plural(requesters.length, 'requester'), requesters));
    }
    const detail = u.notEnabled ? 'DMA remapping not enabled' : `root table ${hex(u.rootTableAddress)}${scalable ? ', scalable mode' : ''}`;
    out.push(symbol(u.unit, SymbolKind.Module, lineRange(doc.lines, u.span.line, blockEnd(input, starts, i)), spanRange(u.unitSpan), detail, buses));
  }
  return out;
}

export function irteOutline(input: OutlineInput, tables: readonly IrUnitTable[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const starts = tables.map((t) => t.span.line);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < tables.length && budget.take(); i++) {
    const t = tables[i];
    const children: DocumentSymbol[] = [];
    for (const e of t.entries) {
      if (!budget.take()) break;
      const info = irteInfo(e.hi, e.lo, input.ctx(t.unit));
      const parts = [`vector ${hex(info.vector)}`];
      if (info.posted) parts.push(`PDA ${hex(info.pda ?? 0n)}`);
      else parts.push(`to ${irteDestinationName(info)}`);
      parts.push(`SID ${formatBdf(e.sid)}`);
      if (!info.present) parts.unshift('not present');
      children.push(symbol(`IRTE ${e.index}`, SymbolKind.Field, lineRange(doc.lines, e.line), spanRange(spanOf(e, 'index')), parts.join(', ')));
    }
    const what = t.notEnabled ? 'not enabled' : `${plural(t.entries.length, 'entry', 'entries')}${t.tableAddress !== undefined ? ` at ${hex(t.tableAddress)}` : ''}`;
    const range = lineRange(doc.lines, t.span.line, blockEnd(input, starts, i, /^\*+$/));
    out.push(symbol(`${t.unit} ${t.section}`, SymbolKind.Module, range, range, what, children));
  }
  return out;
}

export function invalidationOutline(input: OutlineInput, units: readonly InvQueueUnit[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const starts = units.map((u) => u.span.line);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < units.length && budget.take(); i++) {
    const u = units[i];
    const children: DocumentSymbol[] = [];
    for (const d of u.descriptors) {
      const marks = [d.index === u.head ? 'Head' : '', d.index === u.tail ? 'Tail' : ''].filter((m) => m);
      const empty = d.qwords.every((q) => q === 0n);
      if ((empty && marks.length === 0) || !budget.take()) continue;
      const summary = empty ? 'empty slot' : decodeInvDescriptor(d.qwords, input.ctx(u.unit)).summary;
      const name = `descriptor ${d.index}${marks.length ? ` (${marks.join(', ')})` : ''}`;
      children.push(symbol(name, SymbolKind.Field, lineRange(doc.lines, d.line), spanRange(spanOf(d, 'index')), summary));
    }
    const detail = `base ${hex(u.base)}, head ${u.head}, tail ${u.tail}${u.wide ? ', 256-bit descriptors' : ''}`;
    out.push(symbol(u.unit, SymbolKind.Module, lineRange(doc.lines, u.span.line, blockEnd(input, starts, i)), lineRange(doc.lines, u.span.line), detail, children));
  }
  return out;
}

export function perfOutline(input: OutlineInput, units: readonly PerfLatencyUnit[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const starts = units.map((u) => u.span.line);
  const out: DocumentSymbol[] = [];
  for (let i = 0; i < units.length && budget.take(); i++) {
    const u = units[i];
    const children: DocumentSymbol[] = [];
    for (const row of u.rows) {
      if (!budget.take()) break;
      const v = row.values;
      const samples = v.slice(0, 7).reduce((a, b) => a + b, 0);
      const detail = v.length >= 10 ? `${plural(samples, 'sample')}, min ${v[7]} µs, max ${v[8]} µs, average ${v[9]} µs` : plural(samples, 'sample');
      children.push(symbol(row.type, SymbolKind.Field, lineRange(doc.lines, row.line), spanRange(spanOf(row, 'type')), detail));
    }
    const detail = u.rows.length ? plural(u.rows.length, 'latency row') : 'no samples';
    out.push(symbol(u.unit, SymbolKind.Module, lineRange(doc.lines, u.span.line, blockEnd(input, starts, i)), lineRange(doc.lines, u.span.line), detail, children));
  }
  return out;
}
