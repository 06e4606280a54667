// The hot path of the QEMU trace parser: an event line read straight from the
// file's bytes into columns (TraceColumns). The event name is looked up by a
// hash of its bytes (no string made), and the message is matched against the
// event's templates where it lies, hex and decimal fields accumulated digit
// by digit into the columns. No object is made per line: the event's object
// is made only if a consumer asks for it (TraceColumns.event).
//
// The matcher accepts exactly what matchTemplate accepts on the line's text
// and gives the same arguments; lines it does not take (a mismatch, an
// unknown event, a string field with bytes beyond ASCII, an odd line) go to
// the general parser, which reads them as strings.

import type { ArgValue, CompiledTemplate, FieldType } from './template';
import type { ArgsFactory } from './argsFactory';
import type { TraceEvent } from './traceEvent';
import { HEX_DIGIT as HEX_DIGITS, U64Cache } from '../fastScan';
import { FieldOrder, RowColumnsCache } from '../rowColumns';
import { PREFIX_PID_AT as PID_AT, PidStampReader, stampRead as readStamp, tracePrefixAt as prefixAt, type TracePrefix } from './linePrefix';
import { ByteRun, ViewCache, asciiRange as ascii } from '../byteText';

// Bound once, so a call in a loop is a plain call in every build (an
// imported binding of the unbundled test build is a getter at each use).
const PREFIX_PID_AT = PID_AT;
const stampRead = readStamp;
const tracePrefixAt = prefixAt;
const asciiRange = ascii;

/** The one field of an event line whose column is kept: its name. */
export const EVENT_FIELDS = new FieldOrder<'name'>(['name']);

// Template parts as codes, for the byte matcher.
const HEX32 = 1;
const HEX64 = 2;
const SIGNED = 3;
const UNSIGNED = 4;
const BOOL = 5;
const STR = 6;

const PART_CODE: Record<FieldType, number> = { x: HEX32, X: HEX64, d: SIGNED, u: UNSIGNED, b: BOOL, s: STR };

/** Matches a message's bytes b[from, to) (`view` over b), its field values into values[base...]; see compileMatcher. */
type Matcher = (view: DataView, b: Buffer, from: number, to: number, values: Float64Array, base: number) => boolean;

/** A template as the byte reader reads it. */
export interface BytePlan {
  /** The template's matcher, compiled from it. */
  match: Matcher;
  /** The codes of the fields alone, in template order (for making the arguments). */
  fields: Uint8Array;
}

export function bytePlan(t: CompiledTemplate): BytePlan {
  const fields: number[] = [];
  for (const p of t.parts) if (p.kind === 'field') fields.push(PART_CODE[p.type]);
  return { match: compileMatcher(t), fields: Uint8Array.from(fields) };
}

/** The first q in [from, to - run.length] where `run` lies, or -1. */
function findRun(b: Buffer, from: number, to: number, run: Uint8Array): number {
  const n = run.length;
  const first = run[0];
  for (let q = from; q <= to - n; q++) {
    if (b[q] !== first) continue;
    let k = 1;
    while (k < n && b[q + k] === run[k]) k++;
    if (k === n) return q;
  }
  return -1;
}

/** Code that matches the literal `text` at pos and moves pos past it: ByteRun.at with the run's words as constants. */
function literalCode(text: string): string {
  const run = new ByteRun(text);
  const n = run.length;
  const words = n >> 2;
  const out = [`if (pos + ${n} > to) return false;`];
  const loads: string[] = [];
  for (let w = 0; w < words; w++) loads.push(`view.getInt32(pos + ${4 * w}, true) !== ${run.words[w]}`);
  if (loads.length > 0) out.push(`if (${loads.join(' || ')}) return false;`);
  if (run.tailMask !== 0) {
    const each = Array.from({ length: n & 3 }, (_, k) => `b[pos + ${4 * words + k}] !== ${run.bytes[4 * words + k]}`).join(' || ');
    out.push(`if (pos + ${4 * words + 4} <= b.length ? (view.getInt32(pos + ${4 * words}, true) & ${run.tailMask}) !== ${run.tail} : ${each}) return false;`);
  }
  out.push(`pos += ${n};`);
  return out.join('\n');
}

/**
 * The matcher of a template: JavaScript made from the static event table
 * (never from input; a bad template throws when the table loads), one
 * straight run of code per template with its literals' bytes as constants,
 * so nothing is looked up per part. It accepts exactly what matchTemplate
 * accepts on the same text and gives the same values: a hex field skips
 * its leading zeros and takes at most 16 significant digits (8 for a value
 * of 32 bits), a decimal at most 10, a string field runs to the next
 * literal (or the end) and must be ASCII (else the general parser reads the
 * line).
 */
function compileMatcher(t: CompiledTemplate): Matcher {
  const code: string[] = ['let pos = from;'];
  const runs: Uint8Array[] = [];
  let slot = 0;
  t.parts.forEach((part, p) => {
    if (part.kind === 'lit') {
      code.push(literalCode(part.text));
      return;
    }
    const at = `base + ${slot}`;
    const type = part.type;
    if (type === 's') {
      const next = t.parts[p + 1];
      if (next && next.kind === 'lit') {
        runs.push(Buffer.from(next.text, 'latin1'));
        code.push(`{ const end = findRun(b, pos, to, runs[${runs.length - 1}]); if (end < 0 || !asciiRange(b, pos, end)) return false; values[${at}] = pos; values[${at} + 1] = end; pos = end; }`);
      } else code.push(`{ if (!asciiRange(b, pos, to)) return false; values[${at}] = pos; values[${at} + 1] = to; pos = to; }`);
    } else if (type === 'x' || type === 'X') {
      code.push(
        `{ const start = pos; while (pos < to && b[pos] === 48) pos++; const first = pos; let hi = 0; let lo = 0;`,
        `for (; pos < to; pos++) { const d = HEX_DIGIT[b[pos]]; if (d < 0) break; hi = (hi << 4) | (lo >>> 28); lo = (lo << 4) | d; }`,
        `if (pos === start) return false;`,
        type === 'X' ? `if (pos - first > 16) return false; values[${at}] = hi >>> 0; values[${at} + 1] = lo >>> 0; }` : `if (pos - first > 8) return false; values[${at}] = lo >>> 0; }`,
      );
    } else {
      code.push(
        `{ let neg = false;`,
        type === 'd' ? `if (pos < to && b[pos] === 45) { neg = true; pos++; }` : '',
        `const digitStart = pos; let v = 0; let sig = 0;`,
        `while (pos < to) { const d = b[pos] - 48; if (d < 0 || d > 9) break; if (sig > 0 || d > 0) sig++; v = v * 10 + d; pos++; }`,
        `if (pos === digitStart || sig > 10) return false;`,
        type === 'b' ? `if (v !== 0 && v !== 1) return false;` : '',
        `values[${at}] = neg ? -v : v; }`,
      );
    }
    slot += 2;
  });
  code.push('return pos === to;');
  const make = new Function('HEX_DIGIT', 'runs', 'findRun', 'asciiRange', `return function match(view, b, from, to, values, base) {\n${code.join('\n')}\n};`) as (
    hex: Int8Array,
    runs: Uint8Array[],
    find: typeof findRun,
    ascii: typeof asciiRange,
  ) => Matcher;
  return make(HEX_DIGIT, runs, findRun, asciiRange);
}

/** A known event: its name (and its bytes), its templates (newest first, each with its byte plan) and what it derives. */
export interface InPlaceEvent {
  name: string;
  nameBytes: ByteRun;
  variants: { template: CompiledTemplate; plan: BytePlan; make: ArgsFactory; note?: string }[];
  derive: ((args: Record<string, ArgValue>) => void) | undefined;
}

/** Value of each hex digit, -1 for every other byte (fastScan's table, bound once). */
const HEX_DIGIT = HEX_DIGITS;

/** What String.prototype.trimEnd removes among single bytes: TAB, LF, VT, FF, CR, space. */
function isBlankByte(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The events of a run of lines, by column. An event the general parser read
 * (as a string) is kept whole in `objects`, with `known` -1; every other is
 * its known event, template and field values, and becomes an object only
 * when event(i) is asked. The columns are reused chunk after chunk: use them
 * (and the bytes their string fields point into) before the next one.
 */
export class TraceColumns {
  count = 0;
  private capacity = 0;
  /** Index of the known event (in the reader's table), -1 for an event in `objects`. */
  known = new Int32Array(0);
  variant = new Uint8Array(0);
  line = new Float64Array(0);
  /** Length of the line (its characters: the line is ASCII). */
  lineLength = new Uint32Array(0);
  nameStart = new Uint32Array(0);
  nameEnd = new Uint32Array(0);
  /** NaN when the line had none. */
  pid = new Float64Array(0);
  time = new Float64Array(0);
  /** Two slots per field: a number (or a 64-bit value's hi, lo; or a string's start, end in `bytes`). */
  values = new Float64Array(0);
  objects: (TraceEvent | undefined)[] = [];
  /** The bytes the string fields are in. */
  bytes: Buffer = Buffer.alloc(0);
  /** Slots per event in `values`. */
  readonly stride: number;
  private readonly fieldValues: ArgValue[] = [];
  private readonly bigints = new U64Cache();
  private readonly nameColumns = new RowColumnsCache<'name'>(1);

  constructor(
    readonly table: readonly InPlaceEvent[],
    maxFields: number,
  ) {
    this.stride = 2 * Math.max(1, maxFields);
  }

  /** Empties the columns for the events of `bytes`, with room for `lines` of them. */
  reset(bytes: Buffer, lines: number): void {
    this.count = 0;
    this.bytes = bytes;
    if (this.objects.length > 0) this.objects = [];
    if (lines > this.capacity) this.allocate(Math.max(lines, 2 * this.capacity));
  }

  /** Makes room for one more event; its index. */
  grow(): number {
    if (this.count === this.capacity) this.allocate(Math.max(64, 2 * this.capacity));
    return this.count;
  }

  private allocate(capacity: number): void {
    const keep = this.count;
    const copy = <T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(old: T, made: T): T => {
      made.set(old.subarray(0, keep) as never);
      return made;
    };
    this.known = copy(this.known, new Int32Array(capacity));
    this.variant = copy(this.variant, new Uint8Array(capacity));
    this.line = copy(this.line, new Float64Array(capacity));
    this.lineLength = copy(this.lineLength, new Uint32Array(capacity));
    this.nameStart = copy(this.nameStart, new Uint32Array(capacity));
    this.nameEnd = copy(this.nameEnd, new Uint32Array(capacity));
    this.pid = copy(this.pid, new Float64Array(capacity));
    this.time = copy(this.time, new Float64Array(capacity));
    const values = new Float64Array(capacity * this.stride);
    values.set(this.values.subarray(0, keep * this.stride));
    this.values = values;
    this.capacity = capacity;
  }

  /** Appends an event the general parser made. */
  pushObject(e: TraceEvent): void {
    const i = this.grow();
    this.known[i] = -1;
    this.line[i] = e.line;
    this.objects[i] = e;
    this.count = i + 1;
  }

  /** Event i as an object: the same object the string parser makes of its line. */
  event(i: number): TraceEvent {
    const k = this.known[i];
    if (k < 0) return this.objects[i]!;
    const known = this.table[k];
    const variant = known.variants[this.variant[i]];
    const fields = variant.plan.fields;
    const values = this.values;
    const out = this.fieldValues;
    const base = i * this.stride;
    for (let f = 0; f < fields.length; f++) {
      const a = values[base + 2 * f];
      const code = fields[f];
      if (code === HEX64) out[f] = this.bigints.get(a, values[base + 2 * f + 1]);
      else if (code === BOOL) out[f] = a === 1;
      else if (code === STR) out[f] = this.bytes.toString('latin1', a, values[base + 2 * f + 1]);
      else out[f] = a;
    }
    const args = variant.make(out);
    if (known.derive) known.derive(args);
    const bounds = this.nameColumns.bounds;
    bounds[0] = this.nameStart[i];
    bounds[1] = this.nameEnd[i];
    const columns = this.nameColumns.get(EVENT_FIELDS);
    const pid = this.pid[i];
    const time = this.time[i];
    const line = this.line[i];
    const lineEnd = this.lineLength[i];
    if (pid === pid || time === time) {
      return {
        kind: 'trace-event',
        name: known.name,
        args,
        line,
        lineEnd,
        columns,
        pid: pid === pid ? pid : undefined,
        time: time === time ? time : undefined,
      };
    }
    return { kind: 'trace-event', name: known.name, args, line, lineEnd, columns };
  }
}

/** True when b[s, e) holds a '-' or a ':'. */
function programMark(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === 45 || b[i] === 58) return true;
  return false;
}

/** The key of the name scanName read last. */
let keyRead = 0;

/**
 * Reads the name at b[s, ...): returns where it ends (the first space, or
 * `to`) and leaves its key in keyRead: a hash of its bytes and its length,
 * four bytes a load (`view` over b) until the word that holds the space (a
 * word has a zero byte once XORed with spaces). The name is then compared
 * whole with the one known name of that key.
 */
function scanName(view: DataView, b: Uint8Array, s: number, to: number): number {
  let h = 0;
  let i = s;
  while (i + 4 <= to) {
    const w = view.getInt32(i, true);
    const x = w ^ 0x20202020;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    h = Math.imul(h ^ w, 0x9e3779b1);
    i += 4;
  }
  while (i < to && b[i] !== 32) {
    h = Math.imul(h ^ b[i], 0x85ebca6b);
    i++;
  }
  keyRead = Math.imul(h ^ (i - s), 0xc2b2ae35) | 0;
  return i;
}

/** The key scanName gives a known name. */
export function nameKeyOf(name: ByteRun): number {
  scanName(new DataView(name.bytes.buffer, name.bytes.byteOffset, name.length), name.bytes, 0, name.length);
  return keyRead;
}

/**
 * Known events by the key of their name: open addressing in typed arrays
 * (a Map lookup per line cost more than the rest of the name). Holds the
 * index into the table, or -1; a key two names share maps to -1 (those go
 * to the general parser; the tests check no known names do).
 */
export class NameTable {
  private readonly hashes: Int32Array;
  private readonly indexes: Int32Array;
  private readonly mask: number;

  /** `keys[i]` is the key of name i. */
  constructor(keys: readonly number[]) {
    let size = 16;
    while (size < 4 * keys.length) size *= 2;
    this.mask = size - 1;
    this.hashes = new Int32Array(size);
    this.indexes = new Int32Array(size).fill(-2);
    keys.forEach((h, index) => {
      const slot = this.slot(h);
      this.hashes[slot] = h;
      this.indexes[slot] = this.indexes[slot] === -2 ? index : -1;
    });
  }

  /** The slot of hash h: its own, or the empty one where it would go. */
  private slot(h: number): number {
    let k = (Math.imul(h, 0x9e3779b1) >>> 0) & this.mask;
    while (this.indexes[k] !== -2 && this.hashes[k] !== h) k = (k + 1) & this.mask;
    return k;
  }

  /** The index of the one known name with hash h, or -1. */
  get(h: number): number {
    const i = this.indexes[this.slot(h)];
    return i < 0 ? -1 : i;
  }
}

/**
 * Reads the lines of known events in place, into columns. What read()
 * learns of the line's prefixes stays in `styles` for the parser's dialect.
 */
export class InPlaceReader {
  /** The prefix styles of the last line read (TracePrefix.styles), 0 for none. */
  styles = 0;
  /** The note of the template the last line read matched (for the dialect), if it has one. */
  note: string | undefined;
  /** A view of the bytes read, for the four-byte compares. */
  private readonly views = new ViewCache();
  private readonly stamps = new PidStampReader();

  constructor(
    /** Known events by the nameKey of their name, as indexes into `table`. */
    private readonly byKey: NameTable,
    private readonly table: readonly InPlaceEvent[],
    private readonly maxLine: number,
  ) {}

  /**
   * The line bytes[from, to) as event `cols.count` of the columns when it is
   * a known event whose message fits one of its templates (true), else false
   * (the columns unchanged).
   */
  read(b: Buffer, from: number, to: number, line: number, cols: TraceColumns): boolean {
    if (to - from > this.maxLine || from >= to) return false;
    const c0 = b[from];
    const digit = c0 >= 48 && c0 <= 57;
    if (!digit && !(c0 >= 97 && c0 <= 122) && !(c0 >= 65 && c0 <= 90)) return false;
    // The usual prefix first ("pid@seconds:", nothing allocated), any other through tracePrefixAt.
    let stamp: TracePrefix | undefined;
    let styles = 0;
    let pid = NaN;
    let time = NaN;
    let nameStart = from;
    const view = this.views.of(b);
    if (digit) {
      const end = this.stamps.read(view, b, from, to);
      if (end >= 0) {
        styles = PREFIX_PID_AT;
        pid = stampRead.pid;
        time = stampRead.time;
        nameStart = end;
      } else {
        stamp = tracePrefixAt(b, from, to);
        if (stamp.end === from) return false;
        nameStart = stamp.end;
      }
    }
    let nameEnd = scanName(view, b, nameStart, to);
    let index = this.byKey.get(keyRead);
    if (index < 0) {
      // A first word with '-' or ':' is a program name ("qemu-system-x86_64: ..."): the prefixes, read once.
      if (digit || !programMark(b, nameStart, nameEnd)) return false;
      stamp = tracePrefixAt(b, from, to);
      if (stamp.end === from) return false;
      nameStart = stamp.end;
      nameEnd = scanName(view, b, nameStart, to);
      index = this.byKey.get(keyRead);
      if (index < 0) return false;
    }
    if (stamp) {
      styles = stamp.styles;
      pid = stamp.pid ?? NaN;
      time = stamp.time ?? NaN;
    }
    const event = this.table[index];
    if (nameEnd - nameStart !== event.nameBytes.length || !event.nameBytes.at(view, b, nameStart)) return false;
    // The prefix may hold a thread name beyond ASCII: then columns are not byte offsets.
    if (stamp?.thread !== undefined && !asciiRange(b, from, nameStart)) return false;
    const msgStart = nameEnd + 1 < to ? nameEnd + 1 : to;
    let msgEnd = to;
    while (msgEnd > msgStart && isBlankByte(b[msgEnd - 1])) msgEnd--;
    const variants = event.variants;
    const i = cols.grow();
    const base = i * cols.stride;
    for (let v = 0; v < variants.length; v++) {
      if (!variants[v].plan.match(view, b, msgStart, msgEnd, cols.values, base)) continue;
      cols.known[i] = index;
      cols.variant[i] = v;
      cols.line[i] = line;
      cols.lineLength[i] = to - from;
      cols.nameStart[i] = nameStart - from;
      cols.nameEnd[i] = nameEnd - from;
      cols.pid[i] = pid;
      cols.time[i] = time;
      cols.count = i + 1;
      this.styles = styles;
      this.note = variants[v].note;
      return true;
    }
    return false;
  }
}
