// Line-oriented incremental re-parsing. When an edit keeps the line count and
// stays inside the rows of one device block of a page-table dump (the format
// that reaches tens of megabytes), only that block is parsed again and every
// other block keeps its parsed rows (and, in the capture, its checked
// findings). A QEMU trace that grew (QEMU still writing it) is parsed from
// where its last parse stopped. Any other edit falls back to a full parse.

import type { AnyParseResult } from '../dumps/registry';
import { parseDomainTranslation, type PageTableRows } from '../dumps/debugfs/domainTranslation';
import { MAX_FINDINGS } from '../dumps/debugfs/scan';
import type { LineIndex } from '../dumps/lineIndex';
import { parseQemuTraceAppended } from '../dumps/qemuTrace/index';

/** Characters of common prefix or suffix compared at once (string equality is a memory compare). */
const CHUNK = 4096;

/**
 * First and last line of `after` that differ from `before`, when both have
 * as many lines; { first: -1, last: -1 } for equal texts. A line whose line
 * end alone changed (LF to CRLF) counts as changed.
 */
export function changedLines(before: LineIndex, after: LineIndex): { first: number; last: number } | undefined {
  if (before.count !== after.count) return undefined;
  const a = before.text;
  const b = after.text;
  const prefix = commonPrefix(a, b);
  if (prefix === a.length && prefix === b.length) return { first: -1, last: -1 };
  // Lines after the last difference lie in the common suffix, which holds
  // as many line ends in both texts: they are the same lines in both.
  const suffix = commonSuffix(a, b, Math.min(a.length, b.length) - prefix);
  const first = after.lineAt(prefix);
  return { first, last: Math.max(first, after.lineAt(b.length - suffix - 1)) };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common end of `a` and `b`, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let k = 0;
  while (k + CHUNK <= limit && a.slice(a.length - k - CHUNK, a.length - k) === b.slice(b.length - k - CHUNK, b.length - k)) k += CHUNK;
  while (k < limit && a.charCodeAt(a.length - k - 1) === b.charCodeAt(b.length - k - 1)) k++;
  return k;
}

/**
 * The parse of `lines` derived from the previous parse, or undefined when the
 * edit does not allow it (the caller then parses the whole text).
 */
export function reparseIncrementally(prev: AnyParseResult | undefined, prevLines: LineIndex, lines: LineIndex, fileName: string | undefined): AnyParseResult | undefined {
  // A trace still being written: only what was appended is read.
  if (prev?.format === 'qemu_trace') return parseQemuTraceAppended(prev, lines.text) as AnyParseResult | undefined;
  if (prev?.format !== 'domain_translation_struct') return undefined;
  const changed = changedLines(prevLines, lines);
  if (!changed) return undefined;
  if (changed.first < 0) return prev;
  const b = prev.records.findIndex((block) => changed.first > block.span.line && changed.last <= block.lastLine);
  if (b < 0) return undefined;
  const block = prev.records[b];
  // Blank lines before the block keep the line numbers absolute.
  const text = '\n'.repeat(block.span.line) + lines.text.slice(lines.start(block.span.line), lines.end(block.lastLine)) + '\n';
  const again = parseDomainTranslation(text, fileName);
  const fresh = again.records[0];
  if (again.records.length !== 1 || fresh.span.line !== block.span.line || fresh.pgd !== block.pgd || fresh.lastLine !== block.lastLine) return undefined;
  // A row of fewer than five entries marks the whole file as the v6.7+
  // per-device dialect, which decides how every header's PASID is read.
  if (hasShortRow(fresh.rows) !== hasShortRow(block.rows)) return undefined;
  const inBlock = (line: number) => line > block.span.line && line <= block.lastLine;
  const findings = [...prev.findings.filter((f) => !inBlock(f.span.line)), ...again.findings.filter((f) => inBlock(f.span.line))];
  // Past the cap, which findings a full parse keeps depends on the whole file.
  if (findings.length >= MAX_FINDINGS || findings.some((f) => f.code === 'too-many-findings')) return undefined;
  const records = prev.records.slice();
  records[b] = { ...block, rows: fresh.rows };
  return { ...prev, records, findings: findings.sort((x, y) => x.span.line - y.span.line) };
}

function hasShortRow(rows: PageTableRows): boolean {
  for (let i = 0; i < rows.count; i++) if (rows.entryCount(i) < 5) return true;
  return false;
}
