// Semantic tokens: requester ids, raw entries (marked notPresent or
// specViolation from their decode), addresses and fault reasons, for the
// whole document or for a range. A range request decodes only its own lines,
// so scrolling through a million-row page-table dump stays fast; a full
// request stops after MAX_FULL_TOKENS tokens (the grammar still colours the
// rest, and the client's range requests cover what is on screen).

import { SemanticTokensBuilder, type CancellationToken, type SemanticTokens } from 'vscode-languageserver/node';
import { decodeScopeOf } from '../../model/decodeScope';
import type { CaptureWorkspace } from '../captureWorkspace';
import { DocumentTokens } from './outline/lineTokens';
import { LEGEND } from './outline/tokenLegend';
import type { Feature } from './feature';

/** Tokens in one full-document answer at most (about 20,000 page-table rows). */
export const MAX_FULL_TOKENS = 120_000;
/** Lines of one range request at most. */
const MAX_RANGE_LINES = 20_000;


/** Tokens of lines first..last (inclusive); undefined when cancelled. */
function semanticTokensOf(workspace: CaptureWorkspace, uri: string, first: number, last: number, maxTokens: number, token?: CancellationToken): SemanticTokens | undefined {
  const doc = workspace.document(uri);
  const builder = new SemanticTokensBuilder();
  if (!doc?.parsed) return builder.build();
  // One scope per capture: the analysis keeps its index of decoded entries while the scope's key is the same.
  const tokens = new DocumentTokens(doc, decodeScopeOf(workspace.captureOf(uri)?.capture));
  const end = Math.min(last, doc.lines.count - 1);
  let count = 0;
  for (let line = Math.max(0, first); line <= end && count < maxTokens; line++) {
    if ((line & 1023) === 0 && token?.isCancellationRequested) return undefined;
    for (const t of tokens.line(line)) {
      builder.push(line, t.start, t.end - t.start, t.type, t.mods);
      count++;
    }
  }
  return builder.build();
}

export const semanticTokensFeature: Feature = {
  capabilities: { semanticTokensProvider: { legend: LEGEND, full: true, range: true } },
  register: ({ connection, workspace }) => {
    const empty = (): SemanticTokens => ({ data: [] });
    connection.languages.semanticTokens.on((params, token): SemanticTokens => {
      try {
        return semanticTokensOf(workspace, params.textDocument.uri, 0, Number.MAX_SAFE_INTEGER, MAX_FULL_TOKENS, token) ?? empty();
      } catch {
        return empty();
      }
    });
    connection.languages.semanticTokens.onRange((params, token): SemanticTokens => {
      try {
        const { start, end } = params.range;
        const first = start.line;
        // A range ending at character 0 of a line leaves that line out.
        const endLine = end.character === 0 && end.line > first ? end.line - 1 : end.line;
        const last = Math.min(endLine, first + MAX_RANGE_LINES - 1);
        return semanticTokensOf(workspace, params.textDocument.uri, first, last, Number.MAX_SAFE_INTEGER, token) ?? empty();
      } catch {
        return empty();
      }
    });
  },
};
