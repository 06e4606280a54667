// Small tools shared by the debugfs parsers: whitespace tokens with their
// columns, strict number parsing, and a finding list that cannot explode.
//
// The kernel separates fields with TABs, but dumps pasted into mails or bug
// trackers often have their TABs turned into spaces, so every parser splits
// on runs of spaces and TABs instead of on column positions.

import type { Finding, Span } from '../types';
import { unrecognised } from '../types';
import { parseHex } from '../../vtd/u64';

/** One whitespace-separated word of a line, with its columns. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

function isBlankChar(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/**
 * The words of a line. At most `limit + 1` tokens are returned (so a caller
 * can tell "too many" from "exactly limit") whatever the line length: a
 * 10 MB line of garbage costs no more than a short one.
 */
export function tokenize(line: string, limit = 16): Token[] {
  const out: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n && out.length <= limit) {
    while (i < n && isBlankChar(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlankChar(line.charCodeAt(i))) i++;
    out.push({ text: line.slice(start, i), start, end: i });
  }
  return out;
}

/** True for an empty line or one of only spaces and TABs. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isBlankChar(line.charCodeAt(i))) return false;
  return true;
}

/** Compares the words of a line with an expected list (case-sensitive). */
export function wordsAre(tokens: readonly Token[], words: readonly string[]): boolean {
  if (tokens.length !== words.length) return false;
  for (let i = 0; i < words.length; i++) if (tokens[i].text !== words[i]) return false;
  return true;
}

/** The span of a token on a line. */
export function tokenSpan(line: number, t: Token): Span {
  return { line, start: t.start, end: t.end };
}

/** Whether a hex token must, may or must not carry a 0x prefix. */
export type HexPrefix = 'required' | 'optional' | 'none';

/**
 * A hexadecimal token as printed by %llx / 0x%016llx. Returns undefined for
 * anything else (wrong prefix, non-hex characters, more than maxBits bits).
 */
export function hexValue(text: string, prefix: HexPrefix, maxBits = 64): bigint | undefined {
  const has = text.length > 2 && text.charCodeAt(0) === 48 && (text.charCodeAt(1) | 32) === 120;
  if (prefix === 'required' && !has) return undefined;
  if (prefix === 'none' && has) return undefined;
  // Bound the work before handing the text to a regular expression.
  if (text.length > 2 + maxBits) return undefined;
  return parseHex(text, maxBits);
}

/** A hex value that fits a JS number exactly (at most 32 bits here). */
export function hexSmall(text: string, prefix: HexPrefix, maxBits = 32): number | undefined {
  const v = hexValue(text, prefix, Math.min(maxBits, 52));
  return v === undefined ? undefined : Number(v);
}

/** A decimal integer (optionally negative) that is an exact JS number. */
export function decimalValue(text: string): number | undefined {
  const n = text.length;
  if (n === 0 || n > 16) return undefined;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return undefined;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** A PCI bus:device.function as printed by "%02x:%02x.%x". */
interface Bdf {
  bus: number;
  dev: number;
  fn: number;
}

/** Parses "bb:dd.f" (hex). Device must be < 32 and function < 8. */
export function parseBdf(text: string): Bdf | undefined {
  const colon = text.indexOf(':');
  const dot = text.indexOf('.', colon + 1);
  if (colon < 1 || dot < colon + 2 || dot === text.length - 1) return undefined;
  if (text.indexOf(':', colon + 1) >= 0) return undefined;
  const bus = hexSmall(text.slice(0, colon), 'none', 8);
  const dev = hexSmall(text.slice(colon + 1, dot), 'none', 8);
  const fn = hexSmall(text.slice(dot + 1), 'none', 8);
  if (bus === undefined || dev === undefined || fn === undefined) return undefined;
  if (dev > 0x1f || fn > 7) return undefined;
  return { bus, dev, fn };
}

/** A PCI device name "ssss:bb:dd.f" (what dev_name() gives a PCI device). */
export interface PciName extends Bdf {
  segment: number;
}

export function parsePciName(text: string): PciName | undefined {
  const colon = text.indexOf(':');
  if (colon < 1 || colon > 4) return undefined;
  const segment = hexSmall(text.slice(0, colon), 'none', 16);
  const bdf = parseBdf(text.slice(colon + 1));
  if (segment === undefined || bdf === undefined) return undefined;
  return { segment, ...bdf };
}

/** The requester id of a B:D.F: bus << 8 | dev << 3 | fn. */
export function sidOf(b: Bdf): number {
  return (b.bus << 8) | (b.dev << 3) | b.fn;
}

/** Most findings a parser keeps per file before it only counts them. */
export const MAX_FINDINGS = 1000;
/** Longest finding message. */
const MAX_MESSAGE = 200;

/**
 * Collects findings, keeping at most MAX_FINDINGS of them: a 50 MB file of
 * garbage must not become half a million finding objects. The last entry
 * then says how many more there were.
 */
export class FindingList {
  readonly items: Finding[] = [];
  private dropped = 0;
  private firstDropped: Span | undefined;

  add(f: Finding): void {
    // Messages quote tokens of the file, which can be megabytes long.
    if (f.message.length > MAX_MESSAGE) f.message = f.message.slice(0, MAX_MESSAGE - 3) + '...';
    if (this.items.length < MAX_FINDINGS) this.items.push(f);
    else {
      if (this.dropped === 0) this.firstDropped = f.span;
      this.dropped++;
    }
  }

  unrecognised(line: number, text: string, what: string): void {
    this.add(unrecognised(line, text, what));
  }

  /** A syntax finding about part of a line (a bad value, a missing field). */
  syntax(code: string, message: string, span: Span, severity: Finding['severity'] = 'warning'): void {
    this.add({ severity, kind: 'syntax', code, message, span });
  }

  /** A meaning problem visible from the file alone. */
  semantic(code: string, message: string, span: Span, severity: Finding['severity'] = 'warning'): void {
    this.add({ severity, kind: 'semantic', code, message, span });
  }

  /** The findings, with a closing note when some were not kept. */
  done(): Finding[] {
    if (this.dropped > 0 && this.firstDropped) {
      this.items.push({
        severity: 'info',
        kind: 'syntax',
        code: 'too-many-findings',
        message: `${this.dropped} more findings were not listed (the first of them is here)`,
        span: this.firstDropped,
      });
      this.dropped = 0;
    }
    return this.items;
  }
}

/**
 * The first `max` non-blank lines of a file head, trimmed, for the cheap
 * detectors. Documentation copies indent dumps, so leading blanks are dropped.
 */
export function headLines(head: string, max = 4): string[] {
  const out: string[] = [];
  let pos = 0;
  const limit = Math.min(head.length, 64 * 1024);
  while (pos < limit && out.length < max) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0 || nl > limit) nl = limit;
    const line = head.slice(pos, nl).trim();
    if (line.length > 0) out.push(line);
    pos = nl + 1;
  }
  return out;
}

/** Adds a dialect description once. */
export function addDialect(list: string[], text: string): void {
  if (!list.includes(text)) list.push(text);
}
