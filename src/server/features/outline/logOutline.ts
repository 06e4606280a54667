// Outlines of the kernel-side text files: the kernel log (units, DMA and
// interrupt-remapping faults with the table dump the kernel printed after
// each), /proc/interrupts (the remapped interrupts) and the IOMMU groups.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { DmarFaultRecord, FaultDumpRecord, IrFaultRecord, KernelLogRecord } from '../../../dumps/kernelLog/index';
import type { ProcInterrupts } from '../../../dumps/procInterrupts';
import type { IommuGroup } from '../../../dumps/iommuGroups';
import { spanOf } from '../../../dumps/rowColumns';
import { formatBdf, makeSid } from '../../../model/bdf';
import { hex } from '../../../vtd/u64';
import { hex2, lineRange, plural, spanRange, symbol, type OutlineInput } from './symbolBuild';

function faultName(r: DmarFaultRecord | IrFaultRecord): string {
  if (r.kind === 'dmar-fault') return `DMA ${r.type === 'write' ? 'Write' : 'Read'} fault ${formatBdf(r.sid)}`;
  return `INTR-REMAP fault ${formatBdf(r.sid)}`;
}

function faultDetail(r: DmarFaultRecord | IrFaultRecord): string {
  const reason = `reason ${hex(r.reason, 2)} ${r.reasonText}`.trim();
  if (r.kind === 'dmar-fault') return `${hex(r.address)}${r.pasid !== undefined ? ` PASID ${hex(r.pasid)}` : ''}, ${reason}`;
  return `index ${hex(r.index)}, ${reason}`;
}

function dumpLastLine(d: FaultDumpRecord): number {
  let last = d.span.line;
  for (const l of d.lines) last = Math.max(last, l.span.line);
  return last;
}

function dumpSymbol(input: OutlineInput, d: FaultDumpRecord): DocumentSymbol {
  const range = lineRange(input.doc.lines, d.span.line, dumpLastLine(d));
  return symbol(`${d.unit} table dump`, SymbolKind.Object, range, spanRange(d.span), `IOVA ${hex(d.iova)}, ${plural(d.lines.length, 'line')}`);
}

/** Whether a dump (whose IOVA may be page-aligned) is the one printed for a fault. */
function dumpBelongsTo(d: FaultDumpRecord, f: DmarFaultRecord): boolean {
  return d.iova === f.address || d.iova === (f.address & ~0xfffn);
}

export function kernelLogOutline(input: OutlineInput, records: readonly KernelLogRecord[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const out: DocumentSymbol[] = [];
  /** The last DMA fault, while a dump may still follow it. */
  let lastFault: { record: DmarFaultRecord; symbol: DocumentSymbol } | undefined;
  for (const r of records) {
    budget.check();
    if (r.kind === 'dmar-fault' || r.kind === 'ir-fault') {
      if (!budget.take()) break;
      const last = Math.max(r.span.line, r.reasonSpan.line);
      const s = symbol(faultName(r), SymbolKind.Event, lineRange(doc.lines, r.span.line, last), spanRange(r.deviceSpan), faultDetail(r));
      out.push(s);
      lastFault = r.kind === 'dmar-fault' ? { record: r, symbol: s } : undefined;
    } else if (r.kind === 'fault-dump') {
      if (!budget.take()) break;
      const d = dumpSymbol(input, r);
      if (lastFault && dumpBelongsTo(r, lastFault.record) && !lastFault.symbol.children?.length) {
        // The fault's symbol grows to cover its dump, so the pair folds as one.
        lastFault.symbol.children = [d];
        lastFault.symbol.range = { start: lastFault.symbol.range.start, end: d.range.end };
      } else {
        out.push(d);
      }
      lastFault = undefined;
    } else if (r.kind === 'unit-info') {
      if (!budget.take()) break;
      const detail = `registers at ${hex(r.regBase)}, version ${r.verMajor}.${r.verMinor}, CAP ${hex(r.cap)}, ECAP ${hex(r.ecap)}`;
      out.push(symbol(r.unit, SymbolKind.Module, lineRange(doc.lines, r.span.line), spanRange(r.span), detail));
    }
  }
  return out;
}

/** The rows of /proc/interrupts that go through the IOMMU: remapped ones, and the units' own fault interrupts. */
export function procInterruptsOutline(input: OutlineInput, tables: readonly ProcInterrupts[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const out: DocumentSymbol[] = [];
  for (const t of tables) {
    for (const row of t.rows) {
      if (!row.remapped && row.chip !== 'DMAR-MSI') continue;
      if (!budget.take()) return out;
      const total = row.counts.reduce((a, b) => a + b, 0);
      const parts = [row.chip ?? '?'];
      if (row.requesterId !== undefined) parts.push(formatBdf(row.requesterId) + (row.msiIndex !== undefined ? ` vector ${row.msiIndex}` : ''));
      else if (row.hwirq !== undefined) parts.push(`hwirq ${row.hwirq}`);
      parts.push(plural(total, 'interrupt'));
      const name = `IRQ ${row.irq}${row.name ? ` ${row.name}` : ''}`;
      out.push(symbol(name, SymbolKind.Event, lineRange(doc.lines, row.line), row.name !== undefined ? spanRange(spanOf(row, 'name')) : undefined, parts.join(', ')));
    }
  }
  return out;
}

export function iommuGroupsOutline(input: OutlineInput, groups: readonly IommuGroup[]): DocumentSymbol[] {
  const { doc, budget } = input;
  const out: DocumentSymbol[] = [];
  for (const g of groups) {
    if (!budget.take()) break;
    const devices: DocumentSymbol[] = [];
    let first = g.span.line;
    let last = g.span.line;
    for (const d of g.devices) {
      first = Math.min(first, d.span.line);
      last = Math.max(last, d.span.line);
      if (!budget.take()) continue;
      const name = `${d.segment.toString(16).padStart(4, '0')}:${hex2(d.bus)}:${formatBdf(makeSid(d.bus, d.dev, d.fn)).slice(3)}`;
      devices.push(symbol(name, SymbolKind.Struct, lineRange(doc.lines, d.span.line), spanRange(d.span)));
    }
    out.push(symbol(`group ${g.group}`, SymbolKind.Namespace, lineRange(doc.lines, first, last), spanRange(g.span), plural(g.devices.length, 'device'), devices));
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}
