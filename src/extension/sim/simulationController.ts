// The simulation the sidebar runs: one session at a time, started on the
// server from a built-in, a scenario file or its text (optionally seeded from
// a capture), moved by the commands, shown in the Simulator view and, when
// the user wants, in every other view in place of the capture. After each
// move every view showing it refreshes, and marks what the move changed.

import * as vscode from 'vscode';
import {
  SimulationBreakpointRequest,
  SimulationStartRequest,
  SimulationStepRequest,
  SimulationStopRequest,
  type SimulationAction,
  type SimulationStartParams,
  type SimulationStartResult,
  type SimulationStatus,
  type SimulationStepResult,
  type SourceRef,
  type WireBreakpoint,
} from '../../protocol';
import type { SidebarApi } from '../views/registerSidebar';
import type { ServerRequests } from '../views/serverRequests';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';

export class SimulationController implements vscode.Disposable {
  private current: SimulationStatus | undefined;
  private last: SimulationStepResult | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires after a session started, moved or changed its breakpoints. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly server: ServerRequests,
    private readonly sidebar: SidebarApi,
  ) {
    this.subscriptions.push(this.emitter, sidebar.onDidChangeSource(() => void this.updateContext()));
  }

  get status(): SimulationStatus | undefined {
    return this.current;
  }

  /** The last move's result (its events, the breakpoint it stopped at). */
  get lastStep(): SimulationStepResult | undefined {
    return this.last;
  }

  /** The session as a source of the views. */
  get ref(): SourceRef | undefined {
    return this.current ? { kind: 'simulation', uri: this.current.session } : undefined;
  }

  /** True when the other views show the simulation. */
  get shownInViews(): boolean {
    const s = this.sidebar.source();
    return s?.kind === 'simulation' && s.uri === this.current?.session;
  }

  async start(params: SimulationStartParams, showInViews = true): Promise<SimulationStartResult> {
    const result = await this.server.request(SimulationStartRequest, params);
    if (!result.status) return result;
    const previous = this.current;
    this.current = result.status;
    this.last = undefined;
    if (previous) void this.server.request(SimulationStopRequest, { session: previous.session }).catch(() => undefined);
    if (showInViews) await this.showInViews();
    this.emitter.fire();
    await this.updateContext();
    return result;
  }

  async move(action: SimulationAction, count?: number, breakpoint?: WireBreakpoint): Promise<SimulationStepResult> {
    const session = this.current?.session;
    if (!session) return { hit: false, events: [], eventCount: 0, error: 'no simulation is running: start one with "vIOMMU: New Simulation…"' };
    const result = await this.server.request(SimulationStepRequest, { session, action, ...(count !== undefined ? { count } : {}), ...(breakpoint ? { breakpoint } : {}) });
    if (result.status) {
      this.current = result.status;
      this.last = result;
      await this.refreshViews();
    }
    return result;
  }

  /** Adds or removes a breakpoint; throws with the server's message when the breakpoint is wrong. */
  async editBreakpoints(change: { add?: WireBreakpoint; remove?: number }): Promise<SimulationStatus | undefined> {
    const session = this.current?.session;
    if (!session) return undefined;
    const status = await this.server.request(SimulationBreakpointRequest, { session, ...change });
    if (status) {
      this.current = status;
      this.emitter.fire();
    }
    return status ?? undefined;
  }

  /** Ends the session; views that showed it go back to the capture. */
  async stop(): Promise<boolean> {
    const s = this.current;
    if (!s) return false;
    const shown = this.shownInViews;
    this.current = undefined;
    this.last = undefined;
    await this.server.request(SimulationStopRequest, { session: s.session }).catch(() => false);
    if (shown && this.sidebar.lastCapture()) await this.sidebar.openSource(this.sidebar.lastCapture()!);
    this.emitter.fire();
    await this.updateContext();
    return true;
  }

  /** Every view shows the simulation. */
  async showInViews(): Promise<boolean> {
    const ref = this.ref;
    return ref ? this.sidebar.openSource(ref) : false;
  }

  /** The views show the capture they showed before the simulation. */
  async showCapture(): Promise<boolean> {
    const capture = this.sidebar.lastCapture();
    if (!capture) {
      void vscode.window.showInformationMessage('vIOMMU: no capture was open before the simulation. Open one with "vIOMMU: Open Capture Folder…".');
      return false;
    }
    return this.sidebar.openSource(capture);
  }

  /** After a move: the Simulator view, and the other views when they show the simulation. */
  private async refreshViews(): Promise<void> {
    this.emitter.fire();
    if (this.shownInViews) await this.showInViews();
  }

  private async updateContext(): Promise<void> {
    await setContextKey(CONTEXT_KEYS.simulationActive, this.current !== undefined);
    await setContextKey(CONTEXT_KEYS.simulationShown, this.shownInViews);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
