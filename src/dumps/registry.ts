// One table of every dump format: how to recognise it from its content (and,
// as a hint, its file name) and how to parse it. Format detection never
// relies on the name alone, so a renamed or pasted dump is still recognised.

import type { FormatId, ParseResult } from './types';
import { looksLikeIommuRegset, parseIommuRegset, type RegsetUnit } from './debugfs/iommuRegset';
import { looksLikeDmarTranslation, parseDmarTranslation, type DmarUnitTable } from './debugfs/dmarTranslation';
import { looksLikeDomainTranslation, parseDomainTranslation, type DomainBlock } from './debugfs/domainTranslation';
import { looksLikeIrTranslation, parseIrTranslation, type IrUnitTable } from './debugfs/irTranslation';
import { looksLikeInvalidationQueue, parseInvalidationQueue, type InvQueueUnit } from './debugfs/invalidationQueue';
import { looksLikePerfLatency, parsePerfLatency, type PerfLatencyUnit } from './debugfs/perfLatency';
import { looksLikeKernelLog, parseKernelLog, type KernelLogRecord } from './kernelLog/index';
import { looksLikeProcInterrupts, parseProcInterrupts, type ProcInterrupts } from './procInterrupts';
import { looksLikeQemuTrace, parseQemuTrace, type TraceEvent } from './qemuTrace/index';
import { looksLikeIommuGroups, parseIommuGroups, type IommuGroup } from './iommuGroups';

/** A parse result tagged with its format, so code can narrow on `format`. */
export type AnyParseResult =
  | (ParseResult<RegsetUnit> & { format: 'iommu_regset' })
  | (ParseResult<DmarUnitTable> & { format: 'dmar_translation_struct' })
  | (ParseResult<DomainBlock> & { format: 'domain_translation_struct' })
  | (ParseResult<IrUnitTable> & { format: 'ir_translation_struct' })
  | (ParseResult<InvQueueUnit> & { format: 'invalidation_queue' })
  | (ParseResult<PerfLatencyUnit> & { format: 'dmar_perf_latency' })
  | (ParseResult<KernelLogRecord> & { format: 'dmesg' })
  | (ParseResult<ProcInterrupts> & { format: 'proc_interrupts' })
  | (ParseResult<TraceEvent> & { format: 'qemu_trace' })
  | (ParseResult<IommuGroup> & { format: 'iommu_groups' });

interface FormatEntry {
  id: FormatId;
  /** What a person calls it. */
  title: string;
  /** File base names the kernel, QEMU or users give it (an extension such as .txt may follow). */
  names: RegExp;
  /** Whether the content is this format: `head` is the file's first DETECT_HEAD_CHARS, `text` all of it (for a format that must look further). */
  looksLike: (head: string, text: string) => boolean;
  parse: (text: string, fileName?: string) => AnyParseResult;
}

// Order matters for content detection: the most specific formats come first
// (iommu_regset and dmar_perf_latency share their first line; the kernel log
// is the loosest and comes last).
export const FORMATS: readonly FormatEntry[] = [
  { id: 'dmar_perf_latency', title: 'DMAR perf latency', names: /^dmar_perf_latency/, looksLike: looksLikePerfLatency, parse: (t) => parsePerfLatency(t) as AnyParseResult },
  { id: 'iommu_regset', title: 'VT-d registers', names: /^iommu_regset/, looksLike: looksLikeIommuRegset, parse: (t) => parseIommuRegset(t) as AnyParseResult },
  { id: 'dmar_translation_struct', title: 'DMAR root/context table', names: /^dmar_translation_struct/, looksLike: looksLikeDmarTranslation, parse: (t) => parseDmarTranslation(t) as AnyParseResult },
  { id: 'domain_translation_struct', title: 'Second-level page table', names: /^domain_translation_struct/, looksLike: looksLikeDomainTranslation, parse: (t, n) => parseDomainTranslation(t, n) as AnyParseResult },
  { id: 'ir_translation_struct', title: 'Interrupt remapping table', names: /^ir_translation_struct/, looksLike: looksLikeIrTranslation, parse: (t) => parseIrTranslation(t) as AnyParseResult },
  { id: 'invalidation_queue', title: 'Invalidation queue', names: /^invalidation_queue/, looksLike: looksLikeInvalidationQueue, parse: (t) => parseInvalidationQueue(t) as AnyParseResult },
  { id: 'proc_interrupts', title: '/proc/interrupts', names: /^(proc[-_.]?)?interrupts/, looksLike: looksLikeProcInterrupts, parse: (t) => parseProcInterrupts(t) as AnyParseResult },
  { id: 'iommu_groups', title: 'IOMMU groups', names: /^iommu_groups/, looksLike: looksLikeIommuGroups, parse: (t) => parseIommuGroups(t) as AnyParseResult },
  { id: 'qemu_trace', title: 'QEMU vtd trace', names: /(\.trace|^trace[-_.]|^qemu[-_.])/, looksLike: looksLikeQemuTrace, parse: (t) => parseQemuTrace(t) as AnyParseResult },
  { id: 'dmesg', title: 'Kernel log', names: /^(dmesg|kern\.log|.*\.dmesg$)/, looksLike: looksLikeKernelLog, parse: (t) => parseKernelLog(t) as AnyParseResult },
];

function formatEntry(id: FormatId): FormatEntry {
  const e = FORMATS.find((f) => f.id === id);
  if (!e) throw new Error(`unknown format ${id}`);
  return e;
}

/** The base name of a path, whichever separator it uses. */
function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** The bytes detection looks at: enough for every format's first lines. */
const DETECT_HEAD_CHARS = 8192;

/**
 * Decides the format of a file from its content; the file name breaks ties
 * and is used alone only when the content says nothing (an empty file).
 */
export function detectFormat(text: string, fileName?: string): FormatId | undefined {
  const head = text.length > DETECT_HEAD_CHARS ? text.slice(0, DETECT_HEAD_CHARS) : text;
  const matches = FORMATS.filter((f) => safeLooksLike(f, head, text));
  const name = fileName ? baseName(fileName) : undefined;
  if (name) {
    const byName = FORMATS.find((f) => f.names.test(name));
    if (byName && (matches.includes(byName) || head.trim() === '')) return byName.id;
  }
  return matches[0]?.id;
}

function safeLooksLike(f: FormatEntry, head: string, text: string): boolean {
  try {
    return f.looksLike(head, text);
  } catch {
    return false;
  }
}

/** Parses a file as the given (or detected) format; undefined when no format fits. */
export function parseDump(text: string, fileName?: string, format?: FormatId): AnyParseResult | undefined {
  const id = format ?? detectFormat(text, fileName);
  if (!id) return undefined;
  try {
    return formatEntry(id).parse(text, fileName);
  } catch (err) {
    // Parsers are written not to throw; this is the last line of defence so a
    // bug shows as a finding on the file instead of taking the caller down.
    return {
      format: id,
      dialect: [],
      records: [],
      lineCount: 0,
      findings: [
        {
          severity: 'error',
          kind: 'syntax',
          code: 'parser-failure',
          message: `The ${id} parser failed: ${err instanceof Error ? err.message : String(err)}`,
          span: { line: 0, start: 0, end: 0 },
        },
      ],
    } as AnyParseResult;
  }
}
