// The kernel log parser: every line becomes a record (IOMMU lines decoded,
// the rest 'other'), and IOMMU lines it cannot read become findings.
//
// Logs can be gigabytes, so the parser also reads a stream: a run of whole
// lines at a time (parseText), all of its state (a two-line fault pending, a
// fault dump being read) carried to the next run, and the records handed on
// as they are made. The text of one run is not split: a line that names none of
// DMAR / INTR-REMAP / iommu / dmar (found with one indexOf per word over the
// whole text, not per line) becomes an 'other' record where it lies, and only
// the others are cut out and go through the matchers, which are hand-written
// single-pass scanners (see scan.ts).

import type { ParseResult, Span } from '../types';
import { FindingLimiter } from '../findingLimit';
import { ByteLineChunker } from '../lineChunker';
import { decodeRange, encodeText } from '../byteText';
import { LineScanner } from '../fastScan';
import type { DmarFaultRecord, FaultDumpRecord, FaultEra, IrFaultRecord, KernelLogRecord } from './types';
import { FAULT_ERAS } from './types';
import { splitLinePrefix, type LinePrefix, type PrefixStyle } from './linePrefix';
import { faultEra, isMismatch, matchDmaFault, matchIrFault, readReason, type DmaFaultMatch, type IrFaultMatch, type ReasonField } from './faultLines';
import { matchDumpHeader, matchDumpLine } from './faultDump';
import { matchGroupLine, matchInfoMessage, matchMachineLine, matchPageRequestLine, type Message } from './infoLines';
import { readDec, trimEndBlanksLength } from './scan';
import { requesterId } from './pciName';

/**
 * printk keeps a message under 1 KiB; syslog headers add a little. Longer
 * lines cannot be kernel messages and are not scanned.
 */
export const MAX_KERNEL_LINE = 8192;

/**
 * Words of which a line must name one to be read as an IOMMU line (see
 * line()); "DMI: " names the machine (QEMU or hardware), which decides what
 * the walks of the capture say a fault records.
 */
const IOMMU_WORDS = ['DMAR', 'INTR-REMAP', 'iommu', 'dmar', 'DMI: '];

/** Records a stream holds back after a fault dump still being read (take()). */
const DUMP_WINDOW = 64;

/** How many lines after its first half the "[fault reason]" line of the two-line format may come. */
const TWO_LINE_WINDOW = 3;

/** Message tags (pr_fmt prefixes) of the IOMMU drivers, longest first. */
const TAGS = ['DMAR-IR: ', 'DMAR: ', 'DMAR:', 'iommu: '];

const PREFIX_NAMES: Record<PrefixStyle, string> = {
  timestamp: 'line prefix: [seconds since boot]',
  syslog: 'line prefix: syslog header',
  'human-time': 'line prefix: dmesg -T wall-clock time',
  none: 'line prefix: none',
};

interface PendingFault {
  match: DmaFaultMatch | IrFaultMatch;
  line: number;
  span: Span;
  time?: number;
}

class KernelLogParser {
  private readonly records: KernelLogRecord[] = [];
  private readonly findings = new FindingLimiter();
  private readonly eras = new Set<FaultEra>();
  private readonly styles = new Set<PrefixStyle>();
  private pending: PendingFault | undefined;
  private dump: FaultDumpRecord | undefined;
  private ours = 0;
  private sawKernelPrefix = false;
  /** Where each of IOMMU_WORDS next occurs at or after the current line (the text length when nowhere). */
  private readonly nextWord = new Float64Array(IOMMU_WORDS.length).fill(-1);
  /** The text of the run of lines being read. */
  private text = '';
  /** Records handed on by take(). */
  private taken = 0;
  private firstLength = 0;

  /** Reads `text` (whole lines) as lines `firstLine`...; the records made so far are in `records`. Returns the lines read. */
  parseText(text: string, firstLine: number): number {
    this.text = text;
    this.nextWord.fill(-1);
    const sc = new LineScanner(text);
    sc.seek(0, firstLine);
    while (sc.advance()) {
      if (sc.line === 0) this.firstLength = sc.end - sc.start;
      if (!this.otherLine(sc.line, sc.start, sc.end)) this.line(sc.line, sc.lineText());
    }
    this.text = '';
    return sc.count - firstLine;
  }

  /**
   * The records made since the last take(), handed on (a stream keeps none),
   * except a fault dump still being read and the records after it, while
   * they are few (DUMP_WINDOW): its lines come next, so a consumer that
   * writes records out gets the dump whole. Past the window it goes on as it
   * is (a later line still fills in the same object). `all` at the end.
   */
  take(all: boolean): KernelLogRecord[] {
    let n = this.records.length;
    if (this.dump && !all) {
      const at = this.records.lastIndexOf(this.dump);
      if (at >= 0 && n - at <= DUMP_WINDOW) n = at;
    }
    const out = this.records.splice(0, n);
    this.taken += out.length;
    return out;
  }

  /** The end of the log: a pending fault is settled, and what the parse found. */
  finish(lineCount: number): ParseResult<KernelLogRecord> {
    const firstLength = this.firstLength;
    this.flushPending();
    const dialect = [...this.eras].map((e) => `fault format: ${FAULT_ERAS[e]}`);
    for (const s of this.styles) dialect.push(PREFIX_NAMES[s]);
    if (this.ours === 0 && !this.sawKernelPrefix && this.taken + this.records.length > 0) {
      this.findings.add({
        severity: 'info',
        kind: 'syntax',
        code: 'no-kernel-log-lines',
        message: 'No line of this file looks like a kernel log line: no "[ time]" or syslog prefix and no DMAR / IOMMU message.',
        span: { line: 0, start: 0, end: firstLength },
      });
    }
    return { format: 'dmesg', dialect, records: this.records, findings: this.findings.finish(), lineCount };
  }

  /**
   * The common line, read in place: past the first lines, with no two-line
   * fault pending, not blank (it starts with a visible ASCII character), not
   * too long and naming no IOMMU word. Such a line becomes an 'other' record;
   * false for any other line (line() then reads it).
   */
  private otherLine(n: number, from: number, to: number): boolean {
    const c0 = this.text.charCodeAt(from);
    if (c0 <= 32 || c0 >= 127 || to - from > MAX_KERNEL_LINE || this.pending || (n < 64 && !this.sawKernelPrefix)) return false;
    for (let w = 0; w < IOMMU_WORDS.length; w++) {
      let at = this.nextWord[w];
      if (at < from) {
        at = this.text.indexOf(IOMMU_WORDS[w], from);
        if (at < 0) at = this.text.length;
        this.nextWord[w] = at;
      }
      if (at < to) return false;
    }
    this.records.push({ kind: 'other', line: n, lineEnd: to - from });
    return true;
  }

  private line(n: number, line: string): void {
    if (line.trim() === '') return;
    if (line.length > MAX_KERNEL_LINE) {
      this.warn('line-too-long', `Line of ${line.length} characters: longer than any kernel message, not read.`, { line: n, start: 0, end: 0 });
      return;
    }
    if (this.pending && n - this.pending.line > TWO_LINE_WINDOW) this.flushPending();
    // Whether this is a kernel log at all is judged on the first lines only.
    if (n < 64 && !this.sawKernelPrefix) {
      const style = splitLinePrefix(line).style;
      this.sawKernelPrefix = style === 'timestamp' || style === 'syslog' || style === 'human-time';
    }
    const maybeOurs =
      line.indexOf('DMI: ') >= 0 ||
      line.indexOf('DMAR') >= 0 ||
      line.indexOf('INTR-REMAP') >= 0 ||
      line.indexOf('iommu') >= 0 ||
      line.indexOf('dmar') >= 0 ||
      (this.pending !== undefined && line.indexOf('fault reason') >= 0);
    if (!maybeOurs) {
      this.records.push({ kind: 'other', line: n, lineEnd: line.length });
      return;
    }
    const prefix = splitLinePrefix(line);
    // The dialect names the prefixes of IOMMU lines only: a syslog file also
    // holds lines of other programs, which say nothing about the kernel's.
    if (this.classify(n, line, prefix)) this.styles.add(prefix.style);
    else this.records.push({ kind: 'other', line: n, lineEnd: line.length });
  }

  /** Handles an IOMMU line; false when the line is not one. */
  private classify(n: number, line: string, prefix: LinePrefix): boolean {
    const body = prefix.body;
    let tag: string | undefined;
    for (const t of TAGS) {
      if (line.startsWith(t, body)) {
        tag = t;
        break;
      }
    }
    // Spans of records cover the message after its "DMAR: " tag.
    const msgStart = tag ? body + tag.length : body;
    const bodySpan: Span = { line: n, start: msgStart, end: Math.max(msgStart, trimEndBlanksLength(line)) };

    if (line.indexOf('Request device', body) >= 0) {
      const m = line.indexOf('INTR-REMAP', body) >= 0 ? matchIrFault(line, body) : matchDmaFault(line, body);
      if (m) {
        this.ours++;
        this.dump = undefined;
        if (isMismatch(m)) {
          this.warn('malformed-fault-line', `Fault line not understood: ${m.message}.`, bodySpan);
          return true;
        }
        this.flushPending();
        if (m.reason) this.pushFault(m, m.reason, n, bodySpan, { line: n, start: m.reason.start, end: m.reason.end }, false, prefix.time);
        else this.pending = { match: m, line: n, span: bodySpan, time: prefix.time };
        return true;
      }
    }
    if (this.pending && line.indexOf('[fault reason ', body) >= 0) {
      const r = readReason(line, body);
      if (r && isMismatch(r)) {
        this.pending = undefined;
        this.ours++;
        this.warn('malformed-fault-line', `Fault reason line not understood: ${r.message}.`, bodySpan);
        return true;
      }
      if (r) {
        const p = this.pending;
        this.pending = undefined;
        this.ours++;
        this.pushFault(p.match, r, p.line, p.span, { line: n, start: r.start, end: r.end }, true, p.time);
        return true;
      }
    }

    if (line.indexOf('[fault reason ', body) >= 0 && line.indexOf('Request device', body) < 0) {
      this.ours++;
      this.warn('fault-reason-without-fault', 'A "[fault reason NN]" line with no two-line fault line just before it.', bodySpan);
      return true;
    }

    const machine = matchMachineLine(line, n, body);
    if (machine) {
      this.records.push(withTime(machine, prefix.time));
      return true;
    }
    const prq = tag === undefined ? matchPageRequestLine(line, n, body) : undefined;
    if (prq) {
      this.ours++;
      this.records.push(withTime(prq, prefix.time));
      return true;
    }

    if (tag) {
      this.ours++;
      const offset = body + tag.length;
      const msg: Message = { tag: tag.trim(), text: line.slice(offset), line: n, offset };
      if (tag.startsWith('DMAR:') && this.dumpPart(msg, prefix)) return true;
      if (tag.startsWith('DMAR:')) this.dump = undefined;
      const r = matchInfoMessage(msg);
      if ('error' in r) this.warn('malformed-iommu-line', `IOMMU line not understood: ${r.error}.`, bodySpan);
      else this.records.push(withTime(r, prefix.time));
      return true;
    }

    const group = matchGroupLine(line.slice(body), n, body);
    if (group) {
      this.ours++;
      this.records.push(withTime(group, prefix.time));
      return true;
    }
    return this.suppressed(n, line, prefix);
  }

  /** A fault dump header or dump line; true when `msg` was one. */
  private dumpPart(msg: Message, prefix: LinePrefix): boolean {
    const span: Span = { line: msg.line, start: msg.offset, end: msg.offset + trimEndBlanksLength(msg.text) };
    const header = matchDumpHeader(msg.text);
    if (header) {
      if ('error' in header) {
        this.warn('malformed-fault-dump', `Fault dump header not understood: ${header.error}.`, span);
        this.dump = undefined;
        return true;
      }
      this.dump = { kind: 'fault-dump', unit: header.unit, iova: header.iova, span, lines: [], ...(prefix.time === undefined ? {} : { time: prefix.time }) };
      this.records.push(this.dump);
      return true;
    }
    const d = matchDumpLine(msg.text, msg.line, msg.offset);
    if (!d) return false;
    if ('error' in d) this.warn('malformed-fault-dump', `Fault dump line not understood: ${d.error}.`, span);
    else if (this.dump) this.dump.lines.push(d);
    else
      this.findings.add({
        severity: 'info',
        kind: 'syntax',
        code: 'dump-line-without-header',
        message: 'Fault dump line without its "Dump ... table entries for IOVA" header (the header may have been cut off).',
        span,
      });
    return true;
  }

  /** "dmar_fault: 3 callbacks suppressed" (the printk rate limit of the fault handler). */
  private suppressed(n: number, line: string, prefix: LinePrefix): boolean {
    const k = line.indexOf(': ', prefix.body);
    if (k < 0 || line.slice(prefix.body, k).indexOf('dmar') < 0) return false;
    const count = readDec(line, k + 2);
    if (!count || !line.startsWith(' callbacks suppressed', count.end)) return false;
    this.ours++;
    this.records.push({
      kind: 'dmar-info',
      key: 'callbacks-suppressed',
      value: String(count.value),
      span: { line: n, start: prefix.body, end: trimEndBlanksLength(line) },
      ...(prefix.time === undefined ? {} : { time: prefix.time }),
    });
    return true;
  }

  private pushFault(m: DmaFaultMatch | IrFaultMatch, reason: ReasonField, line: number, span: Span, reasonSpan: Span, twoLine: boolean, time: number | undefined): void {
    const era = faultEra(m, reason, twoLine);
    this.eras.add(era);
    const d = m.device;
    const common = {
      bus: d.bus,
      dev: d.dev,
      fn: d.fn,
      sid: requesterId(d),
      reason: reason.value,
      reasonText: reason.text,
      era,
      span,
      deviceSpan: { line, start: d.start, end: d.end },
      reasonSpan,
      ...(time === undefined ? {} : { time }),
    };
    if (m.kind === 'dma') {
      const r: DmarFaultRecord = {
        kind: 'dmar-fault',
        type: m.type,
        ...common,
        address: m.address,
        addressSpan: { line, start: m.addrStart, end: m.addrEnd },
        ...(m.pasid === undefined ? {} : { pasid: m.pasid }),
      };
      this.records.push(r);
    } else {
      const r: IrFaultRecord = { kind: 'ir-fault', ...common, index: m.index, indexSpan: { line, start: m.indexStart, end: m.indexEnd } };
      this.records.push(r);
    }
  }

  /** The first half of a two-line fault whose "[fault reason]" line never came. */
  private flushPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.warn('fault-reason-missing', 'Fault line in the old two-line format without its "[fault reason NN]" line.', p.span);
  }

  private warn(code: string, message: string, span: Span): void {
    this.findings.add({ severity: 'warning', kind: 'syntax', code, message, span });
  }
}

/** A fresh record with the line's time added last (when the line had one). */
function withTime<R extends { time?: number }>(r: R, time: number | undefined): R {
  if (time !== undefined) r.time = time;
  return r;
}

/** Parses a kernel log (dmesg, journal or syslog copy). Never throws. */
export function parseKernelLog(text: string): ParseResult<KernelLogRecord> {
  const parser = new KernelLogParser();
  return parser.finish(parser.parseText(text, 0));
}

/**
 * A kernel log read as a stream of chunks of bytes of any size (cut
 * anywhere, even inside a line or a character): each run of whole lines is
 * decoded on its own, and each record goes to `sink` as it is made (a fault
 * dump's when its lines are read); the parser keeps none. The memory is one
 * chunk and the partial line after it, whatever the log's size.
 */
export class KernelLogStream {
  private readonly parser = new KernelLogParser();
  private readonly chunker = new ByteLineChunker();
  private lines = 0;

  constructor(private readonly sink: (r: KernelLogRecord) => void) {}

  /** Reads a chunk cut anywhere (text is encoded); its last, unfinished line waits for the next chunk. */
  push(chunk: Uint8Array | string): void {
    this.chunker.push(typeof chunk === 'string' ? encodeText(chunk) : chunk, this.readLines);
  }

  /** The end of the log: what the parse found (its records went to the sink). */
  end(): ParseResult<KernelLogRecord> {
    const rest = this.chunker.end();
    if (rest.length > 0) this.readLines(rest);
    const result = this.parser.finish(this.lines);
    this.drain(true);
    return { ...result, records: [] };
  }

  private readonly readLines = (bytes: Buffer) => {
    this.lines += this.parser.parseText(decodeRange(bytes, 0, bytes.length), this.lines);
    this.drain(false);
  };

  private drain(all: boolean): void {
    for (const r of this.parser.take(all)) this.sink(r);
  }
}
