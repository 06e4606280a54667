// Every raw hex value of a parsed dump file, decoded with the VT-d decoders and
// tied to the span it was printed at. The CLI's `decode`, the checks and the
// language server's hovers and inlay hints all read the same list.

import type { AnyParseResult } from '../dumps/registry';
import type { Span } from '../dumps/types';
import type { LineIndex } from '../dumps/lineIndex';
import { spanOf } from '../dumps/rowColumns';
import { QWORD_FIELDS } from '../dumps/debugfs/invalidationQueue';
import { rootSpanOf } from '../dumps/debugfs/dmarTranslation';
import type { DecodeContext, Structure } from '../vtd/layout';
import { decodeRegister } from '../vtd/registers';
import { capInfo } from '../vtd/capEcap';
import { decodeFrcd } from '../vtd/faultReasons';
import { decodeRootEntryFor } from '../vtd/rootEntry';
import { decodeContextEntryFor } from '../vtd/contextEntry';
import { decodePasidEntry } from '../vtd/pasidEntry';
import { decodeFlEntry, decodeSlEntry, LEVEL_NAMES } from '../vtd/paging';
import type { DecodeScope } from './decodeScope';
import { decodeIrte } from '../vtd/irte';
import { decodeInvDescriptor } from '../vtd/invalidation';
import { decodeMsi } from '../vtd/msi';
import { formatBdf, makeSid } from './bdf';
import { pageTableRowTokenColumns } from '../dumps/debugfs/pageTableRowScanner';

export interface DecodedEntry {
  span: Span;
  /** What the value is, in the file's terms: "CAP", "context entry 00:05.0", "PTE of 0xffefd000". */
  label: string;
  structure: Structure;
}

/** Where a unit's fault recording registers are (CAP.FRO × 16, 16 bytes each, CAP.NFR + 1 of them), when CAP is known. */
function faultRecordWindow(ctx: DecodeContext): { start: number; length: number } | undefined {
  if (ctx.cap === undefined) return undefined;
  const c = capInfo(ctx.cap);
  return { start: c.froOffset, length: 16 * c.nfr };
}

/** Scalable mode is told by the unit (RTADDR.TTM) when known, else by the rows themselves. */
function isScalable(ctx: DecodeContext, hasPasidRows: boolean): boolean {
  return ctx.scalable ?? hasPasidRows;
}

/** A page-table entry in the format of its block's stage: first-stage (x86-64) or second-stage. */
export function decodePageTableEntry(stage: 'first' | 'second', value: bigint, level: number, ctx: DecodeContext): Structure {
  return stage === 'first' ? decodeFlEntry(value, level, ctx) : decodeSlEntry(value, level, ctx);
}

/**
 * Calls `emit` for each decodable value of the file, each record decoded with
 * what its unit says (`scope`). Page-table entries are decoded once per
 * distinct (stage, level, value): a large dump repeats its upper levels on
 * every row.
 */
export function forEachDecodedEntry(
  parsed: AnyParseResult,
  scope: DecodeScope,
  emit: (e: DecodedEntry) => void,
  lines?: LineIndex,
): void {
  switch (parsed.format) {
    case 'iommu_regset':
      for (const unit of parsed.records) {
        const ctx = scope.unit(unit.unit);
        const frcd = faultRecordWindow(ctx);
        const byOffset = new Map(unit.registers.map((r) => [r.offset, r]));
        for (const reg of unit.registers) {
          // Rows inside CAP.FRO's window show fault recording registers whatever their name (see checkOverlaps in registers.ts).
          const k = frcd ? reg.offset - frcd.start : -1;
          if (frcd && k >= 0 && k < frcd.length) {
            const i = Math.floor(k / 16);
            const lo = byOffset.get(frcd.start + 16 * i)?.value ?? 0n;
            const hi = byOffset.get(frcd.start + 16 * i + 8)?.value ?? 0n;
            emit({ span: spanOf(reg, 'value'), label: `FRCD${i} ${k % 16 === 0 ? 'low' : 'high'} qword (printed as ${reg.name})`, structure: decodeFrcd(hi, lo) });
            continue;
          }
          emit({ span: spanOf(reg, 'value'), label: reg.name, structure: decodeRegister(reg.name, reg.value, ctx) });
        }
      }
      return;
    case 'dmar_translation_struct':
      for (const unit of parsed.records) {
        const ctx = scope.unit(unit.unit);
        const scalable = isScalable(ctx, unit.rows.some((r) => r.pasid >= 0));
        for (const row of unit.rows) {
          const name = formatBdf(makeSid(row.bus, row.dev, row.fn));
          emit({
            span: rootSpanOf(row),
            label: `root entry of bus ${row.bus.toString(16).padStart(2, '0')}`,
            structure: decodeRootEntryFor(scalable ? 'scalable' : 'legacy', row.rootHi, row.rootLo, ctx),
          });
          emit({
            span: spanOf(row, 'context'),
            label: `context entry ${name}`,
            structure: decodeContextEntryFor(scalable ? 'scalable' : 'legacy', row.ctxHi, row.ctxLo, ctx),
          });
          if (row.pasid >= 0 && row.pasidColumns) {
            emit({ span: spanOf(row, 'pasidEntry'), label: `PASID ${row.pasid} entry of ${name}`, structure: decodePasidEntry(row.pasidEntry, ctx) });
          }
        }
      }
      return;
    case 'domain_translation_struct': {
      const memo = new Map<string, Structure>();
      for (const block of parsed.records) {
        const rows = block.rows;
        const { ctx, stage } = scope.pageTable(block);
        for (let i = 0; i < rows.count; i++) {
          const line = rows.line(i);
          const spans = pageTableRowSpans(line, lines?.line(line));
          for (let level = 5; level >= 1; level--) {
            const value = rows.entry(i, level);
            if (value === undefined || value === 0n) continue;
            const key = `${stage}:${level}:${value}`;
            let s = memo.get(key);
            if (!s) {
              s = decodePageTableEntry(stage, value, level, ctx);
              memo.set(key, s);
            }
            const span = spans[level];
            if (span) emit({ span, label: `${LEVEL_NAMES[level]} for IOVA ${'0x' + rows.iova(i).toString(16)}`, structure: s });
          }
        }
      }
      return;
    }
    case 'ir_translation_struct':
      for (const unit of parsed.records) {
        const ctx = scope.unit(unit.unit);
        for (const e of unit.entries) {
          emit({ span: { line: e.line, start: spanOf(e, 'hi').start, end: spanOf(e, 'lo').end }, label: `IRTE ${e.index}`, structure: decodeIrte(e.hi, e.lo, ctx) });
        }
      }
      return;
    case 'invalidation_queue':
      for (const unit of parsed.records) {
        const ctx = scope.unit(unit.unit);
        for (const d of unit.descriptors) {
          if (d.qwords.length === 0) continue;
          const first = spanOf(d, 'qw0');
          const last = spanOf(d, QWORD_FIELDS[d.qwords.length - 1]);
          emit({ span: { line: d.line, start: first.start, end: last.end }, label: `descriptor ${d.index}`, structure: decodeInvDescriptor(d.qwords, ctx) });
        }
      }
      return;
    case 'dmesg':
      for (const r of parsed.records) {
        if (r.kind === 'unit-info') {
          const ctx = scope.unit(r.unit);
          emit({ span: r.capSpan, label: `CAP of ${r.unit}`, structure: decodeRegister('CAP', r.cap, ctx) });
          emit({ span: r.ecapSpan, label: `ECAP of ${r.unit}`, structure: decodeRegister('ECAP', r.ecap, ctx) });
        }
      }
      return;
    case 'qemu_trace': {
      // QEMU emulates one unit: its trace decodes with it.
      const ctx = scope.unit(undefined);
      for (const e of parsed.records) {
        const a = e.args;
        if (e.name === 'vtd_ir_remap_msi_req' && typeof a.addr === 'bigint' && typeof a.data === 'bigint') {
          emit({ span: spanOf(e, 'line'), label: 'MSI request', structure: decodeMsi(a.addr, a.data) });
        } else if (e.name === 'vtd_ir_irte_get' && typeof a.hi === 'bigint' && typeof a.lo === 'bigint') {
          emit({ span: spanOf(e, 'line'), label: `IRTE ${String(a.index)}`, structure: decodeIrte(a.hi, a.lo, ctx) });
        } else if (e.name === 'vtd_frr_new' && typeof a.hi === 'bigint' && typeof a.lo === 'bigint') {
          // QEMU traces the record before it sets F (bit 127): decoded as the register then reads.
          emit({ span: spanOf(e, 'line'), label: `FRCD${String(a.index)} (QEMU sets F right after this event)`, structure: decodeFrcd(a.hi | (1n << 63n), a.lo) });
        } else if (e.name === 'vtd_inv_desc' && typeof a.hi === 'bigint' && typeof a.lo === 'bigint') {
          emit({ span: spanOf(e, 'line'), label: 'invalidation descriptor', structure: decodeInvDescriptor([a.lo, a.hi], ctx) });
        }
      }
      return;
    }
    default:
      return;
  }
}

/** All decoded entries of a file as a list (for small files and tests). */
export function decodedEntries(parsed: AnyParseResult, scope: DecodeScope, lines?: LineIndex): DecodedEntry[] {
  const out: DecodedEntry[] = [];
  forEachDecodedEntry(parsed, scope, (e) => out.push(e), lines);
  return out;
}

/**
 * Spans of the entries of one domain_translation_struct row, by level: the
 * values after the PFN are PML5E, PML4E, PDPE, PDE, PTE in that order (a row
 * stops early at a huge-page leaf). Without the line text, empty spans.
 */
export function pageTableRowSpans(line: number, text: string | undefined): Record<number, Span> {
  const out: Record<number, Span> = {};
  if (text === undefined) {
    for (let level = 1; level <= 5; level++) out[level] = { line, start: 0, end: 0 };
    return out;
  }
  pageTableRowTokenColumns(text)
    .slice(1)
    .forEach((c, k) => {
      out[5 - k] = { line, start: c.start, end: c.end };
    });
  return out;
}

/**
 * The remapping unit a line of a dump belongs to: the unit of the last unit
 * record (its header) at or above it, in the formats printed unit by unit.
 */
export function unitOfLine(parsed: AnyParseResult | undefined, line: number): string | undefined {
  if (!parsed) return undefined;
  switch (parsed.format) {
    case 'iommu_regset':
    case 'dmar_translation_struct':
    case 'ir_translation_struct':
    case 'invalidation_queue':
    case 'dmar_perf_latency': {
      let unit: string | undefined;
      for (const r of parsed.records as readonly { unit: string; span: Span }[]) {
        if (r.span.line > line) break;
        unit = r.unit;
      }
      return unit;
    }
    default:
      return undefined;
  }
}
