// Document symbols: the outline of a dump (units, buses and requesters,
// device blocks and their IOVA runs, IRTEs, faults, trace phases), built by
// the per-format builders under outline/.

import type { DocumentSymbol } from 'vscode-languageserver/node';
import { documentOutline } from './outline/documentOutline';
import type { Feature } from './feature';

export const documentSymbolsFeature: Feature = {
  capabilities: { documentSymbolProvider: { label: 'vIOMMU dump' } },
  register: ({ connection, workspace }) => {
    connection.onDocumentSymbol((params, token): DocumentSymbol[] => {
      const doc = workspace.document(params.textDocument.uri);
      if (!doc || token.isCancellationRequested) return [];
      return documentOutline(workspace, doc, token) ?? [];
    });
  },
};
