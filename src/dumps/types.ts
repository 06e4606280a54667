// What every dump parser returns: records that remember where they came from,
// and findings with a location. Parsers never throw on input.

import type { Severity } from '../vtd/layout';

/** Every dump format vIOMMU Inspector reads (the ids of `viommu decode --json`). */
export type FormatId =
  | 'iommu_regset'
  | 'dmar_translation_struct'
  | 'domain_translation_struct'
  | 'ir_translation_struct'
  | 'invalidation_queue'
  | 'dmar_perf_latency'
  | 'dmesg'
  | 'proc_interrupts'
  | 'qemu_trace'
  | 'iommu_groups';


/** A range on one line: 0-based line, [start, end) in UTF-16 code units (as LSP). */
export interface Span {
  line: number;
  start: number;
  end: number;
}

type FindingKind = 'syntax' | 'semantic';

export interface Finding {
  severity: Severity;
  /** syntax: a line the parser does not understand; semantic: a meaning problem. */
  kind: FindingKind;
  /** Stable id, e.g. "unrecognised-line", "reserved-bits", "did-mismatch-in-group". */
  code: string;
  message: string;
  span: Span;
  /** The file the finding is in, when it is about a capture (relative name). */
  file?: string;
  /** Other places that explain the finding. */
  related?: { file?: string; span: Span; message: string }[];
  /** The VT-d fault reason a real IOMMU would record, when there is one. */
  faultReason?: number;
}

/** The result of parsing one file. */
export interface ParseResult<R> {
  format: FormatId;
  /**
   * Which variant of the format this is, e.g. "v5.7+ register order",
   * "per-device (v6.7+)", "LSB-first PASID entries".
   */
  dialect: string[];
  records: R[];
  findings: Finding[];
  lineCount: number;
}

/** A whole-line span. */
export function lineSpan(line: number, text: string): Span {
  return { line, start: 0, end: text.length };
}

/**
 * Splits text into lines without their terminators (LF or CRLF; a lone CR is
 * kept as text). A final newline does not add an empty last line.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** A syntax finding for a line the parser does not understand. */
export function unrecognised(line: number, text: string, what: string): Finding {
  const shown = text.length > 80 ? text.slice(0, 77) + '...' : text;
  return {
    severity: 'warning',
    kind: 'syntax',
    code: 'unrecognised-line',
    message: `Not a line of ${what}: "${shown}"`,
    span: lineSpan(line, text),
  };
}
