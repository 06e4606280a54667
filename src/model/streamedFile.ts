// A dump file too large to hold, read as a stream of text chunks: what the
// capture needs of it is kept, everything else is counted and let go.
//
// - A QEMU trace is read twice: a first pass finds the devices with a device
//   TLB (the ATS flow needs them from the first event), the second replays
//   every event into QEMU's caches (TraceReplayer) and keeps only the events
//   the capture links (QEMU's fault messages and the fault event before each,
//   IOAPIC pins, the IQA write): memory is the replay's state, not the trace.
// - A page-table dump is read block by block; each block is checked when it
//   closes (against the context entries of the rest of the capture) and only
//   the rows around the IOVAs the kernel log reports faults at are kept, so
//   the faults can still be walked.
// - A kernel log is read once; its IOMMU records (faults, fault dumps, the
//   machine, groups, ...) are kept, up to MAX_KEPT_RECORDS, and its other
//   lines are counted.
// Other formats have no streaming parser (their files are bounded by the
// hardware: a table per unit, a line per IRQ): the reader reads them whole.
//
// Chunks are UTF-8 bytes (io/streamFile.ts converts other encodings) cut
// anywhere, even inside a character; dumps/lineChunker.ts makes whole lines,
// and the parsers read them as bytes.

import { DomainTranslationParser, PageTableRows, type DomainBlock } from '../dumps/debugfs/domainTranslation';
import { ByteLineChunker } from '../dumps/lineChunker';
import { asBuffer, encodeText } from '../dumps/byteText';
import { KernelLogStream, type KernelLogRecord } from '../dumps/kernelLog/index';
import { QemuTraceStream, QEMU_MESSAGE, eachTraceEvent, type TraceEvent } from '../dumps/qemuTrace/index';
import { detectFormat } from '../dumps/registry';
import type { Finding, FormatId, ParseResult } from '../dumps/types';
import { LineIndex } from '../dumps/lineIndex';
import { AtsSidScan, TraceReplayer } from './traceReplay/replay';
import type { TraceReplay } from './traceReplay/types';
import { TimelineBuilder, type TraceTimeline } from './traceReplay/timeline';
import { pageTableBlockFindings } from './crossChecks';
import { decodeScopeOf, type DecodeScope } from './decodeScope';
import { floorRow } from './mappings';
import { makeSid } from './bdf';
import type { Capture, ParsedFile } from './types';

/** Formats read as a stream when a file is too large to hold. */
export const STREAMED_FORMATS: readonly FormatId[] = ['qemu_trace', 'domain_translation_struct', 'dmesg'];

/** IOMMU records of a streamed kernel log kept for the capture, at most. */
const MAX_KEPT_RECORDS = 10000;

/** Events of a streamed trace kept for the capture, at most. */
const MAX_KEPT_EVENTS = 10000;

export interface StreamedSummary {
  bytes: number;
  lines: number;
  /** Records the file holds (events, blocks), whether kept or not. */
  records: number;
  /** Of them, kept in the capture (the rest was counted and let go). */
  kept: number;
  /** A trace's replay as of its last line, and its events by name. */
  trace?: { replay: TraceReplay; eventsByName: Record<string, number>; timeline: TraceTimeline };
  /** A page-table dump's blocks and rows. */
  pageTables?: { blocks: number; rows: number; keptRows: number };
  /** A kernel log's lines by what they were: IOMMU records (kept up to a limit) and the rest. */
  kernelLog?: { iommuRecords: number; otherLines: number; faults: number };
}

interface Pass {
  push(lines: Buffer): void;
  end(): void;
}

/** The events AtsSidScan reads (a line naming one is parsed in the first pass; no other is). */
const ATS_SCAN_EVENTS = ['vtd_reg_dmar_root', 'vtd_iotlb_cc_', 'vtd_inv_desc '];

/** The whole lines of `bytes` (whole lines) that hold any of `needles`, in order, each ending in a line feed. */
function linesNaming(bytes: Buffer, needles: readonly string[]): Buffer {
  const starts: number[] = [];
  for (const needle of needles) {
    for (let at = bytes.indexOf(needle); at >= 0; ) {
      const start = bytes.lastIndexOf(10, at) + 1;
      starts.push(start);
      const nl = bytes.indexOf(10, at);
      if (nl < 0) break;
      at = bytes.indexOf(needle, nl + 1);
    }
  }
  if (starts.length === 0) return EMPTY;
  starts.sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let last = -1;
  for (const start of starts) {
    if (start === last) continue;
    last = start;
    const nl = bytes.indexOf(10, start);
    parts.push(nl < 0 ? Buffer.concat([bytes.subarray(start), NEWLINE]) : bytes.subarray(start, nl + 1));
  }
  return Buffer.concat(parts);
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');

/** The rows of a block that walks of these IOVAs read: the floor and ceiling row of each. */
function rowsNear(rows: PageTableRows, iovas: readonly bigint[]): PageTableRows {
  const keep = new Set<number>();
  if (rows.count > 0) keep.add(0);
  for (const iova of iovas) {
    const i = floorRow(rows, iova);
    if (i >= 0) keep.add(i);
    if (i + 1 < rows.count) keep.add(i + 1);
  }
  const out = new PageTableRows(keep.size);
  for (const i of [...keep].sort((a, b) => a - b)) out.copyRow(rows, i);
  out.fileRows = rows.count;
  return out;
}

/**
 * One large file of a capture, streamed. Feed each pass's chunks in file
 * order (`passes` of them, each from the file's start), then take `result()`.
 */
export class StreamedFile {
  readonly format: FormatId | undefined;
  /** How many times the file must be streamed: 2 for a trace, 1 for a page-table dump, 0 when it cannot be. */
  readonly passes: number;
  private pass = 0;
  private current: Pass | undefined;
  private chunker = new ByteLineChunker();
  private readonly findings: Finding[] = [];
  private parsed: ParseResult<unknown> | undefined;
  private summary: Omit<StreamedSummary, 'bytes'> = { lines: 0, records: 0, kept: 0 };
  private atsScan: AtsSidScan | undefined;

  /**
   * `head`: the file's first bytes as text (for its format); `context`: the
   * capture of the rest of its folder (context entries, kernel-log faults).
   */
  constructor(
    readonly name: string,
    head: string,
    private readonly context?: Capture,
  ) {
    const format = detectFormat(head, name);
    this.format = format;
    this.passes = format === 'qemu_trace' ? 2 : format === 'domain_translation_struct' || format === 'dmesg' ? 1 : 0;
  }

  /** Starts the next pass: the chunks from the file's start again. */
  startPass(): void {
    if (this.pass >= this.passes) throw new Error(`${this.name}: all ${this.passes} passes are done`);
    this.chunker = new ByteLineChunker();
    this.current =
      this.format === 'qemu_trace' ? (this.pass === 0 ? this.traceScanPass() : this.traceReplayPass()) : this.format === 'dmesg' ? this.kernelLogPass() : this.pageTablePass();
    this.pass++;
  }

  /** The next chunk of the file: UTF-8 bytes cut anywhere (text is encoded). */
  push(chunk: Uint8Array | string): void {
    const pass = this.current!;
    this.chunker.push(typeof chunk === 'string' ? encodeText(chunk) : asBuffer(chunk), (lines) => pass.push(lines));
  }

  endPass(): void {
    const rest = this.chunker.end();
    if (rest.length > 0) this.current!.push(rest);
    this.current!.end();
    this.current = undefined;
  }

  private traceScanPass(): Pass {
    const scan = new AtsSidScan(false);
    this.atsScan = scan;
    const stream = new QemuTraceStream(eachTraceEvent((e) => scan.push(e)));
    // Only the lines the scan reads are parsed: found with native indexOf, in file order.
    return { push: (t) => stream.push(linesNaming(t, ATS_SCAN_EVENTS)), end: () => void stream.end() };
  }

  private traceReplayPass(): Pass {
    const replayer = new TraceReplayer({}, this.atsScan?.sids ?? new Set());
    const timeline = new TimelineBuilder();
    const kept: TraceEvent[] = [];
    const byName: Record<string, number> = Object.create(null) as Record<string, number>;
    let events = 0;
    let lastFault: TraceEvent | undefined;
    let omitted = 0;
    let iqaKept = false;
    const keep = (e: TraceEvent) => {
      if (kept.length < MAX_KEPT_EVENTS) kept.push(e);
      else omitted++;
    };
    const stream = new QemuTraceStream(eachTraceEvent((e) => {
      events++;
      byName[e.name] = (byName[e.name] ?? 0) + 1;
      replayer.push(e);
      timeline.push(e);
      // What the capture links (history.ts, interrupts.ts, units.ts read these).
      if (e.name === 'vtd_dmar_fault') lastFault = e;
      else if (e.name === QEMU_MESSAGE) {
        if (lastFault) keep(lastFault);
        lastFault = undefined;
        keep(e);
      } else if (e.name === 'vtd_warn_ir_vector') keep(e);
      else if (!iqaKept && e.name === 'vtd_reg_write' && e.args.addr === 0x90n) {
        iqaKept = true;
        keep(e);
      } else if (events === 1) keep(e);
    }));
    return {
      push: (t) => stream.push(t),
      end: () => {
        const parsed = stream.end();
        parsed.records = kept;
        this.parsed = parsed;
        if (omitted > 0) {
          this.findings.push({ severity: 'info', kind: 'semantic', code: 'events-not-kept', message: `${omitted} more fault messages and IOAPIC events than the ${MAX_KEPT_EVENTS} a streamed trace keeps: counted, not linked`, span: { line: 0, start: 0, end: 0 }, file: this.name });
        }
        this.summary = { lines: parsed.lineCount, records: events, kept: kept.length, trace: { replay: replayer.result(parsed.lineCount), eventsByName: byName, timeline: timeline.result() } };
      },
    };
  }

  private pageTablePass(): Pass {
    const capture = this.context;
    const scope: DecodeScope | undefined = capture ? decodeScopeOf(capture) : undefined;
    // The IOVAs the kernel log (or QEMU) reports DMA faults at, by requester.
    const faultIovas = new Map<number, bigint[]>();
    for (const f of capture?.faults ?? []) {
      if (f.kind !== 'dma' || f.address === undefined) continue;
      const list = faultIovas.get(f.sid) ?? [];
      list.push(f.address);
      faultIovas.set(f.sid, list);
    }
    let blocks = 0;
    let rows = 0;
    let keptRows = 0;
    const onBlock = (block: DomainBlock) => {
      blocks++;
      rows += block.rows.count;
      if (scope) this.findings.push(...pageTableBlockFindings(block, this.name, scope));
      const kept = rowsNear(block.rows, faultIovas.get(makeSid(block.bus, block.dev, block.fn)) ?? []);
      keptRows += kept.count;
      block.rows = kept;
    };
    const parser = new DomainTranslationParser(this.name, onBlock, true);
    let lines = 0;
    return {
      push: (t) => {
        lines += parser.parseBytes(t, lines);
      },
      end: () => {
        const parsed = parser.end();
        this.parsed = parsed;
        this.summary = { lines: parsed.lineCount, records: blocks, kept: parsed.records.length, pageTables: { blocks, rows, keptRows } };
      },
    };
  }

  private kernelLogPass(): Pass {
    const kept: KernelLogRecord[] = [];
    let iommuRecords = 0;
    let otherLines = 0;
    let faults = 0;
    const stream = new KernelLogStream((r) => {
      if (r.kind === 'other') {
        otherLines++;
        return;
      }
      iommuRecords++;
      if (r.kind === 'dmar-fault' || r.kind === 'ir-fault') faults++;
      if (kept.length < MAX_KEPT_RECORDS) kept.push(r);
    });
    return {
      push: (lines) => stream.push(lines),
      end: () => {
        const parsed = stream.end();
        parsed.records = kept;
        this.parsed = parsed;
        if (iommuRecords > kept.length) {
          this.findings.push({ severity: 'info', kind: 'semantic', code: 'records-not-kept', message: `${iommuRecords - kept.length} more IOMMU lines than the ${MAX_KEPT_RECORDS} a streamed kernel log keeps: counted, not linked`, span: { line: 0, start: 0, end: 0 }, file: this.name });
        }
        this.summary = { lines: parsed.lineCount, records: iommuRecords + otherLines, kept: kept.length, kernelLog: { iommuRecords, otherLines, faults } };
      },
    };
  }

  /** The file as the capture holds it, and the findings made on the way (with its name). */
  result(bytes: number, converted?: string): { file: ParsedFile; findings: Finding[] } {
    if (this.pass < this.passes || this.current) throw new Error(`${this.name}: read ${this.pass} of ${this.passes} passes`);
    const file: ParsedFile = { name: this.name, lines: new LineIndex(''), streamed: { bytes, ...this.summary } };
    if (this.parsed) file.parsed = this.parsed as ParsedFile['parsed'];
    if (converted) file.converted = converted;
    return { file, findings: this.findings };
  }
}

function size(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

const n = (x: number) => x.toLocaleString('en-US');

/** What a streamed file held, in one sentence (the check's note on it). */
export function describeStreamed(s: StreamedSummary): string {
  const head = `read as a stream (${size(s.bytes)}, ${n(s.lines)} lines)`;
  if (s.trace) {
    const r = s.trace.replay;
    const c = r.iotlb.counters;
    const inv = Object.values(c.invalidations).reduce((a, b) => a + b, 0);
    const cc = r.contextCache.counters;
    const ats = r.ats.devices.filter((d) => d.deviceTlbEnabled).length;
    const kvm = r.routes.filter((x) => x.kind === 'kvm').length;
    return (
      `${head}: ${n(r.events)} events replayed. IOTLB ${n(c.hits)} hits, ${n(c.misses)} misses, ${n(inv)} invalidations, ` +
      `${n(c.resets.sizeLimit + c.resets.cachesReset)} resets, ${n(c.faults)} faults, at most ${n(c.peakEntries)} entries; ` +
      `context cache ${n(cc.hits)} hits, ${n(cc.updates)} fills; ${ats} device(s) with a device TLB; ${kvm} KVM route(s). ` +
      `${n(s.kept)} events kept for the capture (fault messages, IOAPIC pins), the rest counted.`
    );
  }
  if (s.kernelLog) {
    const k = s.kernelLog;
    return `${head}: ${n(k.iommuRecords)} IOMMU lines (${n(k.faults)} faults), ${n(k.otherLines)} other lines counted; ${n(s.kept)} IOMMU records kept for the capture.`;
  }
  if (s.pageTables) {
    const p = s.pageTables;
    return `${head}: ${n(p.blocks)} blocks, ${n(p.rows)} rows checked; ${n(p.keptRows)} rows kept (each block's first, and those around the IOVAs the capture reports faults at).`;
  }
  return head;
}
