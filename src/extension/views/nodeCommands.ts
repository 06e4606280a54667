// What a tree node does: selecting it opens its dump line (or reveals the node
// it links to); its menu copies its value, its raw entry as the dump prints
// it, or its decode as JSON.

import * as vscode from 'vscode';
import { COMMANDS, type TreeNodeDto, type ViewKey, type WireLocation } from '../../protocol';
import type { CursorSync } from './cursorSync';
import type { SidebarViews } from './sidebarViews';
import type { ViewNode } from './treeItems';
import type { CommandTable } from '../commandTable';

type CopyKind = 'value' | 'raw' | 'json';

const COPY_NAMES: Record<CopyKind, string> = { value: 'value', raw: 'raw entry', json: 'JSON' };

function copyText(dto: TreeNodeDto | undefined, kind: CopyKind): string | undefined {
  const copy = dto?.copy;
  if (!copy) return undefined;
  if (kind === 'json') return copy.json === undefined ? undefined : JSON.stringify(copy.json, null, 2);
  return copy[kind];
}

/** The node a menu was opened on; from a key binding, the node selected in a view. */
function nodeOrSelection(views: SidebarViews, node: ViewNode | undefined): ViewNode | undefined {
  if (node) return node;
  for (const view of views.treeViews.values()) if (view.selection[0]) return view.selection[0];
  return undefined;
}

async function copyNode(views: SidebarViews, given: ViewNode | undefined, kind: CopyKind): Promise<void> {
  const node = nodeOrSelection(views, given);
  const text = copyText(node?.dto, kind);
  if (text === undefined) {
    void vscode.window.showInformationMessage(`vIOMMU: this node has no ${COPY_NAMES[kind]} to copy.`);
    return;
  }
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`vIOMMU: copied ${COPY_NAMES[kind]} of ${node?.dto?.label ?? 'the node'}`, 2500);
}

/** Opens a dump file at a node's line, leaving the focus in the tree. */
export async function revealSource(location: WireLocation | undefined, cursor: CursorSync): Promise<void> {
  if (!location) return;
  const uri = vscode.Uri.parse(location.uri);
  const range = new vscode.Range(location.line, location.character, location.line, Math.max(location.character, location.endCharacter));
  cursor.expectSelection(uri, location.line);
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    // The span selected with the cursor at its start, then the line revealed from its first column: the row's key
    // (IOVA_PFN, B.D.F) stays in view rather than being scrolled out to show an entry far to the right.
    const selection = new vscode.Selection(range.end, range.start);
    const editor = await vscode.window.showTextDocument(doc, { selection, preserveFocus: true, preview: true });
    editor.revealRange(new vscode.Range(location.line, 0, location.line, range.end.character), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  } catch (e) {
    void vscode.window.showWarningMessage(`vIOMMU: cannot open ${uri.fsPath || uri.toString()} (${e instanceof Error ? e.message : String(e)}). Files above 50 MB open with "vIOMMU: Open Large Dump File…".`);
  }
}

export function registerNodeCommands(views: SidebarViews, cursor: CursorSync, commands: CommandTable): vscode.Disposable[] {
  return [
    commands.add(COMMANDS.treeRevealSource, (location?: WireLocation) => revealSource(location, cursor)),
    commands.add(COMMANDS.treeFollowLink, async (link?: { view: ViewKey; id: string }) => {
      if (link) await views.reveal(link.view, link.id, { focus: true, expand: true });
    }),
    commands.add(COMMANDS.treeCopyValue, (node?: ViewNode) => copyNode(views, node, 'value')),
    commands.add(COMMANDS.treeCopyRaw, (node?: ViewNode) => copyNode(views, node, 'raw')),
    commands.add(COMMANDS.treeCopyJson, (node?: ViewNode) => copyNode(views, node, 'json')),
  ];
}
