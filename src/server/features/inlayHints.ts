// Inlay hints: a compact decode after each raw entry of the visible range
// (e.g. "P DID=7 AW=39 SLPTPTR=0x1b1f000"), or every field in "full" mode.

import { InlayHintKind, type Connection, type InlayHint } from 'vscode-languageserver/node';
import { decodeScopeOf } from '../../model/decodeScope';
import type { Structure } from '../../vtd/layout';
import { hex } from '../../vtd/u64';
import type { CaptureWorkspace } from '../captureWorkspace';
import type { Settings } from '../settings';
import { structureMarkdown } from '../markdown';
import type { Feature } from './feature';

/** Lines scanned at most per request (a page-table dump can have a million). */
const MAX_LINES = 2000;

/**
 * VS Code cuts an inlay hint longer than editor.inlayHints.maximumLength (43
 * by default) in the middle of whatever it shows: a compact hint is made to
 * fit by leaving out whole fields from its end (the tooltip has them all), so
 * a value is never cut.
 */
const COMPACT_HINT_MAX = 42;

function fitHint(label: string, max = COMPACT_HINT_MAX): string {
  if (label.length <= max) return label;
  const words = label.split(' ');
  let out = '';
  for (const w of words) {
    const next = out === '' ? w : `${out} ${w}`;
    if (next.length > max - 2) break;
    out = next;
  }
  // A first field longer than the limit is shown whole: cutting it would cut its value.
  return out === '' ? words[0] : `${out} …`;
}

function fullText(s: Structure): string {
  return s.fields
    .filter((f) => !f.reserved || f.raw !== 0n)
    .map((f) => `${f.name}=${hex(f.raw)}`)
    .join(' ');
}

export const inlayHintsFeature: Feature = {
  capabilities: { inlayHintProvider: true },
  register: ({ connection, workspace, settings }) => {
    registerInlayHints(connection, workspace, settings);
    settings.onChange(() => connection.languages.inlayHint.refresh().catch(() => undefined));
  },
};

function registerInlayHints(connection: Connection, workspace: CaptureWorkspace, settings: Settings): void {
  connection.languages.inlayHint.on((params, token): InlayHint[] => {
    const mode = settings.get().inlayHints;
    if (mode === 'off') return [];
    const doc = workspace.document(params.textDocument.uri);
    if (!doc) return [];
    const scope = decodeScopeOf(workspace.captureOf(doc.uri)?.capture);
    const hints: InlayHint[] = [];
    const last = Math.min(params.range.end.line, params.range.start.line + MAX_LINES, doc.lines.count - 1);
    for (let line = params.range.start.line; line <= last; line++) {
      if (token.isCancellationRequested) break;
      const entries = doc.entriesAt(line, scope);
      // Compact: one hint a row, after its last entry (a page-table row's leaf, a dmar row's context entry);
      // the other entries of the row keep their hover.
      const shown = mode === 'full' ? entries : entries.slice(-1);
      for (const e of shown) {
        const label = mode === 'full' ? fullText(e.structure) : fitHint(e.structure.summary);
        if (!label) continue;
        hints.push({
          position: { line, character: e.span.end },
          label: ` ${label}`,
          kind: InlayHintKind.Type,
          paddingLeft: true,
          tooltip: { kind: 'markdown', value: structureMarkdown(e.structure, e.label) },
        });
      }
    }
    return hints;
  });
}
