// decode of a file too large to hold: streamed, its records and decoded
// entries handed on as they are read (a trace's events and a kernel log's
// lines chunk by chunk, a page-table dump block by block) and then let go.
// Without the lines' text an entry's column is the start of its line.

import { DomainTranslationParser, type DomainBlock } from '../dumps/debugfs/domainTranslation';
import { QemuTraceStream, eachTraceEvent, type TraceEvent } from '../dumps/qemuTrace/index';
import type { AnyParseResult } from '../dumps/registry';
import type { ParseResult } from '../dumps/types';
import { forEachDecodedEntry, type DecodedEntry } from '../model/decodeFile';
import type { DecodeScope } from '../model/decodeScope';
import { ByteLineChunker } from '../dumps/lineChunker';
import { KernelLogStream, type KernelLogRecord } from '../dumps/kernelLog/index';
import type { LargeFile } from '../io/captureReader';
import { openByteChunks } from '../io/streamFile';

interface DecodeSink {
  record?(r: TraceEvent | DomainBlock | KernelLogRecord): void;
  decoded?(e: DecodedEntry): void;
}

/** Streams `large` once: every record and decoded entry to `sink`; returns what the parse found (without records). */
export function streamDecode(large: LargeFile, scope: DecodeScope, sink: DecodeSink): ParseResult<never> {
  const { chunks } = openByteChunks(large.path);
  const handOn = (records: readonly (TraceEvent | DomainBlock | KernelLogRecord)[], parsed: AnyParseResult) => {
    for (const r of records) sink.record?.(r);
    if (sink.decoded) forEachDecodedEntry(parsed, scope, sink.decoded);
  };
  const none = { dialect: [], findings: [], lineCount: 0 };
  if (large.format === 'qemu_trace') return pump<TraceEvent>(chunks, (keep) => new QemuTraceStream(eachTraceEvent(keep)), (records) => handOn(records, { format: 'qemu_trace', records, ...none }));
  if (large.format === 'dmesg') return pump<KernelLogRecord>(chunks, (keep) => new KernelLogStream(keep), (records) => handOn(records, { format: 'dmesg', records, ...none }));
  const parser = new DomainTranslationParser(large.name, (block) => handOn([block], { format: 'domain_translation_struct', records: [block], ...none }), false);
  const chunker = new ByteLineChunker();
  for (const { bytes } of chunks) chunker.push(bytes, (lines) => parser.parseBytes(lines));
  parser.parseBytes(chunker.end());
  const result = parser.end();
  return { ...result, records: [] };
}

/**
 * Pushes every chunk into the stream `start` makes and hands `flush` the
 * records each chunk completed (a trace's events, a kernel log's lines).
 */
function pump<R>(
  chunks: Iterable<{ bytes: Uint8Array }>,
  start: (keep: (r: R) => void) => { push(bytes: Uint8Array): void; end(): ParseResult<R> },
  flush: (records: R[]) => void,
): ParseResult<never> {
  let batch: R[] = [];
  const stream = start((r) => batch.push(r));
  const handOver = () => {
    if (batch.length === 0) return;
    flush(batch);
    batch = [];
  };
  for (const { bytes } of chunks) {
    stream.push(bytes);
    handOver();
  }
  const result = stream.end();
  handOver();
  return { ...result, records: [] };
}
