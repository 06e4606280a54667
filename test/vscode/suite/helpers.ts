// What the integration tests share: the extension's API, the sample capture
// in the opened workspace, and waiting for the language server.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ViommuApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'viommu-inspector.viommu-inspector';
export const CAPTURE = 'linux-6.1-qemu-7.2-legacy';

export async function viommuApi(): Promise<ViommuApi> {
  const ext = vscode.extensions.getExtension<ViommuApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

/** The workspace the lane opens: a copy of samples/ (the capture, and scenarios/ when there are any). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

export function captureFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), CAPTURE, name);
}

export async function openInEditor(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/**
 * Closes every editor without a save prompt: the walk the translate command
 * shows is an untitled (so dirty) document, and a prompt would hang the run.
 */
export async function closeAllEditors(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits until the server has published the diagnostics of every document
 * opened before the call: past the server's debounce, a round trip returns
 * only after any due publication was sent, and messages arrive in order.
 */
export async function serverSettled(api: ViommuApi, uri: vscode.Uri): Promise<void> {
  await sleep(600);
  await api.captureSummary(uri.toString());
}

/** Polls until check() gives a value other than undefined. */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Polls until check() resolves to a value other than undefined (a rejection counts as not yet). */
export async function eventuallyAsync<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Figures the suite measured (activation times), handed to the lane in the suite's report. */
export const suiteFigures: Record<string, unknown> = {};

/** Every symbol of a document-symbol tree, depth first. */
export function flattenSymbols(symbols: readonly vscode.DocumentSymbol[]): vscode.DocumentSymbol[] {
  return symbols.flatMap((s) => [s, ...flattenSymbols(s.children ?? [])]);
}

export function markdownText(contents: readonly (vscode.MarkdownString | vscode.MarkedString)[]): string {
  return contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}
