// Folding ranges: every block of the outline that spans lines (a unit, a
// device block and its IOVA runs, an IOMMU group, an IRTE section, a fault
// with its dump, a trace phase). The dumps' blocks end at a blank line or at
// the next header, which the language configurations' indentation and
// marker rules cannot express.

import type { DocumentSymbol, FoldingRange } from 'vscode-languageserver/node';
import { documentOutline } from './outline/documentOutline';
import type { Feature } from './feature';

/** The folds of an outline: one per start line (the longest), for each symbol over more than one line. */
function foldingRangesOf(symbols: readonly DocumentSymbol[]): FoldingRange[] {
  const ends = new Map<number, number>();
  const visit = (list: readonly DocumentSymbol[]) => {
    for (const s of list) {
      const { start, end } = s.range;
      if (end.line > start.line && end.line > (ends.get(start.line) ?? -1)) ends.set(start.line, end.line);
      if (s.children) visit(s.children);
    }
  };
  visit(symbols);
  return [...ends].sort((a, b) => a[0] - b[0]).map(([startLine, endLine]) => ({ startLine, endLine }));
}

export const foldingRangesFeature: Feature = {
  capabilities: { foldingRangeProvider: true },
  register: ({ connection, workspace }) => {
    connection.onFoldingRanges((params, token): FoldingRange[] => {
      const doc = workspace.document(params.textDocument.uri);
      if (!doc || token.isCancellationRequested) return [];
      return foldingRangesOf(documentOutline(workspace, doc, token) ?? []);
    });
  },
};
