// The ATS sequence-diagram panel: one webview beside the editor that draws
// the ATS flow of the trace views' trace (viommu/atsFlow). The page is built
// by atsSequenceHtml (strict CSP, nonce'd script, the extension's own styles);
// it is sent the flow by message and asks back to open the trace at a line.

import * as vscode from 'vscode';
import { AtsFlowRequest, type AtsFlowResult, type SourceRef } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';
import { atsSequenceHtml, makeNonce } from './atsSequenceHtml';
import { panelOptions, webviewRoot } from './bundledPage';
import { isFromAtsWebview, type ToAtsWebview } from '../../webview/atsSequence/messages';
import type { PanelSlot } from './panelSlot';

const VIEW_TYPE = 'viommu.atsSequence';

export class AtsSequencePanel {
  private flow: AtsFlowResult | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(slot: PanelSlot<AtsSequencePanel>, context: vscode.ExtensionContext, server: ServerRequests, source: SourceRef, select?: number): void {
    const existing = slot.current;
    if (existing) {
      existing.source = source;
      existing.select = select;
      existing.panel.reveal(vscode.ViewColumn.Beside);
      void existing.load();
      return;
    }
    slot.current = new AtsSequencePanel(slot, context, server, source, select);
  }

  private readonly panel: vscode.WebviewPanel;

  private constructor(
    private readonly slot: PanelSlot<AtsSequencePanel>,
    context: vscode.ExtensionContext,
    private readonly server: ServerRequests,
    private source: SourceRef,
    private select: number | undefined,
  ) {
    const root = webviewRoot(context);
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'ATS Flow', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(context));
    const w = this.panel.webview;
    w.html = atsSequenceHtml({
      cspSource: w.cspSource,
      nonce: makeNonce(),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(root, 'atsSequence.js')).toString(),
      codiconsUri: w.asWebviewUri(vscode.Uri.joinPath(root, 'codicon.css')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(root, 'atsSequence.css')).toString(),
      title: 'loading…',
    });
    this.disposables.push(
      w.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(message: ToAtsWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async load(): Promise<void> {
    const flow = await this.server.request(AtsFlowRequest, { source: this.source }).catch(() => null);
    this.flow = flow ?? undefined;
    if (!this.ready) return;
    if (!flow) {
      this.post({
        type: 'error',
        message: this.source.kind === 'simulation' ? 'The simulation is no longer running: start it again from its scenario.' : 'No QEMU trace to draw: open a qemu-vtd.trace file, or a capture folder that holds one.',
      });
      return;
    }
    this.panel.title = `ATS Flow: ${flow.name}`;
    this.post({ type: 'flow', flow, select: this.select });
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isFromAtsWebview(m)) return;
    if (m.type === 'ready') {
      this.ready = true;
      await this.load();
    } else if (m.type === 'refresh') {
      await this.load();
    } else if (m.type === 'reveal' && this.flow) {
      await this.reveal(this.flow.uri, m.line);
    }
  }

  private async reveal(uri: string, line: number): Promise<void> {
    // A simulation's flow has no file: its events are in the Simulator view.
    if (uri === '') return;
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      if (line >= doc.lineCount) return;
      const range = doc.lineAt(line).range;
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
    } catch (e) {
      void vscode.window.showWarningMessage(`vIOMMU: cannot open the trace (${e instanceof Error ? e.message : String(e)}).`);
    }
  }

  private dispose(): void {
    this.slot.release(this);
    for (const d of this.disposables) d.dispose();
  }
}

/** "Show ATS Sequence Diagram": the flow of `source`'s trace, with device `select` shown first. */
export function showAtsSequence(slot: PanelSlot<AtsSequencePanel>, context: vscode.ExtensionContext, server: ServerRequests, source: SourceRef, select?: number): void {
  AtsSequencePanel.show(slot, context, server, source, select);
}
