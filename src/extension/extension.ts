// vIOMMU Inspector's VS Code entry point: a thin composition root. The
// language server owns the data; this starts it and wires the commands.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { translateIova } from './commands/translateIova';
import { registerExplainFault } from './commands/explainFault';
import { openLargeFile } from './commands/openLargeFile';
import { captureFromThisMachine } from './commands/captureFromThisMachine';
import { COMMANDS, CaptureSummaryRequest, TranslateRequest, type CaptureSummary, type TranslateParams, type WireWalkResult } from '../protocol';

/** What activate() returns: used by other extensions and by the integration tests. */
export interface ViommuApi {
  client: LanguageClient;
  translate(params: TranslateParams): Promise<WireWalkResult>;
  captureSummary(uri: string): Promise<CaptureSummary | null>;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<ViommuApi> {
  client = createLanguageClient(context);
  const c = client;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.translateIova, (args?: Partial<TranslateParams>) => translateIova(c, args)),
    registerExplainFault(),
    vscode.commands.registerCommand(COMMANDS.openLargeFile, (uri?: vscode.Uri) => openLargeFile(c, uri)),
    vscode.commands.registerCommand(COMMANDS.captureFromThisMachine, () => captureFromThisMachine(context)),
  );
  await c.start();
  return {
    client: c,
    translate: async (params) => (await c.sendRequest(TranslateRequest.method, params)) as WireWalkResult,
    captureSummary: async (uri) => (await c.sendRequest(CaptureSummaryRequest.method, { uri })) as CaptureSummary | null,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
