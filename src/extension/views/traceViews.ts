// The views fed by a QEMU trace (IOTLB, ATS Flow): which trace they show, and
// how each is put together from the generic ServerTreeProvider. The trace is
// the QEMU trace editor in front, else the trace of the capture the sidebar
// shows (or of the dump editor in front); "Replay to Cursor" stops the replay
// at the trace editor's line. The cursor in the trace selects the node of its
// line in the visible trace views.

import * as vscode from 'vscode';
import { isDumpLanguage, SourceInfoRequest, TreeNodeAtRequest, VIEW_IDS, type SourceRef, type ViewKey } from '../../protocol';
import type { ServerRequests } from './serverRequests';
import { ServerTreeProvider } from './serverTreeProvider';
import type { ViewNode } from './treeItems';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';
import { numberDisplay } from './sidebarViews';
import type { CommandTable } from '../commandTable';

export const TRACE_LANGUAGE = 'viommu-trace';


/** Which trace the trace views show, and up to which line. */
export class TraceSourceTracker implements vscode.Disposable {
  private uri: string | undefined;
  private line: number | undefined;
  private lastSidebar: string | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.emitter.event;

  constructor(private readonly sidebarSource: () => SourceRef | undefined) {
    this.subscriptions.push(this.emitter, vscode.window.onDidChangeActiveTextEditor((e) => this.follow(e?.document)));
    this.follow(vscode.window.activeTextEditor?.document);
  }

  get source(): SourceRef | undefined {
    // A simulation in the sidebar feeds these views too.
    const sidebar = this.sidebarSource();
    if (sidebar?.kind === 'simulation') return sidebar;
    const uri = this.uri ?? (this.sidebarSource()?.kind === 'capture' ? this.sidebarSource()?.uri : undefined);
    return uri ? { kind: 'trace', uri, asOfLine: this.line } : undefined;
  }

  get asOfLine(): number | undefined {
    return this.line;
  }

  /** A trace document: that trace; another dump: the trace of the sidebar's capture, or of the dump's folder. */
  private follow(doc: vscode.TextDocument | undefined): void {
    if (!doc || !isDumpLanguage(doc.languageId)) return;
    const next = doc.languageId === TRACE_LANGUAGE ? doc.uri.toString() : this.sidebarCaptureHolding(doc.uri) ?? doc.uri.toString();
    if (next === this.uri) return;
    if (doc.languageId !== TRACE_LANGUAGE && this.uri !== undefined && this.sameFolder(this.uri, doc.uri)) return;
    this.uri = next;
    this.line = undefined;
    this.emitter.fire();
  }

  private sidebarCaptureHolding(uri: vscode.Uri): string | undefined {
    const s = this.sidebarSource();
    if (s?.kind !== 'capture') return undefined;
    const folder = vscode.Uri.parse(s.uri).path.replace(/\/?$/, '/');
    return uri.path.startsWith(folder) ? s.uri : undefined;
  }

  private sameFolder(a: string, b: vscode.Uri): boolean {
    const dir = (p: string) => p.slice(0, p.lastIndexOf('/'));
    return dir(vscode.Uri.parse(a).path) === dir(b.path);
  }

  /** The sidebar opened another capture (no editor change told us): follow it. */
  checkSidebar(): void {
    const s = this.sidebarSource();
    const now = s?.kind === 'capture' ? s.uri : undefined;
    if (now === this.lastSidebar) return;
    this.lastSidebar = now;
    const active = vscode.window.activeTextEditor?.document;
    if (active?.languageId === TRACE_LANGUAGE || !now) return;
    this.uri = now;
    this.line = undefined;
    this.emitter.fire();
  }

  /** Replays the trace in `doc` up to `line`; undefined: the whole trace. */
  replayTo(doc: vscode.TextDocument | undefined, line: number | undefined): void {
    if (doc) this.uri = doc.uri.toString();
    this.line = line;
    this.emitter.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** One trace view: its tree, its description (the trace, the line, the filter) and its message. */
export class TraceTreeView implements vscode.Disposable {
  readonly provider: ServerTreeProvider;
  readonly view: vscode.TreeView<ViewNode>;

  constructor(
    readonly key: ViewKey,
    private readonly server: ServerRequests,
    private readonly tracker: TraceSourceTracker,
  ) {
    this.provider = new ServerTreeProvider(key, server, () => tracker.source, numberDisplay);
    this.view = vscode.window.createTreeView(VIEW_IDS[key], { treeDataProvider: this.provider, showCollapseAll: true });
    this.provider.onFailure = (message) => (message ? (this.view.message = message) : void this.describe());
  }

  async refresh(): Promise<void> {
    this.provider.refresh();
    await this.describe();
  }

  async describe(): Promise<void> {
    const source = this.tracker.source;
    if (!source) {
      this.view.description = undefined;
      this.view.message = 'Open a QEMU trace (qemu-vtd.trace, recorded with -trace "vtd_*") or a capture folder that holds one.';
      return;
    }
    const info = await this.server.request(SourceInfoRequest, { source, view: this.key }).catch(() => null);
    if (!info) {
      this.view.description = undefined;
      this.view.message = 'No QEMU trace here: open a qemu-vtd.trace file (recorded with -trace "vtd_*"), or a capture folder that holds one.';
      return;
    }
    const parts = [info.name];
    if (info.note) parts.push(info.note);
    if (this.provider.options.filter) parts.push(`filter: ${this.provider.options.filter}`);
    this.view.description = parts.join(' · ');
    this.view.message = info.message;
  }

  /** Selects the node of a trace line, if this view shows one. */
  async revealLine(uri: vscode.Uri, line: number): Promise<void> {
    const source = this.tracker.source;
    if (!source || !this.view.visible) return;
    const id = await this.server.request(TreeNodeAtRequest, { view: this.key, source, uri: uri.toString(), line, filter: this.provider.options.filter }).catch(() => null);
    if (!id || this.view.selection[0]?.id === id) return;
    try {
      await this.view.reveal(this.provider.nodeFor(id), { select: true, focus: false, expand: false });
    } catch {
      // The node is gone (the trace changed meanwhile).
    }
  }

  dispose(): void {
    this.view.dispose();
    this.provider.dispose();
  }
}

/** The trace editor's cursor selects the node of its line in the visible trace views. */
export function followTraceCursor(views: readonly TraceTreeView[]): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const sub = vscode.window.onDidChangeTextEditorSelection((e) => {
    const doc = e.textEditor.document;
    if (doc.languageId !== TRACE_LANGUAGE) return;
    const line = e.selections[0]?.active.line ?? 0;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void Promise.all(views.map((v) => v.revealLine(doc.uri, line))), 250);
  });
  return new vscode.Disposable(() => {
    if (timer) clearTimeout(timer);
    sub.dispose();
  });
}

const FILTER_HINTS: Partial<Record<ViewKey, string>> = {
  iotlb: 'B:D.F (00:04.0), did 6, iova 0xffffd000, hpa 0x2210000',
  atsFlow: 'B:D.F (00:03.0), did 5',
};

async function updateFilterContext(views: readonly TraceTreeView[]): Promise<void> {
  const filtered = views.filter((v) => v.provider.options.filter).map((v) => VIEW_IDS[v.key]);
  await setContextKey(CONTEXT_KEYS.traceFilteredViews, filtered);
}

/** A trace view's title bar: Filter…, Clear Filter, Refresh (one command each per view: a title command gets no view argument). */
export function registerTitleCommands(commands: CommandTable, view: TraceTreeView, all: readonly TraceTreeView[], titleCommand: (action: 'filter' | 'clearFilter' | 'refresh') => string): vscode.Disposable[] {
  const setFilter = async (filter: string | undefined) => {
    view.provider.options.filter = filter;
    await updateFilterContext(all);
    await view.refresh();
  };
  return [
    commands.add(titleCommand('filter'), async () => {
      const hint = FILTER_HINTS[view.key];
      const text = await vscode.window.showInputBox({ title: `Filter ${view.view.title ?? view.key}`, prompt: hint, placeHolder: hint, value: view.provider.options.filter ?? '' });
      if (text !== undefined) await setFilter(text.trim() === '' ? undefined : text.trim());
    }),
    commands.add(titleCommand('clearFilter'), () => setFilter(undefined)),
    commands.add(titleCommand('refresh'), () => view.refresh()),
  ];
}
