// One TreeDataProvider for every vIOMMU view: the server owns the tree, this
// asks it for the children of a node (TreeChildrenRequest) with the view's
// filter, mode and number format, and derives a node's parent from its id.

import * as vscode from 'vscode';
import { parentIdOf, TreeChildrenRequest, type NumberFormat, type SourceRef, type TreeNodeDto, type ViewKey } from '../../protocol';
import type { ServerRequests } from './serverRequests';
import { treeItemOf, ViewNode } from './treeItems';

export interface ViewOptions {
  filter?: string;
  coalesce?: boolean;
}

export interface NumberDisplay {
  numberFormat: NumberFormat;
  pad: boolean;
}

export class ServerTreeProvider implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  /** The provider of each view, whoever registered it (the extension's API reads any view through it). */
  private readonly changed = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The nodes last sent, by id (VS Code reveals by walking down them). */
  private readonly nodes = new Map<string, ViewNode>();
  readonly options: ViewOptions = {};

  constructor(
    readonly view: ViewKey,
    private readonly server: ServerRequests,
    private readonly source: () => SourceRef | undefined,
    private readonly display: () => NumberDisplay,
  ) {
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return treeItemOf(node);
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    const dtos = await this.children(node?.id);
    return dtos.map((dto) => {
      const n = new ViewNode(dto.id, dto);
      this.nodes.set(dto.id, n);
      return n;
    });
  }

  getParent(node: ViewNode): ViewNode | undefined {
    const parent = parentIdOf(node.id);
    return parent === undefined ? undefined : this.nodeFor(parent);
  }

  /**
   * Told when the server fails to answer for this view (its message, to show
   * in the view instead of an empty tree), and when it answers again (undefined).
   */
  onFailure: ((message: string | undefined) => void) | undefined;
  private failed = false;

  /** The nodes the view shows under a node (the roots for undefined), as the server sends them. */
  async children(parentId?: string): Promise<TreeNodeDto[]> {
    const source = this.source();
    if (!source) return [];
    try {
      const nodes = await this.server.request(TreeChildrenRequest, { view: this.view, source, parentId, ...this.options, ...this.display() });
      if (this.failed) {
        this.failed = false;
        this.onFailure?.(undefined);
      }
      return nodes;
    } catch (err) {
      this.failed = true;
      const why = err instanceof Error ? err.message : String(err);
      this.onFailure?.(`The language server did not answer for this view (${why}). "vIOMMU: Show Server Log" says more; "vIOMMU: Restart Language Server" starts it again.`);
      return [];
    }
  }

  /** The element for a node id: the one last shown, or a stand-in VS Code resolves by id. */
  nodeFor(id: string): ViewNode {
    return this.nodes.get(id) ?? new ViewNode(id);
  }

  refresh(): void {
    this.nodes.clear();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
