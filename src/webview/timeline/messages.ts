// The messages between the extension and the trace-timeline webview: one
// type per direction, and a check of what the webview sends (a webview is a
// page: its messages are validated like any input).

import type { TraceTimelineResult } from '../../protocol';

/** Extension → webview. */
export type ToTimelineWebview =
  /** The columns to draw. */
  | { type: 'timeline'; timeline: TraceTimelineResult }
  /** The editor's cursor is in this column (-1: not in the trace). */
  | { type: 'marker'; column: number }
  /** Nothing to draw, and why. */
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromTimelineWebview =
  | { type: 'ready' }
  /** Open the trace at these lines (a column or a selected range) and replay the views to the first. */
  | { type: 'reveal'; line: number; endLine: number }
  /** Save the picture: an SVG document, or a PNG as base64. */
  | { type: 'export'; format: 'svg' | 'png'; data: string };

const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

export function isFromTimelineWebview(m: unknown): m is FromTimelineWebview {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready') return true;
  const line = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (o.type === 'reveal') return line(o.line) && line(o.endLine) && (o.endLine as number) >= (o.line as number);
  if (o.type === 'export') return (o.format === 'svg' || o.format === 'png') && typeof o.data === 'string' && o.data.length <= MAX_EXPORT_CHARS;
  return false;
}
