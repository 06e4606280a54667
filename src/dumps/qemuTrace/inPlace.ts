// The hot path of the QEMU trace parser: an event line read straight from the
// file text. The event name is looked up by a hash of its characters (no
// string made for a known event), and the message is matched against the
// event's templates where it lies, with hex and decimal fields accumulated
// digit by digit. The matcher accepts exactly what matchTemplate accepts and
// gives the same arguments; lines it does not take (a mismatch, an unknown
// event, an odd line) go to the general parser, which reads them as strings.

import type { ArgValue, CompiledTemplate } from './template';
import type { ArgsFactory } from './argsFactory';
import { HEX_DIGIT as HEX_DIGITS, U64Cache, isJsSpace as jsSpace } from '../fastScan';
import { FieldOrder, type RowColumns, type RowColumnsCache } from '../rowColumns';
import { tracePrefixAt, type TracePrefix } from './linePrefix';

// Bound once, so a call in a loop is a plain call in every build (an
// imported binding of the unbundled test build is a getter at each use).
const isJsSpace = jsSpace;

/** Value of each hex digit, -1 for every other UTF-16 code unit (bound once, see isJsSpace). */
const HEX_DIGIT = HEX_DIGITS;

/** Hash of text[s, e) (the same as nameHash of the string). */
function rangeHash(text: string, s: number, e: number): number {
  let h = 0;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

export function nameHash(name: string): number {
  return rangeHash(name, 0, name.length);
}

/** True when text[at, at + lit.length) is `lit` and ends by `to`. */
function literalAt(text: string, at: number, to: number, lit: string): boolean {
  const n = lit.length;
  if (at + n > to) return false;
  for (let k = 0; k < n; k++) if (text.charCodeAt(at + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** First index >= from where `lit` lies wholly before `to`, or -1 (what indexOf gives on the message). */
function findLiteral(text: string, lit: string, from: number, to: number): number {
  const last = to - lit.length;
  if (lit.length === 0) return from <= to ? from : -1;
  const first = lit.charCodeAt(0);
  for (let p = from; p <= last; p++) {
    if (text.charCodeAt(p) === first && literalAt(text, p, to, lit)) return p;
  }
  return -1;
}


/** The field values of the message being matched, in template order (reused: one array per process). */
const fieldValues: ArgValue[] = [];

/**
 * Matches text[from, to) (a message, trailing blanks already excluded) as
 * matchTemplate(t, text.slice(from, to)) does; the arguments, made by `make`
 * (the template's argsFactory), or undefined exactly when matchTemplate gives
 * an error. 64-bit values come from `values`, so that a value met again (an
 * IOVA, a page-table entry) is the same bigint.
 */
function matchInPlace(t: CompiledTemplate, make: ArgsFactory, text: string, from: number, to: number, values: U64Cache): Record<string, ArgValue> | undefined {
  const parts = t.parts;
  let fields = 0;
  let pos = from;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part.kind === 'lit') {
      if (!literalAt(text, pos, to, part.text)) return undefined;
      pos += part.text.length;
      continue;
    }
    let value: ArgValue;
    const start = pos;
    const type = part.type;
    if (type === 's') {
      const next = parts[p + 1];
      const end = next === undefined || next.kind !== 'lit' ? to : findLiteral(text, next.text, pos, to);
      if (end < 0) return undefined;
      value = text.slice(start, end);
      pos = end;
    } else if (type === 'x' || type === 'X') {
      let hi = 0;
      let lo = 0;
      let sig = 0;
      while (pos < to) {
        const c = text.charCodeAt(pos);
        const d = HEX_DIGIT[c];
        if (d < 0) break;
        if (sig > 0 || d > 0) {
          sig++;
          if (sig <= 16) {
            hi = (hi << 4) | (lo >>> 28);
            lo = (lo << 4) | d;
          }
        }
        pos++;
      }
      if (pos === start) return undefined;
      if (type === 'X') {
        if (sig > 16) return undefined;
        value = values.get(hi >>> 0, lo >>> 0);
      } else {
        if (sig > 8) return undefined;
        value = lo >>> 0;
      }
    } else {
      let neg = false;
      if (type === 'd' && pos < to && text.charCodeAt(pos) === 45) {
        neg = true;
        pos++;
      }
      const digitStart = pos;
      let v = 0;
      let sig = 0;
      while (pos < to) {
        const d = text.charCodeAt(pos) - 48;
        if (d < 0 || d > 9) break;
        if (sig > 0 || d > 0) sig++;
        v = v * 10 + d;
        pos++;
      }
      if (pos === digitStart || sig > 10) return undefined;
      if (type === 'b') {
        if (v !== 0 && v !== 1) return undefined;
        value = v === 1;
      } else value = neg ? -v : v;
    }
    fieldValues[fields++] = value;
  }
  if (pos !== to) return undefined;
  return make(fieldValues);
}

/** The one field of an event line whose column is kept: its name. */
export const EVENT_FIELDS = new FieldOrder<'name'>(['name']);

/** A known event: its name and its templates, newest first. */
interface InPlaceEvent {
  name: string;
  variants: { template: CompiledTemplate; make: ArgsFactory; note?: string }[];
}

/** True when text[s, e) is `word`. */
function sameText(text: string, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (text.charCodeAt(s + k) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Reads the lines of known events of one text in place. After a successful
 * read() the fields describe the line.
 */
export class InPlaceReader<E extends InPlaceEvent = InPlaceEvent> {
  /** Index of the template that matched. */
  variant = 0;
  args: Record<string, ArgValue> = {};
  /** What came before the event name (time, pid, program, thread), when anything did. */
  stamp: TracePrefix | undefined;
  /** Where the event name is on the line. */
  columns!: RowColumns<'name'>;
  /** The bigints of the file's 64-bit arguments. */
  private readonly values = new U64Cache();

  constructor(
    private readonly text: string,
    /** Known events by rangeHash of their name (undefined where two names share a hash). */
    private readonly byHash: ReadonlyMap<number, E | undefined>,
    private readonly maxLine: number,
    /** Gives the columns of event names (shared by lines that have them alike). */
    private readonly nameColumns: RowColumnsCache<'name'>,
  ) {}

  /**
   * The line text[from, to): its event when it is a known event whose
   * message fits one of its templates, else undefined.
   */
  read(from: number, to: number): E | undefined {
    const text = this.text;
    if (to - from > this.maxLine || from >= to) return undefined;
    const c0 = text.charCodeAt(from);
    const digit = c0 >= 48 && c0 <= 57;
    if (!digit && !(c0 >= 97 && c0 <= 122) && !(c0 >= 65 && c0 <= 90)) return undefined;
    let stamp = digit ? tracePrefixAt(text, from, to) : undefined;
    if (stamp && stamp.end === from) return undefined;
    let nameStart = stamp ? stamp.end : from;
    let nameEnd = nameStart;
    let h = 0;
    while (nameEnd < to) {
      const c = text.charCodeAt(nameEnd);
      if (c === 32) break;
      if ((c === 45 /* - */ || c === 58) /* : */ && stamp === undefined) {
        // Not a name: a program-name prefix ("qemu-system-x86_64: ..."), read once.
        stamp = tracePrefixAt(text, from, to);
        if (stamp.end === from) return undefined;
        nameStart = nameEnd = stamp.end;
        h = 0;
        continue;
      }
      h = (Math.imul(h, 31) + c) | 0;
      nameEnd++;
    }
    const event = this.byHash.get(h);
    if (!event || !sameText(text, nameStart, nameEnd, event.name)) return undefined;
    const msgStart = nameEnd + 1 < to ? nameEnd + 1 : to;
    let msgEnd = to;
    while (msgEnd > msgStart && isJsSpace(text.charCodeAt(msgEnd - 1))) msgEnd--;
    const variants = event.variants;
    for (let v = 0; v < variants.length; v++) {
      const variant = variants[v];
      const args = matchInPlace(variant.template, variant.make, text, msgStart, msgEnd, this.values);
      if (!args) continue;
      this.variant = v;
      this.args = args;
      this.stamp = stamp;
      const bounds = this.nameColumns.bounds;
      bounds[0] = nameStart - from;
      bounds[1] = nameEnd - from;
      this.columns = this.nameColumns.get(EVENT_FIELDS);
      return event;
    }
    return undefined;
  }
}
