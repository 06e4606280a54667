// The Simulator view: the server's simulator tree (the run, the current event
// explained, the last step, the figures, the breakpoints) through the generic
// tree provider, with the run's position in the view's description and what
// the last move did in its message. It refreshes after every move.

import * as vscode from 'vscode';
import { VIEW_IDS } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';
import { ServerTreeProvider } from '../views/serverTreeProvider';
import { numberDisplay } from '../views/sidebarViews';
import type { ViewNode } from '../views/treeItems';
import type { SimulationController } from './simulationController';

export class SimulatorView implements vscode.Disposable {
  readonly provider: ServerTreeProvider;
  readonly view: vscode.TreeView<ViewNode>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    server: ServerRequests,
    private readonly controller: SimulationController,
    sourceChanged: vscode.Event<unknown>,
  ) {
    this.provider = new ServerTreeProvider('simulator', server, () => controller.ref, numberDisplay);
    this.view = vscode.window.createTreeView(VIEW_IDS.simulator, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subscriptions.push(
      this.provider,
      this.view,
      controller.onDidChange(() => this.refresh()),
      sourceChanged(() => this.describe()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('viommu') && this.refresh()),
    );
  }

  refresh(): void {
    this.provider.refresh();
    this.describe();
  }

  /** The run's position in the description; what the last move did, and where the other views are, in the message. */
  describe(): void {
    const s = this.controller.status;
    if (!s) {
      this.view.description = undefined;
      this.view.message = undefined;
      return;
    }
    this.view.description = `${s.scenario} · event ${s.position} of ${s.total}${s.refused ? ' · refused' : s.finished ? ' · finished' : ''}`;
    const last = this.controller.lastStep;
    const parts: string[] = [];
    if (last?.hit && last.hitBreakpoint) parts.push(`Stopped at breakpoint: ${last.hitBreakpoint}.`);
    else if (last && !last.hit && last.eventCount > 0 && s.finished && this.controller.status?.breakpoints.length) parts.push('The run ended without reaching a breakpoint.');
    if (!this.controller.shownInViews) parts.push('The other views show the capture: "Show Simulation in Views" puts the simulation there.');
    this.view.message = parts.length ? parts.join(' ') : undefined;
  }

  async focus(): Promise<void> {
    await vscode.commands.executeCommand(`${VIEW_IDS.simulator}.focus`).then(undefined, () => undefined);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
