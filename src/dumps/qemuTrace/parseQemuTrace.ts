// QEMU trace logs of the "log" backend:
//   vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0xffffd002 slpte 0x2210003 domain 0x6
//   12345@1719999999.123456:vtd_ir_enable enable 1        (with a pid@seconds.micros: stamp)
// One line is one event: the name up to the first space, then the message.
// Traces reach gigabytes, so the parser reads bytes (a text given as a string
// is encoded once, a piece at a time), and a line of a known event is read
// where it lies into columns (inPlace.ts): a hash of the name, one table
// lookup and one pass of the template matcher, and no object until a
// consumer asks for the event. Every other line is decoded and read by the
// general code below.

import type { Finding, ParseResult, Span } from '../types';
import { unrecognised } from '../types';
import { startsWithText } from '../fastScan';
import { ByteLineChunker } from '../lineChunker';
import { ByteRun, asBuffer, asciiRange, decodeRange, encodeText, encodedPieces } from '../byteText';
import { RowColumnsCache } from '../rowColumns';
import { TRACE_EVENT_FORMATS, TRACED_FAMILIES } from './eventFormats';
import { compileTemplate, matchTemplate, type ArgValue, type CompiledTemplate } from './template';
import type { TraceEvent, TraceEventField } from './traceEvent';
import { EVENT_FIELDS, InPlaceReader, NameTable, TraceColumns, bytePlan, nameKeyOf, type BytePlan } from './inPlace';
import { addDerivedArgs, derivedArgNames, derivedArgsOf } from './derivedArgs';
import { argsFactory, type ArgsFactory } from './argsFactory';
import { FindingLimiter, type LimiterMark } from '../findingLimit';
import { PREFIX_NAMES, tracePrefixAt, type TracePrefix } from './linePrefix';

export type { TraceEvent } from './traceEvent';

/**
 * The name given to a line of QEMU's own messages (error_report) found among
 * the events: not a trace event, so no trace-events file declares it.
 */
export const QEMU_MESSAGE = 'qemu_message';

/** Lines longer than this are not trace lines of any event we know. */
export const MAX_TRACE_LINE = 65536;

interface CompiledEvent {
  name: string;
  nameBytes: ByteRun;
  variants: { template: CompiledTemplate; plan: BytePlan; make: ArgsFactory; note?: string }[];
  derive: ((args: Record<string, ArgValue>) => void) | undefined;
}

interface CompiledTable {
  byName: Map<string, CompiledEvent>;
  /** Every known event; the columns name them by index. */
  list: CompiledEvent[];
  /** Indexes into `list` by the key of the name (inPlace.ts's nameKey). */
  byKey: NameTable;
  /** Most fields of any template. */
  maxFields: number;
}

let compiled: CompiledTable | undefined;

function compiledFormats(): CompiledTable {
  if (!compiled) {
    const byName = new Map<string, CompiledEvent>();
    const list: CompiledEvent[] = [];
    let maxFields = 0;
    for (const [name, f] of Object.entries(TRACE_EVENT_FORMATS)) {
      const derived = derivedArgNames(name);
      const variants = f.variants.map((v) => {
        const template = compileTemplate(v.template);
        maxFields = Math.max(maxFields, template.parts.filter((p) => p.kind === 'field').length);
        return { template, plan: bytePlan(template), make: argsFactory(template, derived), note: v.note };
      });
      const event: CompiledEvent = { name, nameBytes: new ByteRun(name), variants, derive: derivedArgsOf(name) };
      byName.set(name, event);
      list.push(event);
    }
    compiled = { byName, list, byKey: new NameTable(list.map((e) => nameKeyOf(e.nameBytes))), maxFields };
  }
  return compiled;
}

/** A trace event name: lower-case letters, digits and '_', with at least one '_'. */
function isEventName(s: string): boolean {
  if (s.length < 3 || s.length > 128) return false;
  const c0 = s.charCodeAt(0);
  if (c0 < 97 || c0 > 122) return false;
  let underscore = false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 95) underscore = true;
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return underscore;
}

/** "key value" and "key=value" pairs of a message the table does not know. */
function looseArgs(message: string): Record<string, ArgValue> {
  const args: Record<string, ArgValue> = { raw: message };
  const words = message.length > 4096 ? [] : message.split(' ');
  for (let i = 0; i < words.length; i++) {
    const w = stripTrailing(words[i], ',:()');
    const eq = w.indexOf('=');
    if (eq > 0 && isKey(w.slice(0, eq))) setLoose(args, w.slice(0, eq), w.slice(eq + 1));
    else if (isKey(w) && i + 1 < words.length && isValueWord(words[i + 1])) setLoose(args, w, stripTrailing(words[++i], ',)'));
  }
  return args;
}

/** s without the run of `chars` at its end ("0x10," → "0x10"). */
function stripTrailing(s: string, chars: string): string {
  let e = s.length;
  while (e > 0 && chars.indexOf(s[e - 1]) >= 0) e--;
  return s.slice(0, e);
}

function isKey(s: string): boolean {
  if (s.length === 0 || s.length > 32) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || c === 95 || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return true;
}

function isValueWord(s: string): boolean {
  const c = s.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 45;
}

function setLoose(args: Record<string, ArgValue>, key: string, value: string): void {
  if (key !== 'raw' && !(key in args)) args[key] = value;
}

const UNSTAMPED = 'log backend without stamps';

class QemuTraceParser {
  readonly records: TraceEvent[] = [];
  private readonly findings = new FindingLimiter();
  private readonly dialect = new Set<string>();
  private readonly table = compiledFormats();
  /** The events of the bytes scanned last. */
  readonly cols = new TraceColumns(this.table.list, this.table.maxFields);
  private readonly reader = new InPlaceReader(this.table.byKey, this.table.list, MAX_TRACE_LINE);
  private sawStyles = 0;
  private sawUnstamped = false;
  /** The columns of the event names the general code reads, shared by lines that have them alike. */
  private readonly columns = new RowColumnsCache<TraceEventField>(1);
  /** The complete lines parsed so far (those ending in a line feed): where the next parse goes on. */
  private doneOffset = 0;
  private doneLine = 0;
  private doneRecords = 0;
  /** The state before a last line without its line feed, undone when the parse goes on. */
  private beforeTail: { findings: LimiterMark; dialect: Set<string>; sawStyles: number; sawUnstamped: boolean } | undefined;

  /**
   * Parses `text`, going on after the complete lines of the text it parsed
   * before (which `text` starts with: the file grew). The records array is
   * the parser's own, and grows with it.
   */
  parse(text: string): ParseResult<TraceEvent> {
    const t = this.beforeTail;
    if (t) {
      this.records.length = this.doneRecords;
      this.findings.restore(t.findings);
      this.dialect.clear();
      for (const d of t.dialect) this.dialect.add(d);
      this.sawStyles = t.sawStyles;
      this.sawUnstamped = t.sawUnstamped;
      this.beforeTail = undefined;
    }
    // The complete lines (those ending in a line feed), then the last one if it has none.
    const whole = text.lastIndexOf('\n') + 1;
    for (const piece of encodedPieces(text, this.doneOffset, whole)) this.doneLine += this.scanInto(piece, this.doneLine, this.records);
    this.doneOffset = whole;
    this.doneRecords = this.records.length;
    let lineCount = this.doneLine;
    if (whole < text.length) {
      this.beforeTail = { findings: this.findings.mark(), dialect: new Set(this.dialect), sawStyles: this.sawStyles, sawUnstamped: this.sawUnstamped };
      lineCount += this.scanInto(encodeText(text.slice(whole)), this.doneLine, this.records);
    }
    return { format: 'qemu_trace', dialect: [...this.dialect], records: this.records, findings: this.findings.finish(), lineCount };
  }

  /** Scans `bytes` (whole lines) as lines `firstLine`... and appends their events to `out`. */
  private scanInto(bytes: Buffer, firstLine: number, out: TraceEvent[]): number {
    const lines = this.scan(bytes, firstLine);
    const cols = this.cols;
    for (let i = 0; i < cols.count; i++) out.push(cols.event(i));
    return lines;
  }

  /**
   * Reads `bytes` (whole lines; the last may lack its line feed) as lines
   * `firstLine`... of the trace: their events are in `cols` afterwards,
   * findings and dialect accumulate. Returns the lines read.
   */
  scan(bytes: Buffer, firstLine: number): number {
    const cols = this.cols;
    const n = bytes.length;
    // Room for an event per 64 bytes at first (the columns grow if lines are shorter).
    cols.reset(bytes, (n >> 6) + 16);
    const reader = this.reader;
    let pos = 0;
    let ln = firstLine;
    while (pos < n) {
      let nl = bytes.indexOf(10, pos);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > pos && bytes[end - 1] === 13) end--;
      if (reader.read(bytes, pos, end, ln, cols)) {
        this.noteStamps(reader.styles);
        if (reader.note) this.dialect.add(reader.note);
      } else this.line(ln, bytes, pos, end);
      ln++;
      pos = nl + 1;
    }
    return ln - firstLine;
  }

  /** What a stream's parse found, once it ended. */
  summary(lineCount: number): ParseResult<TraceEvent> {
    return { format: 'qemu_trace', dialect: [...this.dialect], records: [], findings: this.findings.finish(), lineCount };
  }

  /** Names the prefix styles of a line in the dialect (once per style, in the order they appear). */
  private noteStamps(styles: number): void {
    if (styles === 0) {
      if (!this.sawUnstamped) {
        this.sawUnstamped = true;
        this.dialect.add(UNSTAMPED);
      }
      return;
    }
    if ((styles & ~this.sawStyles) === 0) return;
    this.sawStyles |= styles;
    for (const [bit, name] of PREFIX_NAMES) if (styles & bit) this.dialect.add(name);
  }

  /** The general code: the line bytes[s, e) read as a string. */
  private line(n: number, bytes: Buffer, s: number, e: number): void {
    const line = decodeRange(bytes, s, e);
    if (line.trim() === '') return;
    if (line.length > MAX_TRACE_LINE) {
      this.warn('line-too-long', `Line of ${line.length} characters: not a trace event line, not read.`, { line: n, start: 0, end: 0 });
      return;
    }
    // The prefixes are read on the bytes; their end as a column of the string.
    const prefix = tracePrefixAt(bytes, s, e);
    prefix.end = asciiRange(bytes, s, prefix.end) ? prefix.end - s : decodeRange(bytes, s, prefix.end).length;
    const stamp = prefix.end > 0 ? prefix : undefined;
    const nameStart = prefix.end;
    this.noteStamps(stamp?.styles ?? 0);
    if (prefix.program !== undefined && this.qemuMessage(n, line, prefix)) return;
    let nameEnd = line.indexOf(' ', nameStart);
    if (nameEnd < 0) nameEnd = line.length;
    const name = line.slice(nameStart, nameEnd);
    if (!isEventName(name)) {
      this.findings.add(unrecognised(n, line, 'a QEMU trace'));
      return;
    }
    // The message: everything after the one space that follows the name
    // (events with an empty format leave a trailing space, or none once an
    // editor strips it). Trailing blanks are never part of a message.
    const message = line.slice(Math.min(nameEnd + 1, line.length)).trimEnd();
    const nameSpan: Span = { line: n, start: nameStart, end: nameEnd };
    const bounds = this.columns.bounds;
    bounds[0] = nameStart;
    bounds[1] = nameEnd;
    const event: TraceEvent = { kind: 'trace-event', name, args: {}, line: n, lineEnd: line.length, columns: this.columns.get(EVENT_FIELDS) };
    if (stamp?.pid !== undefined) event.pid = stamp.pid;
    if (stamp?.time !== undefined) event.time = stamp.time;
    this.cols.pushObject(event);

    const format = this.table.byName.get(name);
    if (!format) {
      event.args = looseArgs(message);
      const ours = TRACED_FAMILIES.some((p) => name.startsWith(p));
      this.findings.add({
        severity: 'info',
        kind: 'syntax',
        code: 'unknown-trace-event',
        message: ours
          ? `Trace event ${name} is not in the table of known events: its arguments are kept as text.`
          : `Trace event ${name} is not an IOMMU or KVM routing event: its arguments are kept as text.`,
        span: nameSpan,
      });
      return;
    }
    let firstError = '';
    for (const v of format.variants) {
      const m = matchTemplate(v.template, message);
      if ('args' in m) {
        event.args = m.args;
        addDerivedArgs(name, m.args);
        if (v.note) this.dialect.add(v.note);
        return;
      }
      if (!firstError) firstError = m.error;
    }
    event.args = { raw: message };
    this.warn('trace-args-mismatch', `The message of ${name} does not have the expected shape: ${firstError}.`, {
      line: n,
      start: Math.min(nameEnd + 1, line.length),
      end: line.length,
    });
  }

  /**
   * A message of QEMU itself on the trace's stream ("qemu-system-x86_64:
   * vtd_iommu_translate: detected translation failure (dev=00:05:00,
   * iova=0x2345000)", from error_report_once): an event named
   * QEMU_MESSAGE with the function, the text and the key=value pairs, and a
   * translation failure's requester and IOVA. False when the line is not one.
   */
  private qemuMessage(n: number, line: string, prefix: TracePrefix): boolean {
    const from = prefix.end;
    let space = line.indexOf(' ', from);
    if (space < 0) space = line.length;
    // An event after the prefix ("qemu-system-x86_64: (1:main): vtd_ir_enable enable 1") is an event line.
    if (isEventName(line.slice(from, space))) return false;
    const colon = line.indexOf(': ', from);
    const word = colon > from && colon < space ? line.slice(from, colon) : '';
    const fn = /^[A-Za-z_][A-Za-z0-9_]*$/.test(word) ? word : '';
    const message = (fn ? line.slice(colon + 2) : line.slice(from)).trimEnd();
    const args = looseArgs(message.length > 4096 ? message.slice(0, 4096) : message);
    if (fn) args.function = fn;
    args.program = prefix.program ?? '';
    const failure = /^detected translation failure \(dev=([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}), iova=0x([0-9a-fA-F]{1,16})\)$/.exec(message);
    if (failure) {
      args.bus = parseInt(failure[1], 16);
      args.dev = parseInt(failure[2], 16);
      args.fn = parseInt(failure[3], 16);
      args.iova = BigInt('0x' + failure[4]);
    }
    const bounds = this.columns.bounds;
    bounds[0] = from;
    bounds[1] = fn ? colon : from;
    const event: TraceEvent = { kind: 'trace-event', name: QEMU_MESSAGE, args, line: n, lineEnd: line.length, columns: this.columns.get(EVENT_FIELDS) };
    if (prefix.pid !== undefined) event.pid = prefix.pid;
    if (prefix.time !== undefined) event.time = prefix.time;
    this.cols.pushObject(event);
    this.dialect.add("QEMU's own messages (error_report) among the events");
    return true;
  }

  private warn(code: string, message: string, span: Span): void {
    const f: Finding = { severity: 'warning', kind: 'syntax', code, message, span };
    this.findings.add(f);
  }
}

/**
 * A QEMU trace read as a stream of chunks of bytes of any size (cut anywhere,
 * even inside a line or a character): the events of each run of whole lines
 * go to `sink` as columns (TraceColumns, valid until the sink returns), and
 * nothing is kept but the findings (capped) and the dialect. The memory is
 * one chunk, its columns and the partial line after it, whatever the
 * trace's size.
 */
export class QemuTraceStream {
  private readonly parser = new QemuTraceParser();
  // A line longer than any trace line is cut just past the limit (the parser reports it), not kept whole.
  private readonly chunker = new ByteLineChunker(MAX_TRACE_LINE + 1);
  private lines = 0;

  constructor(private readonly sink: (events: TraceColumns) => void) {}

  /** Reads a chunk cut anywhere (text is encoded); its last, unfinished line waits for the next chunk. */
  push(chunk: Uint8Array | string): void {
    this.chunker.push(typeof chunk === 'string' ? encodeText(chunk) : asBuffer(chunk), this.scanLines);
  }

  /** The end of the stream: the last line, and what the parse found. */
  end(): ParseResult<TraceEvent> {
    const rest = this.chunker.end();
    if (rest.length > 0) this.scan(rest);
    return this.parser.summary(this.lines);
  }

  get linesRead(): number {
    return this.lines;
  }

  private scan(bytes: Buffer): void {
    this.lines += this.parser.scan(bytes, this.lines);
    this.sink(this.parser.cols);
  }

  private readonly scanLines = (bytes: Buffer) => this.scan(bytes);
}

/** A sink of a QemuTraceStream that hands `fn` each event as an object. */
export function eachTraceEvent(fn: (e: TraceEvent) => void): (events: TraceColumns) => void {
  return (cols) => {
    for (let i = 0; i < cols.count; i++) fn(cols.event(i));
  };
}

/** The parser of each trace parse result, and the text it read: a grown file is parsed from where it stopped. */
const resumable = new WeakMap<ParseResult<TraceEvent>, { parser: QemuTraceParser; text: string }>();

/** Parses a QEMU trace log. Never throws. */
export function parseQemuTrace(text: string): ParseResult<TraceEvent> {
  const parser = new QemuTraceParser();
  const result = parser.parse(text);
  resumable.set(result, { parser, text });
  return result;
}

/**
 * The parse of `text` when it is the text `prev` was parsed from with more
 * appended (a trace still being written): only the new lines (and the last
 * line, if it had no line feed yet) are read, and the result is what a full
 * parse gives. Undefined when `text` does not start with the old text, or
 * `prev` was not made by parseQemuTrace; then parse it whole. `prev` is
 * spent: its records array is the new result's.
 */
export function parseQemuTraceAppended(prev: ParseResult<TraceEvent>, text: string): ParseResult<TraceEvent> | undefined {
  const state = resumable.get(prev);
  if (!state || !startsWithText(text, state.text)) return undefined;
  resumable.delete(prev);
  const result = state.parser.parse(text);
  resumable.set(result, { parser: state.parser, text });
  return result;
}

/** True when the first non-blank lines are trace lines of a known or VT-d / x86-iommu / KVM event. */
export function looksLikeQemuTrace(head: string): boolean {
  const lines = head.split('\n', 20).filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  const formats = compiledFormats();
  let hits = 0;
  for (const raw of lines.slice(0, 10)) {
    const line = encodeText(raw.length > 1024 ? raw.slice(0, 1024) : raw);
    const start = tracePrefixAt(line, 0, line.length).end;
    let end = line.indexOf(32, start);
    if (end < 0) end = line.length;
    const name = decodeRange(line, start, end).trimEnd();
    if (formats.byName.has(name) || (isEventName(name) && TRACED_FAMILIES.some((p) => name.startsWith(p)))) hits++;
  }
  // Most of the first lines must be events: a log that quotes one is not a trace.
  return hits > 0 && hits * 2 >= Math.min(lines.length, 10);
}
