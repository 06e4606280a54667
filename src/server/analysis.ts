// The analysis of one document: its format, parse result and line index, and
// a way to find the decoded entries on a line without decoding the whole file
// (a page-table dump can hold millions of entries).

import { parseDump, detectFormat, type AnyParseResult } from '../dumps/registry';
import type { FormatId } from '../dumps/types';
import { LineIndex } from '../dumps/lineIndex';
import { decodePageTableEntry, forEachDecodedEntry, pageTableRowSpans, type DecodedEntry } from '../model/decodeFile';
import type { DecodeScope } from '../model/decodeScope';
import { LEVEL_NAMES } from '../vtd/paging';
import { hex } from '../vtd/u64';
import { formatIdOfLanguage } from '../protocol';
import { reparseIncrementally } from './incrementalParse';
import { rowAtLine } from '../model/mappings';

export class DocumentAnalysis {
  /** The document's text (`lines.text`) and where its lines start. */
  readonly lines: LineIndex;
  readonly parsed: AnyParseResult | undefined;
  /** Decoded entries by line (all formats but page tables, decoded on first use). */
  private entriesByLine: Map<number, DecodedEntry[]> | undefined;
  /** The decode context the index was built with, as a key (callers build fresh context objects). */
  private indexedWith: string | undefined;

  constructor(
    readonly uri: string,
    readonly version: number,
    text: string,
    readonly fileName: string | undefined,
    languageId?: string,
    previous?: DocumentAnalysis,
  ) {
    this.lines = new LineIndex(text);
    const incremental = previous ? reparseIncrementally(previous.parsed, previous.lines, this.lines, fileName) : undefined;
    if (incremental) {
      this.parsed = incremental;
      return;
    }
    const hinted = languageId ? formatIdOfLanguage(languageId) : undefined;
    // The content decides; the language id only breaks a tie (an empty file, or
    // content two formats could claim).
    const detected = detectFormat(text, fileName);
    this.parsed = parseDump(text, fileName, detected ?? hinted);
  }

  get format(): FormatId | undefined {
    return this.parsed?.format;
  }

  /** Decoded entries printed on `line`. */
  entriesAt(line: number, scope: DecodeScope): DecodedEntry[] {
    const p = this.parsed;
    if (!p) return [];
    if (p.format === 'domain_translation_struct') return this.pageTableEntriesAt(line, scope);
    const key = scope.key;
    if (!this.entriesByLine || this.indexedWith !== key) {
      const index = new Map<number, DecodedEntry[]>();
      forEachDecodedEntry(
        p,
        scope,
        (e) => {
          const list = index.get(e.span.line);
          if (list) list.push(e);
          else index.set(e.span.line, [e]);
        },
        this.lines,
      );
      this.entriesByLine = index;
      this.indexedWith = key;
    }
    return this.entriesByLine.get(line) ?? [];
  }

  /** The decoded entry under a position, if any. */
  entryAt(line: number, character: number, scope: DecodeScope): DecodedEntry | undefined {
    return this.entriesAt(line, scope).find((e) => character >= e.span.start && character <= e.span.end);
  }

  /** The page-table dump block and row printed on `line`. */
  pageTableRowAt(line: number): { block: number; row: number } | undefined {
    const p = this.parsed;
    if (p?.format !== 'domain_translation_struct') return undefined;
    // Blocks are in line order: the last one starting before the line.
    let lo = 0;
    let hi = p.records.length - 1;
    let b = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (p.records[mid].span.line < line) {
        b = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (b < 0 || line > p.records[b].lastLine) return undefined;
    const row = rowAtLine(p.records[b].rows, line);
    return row >= 0 ? { block: b, row } : undefined;
  }

  private pageTableEntriesAt(line: number, scope: DecodeScope): DecodedEntry[] {
    const at = this.pageTableRowAt(line);
    const p = this.parsed;
    if (!at || p?.format !== 'domain_translation_struct') return [];
    const block = p.records[at.block];
    const rows = block.rows;
    const { ctx, stage } = scope.pageTable(block);
    const spans = pageTableRowSpans(line, this.lines.line(line));
    const out: DecodedEntry[] = [];
    for (let level = 5; level >= 1; level--) {
      const value = rows.entry(at.row, level);
      if (value === undefined || value === 0n || !spans[level]) continue;
      out.push({ span: spans[level], label: `${LEVEL_NAMES[level]} for IOVA ${hex(rows.iova(at.row))}`, structure: decodePageTableEntry(stage, value, level, ctx) });
    }
    return out;
  }
}

