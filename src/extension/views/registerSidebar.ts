// The vIOMMU sidebar put together: the active source, the tree views, their
// commands, the cursor ↔ tree sync and the IOVA Walk view; and the part of the extension's API
// that lets other extensions and the integration tests read the trees.

import type { ServerTreeProvider } from './serverTreeProvider';
import * as vscode from 'vscode';
import type { SourceRef, TranslateParams, TreeNodeDto, ViewKey, WireWalkResult } from '../../protocol';
import { registerWalkView, type ShownWalkItems } from '../walk/walkView';
import { ActiveSource, openWorkspaceCapture } from '../sources';
import { CursorSync } from './cursorSync';
import { registerNodeCommands } from './nodeCommands';
import type { ServerRequests } from './serverRequests';
import { SidebarViews } from './sidebarViews';
import { registerViewCommands } from './viewCommands';
import type { CommandTable } from '../commandTable';

export interface SidebarApi {
  /** The nodes a view shows under a node (the roots for no parent): the DTOs its provider shows. */
  children(view: ViewKey, parentId?: string): Promise<TreeNodeDto[]>;
  /** Hands over the provider of a view made elsewhere (IOTLB, ATS Flow, Simulator), so children() reads it too. */
  adopt(view: ViewKey, provider: ServerTreeProvider): void;
  /** The source the views show. */
  source(): SourceRef | undefined;
  /** Shows a capture folder (a file: URI) in the views. */
  openCapture(folder: string): Promise<boolean>;
  /** Shows any source in the views (a running simulation too); they refresh even when it is the same. */
  openSource(ref: SourceRef): Promise<boolean>;
  /** The capture the views showed last (to go back to from a simulation). */
  lastCapture(): SourceRef | undefined;
  /** Fires when the views show another source, or the same one again (a simulation that moved). */
  onDidChangeSource: vscode.Event<SourceRef | undefined>;
  /** Selects a node in a view; false when the view does not have it. */
  reveal(view: ViewKey, id: string): Promise<boolean>;
  /** The ids of the nodes selected in a view. */
  selection(view: ViewKey): string[];
  /** The filter and mode of a view. */
  setOptions(view: ViewKey, options: { filter?: string; coalesce?: boolean }): Promise<void>;
  /** A view's description and message as VS Code shows them. */
  describe(view: ViewKey): { description?: string; message?: string };
  /** Puts a translation walk on top of the IOVA Walk view and shows it. */
  showWalk(params: TranslateParams, result: WireWalkResult): Promise<void>;
  /** The walks the IOVA Walk view shows, newest first, with its labels. */
  walks(): ShownWalkItems[];
}

export function registerSidebar(context: vscode.ExtensionContext, server: ServerRequests, commands: CommandTable): SidebarApi {
  const sources = new ActiveSource(server);
  const cursor = new CursorSync(server);
  const views = new SidebarViews(context, server, sources);
  cursor.attach(views);
  const walks = registerWalkView(views, cursor, commands);
  context.subscriptions.push(sources, cursor, views, ...registerNodeCommands(views, cursor, commands), ...registerViewCommands(context, views, cursor, commands), ...walks.disposables);
  // The samples folder (npm start opens it) or a capture folder as the workspace: shown at once.
  void openWorkspaceCapture(sources);
  return {
    children: (view, parentId) => views.children(view, parentId),
    adopt: (view, provider) => views.adopt(view, provider),
    source: () => sources.source,
    openCapture: (folder) => sources.open({ kind: 'capture', uri: folder }),
    openSource: (ref) => sources.open(ref),
    lastCapture: () => sources.lastCapture,
    onDidChangeSource: sources.onDidChange,
    reveal: (view, id) => views.reveal(view, id, { focus: false }),
    selection: (view) => views.treeViews.get(view)?.selection.map((n) => n.id) ?? [],
    setOptions: (view, options) => views.setOptions(view, options),
    describe: (view) => {
      const v = views.treeViews.get(view);
      return { description: v?.description, message: v?.message };
    },
    showWalk: (params, result) => walks.view.show(params, result),
    walks: () => walks.view.shown(),
  };
}
