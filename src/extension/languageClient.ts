// Starts the language server (dist/server.js) for every vIOMMU language.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGE_IDS, SETTINGS } from '../protocol';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGE_IDS.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    synchronize: {
      configurationSection: SETTINGS.section,
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*'),
    },
    outputChannelName: 'vIOMMU Inspector',
  };
  return new LanguageClient('viommuInspector', 'vIOMMU Inspector', serverOptions, clientOptions);
}
