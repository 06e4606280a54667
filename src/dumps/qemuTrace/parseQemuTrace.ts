// QEMU trace logs of the "log" backend:
//   vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0xffffd002 slpte 0x2210003 domain 0x6
//   12345@1719999999.123456:vtd_ir_enable enable 1        (with a pid@seconds.micros: stamp)
// One line is one event: the name up to the first space, then the message.
// Traces reach 100 MB, so a line of a known event is read where it lies in
// the text (inPlace.ts): a hash of the name, one table lookup and one pass of
// the template matcher, and strings only for %s arguments. Every other line
// is cut out and read by the general code below.

import type { Finding, ParseResult, Span } from '../types';
import { unrecognised } from '../types';
import { LineScanner, startsWithText } from '../fastScan';
import { LineChunker } from '../lineChunker';
import { RowColumnsCache, type RowColumns } from '../rowColumns';
import { TRACE_EVENT_FORMATS, TRACED_FAMILIES } from './eventFormats';
import { compileTemplate, matchTemplate, type ArgValue, type CompiledTemplate } from './template';
import { EVENT_FIELDS, InPlaceReader, nameHash } from './inPlace';
import { addDerivedArgs, derivedArgNames, derivedArgsOf } from './derivedArgs';
import { argsFactory, type ArgsFactory } from './argsFactory';
import { FindingLimiter, type LimiterMark } from '../findingLimit';
import { PREFIX_NAMES, tracePrefixAt, type TracePrefix } from './linePrefix';

export interface TraceEvent {
  kind: 'trace-event';
  name: string;
  /**
   * Arguments by name (see eventFormats.ts): 64-bit hex values as bigint,
   * narrower values and decimals as number, bools as boolean, strings as
   * string. Events the table does not know carry `raw` (the message) and any
   * "key value" / "key=value" pairs as strings.
   */
  args: Record<string, ArgValue>;
  pid?: number;
  /** Seconds since the epoch (wall clock), from the line's time stamp (pid@seconds.micros: or ISO 8601). */
  time?: number;
  /** The event's line and its length; spanOf(event, 'name') is where the name is. */
  line: number;
  lineEnd: number;
  columns: RowColumns<TraceEventField>;
}

/** The field of an event line whose column is kept, for spanOf(). */
type TraceEventField = 'name';

/**
 * The name given to a line of QEMU's own messages (error_report) found among
 * the events: not a trace event, so no trace-events file declares it.
 */
export const QEMU_MESSAGE = 'qemu_message';

/** Lines longer than this are not trace lines of any event we know. */
export const MAX_TRACE_LINE = 65536;

interface CompiledEvent {
  name: string;
  variants: { template: CompiledTemplate; make: ArgsFactory; note?: string }[];
  derive: ((args: Record<string, ArgValue>) => void) | undefined;
}

let compiled: Map<string, CompiledEvent> | undefined;
/** Known events by the hash of their name (undefined where two names share one). */
let byHash: Map<number, CompiledEvent | undefined> | undefined;

function compiledFormats(): Map<string, CompiledEvent> {
  if (!compiled) {
    compiled = new Map();
    byHash = new Map();
    for (const [name, f] of Object.entries(TRACE_EVENT_FORMATS)) {
      const derived = derivedArgNames(name);
      const variants = f.variants.map((v) => {
        const template = compileTemplate(v.template);
        return { template, make: argsFactory(template, derived), note: v.note };
      });
      const event: CompiledEvent = { name, variants, derive: derivedArgsOf(name) };
      compiled.set(name, event);
      const h = nameHash(name);
      byHash.set(h, byHash.has(h) ? undefined : event);
    }
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
  /** A stream's consumer: events go to it instead of `records` (which then stays empty). */
  sink: ((e: TraceEvent) => void) | undefined;
  private readonly findings = new FindingLimiter();
  private readonly dialect = new Set<string>();
  private readonly formats = compiledFormats();
  private readonly byHash = byHash as Map<number, CompiledEvent | undefined>;
  private sawStyles = 0;
  private sawUnstamped = false;
  /** The columns of the event names of the file, shared by lines that have them alike. */
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
    const sc = new LineScanner(text);
    sc.seek(this.doneOffset, this.doneLine);
    const reader = new InPlaceReader<CompiledEvent>(text, this.byHash, MAX_TRACE_LINE, this.columns);
    while (sc.advance()) {
      if (sc.complete) {
        this.doneOffset = sc.nextStart;
        this.doneLine = sc.line + 1;
      } else {
        this.beforeTail = { findings: this.findings.mark(), dialect: new Set(this.dialect), sawStyles: this.sawStyles, sawUnstamped: this.sawUnstamped };
      }
      this.lineAt(sc, reader);
      if (!this.beforeTail) this.doneRecords = this.records.length;
    }
    return { format: 'qemu_trace', dialect: [...this.dialect], records: this.records, findings: this.findings.finish(), lineCount: sc.count };
  }

  private emit(e: TraceEvent): void {
    if (this.sink) this.sink(e);
    else this.records.push(e);
  }

  /**
   * Reads `text` (whole lines) as lines `firstLine`... of a stream: each
   * event goes to the sink, findings and dialect accumulate. Returns the
   * lines read.
   */
  parseLines(text: string, firstLine: number): number {
    const sc = new LineScanner(text);
    sc.seek(0, firstLine);
    const reader = new InPlaceReader<CompiledEvent>(text, this.byHash, MAX_TRACE_LINE, this.columns);
    while (sc.advance()) this.lineAt(sc, reader);
    return sc.count - firstLine;
  }

  /** What a stream's parse found, once it ended. */
  summary(lineCount: number): ParseResult<TraceEvent> {
    return { format: 'qemu_trace', dialect: [...this.dialect], records: [], findings: this.findings.finish(), lineCount };
  }

  /** Reads the scanner's current line. */
  private lineAt(sc: LineScanner, reader: InPlaceReader<CompiledEvent>): void {
    {
      const event = reader.read(sc.start, sc.end);
      if (!event) {
        this.line(sc.line, sc.lineText());
        return;
      }
      const { args, stamp } = reader;
      this.noteStamps(stamp);
      if (event.derive) event.derive(args);
      const note = event.variants[reader.variant].note;
      if (note) this.dialect.add(note);
      const line = sc.line;
      const lineEnd = sc.end - sc.start;
      const columns = reader.columns;
      this.emit(
        stamp && (stamp.pid !== undefined || stamp.time !== undefined)
          ? { kind: 'trace-event', name: event.name, args, line, lineEnd, columns, pid: stamp.pid, time: stamp.time }
          : { kind: 'trace-event', name: event.name, args, line, lineEnd, columns },
      );
    }
  }

  /** Names the prefix styles of a line in the dialect (once per style, in the order they appear). */
  private noteStamps(stamp: TracePrefix | undefined): void {
    const styles = stamp?.styles ?? 0;
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

  private line(n: number, line: string): void {
    if (line.trim() === '') return;
    if (line.length > MAX_TRACE_LINE) {
      this.warn('line-too-long', `Line of ${line.length} characters: not a trace event line, not read.`, { line: n, start: 0, end: 0 });
      return;
    }
    const prefix = tracePrefixAt(line, 0, line.length);
    const stamp = prefix.end > 0 ? prefix : undefined;
    const nameStart = prefix.end;
    this.noteStamps(stamp);
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
    this.emit(event);

    const format = this.formats.get(name);
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
    this.emit(event);
    this.dialect.add("QEMU's own messages (error_report) among the events");
    return true;
  }

  private warn(code: string, message: string, span: Span): void {
    const f: Finding = { severity: 'warning', kind: 'syntax', code, message, span };
    this.findings.add(f);
  }
}

/**
 * A QEMU trace read as a stream of text chunks of any size (cut anywhere,
 * even inside a line): each event goes to `sink` as its line completes, and
 * nothing is kept but the findings (capped) and the dialect. The memory is
 * one chunk and the partial line after it, whatever the trace's size.
 */
export class QemuTraceStream {
  private readonly parser = new QemuTraceParser();
  // A line longer than any trace line is cut just past the limit (the parser reports it), not kept whole.
  private readonly chunker = new LineChunker(MAX_TRACE_LINE + 1);
  private lines = 0;

  constructor(sink: (e: TraceEvent) => void) {
    this.parser.sink = sink;
  }

  /** Reads a chunk cut anywhere; its last, unfinished line waits for the next chunk. */
  push(chunk: string): void {
    const whole = this.chunker.push(chunk);
    if (whole !== '') this.lines += this.parser.parseLines(whole, this.lines);
  }

  /** The end of the stream: the last line, and what the parse found. */
  end(): ParseResult<TraceEvent> {
    const rest = this.chunker.end();
    if (rest !== '') this.lines += this.parser.parseLines(rest, this.lines);
    return this.parser.summary(this.lines);
  }

  get linesRead(): number {
    return this.lines;
  }
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
    const line = raw.length > 1024 ? raw.slice(0, 1024) : raw;
    const start = tracePrefixAt(line, 0, line.length).end;
    let end = line.indexOf(' ', start);
    if (end < 0) end = line.trimEnd().length;
    const name = line.slice(start, end);
    if (formats.has(name) || (isEventName(name) && TRACED_FAMILIES.some((p) => name.startsWith(p)))) hits++;
  }
  // Most of the first lines must be events: a log that quotes one is not a trace.
  return hits > 0 && hits * 2 >= Math.min(lines.length, 10);
}
