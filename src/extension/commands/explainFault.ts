// "vIOMMU: Explain This Fault": for a fault line of a kernel log (from the
// code action on it, or the cursor's line), what the fault reason means and
// the walk of its address through this capture's tables, in a read-only
// Markdown document rendered beside the editor. The language server's hover
// on the line already holds that explanation, so the command asks for it
// rather than keeping a second copy of the logic.

import * as vscode from 'vscode';
import { COMMANDS, type ExplainFaultArgs } from '../../protocol';
import type { CommandTable } from '../commandTable';


const SCHEME = 'viommu-explanation';

/** Read-only documents holding the explanations, by URI. */
class Explanations implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function hoverText(h: vscode.Hover): string {
  return h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n\n');
}

/** Markdown of the explanation, or undefined when the line is no fault. */
async function explanationOf(doc: vscode.TextDocument, line: number): Promise<string | undefined> {
  const text = doc.lineAt(line).text;
  const position = new vscode.Position(line, Math.max(0, doc.lineAt(line).firstNonWhitespaceCharacterIndex));
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position)) ?? [];
  const explanation = hovers.map(hoverText).find((t) => t.startsWith('**Fault '));
  if (!explanation) return undefined;
  const name = doc.uri.path.slice(doc.uri.path.lastIndexOf('/') + 1);
  const back = doc.uri.with({ fragment: `L${line + 1}` }).toString();
  return [`# Fault at ${name} line ${line + 1}`, '', '```text', text.length > 2000 ? text.slice(0, 2000) + '…' : text, '```', '', explanation, '', `[Back to the log line](${back})`, ''].join('\n');
}

async function explainFault(store: Explanations, args?: Partial<ExplainFaultArgs>): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const uri = args?.uri ? vscode.Uri.parse(args.uri) : editor?.document.uri;
  const line = typeof args?.line === 'number' ? args.line : editor?.selection.active.line;
  if (!uri || line === undefined) {
    void vscode.window.showWarningMessage('Put the cursor on a DMAR fault line of a kernel log first.');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const markdown = line < doc.lineCount ? await explanationOf(doc, line) : undefined;
  if (!markdown) {
    void vscode.window.showInformationMessage(`Line ${line + 1} is not a DMA or interrupt-remapping fault the capture knows.`);
    return;
  }
  const target = vscode.Uri.from({ scheme: SCHEME, path: `/Fault ${doc.uri.path.slice(doc.uri.path.lastIndexOf('/') + 1)} L${line + 1}.md`, query: doc.uri.toString() });
  store.set(target, markdown);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', target);
  } catch {
    // No Markdown preview (the built-in extension disabled): the source, read-only.
    const shown = await vscode.workspace.openTextDocument(target);
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}

/** The command and the provider of its read-only documents. */
export function registerExplainFault(commands: CommandTable): vscode.Disposable {
  const store = new Explanations();
  return vscode.Disposable.from(
    store,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, store),
    commands.add(COMMANDS.explainFault, (args?: Partial<ExplainFaultArgs>) => explainFault(store, args)),
  );
}
