// The charts panel: one webview that draws ChartSpecs (src/protocol.ts) with
// uPlot. Three commands fill it:
// - "vIOMMU: Show Simulation Charts" (also the Simulator view's title bar):
//   the running session's figures over its events, redrawn as it steps;
// - "vIOMMU: Sweep Built-in Scenarios…": a figure against a swept scenario
//   key, several built-ins overlaid, their published ranges as bands;
// - "vIOMMU: Show Latency Histograms": the dmar_perf_latency dump in front.
// Strict CSP with a nonce; the page gets its data by message only. The panel
// comes back after a reload with what it showed (a webview serializer).

import * as vscode from 'vscode';
import { COMMANDS, PerfLatencyChartsRequest, SimulationCatalogRequest, SimulationChartsRequest, SweepChartsRequest, type ChartsResult, type SweepChartParams } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';
import type { SimulationController } from '../sim/simulationController';
import { panelOptions, setBundledPage } from './bundledPage';
import { PanelSlot } from './panelSlot';
import type { CommandTable } from '../commandTable';

const CHARTS_VIEW_TYPE = 'viommu.charts';

/** What the panel shows: enough to ask again after a reload or a step. */
type ChartsState = { kind: 'simulation'; session: string } | { kind: 'sweep'; params: SweepChartParams } | { kind: 'latency'; uri: string };

const CHARTS_BODY = '<h1 id="title">loading…</h1>\n<div id="charts"></div>\n<ul id="notes"></ul>';

class ChartsPanel {
  private ready = false;
  private result: ChartsResult | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(slot: PanelSlot<ChartsPanel>, context: vscode.ExtensionContext, server: ServerRequests, state: ChartsState): ChartsPanel {
    const existing = slot.current;
    if (existing) {
      existing.state = state;
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.load();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CHARTS_VIEW_TYPE, 'vIOMMU Charts', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(context));
    slot.current = new ChartsPanel(slot, context, panel, server, state);
    return slot.current;
  }

  static revive(slot: PanelSlot<ChartsPanel>, context: vscode.ExtensionContext, panel: vscode.WebviewPanel, server: ServerRequests, state: unknown): void {
    const s = state as ChartsState | undefined;
    if (!s || (s.kind !== 'simulation' && s.kind !== 'sweep' && s.kind !== 'latency')) {
      panel.dispose();
      return;
    }
    panel.webview.options = panelOptions(context);
    slot.current?.panel.dispose();
    slot.current = new ChartsPanel(slot, context, panel, server, s);
  }

  /** Redraws the simulation charts when the session moved. */
  static sessionMoved(slot: PanelSlot<ChartsPanel>, session: string | undefined): void {
    const c = slot.current;
    if (c && c.state.kind === 'simulation' && session !== undefined) {
      c.state = { kind: 'simulation', session };
      void c.load();
    }
  }

  private constructor(
    private readonly slot: PanelSlot<ChartsPanel>,
    context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
    private readonly server: ServerRequests,
    private state: ChartsState,
  ) {
    const w = panel.webview;
    setBundledPage(context, w, { name: 'charts', title: 'vIOMMU charts', body: CHARTS_BODY });
    this.disposables.push(
      w.onDidReceiveMessage((m: unknown) => {
        if ((m as { type?: unknown } | null)?.type !== 'ready') return;
        this.ready = true;
        void this.load();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the panel shows (for tests and the API). */
  get shown(): ChartsResult | undefined {
    return this.result;
  }

  private async fetch(): Promise<ChartsResult> {
    const s = this.state;
    const none = (error: string): ChartsResult => ({ title: 'vIOMMU charts', charts: [], notes: [], error });
    if (s.kind === 'simulation') return (await this.server.request(SimulationChartsRequest, { session: s.session })) ?? none('The simulation is no longer running.');
    if (s.kind === 'sweep') return this.server.request(SweepChartsRequest, s.params);
    return (await this.server.request(PerfLatencyChartsRequest, { uri: s.uri })) ?? none('Open a dmar_perf_latency dump.');
  }

  async load(): Promise<ChartsResult | undefined> {
    const r = await this.fetch().catch((err: unknown) => ({ title: 'vIOMMU charts', charts: [], notes: [], error: `The language server did not answer (${err instanceof Error ? err.message : String(err)}).` }));
    this.result = r;
    this.panel.title = r.title.length > 40 ? `${r.title.slice(0, 39)}…` : r.title;
    if (this.ready) void this.panel.webview.postMessage({ type: 'charts', charts: r, state: this.state });
    return r;
  }

  private dispose(): void {
    this.slot.release(this);
    for (const d of this.disposables) d.dispose();
  }
}

/** Asks which built-ins to overlay, which key and which values (or takes them as arguments). */
async function askSweep(server: ServerRequests, given?: Partial<SweepChartParams>): Promise<SweepChartParams | undefined> {
  if (given?.builtins?.length && given.key && given.values?.length) return { builtins: given.builtins, key: given.key, values: given.values };
  const catalog = await server.request(SimulationCatalogRequest, {});
  const picks = await vscode.window.showQuickPick(
    catalog.builtins.map((b) => ({ label: b.name, description: b.description.slice(0, 80) })),
    { title: 'Sweep: built-in scenarios to overlay', canPickMany: true },
  );
  if (!picks?.length) return undefined;
  const key = await vscode.window.showInputBox({ title: 'Sweep: the scenario key', value: 'workload.packet-bytes', prompt: 'e.g. workload.packet-bytes, guest.invalidation, platform.caching-mode, costs.qi-emulation-ns' });
  if (!key) return undefined;
  const values = await vscode.window.showInputBox({ title: `Sweep: values of ${key}`, value: '64,512,1500,9000,65536', prompt: 'comma-separated' });
  if (!values) return undefined;
  return { builtins: picks.map((p) => p.label), key: key.trim(), values: values.split(',').map((v) => v.trim()).filter((v) => v !== '') };
}

export function registerCharts(context: vscode.ExtensionContext, server: ServerRequests, controller: SimulationController, commands: CommandTable): vscode.Disposable[] {
  const slot = new PanelSlot<ChartsPanel>();
  return [
    commands.add(COMMANDS.showSimulationCharts, () => {
      const session = controller.status?.session;
      if (!session) {
        void vscode.window.showInformationMessage('vIOMMU: start a simulation first ("vIOMMU: New Simulation…").');
        return undefined;
      }
      return ChartsPanel.show(slot, context, server, { kind: 'simulation', session });
    }),
    commands.add(COMMANDS.sweepCharts, async (given?: Partial<SweepChartParams>) => {
      const params = await askSweep(server, given);
      return params ? ChartsPanel.show(slot, context, server, { kind: 'sweep', params }) : undefined;
    }),
    commands.add(COMMANDS.showLatencyCharts, (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) {
        void vscode.window.showInformationMessage('vIOMMU: open a dmar_perf_latency dump first.');
        return undefined;
      }
      return ChartsPanel.show(slot, context, server, { kind: 'latency', uri: target.toString() });
    }),
    controller.onDidChange(() => ChartsPanel.sessionMoved(slot, controller.status?.session)),
    vscode.window.registerWebviewPanelSerializer(CHARTS_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => ChartsPanel.revive(slot, context, panel, server, state) }),
  ];
}
