// Line-oriented incremental re-parsing. When an edit keeps the line count and
// stays inside the rows of one device block of a page-table dump (the format
// that reaches tens of megabytes), only that block is parsed again and every
// other block keeps its parsed rows (and, in the capture, its checked
// findings). Any other edit falls back to a full parse.

import type { AnyParseResult } from '../dumps/registry';
import { parseDomainTranslation } from '../dumps/debugfs/domainTranslation';

/** First and last line that differ between two versions of equal line count. */
export function changedLines(before: readonly string[], after: readonly string[]): { first: number; last: number } | undefined {
  if (before.length !== after.length) return undefined;
  let first = 0;
  while (first < after.length && before[first] === after[first]) first++;
  if (first === after.length) return { first: -1, last: -1 };
  let last = after.length - 1;
  while (last > first && before[last] === after[last]) last--;
  return { first, last };
}

/**
 * The parse of `lines` derived from the previous parse, or undefined when the
 * edit does not allow it (the caller then parses the whole text).
 */
export function reparseIncrementally(prev: AnyParseResult | undefined, prevLines: readonly string[], lines: readonly string[], fileName: string | undefined): AnyParseResult | undefined {
  if (prev?.format !== 'domain_translation_struct') return undefined;
  const changed = changedLines(prevLines, lines);
  if (!changed) return undefined;
  if (changed.first < 0) return prev;
  const b = prev.records.findIndex((block) => changed.first > block.span.line && changed.last <= block.lastLine);
  if (b < 0) return undefined;
  const block = prev.records[b];
  // Blank lines before the block keep the line numbers absolute.
  const text = '\n'.repeat(block.span.line) + lines.slice(block.span.line, block.lastLine + 1).join('\n') + '\n';
  const again = parseDomainTranslation(text, fileName);
  const fresh = again.records[0];
  if (again.records.length !== 1 || fresh.span.line !== block.span.line || fresh.pgd !== block.pgd || fresh.lastLine !== block.lastLine) return undefined;
  const inBlock = (line: number) => line > block.span.line && line <= block.lastLine;
  const records = prev.records.slice();
  records[b] = { ...block, rows: fresh.rows };
  return {
    ...prev,
    records,
    findings: [...prev.findings.filter((f) => !inBlock(f.span.line)), ...again.findings.filter((f) => inBlock(f.span.line))].sort((x, y) => x.span.line - y.span.line),
  };
}
