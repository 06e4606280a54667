// The messages between the extension and the ATS sequence-diagram webview:
// one type per direction, and a check of what the webview sends (a webview is
// a page: its messages are validated like any input).

import type { AtsFlowResult } from '../../protocol';

/** Extension → webview. */
export type ToAtsWebview =
  /** The flow to draw; `select` is the source id of the device to show first. */
  | { type: 'flow'; flow: AtsFlowResult; select?: number }
  /** Nothing to draw, and why. */
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromAtsWebview =
  /** The page is loaded and listens. */
  | { type: 'ready' }
  /** Open the trace at this 0-based line. */
  | { type: 'reveal'; line: number }
  /** Ask the server again (the trace changed). */
  | { type: 'refresh' };

export function isFromAtsWebview(m: unknown): m is FromAtsWebview {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready' || t === 'refresh') return true;
  const line = (m as { line?: unknown }).line;
  return t === 'reveal' && typeof line === 'number' && Number.isInteger(line) && line >= 0;
}
