// A QEMU trace as the IOTLB and ATS Flow views see it: the trace a source URI
// names (the trace document itself, or the trace of a capture folder or of
// another file of the folder), and its replay as of a line, cached. The
// replay of the whole trace decides once how wide QEMU kept its PSI mask
// (see traceReplay/iotlb.ts); replays to a line reuse that choice, so the
// views do not change their mind as the line moves.

import { basename } from 'node:path';
import type { TraceEvent } from '../../../dumps/qemuTrace/index';
import type { LineIndex } from '../../../dumps/lineIndex';
import { replayTrace, type TraceReplay } from '../../../model/traceReplay/index';
import type { SourceRef, WireLocation } from '../../../protocol';
import type { CaptureWorkspace } from '../../captureWorkspace';
import { fsPathOf } from '../../captureWorkspace';
import type { TreeFilter } from '../filter';
import type { NumberStyle } from '../format';

interface TraceDoc {
  /** URI of the trace file. */
  uri: string;
  /** Its file name. */
  name: string;
  events: readonly TraceEvent[];
  lines: LineIndex;
}

/** What the trace views' node builders are given. */
export interface TraceTreeContext {
  trace: TraceDoc;
  replay: TraceReplay;
  style: NumberStyle;
  filter: TreeFilter | undefined;
}

interface Replays {
  full: TraceReplay;
  /** Replays to a line, most recent last. */
  partial: Map<number, TraceReplay>;
}

const PARTIAL_KEPT = 4;
/** By the trace's line index: one per text (a grown trace keeps its events array, growing, but gets a new index). */
const replays = new WeakMap<LineIndex, Replays>();

/** The trace a source URI names: an open trace document, a trace file, or the trace of a capture folder. */
export function traceOf(workspace: CaptureWorkspace, uri: string): TraceDoc | undefined {
  const doc = workspace.document(uri);
  if (doc?.parsed?.format === 'qemu_trace') {
    const path = fsPathOf(uri);
    return { uri, name: path ? basename(path) : (doc.fileName ?? 'trace'), events: doc.parsed.records, lines: doc.lines };
  }
  const entry = workspace.captureFor(uri);
  if (!entry) return undefined;
  const traces = entry.capture.files.filter((f) => f.parsed?.format === 'qemu_trace');
  const own = traces.find((f) => entry.uris.get(f.name) === uri);
  const file = own ?? traces[0];
  if (file?.parsed?.format !== 'qemu_trace') return undefined;
  return {
    uri: entry.uris.get(file.name) ?? uri,
    name: basename(file.name),
    events: file.parsed.records,
    lines: file.lines,
  };
}

/** The replay of a trace as of a source's line (the whole trace when it names none). */
export function replayOf(trace: TraceDoc, source: SourceRef): TraceReplay {
  let cached = replays.get(trace.lines);
  if (!cached) {
    cached = { full: replayTrace(trace.events, { lineCount: trace.lines.count }), partial: new Map() };
    replays.set(trace.lines, cached);
  }
  const line = source.asOfLine;
  if (line === undefined || !Number.isInteger(line) || line >= trace.lines.count - 1) return cached.full;
  const at = Math.max(0, line);
  const hit = cached.partial.get(at);
  if (hit) return hit;
  const replay = replayTrace(trace.events, { untilLine: at, lineCount: trace.lines.count, psiMaskBits: cached.full.iotlb.psiMaskBits });
  cached.partial.set(at, replay);
  if (cached.partial.size > PARTIAL_KEPT) cached.partial.delete(cached.partial.keys().next().value as number);
  return replay;
}

/** A line of the trace as a wire location. */
export function traceLocation(trace: TraceDoc, line: number): WireLocation {
  return { uri: trace.uri, line, character: 0, endCharacter: trace.lines.lineLength(line) };
}

/** "line 1832" (1-based, as editors number lines). */
export function lineName(line: number): string {
  return `line ${line + 1}`;
}
