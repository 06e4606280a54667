// Small pieces every outline builder uses: ranges from spans and line
// numbers, a symbol constructor that keeps the selection inside the range,
// the symbol budget that keeps a huge dump's outline small, and sizes and
// counts in words.

import type { CancellationToken, DocumentSymbol, Range, SymbolKind } from 'vscode-languageserver/node';
import type { Span } from '../../../dumps/types';
import type { LineIndex } from '../../../dumps/lineIndex';
import type { Capture } from '../../../model/types';
import type { DecodeContext } from '../../../vtd/layout';
import type { DocumentAnalysis } from '../../analysis';

/** At most this many symbols in one document's outline, whatever its size. */
const MAX_SYMBOLS = 10000;

/** Thrown through a builder when the request was cancelled; the handler answers empty. */
export const CANCELLED = Symbol('cancelled');

/** What a format's outline builder reads. */
export interface OutlineInput {
  doc: DocumentAnalysis;
  /** The decode context of a unit of the document's capture (the first unit when not named or not known); read lazily, most formats never ask. */
  ctx(unit?: string): DecodeContext;
  /** The document's capture, when the builder wants cross-file facts. */
  capture(): Capture | undefined;
  budget: SymbolBudget;
}

/** Counts symbols against MAX_SYMBOLS and polls the cancellation token. */
export class SymbolBudget {
  private used = 0;
  private polls = 0;

  constructor(
    private readonly token?: CancellationToken,
    readonly max = MAX_SYMBOLS,
  ) {}

  /** Takes `n` symbols from the budget; false when they do not fit. */
  take(n = 1): boolean {
    this.check();
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  get left(): number {
    return this.max - this.used;
  }

  /** Throws CANCELLED once the client has cancelled (polled every 256 calls). */
  check(): void {
    if ((++this.polls & 255) === 0 && this.token?.isCancellationRequested) throw CANCELLED;
  }
}

export function lineRange(lines: LineIndex, first: number, last = first): Range {
  const end = Math.max(first, last);
  return { start: { line: first, character: 0 }, end: { line: end, character: lines.lineLength(end) } };
}

export function spanRange(span: Span): Range {
  return { start: { line: span.line, character: span.start }, end: { line: span.line, character: Math.max(span.start, span.end) } };
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether `inner` lies within `outer`. */
export function contains(outer: Range, inner: Range): boolean {
  return !before(inner.start, outer.start) && !before(outer.end, inner.end);
}

/**
 * A document symbol. The selection falls back to the range's start when it
 * does not lie inside the range (clients reject such symbols).
 */
export function symbol(name: string, kind: SymbolKind, range: Range, selection: Range = range, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  const selectionRange = contains(range, selection) ? selection : { start: range.start, end: range.start };
  const s: DocumentSymbol = { name: name.length > 0 ? name : '?', kind, range, selectionRange };
  if (detail) s.detail = detail;
  if (children && children.length > 0) s.children = children;
  return s;
}

/** "1.0 MiB", "88 KiB", "4 GiB": one decimal when the size is not a whole number of its unit. */
export function sizeText(bytes: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TiB'],
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ];
  for (const [unit, name] of units) {
    if (bytes >= unit) {
      const v = bytes / unit;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${name}`;
    }
  }
  return `${bytes} B`;
}

/** "1 page", "22 pages". */
export function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
