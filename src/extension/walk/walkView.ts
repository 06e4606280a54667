// The IOVA Walk view: every walk "vIOMMU: Translate IOVA…" made (newest
// first), each step linked both ways out: selecting a step opens its dump
// line and selects the entry's node in Context Tables or Second-Level Tables;
// "Show in Tables" also moves the focus there. A walk opens as a Markdown
// document on request.

import * as vscode from 'vscode';
import { COMMANDS, WALK_VIEW_ID, type TranslateParams, type TreeLink, type ViewKey, type WireWalkResult, type WireWalkStep } from '../../protocol';
import type { CursorSync } from '../views/cursorSync';
import { revealSource } from '../views/nodeCommands';
import type { SidebarViews } from '../views/sidebarViews';
import { openWalkMarkdown } from './walkMarkdown';
import { StepNode, WalkNode, type ShownWalk, type WalkElement } from './walkTreeNodes';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';
import type { CommandTable } from '../commandTable';

/** Older walks drop off the end of the view. */
const MAX_WALKS = 20;

const VIEW_NAMES: Partial<Record<ViewKey, string>> = { contextTables: 'Context Tables', secondLevelTables: 'Second-Level Tables' };

/** What the view shows of a walk, as plain text (for the extension's API). */
export interface ShownWalkItems {
  params: TranslateParams;
  result: WireWalkResult;
  label: string;
  description: string;
  children: { label: string; description: string }[];
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

class WalkView implements vscode.TreeDataProvider<WalkElement>, vscode.Disposable {
  private walks: ShownWalk[] = [];
  private serial = 0;
  private readonly changed = new vscode.EventEmitter<WalkElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<WalkElement>;

  constructor() {
    this.view = vscode.window.createTreeView(WALK_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
  }

  getTreeItem(e: WalkElement): vscode.TreeItem {
    return e instanceof WalkNode ? e.treeItem(e.walk === this.walks[0]) : e.treeItem();
  }

  getChildren(e?: WalkElement): WalkElement[] {
    return e ? e.children() : this.walks.map((w) => new WalkNode(w));
  }

  getParent(e: WalkElement): WalkElement | undefined {
    return e instanceof WalkNode ? undefined : e.parent;
  }

  /** Puts a walk on top of the view, expanded, and shows the view. */
  async show(params: TranslateParams, result: WireWalkResult): Promise<void> {
    const walk: ShownWalk = { serial: ++this.serial, params, result };
    this.walks = [walk, ...this.walks].slice(0, MAX_WALKS);
    await this.changedWalks();
    await this.view.reveal(new WalkNode(walk), { select: true, focus: true, expand: true }).then(undefined, () => undefined);
  }

  async clear(): Promise<void> {
    this.walks = [];
    await this.changedWalks();
  }

  /** The walk a menu was opened on, else the newest. */
  walkOf(node: unknown): ShownWalk | undefined {
    return node instanceof WalkNode ? node.walk : this.walks[0];
  }

  shown(): ShownWalkItems[] {
    return this.walks.map((w) => {
      const node = new WalkNode(w);
      const item = node.treeItem(false);
      return {
        params: w.params,
        result: w.result,
        label: labelOf(item),
        description: String(item.description ?? ''),
        children: node.children().map((c) => {
          const i = this.getTreeItem(c);
          return { label: labelOf(i), description: String(i.description ?? '') };
        }),
      };
    });
  }

  private async changedWalks(): Promise<void> {
    this.changed.fire(undefined);
    await setContextKey(CONTEXT_KEYS.hasWalks, this.walks.length > 0);
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}

/** The step a command was given: the step itself (a click) or its node (a menu). */
function stepOf(arg: unknown): WireWalkStep | undefined {
  if (arg instanceof StepNode) return arg.step;
  return arg && typeof arg === 'object' && 'name' in arg ? (arg as WireWalkStep) : undefined;
}

/** Selects the step's node in its view, showing the step's capture there first; false (and says why) when the view does not list it. */
async function revealStepNode(views: SidebarViews, step: WireWalkStep, focus: boolean): Promise<boolean> {
  const node: TreeLink | undefined = step.node;
  if (!node) return false;
  const uri = step.location ? vscode.Uri.parse(step.location.uri) : undefined;
  if (uri && !views.sources.contains(uri) && !(await views.sources.openCaptureOf(uri))) return false;
  // Table entries are nodes of the levels mode; the ranges mode lists leaves only.
  if (node.view === 'secondLevelTables' && views.provider('secondLevelTables')?.options.coalesce) await views.setOptions('secondLevelTables', { coalesce: false });
  if (await views.reveal(node.view, node.id, { focus, expand: false })) return true;
  const filtered = views.provider(node.view)?.options.filter ? ' (its filter hides it)' : '';
  void vscode.window.showInformationMessage(`vIOMMU: the ${VIEW_NAMES[node.view] ?? node.view} view does not list the ${step.name} now${filtered}.`);
  return false;
}

export function registerWalkView(views: SidebarViews, cursor: CursorSync, commands: CommandTable): { view: WalkView; disposables: vscode.Disposable[] } {
  const view = new WalkView();
  const disposables = [
    view,
    commands.add(COMMANDS.walkShowStep, async (arg?: unknown) => {
      const step = stepOf(arg);
      if (!step) return;
      await revealSource(step.location, cursor);
      await revealStepNode(views, step, false);
    }),
    commands.add(COMMANDS.walkShowInTables, async (arg?: unknown) => {
      const step = stepOf(arg) ?? stepOf(view.view.selection[0]);
      if (step) await revealStepNode(views, step, true);
    }),
    commands.add(COMMANDS.walkOpenMarkdown, async (node?: unknown) => {
      const walk = view.walkOf(node);
      if (walk) await openWalkMarkdown(walk.params, walk.result);
    }),
    commands.add(COMMANDS.walkClear, () => view.clear()),
  ];
  return { view, disposables };
}
