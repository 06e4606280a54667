// "vIOMMU: Compare Captures…": pick two capture folders (before, after); the
// server diffs them semantically (viommu/compareCaptures) and the result opens
// as a Markdown document beside the editor, with its preview.

import * as vscode from 'vscode';
import { CompareCapturesRequest, type CompareCapturesResult } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';

async function pickFolder(title: string, openLabel: string, near?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title, openLabel, defaultUri: near });
  return picked?.[0];
}

/** Where the first dialog opens: the folder of the dump editor in front, else the first workspace folder. */
function startFolder(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.uri.scheme === 'file' && doc.languageId.startsWith('viommu-')) return vscode.Uri.joinPath(doc.uri, '..');
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

export async function compareCaptures(server: ServerRequests, left?: vscode.Uri, right?: vscode.Uri): Promise<CompareCapturesResult | undefined> {
  const before = left ?? (await pickFolder('Compare Captures: the first capture (before)', 'Compare This', startFolder()));
  if (!before) return undefined;
  const after = right ?? (await pickFolder('Compare Captures: the second capture (after)', 'With This', vscode.Uri.joinPath(before, '..')));
  if (!after) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'vIOMMU: comparing the captures…' }, () =>
    server.request(CompareCapturesRequest, { left: before.toString(), right: after.toString() }),
  );
  if (result.error) {
    void vscode.window.showErrorMessage(`vIOMMU: ${result.error}`);
    return result;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  await vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
  return result;
}

/**
 * The command's arguments: none (two dialogs), one folder (the Explorer's
 * context menu: it is "before"), or the Explorer's two selected folders.
 */
export function compareCapturesCommand(server: ServerRequests, clicked?: unknown, selected?: unknown): Promise<CompareCapturesResult | undefined> {
  const uris = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (uris.length === 2) return compareCaptures(server, uris[0], uris[1]);
  return compareCaptures(server, clicked instanceof vscode.Uri ? clicked : undefined);
}
