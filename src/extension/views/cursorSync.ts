// Editor → tree: when the cursor rests on a line of a dump of the active
// source, each visible view selects the node that line stands for
// (TreeNodeAtRequest), without taking the focus. The move a tree selection
// itself caused (opening the node's line) is not sent back to the tree.

import * as vscode from 'vscode';
import { TreeNodeAtRequest, type ViewKey } from '../../protocol';
import type { ServerRequests } from './serverRequests';
import type { SidebarViews } from './sidebarViews';

const SETTLE_MS = 250;

export class CursorSync implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private expected: { uri: string; line: number; until: number } | undefined;
  private readonly subscription: vscode.Disposable;
  private views: SidebarViews | undefined;

  constructor(private readonly server: ServerRequests) {
    this.subscription = vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e));
  }

  attach(views: SidebarViews): void {
    this.views = views;
  }

  /** The tree is about to move the cursor here: that move is not revealed back. */
  expectSelection(uri: vscode.Uri, line: number): void {
    this.expected = { uri: uri.toString(), line, until: Date.now() + 1500 };
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const doc = e.textEditor.document;
    if (!doc.languageId.startsWith('viommu-')) return;
    const line = e.selections[0]?.active.line ?? 0;
    const x = this.expected;
    if (x && x.uri === doc.uri.toString() && x.line === line && Date.now() < x.until) {
      this.expected = undefined;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.revealLine(doc.uri, line), SETTLE_MS);
  }

  /** Selects, in every visible view, the node of a dump line; returns the views that had one. */
  async revealLine(uri: vscode.Uri, line: number, how: { focus: boolean; onlyVisible: boolean } = { focus: false, onlyVisible: true }): Promise<ViewKey[]> {
    const views = this.views;
    const source = views?.sources.source;
    if (!views || !source || !views.sources.contains(uri)) return [];
    const found: ViewKey[] = [];
    for (const [key, view] of views.treeViews) {
      if (how.onlyVisible && !view.visible) continue;
      const provider = views.provider(key);
      const id = await this.server
        .request(TreeNodeAtRequest, { view: key, source, uri: uri.toString(), line, filter: provider?.options.filter, coalesce: provider?.options.coalesce })
        .catch(() => null);
      if (!id) continue;
      if (view.selection[0]?.id === id) {
        found.push(key);
        continue;
      }
      if (await views.reveal(key, id, { focus: how.focus && found.length === 0 })) found.push(key);
    }
    return found;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
