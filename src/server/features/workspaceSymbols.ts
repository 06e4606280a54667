// Workspace symbols: requesters ("00:05.0"), domains ("DID 7"), IRTEs
// ("IRTE 17"), faults and units of every capture the server has open, found
// by a case-insensitive substring of their name.

import type { CancellationToken, SymbolInformation } from 'vscode-languageserver/node';
import type { CaptureWorkspace } from '../captureWorkspace';
import { captureSymbols } from './outline/captureSymbols';
import type { Feature } from './feature';

/** Symbols in one answer at most. */
const MAX_WORKSPACE_SYMBOLS = 5000;

function workspaceSymbolsOf(workspace: CaptureWorkspace, query: string, token?: CancellationToken): SymbolInformation[] {
  const needle = query.trim().toLowerCase();
  const out: SymbolInformation[] = [];
  const sink = {
    wants: (name: string) => needle === '' || name.toLowerCase().includes(needle),
    add: (s: SymbolInformation) => void out.push(s),
    full: () => out.length >= MAX_WORKSPACE_SYMBOLS,
  };
  for (const entry of workspace.openCaptures()) {
    if (token?.isCancellationRequested || sink.full()) break;
    try {
      captureSymbols(entry, sink);
    } catch {
      // One capture with a shape this code did not expect: the others still answer.
    }
  }
  return out;
}

export const workspaceSymbolsFeature: Feature = {
  capabilities: { workspaceSymbolProvider: true },
  register: ({ connection, workspace }) => {
    connection.onWorkspaceSymbol((params, token): SymbolInformation[] => {
      try {
        return workspaceSymbolsOf(workspace, typeof params.query === 'string' ? params.query : '', token);
      } catch {
        return [];
      }
    });
  },
};
