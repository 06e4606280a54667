// "vIOMMU: Compare Captures…": pick two capture folders (before, after); the
// server diffs them semantically (viommu/compareCaptures) and the result opens
// as a Markdown preview beside the editor: read-only, nothing to save.
//
// The preview does not render file:// links (microsoft/vscode#182870), so the
// result is written as a .md file in the extension's storage and its links
// to the captures' lines are made relative to it, which the preview follows.

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

export async function compareCaptures(server: ServerRequests, storage: vscode.Uri, left?: vscode.Uri, right?: vscode.Uri): Promise<CompareCapturesResult | undefined> {
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
  const name = (u: vscode.Uri) => u.path.split('/').filter((p) => p !== '').pop() ?? 'capture';
  const file = vscode.Uri.joinPath(storage, 'comparisons', `${name(before)} vs ${name(after)}.md`.replace(/[\\/:*?"<>|]/g, '_'));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(relativeLinks(result.markdown, file)));
  await vscode.commands.executeCommand('markdown.showPreviewToSide', file);
  const shown: CompareCapturesResult & { document: string } = { ...result, document: file.toString() };
  return shown;
}

/** file:// link targets of the comparison made relative to the document at `doc` (same scheme and authority only). */
function relativeLinks(markdown: string, doc: vscode.Uri): string {
  const from = doc.path.split('/').slice(0, -1);
  return markdown.replace(/\]\((file:\/\/[^)\s]*)\)/g, (whole, target: string) => {
    const hash = target.indexOf('#');
    const uri = vscode.Uri.parse(hash >= 0 ? target.slice(0, hash) : target);
    if (uri.authority !== doc.authority) return whole;
    const to = uri.path.split('/');
    let k = 0;
    while (k < from.length && k < to.length && from[k] === to[k]) k++;
    // Path segments stay as they were encoded (spaces, brackets and parentheses escaped).
    const rel = [...from.slice(k).map(() => '..'), ...to.slice(k).map((p) => encodeURIComponent(p).replace(/[()]/g, (c) => '%' + c.charCodeAt(0).toString(16)))].join('/');
    return `](${rel}${hash >= 0 ? target.slice(hash) : ''})`;
  });
}

/**
 * The command's arguments: none (two dialogs), one folder (the Explorer's
 * context menu: it is "before"), or the Explorer's two selected folders.
 */
export function compareCapturesCommand(server: ServerRequests, storage: vscode.Uri, clicked?: unknown, selected?: unknown): Promise<CompareCapturesResult | undefined> {
  const uris = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (uris.length === 2) return compareCaptures(server, storage, uris[0], uris[1]);
  return compareCaptures(server, storage, clicked instanceof vscode.Uri ? clicked : undefined);
}
