// decode of a file too large to hold: streamed, its records and decoded
// entries handed on as they are read (a trace's events and a kernel log's
// lines chunk by chunk, a page-table dump block by block) and then let go. Without the lines' text
// an entry's column is the start of its line.

import { DomainTranslationParser, type DomainBlock } from '../dumps/debugfs/domainTranslation';
import { QemuTraceStream, eachTraceEvent, type TraceEvent } from '../dumps/qemuTrace/index';
import type { AnyParseResult } from '../dumps/registry';
import type { ParseResult } from '../dumps/types';
import { forEachDecodedEntry, type DecodedEntry } from '../model/decodeFile';
import type { DecodeScope } from '../model/decodeScope';
import { ByteLineChunker } from '../dumps/lineChunker';
import { decodeRange } from '../dumps/byteText';
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
  if (large.format === 'qemu_trace') {
    let batch: TraceEvent[] = [];
    const stream = new QemuTraceStream(eachTraceEvent((e) => batch.push(e)));
    const flush = () => {
      for (const e of batch) sink.record?.(e);
      if (sink.decoded) forEachDecodedEntry({ format: 'qemu_trace', dialect: [], records: batch, findings: [], lineCount: 0 }, scope, sink.decoded);
      batch = [];
    };
    for (const { bytes } of chunks) {
      stream.push(bytes);
      flush();
    }
    const result = stream.end();
    flush();
    return { ...result, records: [] };
  }
  if (large.format === 'dmesg') {
    let batch: KernelLogRecord[] = [];
    const stream = new KernelLogStream((r) => batch.push(r));
    const flush = () => {
      for (const r of batch) sink.record?.(r);
      if (sink.decoded) forEachDecodedEntry({ format: 'dmesg', dialect: [], records: batch, findings: [], lineCount: 0 }, scope, sink.decoded);
      batch = [];
    };
    const chunker = new ByteLineChunker();
    // Each run of whole lines is decoded on its own: never the whole file.
    for (const { bytes } of chunks) {
      chunker.push(bytes, (lines) => stream.push(decodeRange(lines, 0, lines.length)));
      flush();
    }
    const rest = chunker.end();
    if (rest.length > 0) stream.push(decodeRange(rest, 0, rest.length));
    const result = stream.end();
    flush();
    return { ...result, records: [] };
  }
  const onBlock = (block: DomainBlock) => {
    sink.record?.(block);
    const one: AnyParseResult = { format: 'domain_translation_struct', dialect: [], records: [block], findings: [], lineCount: 0 };
    if (sink.decoded) forEachDecodedEntry(one, scope, sink.decoded);
  };
  const parser = new DomainTranslationParser(large.name, onBlock, false);
  const chunker = new ByteLineChunker();
  for (const { bytes } of chunks) chunker.push(bytes, (lines) => parser.parseBytes(lines));
  parser.parseBytes(chunker.end());
  const result = parser.end();
  return { ...result, records: [] };
}
