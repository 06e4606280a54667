// vIOMMU Inspector's VS Code entry point: a thin composition root. The
// language server owns the data; this starts it and wires the commands.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { ActivationClock, type ActivationTimes } from './activationClock';
import { runTestSuiteIfRequested } from './testHook';
import { translateIova } from './commands/translateIova';
import { registerExplainFault } from './commands/explainFault';
import { LargeFileSummaries, largeFileGoToLine, openLargeFile } from './commands/openLargeFile';
import { captureQemuGuest, type CaptureQemuGuestArgs } from './commands/captureQemuGuest';
import { captureFromThisMachine } from './commands/captureFromThisMachine';
import { serverRequestsOf } from './views/serverRequests';
import { registerSidebar, type SidebarApi } from './views/registerSidebar';
import { registerLanguageStatus } from './languageStatus';
import { registerTraceViews } from './views/registerTraceViews';
import { compareCapturesCommand } from './commands/compareCaptures';
import { registerLargeFileGuard } from './largeFileGuard';
import { registerSimulation, type SimulationApi } from './sim/registerSimulation';
import { COMMANDS, CaptureSummaryRequest, TranslateRequest, type CaptureSummary, type SourceRef, type TranslateParams, type WireWalkResult } from '../protocol';
import { CommandTable } from './commandTable';

/** What activate() returns: used by other extensions and by the integration tests. */
export interface ViommuApi {
  client: LanguageClient;
  translate(params: TranslateParams): Promise<WireWalkResult>;
  captureSummary(uri: string): Promise<CaptureSummary | null>;
  /** The sidebar trees as their views show them (every view: Context Tables, Second-Level Tables, GSI Routing, IOTLB, ATS Flow, Simulator). */
  views: SidebarApi;
  /** The simulation the sidebar steps through. */
  simulation: SimulationApi;
  /** What the IOTLB and ATS Flow views show: a trace (and the line they replay to) or a simulation. */
  traceSource(): SourceRef | undefined;
  /** The ids of the command table the extension registered. */
  commandIds(): string[];
  /** How long activation took, measured in this extension host (the lane and `npm run bench` report it). */
  activation: {
    readonly times: ActivationTimes;
    whenFirstDiagnostics(): Promise<ActivationTimes>;
  };
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ViommuApi> {
  const clock = new ActivationClock();
  client = createLanguageClient(context, (uri) => clock.diagnosticsReceived(uri));
  const c = client;
  const server = serverRequestsOf(c);
  // Every part adds its commands to one table; it is registered once the parts are made.
  const commands = new CommandTable();
  const largeFiles = new LargeFileSummaries(server);
  let qemuOutput: vscode.OutputChannel | undefined;
  const qemuGuestOutput = (): vscode.OutputChannel => {
    qemuOutput ??= vscode.window.createOutputChannel('vIOMMU: QEMU Guest');
    return qemuOutput;
  };
  context.subscriptions.push(
    ...largeFiles.register(),
    commands.add(COMMANDS.translateIova, (args?: Partial<TranslateParams>) => translateIova(server, (params, result) => views.showWalk(params, result), args, () => { const s = views.source(); return s?.kind === 'capture' ? s.uri : undefined; })),
    registerExplainFault(commands),
    commands.add(COMMANDS.openLargeFile, (uri?: vscode.Uri) => openLargeFile(server, largeFiles, uri)),
    commands.add(COMMANDS.restartServer, async () => {
      c.outputChannel.appendLine(`[${new Date().toISOString()}] restart asked from the command palette`);
      await c.restart();
      return c.isRunning();
    }),
    commands.add(COMMANDS.showServerLog, () => c.outputChannel.show(true)),
    commands.add(COMMANDS.largeFileGoToLine, (uri?: vscode.Uri, line?: number) => largeFileGoToLine(largeFiles, uri, line)),
    commands.add(COMMANDS.captureFromThisMachine, () => captureFromThisMachine(context)),
    commands.add(COMMANDS.captureQemuGuest, (args?: CaptureQemuGuestArgs) => captureQemuGuest(context, qemuGuestOutput, args ?? {})),
  );
  const views = registerSidebar(context, server, commands);
  const traceViews = registerTraceViews(context, server, () => views.source(), views.onDidChangeSource, commands, (key, provider) => views.adopt(key, provider));
  context.subscriptions.push(
    ...traceViews.disposables,
    commands.add(COMMANDS.compareCaptures, (clicked?: unknown, selected?: unknown) => compareCapturesCommand(server, context.globalStorageUri, clicked, selected)),
  );
  const simulation = registerSimulation(context, server, views, commands);
  context.subscriptions.push(registerLanguageStatus(server), registerLargeFileGuard(), ...simulation.disposables, ...commands.register());
  await c.start();
  runTestSuiteIfRequested();
  clock.activated();
  return {
    client: c,
    translate: (params) => server.request(TranslateRequest, params),
    captureSummary: (uri) => server.request(CaptureSummaryRequest, { uri }),
    views,
    simulation: simulation.api,
    traceSource: () => traceViews.source(),
    commandIds: () => commands.ids(),
    activation: clock,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
