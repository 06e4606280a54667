// "vIOMMU: Show Trace Timeline": one webview panel beside the editor with the
// timeline of the trace views' trace (viommu/traceTimeline): the page is
// built here (strict CSP, nonce'd script, the extension's own styles), sent
// the columns by message, and asks back to open trace lines, which also
// replays the IOTLB and ATS Flow views to them. The editor's cursor in the
// trace moves a marker on the timeline. The panel comes back after a reload
// (a webview serializer keeps which trace it showed).

import * as vscode from 'vscode';
import { COMMANDS, TraceTimelineRequest, type TraceTimelineResult } from '../../protocol';
import { columnOfLine } from '../../model/traceReplay/timeline';
import type { ServerRequests } from '../views/serverRequests';
import type { TraceSourceTracker } from '../views/traceViews';
import { panelOptions, setBundledPage } from './bundledPage';
import { PanelSlot } from './panelSlot';
import { isFromTimelineWebview, type ToTimelineWebview } from '../../webview/timeline/messages';
import type { CommandTable } from '../commandTable';

const TIMELINE_VIEW_TYPE = 'viommu.traceTimeline';

const TIMELINE_BODY = `<header class="toolbar">
<h1 id="title">Trace timeline</h1>
<span id="summary">loading…</span>
<button id="export-svg" type="button">Export SVG</button>
<button id="export-png" type="button">Export PNG</button>
</header>
<p id="error" role="alert" hidden></p>
<div id="charts"><div id="rates"></div><div id="lanes"></div></div>`;

class TimelinePanel {
  private timeline: TraceTimelineResult | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the timeline of `uri` (a trace or a capture folder holding one). */
  static show(slot: PanelSlot<TimelinePanel>, context: vscode.ExtensionContext, server: ServerRequests, tracker: TraceSourceTracker, uri: string): TimelinePanel {
    const existing = slot.current;
    if (existing) {
      existing.uri = uri;
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.load();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Trace Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(context));
    slot.current = new TimelinePanel(slot, context, panel, server, tracker, uri);
    return slot.current;
  }

  /** The panel VS Code restores after a reload, with the trace it showed. */
  static revive(slot: PanelSlot<TimelinePanel>, context: vscode.ExtensionContext, panel: vscode.WebviewPanel, server: ServerRequests, tracker: TraceSourceTracker, state: unknown): void {
    const uri = typeof (state as { uri?: unknown } | undefined)?.uri === 'string' ? (state as { uri: string }).uri : tracker.source?.uri;
    if (!uri) {
      panel.dispose();
      return;
    }
    panel.webview.options = panelOptions(context);
    slot.current?.panel.dispose();
    slot.current = new TimelinePanel(slot, context, panel, server, tracker, uri);
  }

  private constructor(
    private readonly slot: PanelSlot<TimelinePanel>,
    context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private readonly server: ServerRequests,
    private readonly tracker: TraceSourceTracker,
    private uri: string,
  ) {
    const w = panel.webview;
    setBundledPage(context, w, { name: 'timeline', title: 'Trace timeline', body: TIMELINE_BODY });
    this.disposables.push(
      w.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.window.onDidChangeTextEditorSelection((e) => this.followCursor(e.textEditor)),
    );
  }

  /** The timeline shown (for tests and the API). */
  get shown(): TraceTimelineResult | undefined {
    return this.timeline;
  }

  private post(m: ToTimelineWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async load(): Promise<void> {
    const t = await this.server.request(TraceTimelineRequest, { source: { kind: 'trace', uri: this.uri } }).catch(() => null);
    this.timeline = t ?? undefined;
    if (!this.ready) return;
    if (!t) {
      this.post({ type: 'error', message: 'No QEMU trace to draw: open a qemu-vtd.trace file (recorded with -trace "vtd_*"), or a capture folder that holds one.' });
      return;
    }
    this.panel.title = `Timeline: ${t.name}`;
    this.post({ type: 'timeline', timeline: t });
    const editor = vscode.window.activeTextEditor;
    if (editor) this.followCursor(editor);
  }

  private followCursor(editor: vscode.TextEditor): void {
    const t = this.timeline;
    if (!t || !this.ready || editor.document.uri.toString() !== t.uri) return;
    this.post({ type: 'marker', column: columnOfLine(t, editor.selection.active.line) });
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isFromTimelineWebview(m)) return;
    if (m.type === 'ready') {
      this.ready = true;
      await this.load();
    } else if (m.type === 'reveal') {
      await this.reveal(m.line, m.endLine);
    } else if (m.type === 'export') {
      await this.save(m.format, m.data);
    }
  }

  /** Opens the trace at the lines and replays the trace views to the first. */
  async reveal(line: number, endLine: number): Promise<vscode.TextEditor | undefined> {
    const t = this.timeline;
    if (!t) return undefined;
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(t.uri));
      if (line >= doc.lineCount) return undefined;
      const end = doc.lineAt(Math.min(endLine, doc.lineCount - 1)).range.end;
      const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line, 0, end.line, end.character), preserveFocus: false });
      editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenter);
      this.tracker.replayTo(doc, line);
      return editor;
    } catch {
      // A streamed trace (too large for an editor): its lines are read on demand.
      return (await vscode.commands.executeCommand('viommu.largeFileGoToLine', undefined, line + 1)) as vscode.TextEditor | undefined;
    }
  }

  private async save(format: 'svg' | 'png', data: string): Promise<void> {
    const name = (this.timeline?.name ?? 'trace').replace(/[^\w.-]+/g, '_');
    const target = await vscode.window.showSaveDialog({ title: `Export the timeline as ${format.toUpperCase()}`, defaultUri: vscode.Uri.file(`${name}-timeline.${format}`), filters: { [format.toUpperCase()]: [format] } });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, format === 'png' ? Buffer.from(data, 'base64') : new TextEncoder().encode(data));
    vscode.window.setStatusBarMessage(`vIOMMU: timeline saved to ${target.fsPath || target.toString()}`, 4000);
  }

  private dispose(): void {
    this.slot.release(this);
    for (const d of this.disposables) d.dispose();
  }
}

/** The command and the serializer. */
export function registerTimeline(context: vscode.ExtensionContext, server: ServerRequests, tracker: TraceSourceTracker, commands: CommandTable): vscode.Disposable[] {
  const slot = new PanelSlot<TimelinePanel>();
  return [
    commands.add(COMMANDS.showTraceTimeline, (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri.toString() : tracker.source?.kind === 'trace' ? tracker.source.uri : undefined;
      if (!target) {
        void vscode.window.showInformationMessage(
          tracker.source?.kind === 'simulation' ? 'vIOMMU: a simulation has no trace: "vIOMMU: Show Simulation Charts" draws its figures.' : 'vIOMMU: open a QEMU trace (qemu-vtd.trace) or a capture folder that holds one first.',
        );
        return undefined;
      }
      return TimelinePanel.show(slot, context, server, tracker, target);
    }),
    vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => TimelinePanel.revive(slot, context, panel, server, tracker, state),
    }),
  ];
}
