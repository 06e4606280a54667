// What every node builder of the capture views is given: the capture (with
// its file URIs), how to write numbers, the view's filter and mode; and the
// small helpers they share: a dump span as a wire location, the raw text of a
// span as the dump prints it, a decoded structure as JSON.

import type { CaptureEntry } from '../captureWorkspace';
import type { Location } from '../../model/types';
import type { Span } from '../../dumps/types';
import type { Structure } from '../../vtd/layout';
import type { WireLocation } from '../../protocol';
import { hex } from '../../vtd/u64';
import type { NumberStyle } from './format';
import type { TreeFilter } from './filter';

export interface TreeContext {
  entry: CaptureEntry;
  style: NumberStyle;
  /** undefined: no filter. */
  filter: TreeFilter | undefined;
  /** Second-Level Tables: contiguous runs instead of table levels. */
  coalesce: boolean;
}

/** A span of a capture file as a wire location; undefined when the file has no URI. */
export function wireLocation(ctx: TreeContext, file: string, span: Span): WireLocation | undefined {
  const uri = ctx.entry.uris.get(file);
  return uri ? { uri, line: span.line, character: span.start, endCharacter: span.end } : undefined;
}

export function wireLocationOf(ctx: TreeContext, loc: Location | undefined): WireLocation | undefined {
  return loc ? wireLocation(ctx, loc.file, loc.span) : undefined;
}

/** The text of one line of a capture file. */
export function lineText(ctx: TreeContext, file: string, line: number): string | undefined {
  return ctx.entry.capture.files.find((f) => f.name === file)?.lines.line(line);
}

/** The text a span covers, as the dump prints it (for "Copy raw entry"). */
export function spanText(ctx: TreeContext, file: string, span: Span): string | undefined {
  const text = lineText(ctx, file, span.line);
  if (text === undefined) return undefined;
  const end = span.end > span.start ? span.end : text.length;
  const raw = text.slice(span.start, end).trim();
  return raw === '' ? undefined : raw;
}

export function locationText(ctx: TreeContext, loc: Location | undefined): string | undefined {
  return loc ? spanText(ctx, loc.file, loc.span) : undefined;
}

/** A decoded structure as plain JSON: each field by specification name, 64-bit values as hex strings. */
export function structureJson(s: Structure): Record<string, unknown> {
  const fields: Record<string, string> = {};
  for (const f of s.fields) {
    if (f.reserved && f.raw === 0n) continue;
    fields[f.name] = hex(f.address ?? f.raw);
  }
  return {
    type: s.type,
    title: s.title,
    raw: hex(s.raw),
    fields,
    summary: s.summary,
    findings: s.findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message })),
  };
}

/** The codicon of a decoded entry: a warning sign when the decoder found an error in it. */
export function entryIcon(s: Structure | undefined, normal: string): string {
  return s?.findings.some((f) => f.severity === 'error') ? 'warning' : normal;
}
