// The sidebar's tree views (Context Tables, Second-Level Tables, GSI Routing):
// one ServerTreeProvider each, their descriptions (the active source, the
// filter, what the source cannot tell) and messages, and when they refresh:
// another source, new diagnostics for a file of the source (the server
// re-read it), a file of the source changed on disk, the number settings.

import * as vscode from 'vscode';
import {
  SETTINGS,
  SourceInfoRequest,
  VIEW_IDS,
  type NumberFormat,
  type TreeNodeDto,
  type ViewKey,
} from '../../protocol';
import type { ActiveSource } from '../sources';
import type { ServerRequests } from './serverRequests';
import { ServerTreeProvider, type NumberDisplay, type ViewOptions } from './serverTreeProvider';
import type { ViewNode } from './treeItems';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';

/** The views this module shows (the IOTLB and ATS views register their own). */
export const SIDEBAR_VIEWS: readonly ViewKey[] = ['contextTables', 'secondLevelTables', 'gsiRouting'];

const OPTIONS_KEY = 'viommu.viewOptions';

export function numberDisplay(): NumberDisplay {
  const config = vscode.workspace.getConfiguration();
  const format = config.get<string>(SETTINGS.numberFormat);
  return {
    numberFormat: format === 'decimal' || format === 'both' ? (format as NumberFormat) : 'hex',
    pad: config.get<boolean>(SETTINGS.padNumbers) === true,
  };
}

/** Calls `fn` once things have been quiet for `ms`. */
function debounced(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export class SidebarViews implements vscode.Disposable {
  readonly providers = new Map<ViewKey, ServerTreeProvider>();
  readonly treeViews = new Map<ViewKey, vscode.TreeView<ViewNode>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;
  /** A file of the source may have changed: refresh if the server's picture of it did. */
  private readonly refreshSoon = debounced(() => void this.refreshIfChanged(), 400);

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly server: ServerRequests,
    readonly sources: ActiveSource,
  ) {
    const saved = context.workspaceState.get<Partial<Record<ViewKey, ViewOptions>>>(OPTIONS_KEY) ?? {};
    for (const key of SIDEBAR_VIEWS) {
      const provider = new ServerTreeProvider(key, server, () => sources.source, numberDisplay);
      Object.assign(provider.options, saved[key] ?? {});
      const view = vscode.window.createTreeView(VIEW_IDS[key], { treeDataProvider: provider, showCollapseAll: true });
      // An error is said in the view, not shown as an empty tree; the view's own message comes back once it answers.
      provider.onFailure = (message) => (message ? (view.message = message) : void this.describe(key));
      this.providers.set(key, provider);
      this.treeViews.set(key, view);
      this.subscriptions.push(provider, view);
    }
    this.subscriptions.push(
      sources.onDidChange(() => {
        this.watchSource();
        void this.updateContextKeys();
        void this.refreshAll(false);
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => sources.contains(u))) this.refreshSoon();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.numberFormat) || e.affectsConfiguration(SETTINGS.padNumbers)) void this.refreshAll(false);
      }),
    );
    this.watchSource();
    void this.updateContextKeys();
    void this.describeAll();
  }

  provider(key: ViewKey): ServerTreeProvider | undefined {
    return this.providers.get(key);
  }

  /** The providers of the views made elsewhere (IOTLB, ATS Flow, Simulator), handed over by who makes them. */
  private readonly adopted = new Map<ViewKey, ServerTreeProvider>();

  adopt(key: ViewKey, provider: ServerTreeProvider): void {
    this.adopted.set(key, provider);
  }

  /** The nodes a view shows under a node (any view: the IOTLB, ATS Flow and Simulator views too): what the integration tests read. */
  async children(key: ViewKey, parentId?: string): Promise<TreeNodeDto[]> {
    return (await (this.providers.get(key) ?? this.adopted.get(key))?.children(parentId)) ?? [];
  }

  async setOptions(key: ViewKey, change: ViewOptions): Promise<void> {
    const provider = this.providers.get(key);
    if (!provider) return;
    Object.assign(provider.options, change);
    const all: Partial<Record<ViewKey, ViewOptions>> = {};
    for (const [k, p] of this.providers) all[k] = { ...p.options };
    await this.context.workspaceState.update(OPTIONS_KEY, all);
    await this.updateContextKeys();
    provider.refresh();
    await this.describe(key);
  }

  /** Selects (and shows) a node of a view; false when the view does not have it. */
  async reveal(key: ViewKey, id: string, how: { focus: boolean; expand?: boolean }): Promise<boolean> {
    const provider = this.providers.get(key);
    const view = this.treeViews.get(key);
    if (!provider || !view) return false;
    // VS Code logs (does not throw) when it cannot walk down to the node, e.g. when a refresh
    // lands during the walk: the selection tells whether it got there; try once more if not.
    const selected = () => view.selection[0]?.id === id;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await view.reveal(provider.nodeFor(id), { select: true, focus: how.focus, expand: how.expand ?? false });
      } catch {
        // the selection check below decides
      }
      for (let waited = 0; waited < 500 && !selected(); waited += 50) await new Promise((r) => setTimeout(r, 50));
      if (selected()) return true;
    }
    return false;
  }

  async refreshAll(reload: boolean): Promise<void> {
    if (reload) await this.sources.reload().catch(() => undefined);
    for (const p of this.providers.values()) p.refresh();
    await this.describeAll();
  }

  /** Refreshes only when the source's fingerprint moved: opening a file of it changes nothing. */
  private async refreshIfChanged(): Promise<void> {
    const changed = await this.sources.reload().catch(() => false);
    if (changed) await this.refreshAll(false);
  }

  private async describeAll(): Promise<void> {
    await Promise.all(SIDEBAR_VIEWS.map((k) => this.describe(k)));
  }

  /** "capture-name · filter: 00:04.0 · what the source cannot tell", and the view's message. */
  private async describe(key: ViewKey): Promise<void> {
    const view = this.treeViews.get(key);
    const provider = this.providers.get(key);
    if (!view || !provider) return;
    const source = this.sources.source;
    if (!source) {
      view.description = undefined;
      view.message = undefined;
      return;
    }
    const info = await this.server.request(SourceInfoRequest, { source, view: key }).catch(() => null);
    const parts = [info?.name ?? this.sources.info?.name ?? source.uri];
    if (provider.options.filter) parts.push(`filter: ${provider.options.filter}`);
    if (key === 'secondLevelTables' && provider.options.coalesce) parts.push('ranges');
    if (info?.note) parts.push(info.note);
    view.description = parts.join(' · ');
    view.message = info?.message;
  }

  private async updateContextKeys(): Promise<void> {
    const filtered = [...this.providers].filter(([, p]) => p.options.filter).map(([k]) => VIEW_IDS[k]);
    await setContextKey(CONTEXT_KEYS.filteredViews, filtered);
    await setContextKey(CONTEXT_KEYS.coalesced, this.providers.get('secondLevelTables')?.options.coalesce === true);
    await setContextKey(CONTEXT_KEYS.hasSource, this.sources.source !== undefined);
  }

  /** Files of the source changed on disk (a new dump copied in): the views refresh. */
  private watchSource(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const source = this.sources.source;
    if (source?.kind !== 'capture') return;
    const folder = vscode.Uri.parse(source.uri);
    if (folder.scheme !== 'file') return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
    this.watcher.onDidChange(this.refreshSoon);
    this.watcher.onDidCreate(this.refreshSoon);
    this.watcher.onDidDelete(this.refreshSoon);
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
