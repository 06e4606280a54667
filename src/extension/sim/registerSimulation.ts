// The simulator in the sidebar put together: the running session, the
// Simulator view and the commands; and the part of the extension's API that
// tells where the simulation is.

import * as vscode from 'vscode';
import type { SimulationStatus, SimulationStepResult } from '../../protocol';
import type { SidebarApi } from '../views/registerSidebar';
import type { ServerRequests } from '../views/serverRequests';
import { SimulationController } from './simulationController';
import { registerSimulationCommands } from './simulationCommands';
import { SimulatorView } from './simulatorView';
import { registerCharts } from '../webview/chartsPanel';
import type { CommandTable } from '../commandTable';

export interface SimulationApi {
  /** The running session (undefined before the first "New Simulation"). */
  status(): SimulationStatus | undefined;
  /** What the last move did. */
  lastStep(): SimulationStepResult | undefined;
  /** The Simulator view's description and message as VS Code shows them. */
  describe(): { description?: string; message?: string };
}

export function registerSimulation(context: vscode.ExtensionContext, server: ServerRequests, sidebar: SidebarApi, commands: CommandTable): { api: SimulationApi; disposables: vscode.Disposable[] } {
  const controller = new SimulationController(server, sidebar);
  const view = new SimulatorView(server, controller, sidebar.onDidChangeSource);
  sidebar.adopt('simulator', view.provider);
  return {
    api: {
      status: () => controller.status,
      lastStep: () => controller.lastStep,
      describe: () => ({ description: view.view.description, message: view.view.message }),
    },
    disposables: [controller, view, ...registerSimulationCommands(server, sidebar, controller, view, commands), ...registerCharts(context, server, controller, commands)],
  };
}
