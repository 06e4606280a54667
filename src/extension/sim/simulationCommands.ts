// The simulator's commands (view title, palette, code lenses): start a
// session, step it (1, N, back), run it to the end or to a breakpoint, reset
// it, edit its breakpoints, and move every view between the simulation and
// the capture. Each takes its arguments directly too (the integration tests
// and other extensions call them so) and returns what the server answered.

import * as vscode from 'vscode';
import { SIMULATION_COMMANDS, type SimulationStartParams, type SimulationStartResult, type SimulationStepResult, type WireBreakpoint } from '../../protocol';
import type { SidebarApi } from '../views/registerSidebar';
import type { ServerRequests } from '../views/serverRequests';
import type { ViewNode } from '../views/treeItems';
import { askBreakpoint, askCount, pickScenario } from './simulationPickers';
import type { SimulationController } from './simulationController';
import type { SimulatorView } from './simulatorView';
import type { CommandTable } from '../commandTable';

function countOf(arg: unknown): number | undefined {
  if (typeof arg === 'number') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { count?: unknown }).count === 'number') return (arg as { count: number }).count;
  return undefined;
}

function isBreakpoint(arg: unknown): arg is WireBreakpoint {
  return !!arg && typeof arg === 'object' && ['kind', 'requester', 'iovaFrom', 'iovaTo', 'fault'].some((k) => k in (arg as object));
}

/** A scenario document's URI and, when it is open, its current text (unsaved edits count). */
function scenarioParams(uri: string | vscode.Uri | undefined): SimulationStartParams | undefined {
  const target = uri === undefined ? vscode.window.activeTextEditor?.document.uri : typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  if (!target) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  return open ? { uri: target.toString(), text: open.getText() } : { uri: target.toString() };
}

export function registerSimulationCommands(server: ServerRequests, sidebar: SidebarApi, controller: SimulationController, view: SimulatorView, commands: CommandTable): vscode.Disposable[] {
  const reportStart = (r: SimulationStartResult) => {
    if (r.errors?.length) {
      const shown = r.errors.slice(0, 3).map((e) => `line ${e.line}:${e.column}: ${e.message}`);
      void vscode.window.showErrorMessage(`vIOMMU: the scenario does not load: ${shown.join('; ')}${r.errors.length > 3 ? ` (and ${r.errors.length - 3} more)` : ''}`);
    } else if (r.error) {
      void vscode.window.showErrorMessage(`vIOMMU: ${r.error}`);
    }
    return r;
  };
  const start = async (params: SimulationStartParams | undefined): Promise<SimulationStartResult | undefined> => {
    if (!params) return undefined;
    const r = reportStart(await controller.start(params));
    if (r.status) await view.focus();
    return r;
  };
  const needSession = async (): Promise<boolean> => {
    if (controller.status) return true;
    const pick = await vscode.window.showInformationMessage('vIOMMU: no simulation is running.', 'New Simulation…');
    if (pick) await vscode.commands.executeCommand(SIMULATION_COMMANDS.newSimulation);
    return controller.status !== undefined;
  };
  const move = async (run: () => Promise<SimulationStepResult>): Promise<SimulationStepResult | undefined> => {
    if (!(await needSession())) return undefined;
    const r = await run();
    if (r.error) void vscode.window.showErrorMessage(`vIOMMU: ${r.error}`);
    return r;
  };
  const addBreakpoint = async (arg?: unknown) => {
    if (!(await needSession())) return undefined;
    const bp = isBreakpoint(arg) ? arg : await askBreakpoint(server);
    if (!bp) return undefined;
    try {
      return await controller.editBreakpoints({ add: bp });
    } catch (err) {
      void vscode.window.showErrorMessage(`vIOMMU: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
  const C = SIMULATION_COMMANDS;
  return [
    commands.add(C.newSimulation, async (args?: SimulationStartParams) => start(args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : await pickScenario(server, sidebar.source()?.kind === 'capture' ? sidebar.source() : sidebar.lastCapture()))),
    commands.add(C.step, (arg?: unknown) => move(() => controller.move('step', countOf(arg) ?? 1))),
    commands.add(C.stepN, async (arg?: unknown) => {
      const n = countOf(arg) ?? (controller.status ? await askCount('vIOMMU: Step N events') : 1);
      return n === undefined ? undefined : move(() => controller.move('step', n));
    }),
    commands.add(C.stepBack, (arg?: unknown) => move(() => controller.move('stepBack', countOf(arg) ?? 1))),
    commands.add(C.runToEnd, () => move(() => controller.move('runToEnd'))),
    commands.add(C.reset, () => move(() => controller.move('reset'))),
    commands.add(C.runToBreakpoint, async (arg?: unknown) => {
      if (isBreakpoint(arg)) return move(() => controller.move('runToBreakpoint', undefined, arg));
      if (controller.status && controller.status.breakpoints.length === 0 && !(await addBreakpoint())) return undefined;
      return move(() => controller.move('runToBreakpoint'));
    }),
    commands.add(C.addBreakpoint, (arg?: unknown) => addBreakpoint(arg)),
    commands.add(C.removeBreakpoint, (node?: ViewNode | { id: number }) => {
      const json = node instanceof Object && 'dto' in node ? (node.dto?.copy?.json as { id?: unknown } | undefined) : (node as { id?: unknown } | undefined);
      return typeof json?.id === 'number' ? controller.editBreakpoints({ remove: json.id }) : undefined;
    }),
    commands.add(C.showSimulation, () => controller.showInViews()),
    commands.add(C.showCapture, () => controller.showCapture()),
    commands.add(C.stop, () => controller.stop()),
    commands.add(C.stepInSidebar, (uri?: string | vscode.Uri) => start(scenarioParams(uri))),
    commands.add(C.runScenario, async (uri?: string | vscode.Uri) => {
      const started = await start(scenarioParams(uri));
      if (!started?.status) return undefined;
      const r = await controller.move('runToEnd');
      if (r.status) void vscode.window.showInformationMessage(`vIOMMU: ${r.status.scenario} ran to the end (${r.status.total} events). The Simulator view shows its figures.`);
      return r;
    }),
  ];
}
