// Starts the language server (dist/server.js) for every vIOMMU language (the dumps' and the scenario files').

import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CAPTURE_FILES_GLOB, LANGUAGE_IDS, SCENARIO_LANGUAGE, SETTINGS } from '../protocol';

const RESTART_WINDOW_MS = 3 * 60 * 1000;
const MAX_RESTARTS = 4;

/**
 * Restarts a crashed server a few times, telling the user each time, and
 * says clearly when it gives up: never a silent dead editor.
 */
export class RestartingErrorHandler implements ErrorHandler {
  private readonly crashes: number[] = [];

  constructor(private readonly notify: (message: string, fatal: boolean) => void) {}

  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && now - this.crashes[0] > RESTART_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length > MAX_RESTARTS) {
      const message = `The vIOMMU language server stopped ${this.crashes.length} times in 3 minutes and will not be restarted. Hovers, diagnostics and the views are off until you run "Developer: Reload Window". Its log is in the "vIOMMU Inspector" output.`;
      this.notify(message, true);
      return { action: CloseAction.DoNotRestart, message, handled: true };
    }
    const message = `The vIOMMU language server stopped unexpectedly; restarting it (${this.crashes.length} of ${MAX_RESTARTS}).`;
    this.notify(message, false);
    return { action: CloseAction.Restart, message, handled: true };
  }
}

/** onDiagnostics: told the document of every diagnostics publication (the activation clock wants the first). */
export function createLanguageClient(context: vscode.ExtensionContext, onDiagnostics?: (uri: string) => void): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...LANGUAGE_IDS, SCENARIO_LANGUAGE].flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    synchronize: {
      configurationSection: SETTINGS.section,
      // Capture files only (by the names the kernel, the capture command and QEMU give them), not every file of the workspace.
      fileEvents: vscode.workspace.createFileSystemWatcher(CAPTURE_FILES_GLOB),
    },
    outputChannelName: 'vIOMMU Inspector',
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        onDiagnostics?.(uri.toString());
        next(uri, diagnostics);
      },
    },
    errorHandler: new RestartingErrorHandler((message, fatal) => {
      if (fatal) void vscode.window.showErrorMessage(message);
      else void vscode.window.showWarningMessage(message);
    }),
  };
  // The id names the settings section of its trace: viommu.trace.server.
  return new LanguageClient('viommu', 'vIOMMU Inspector', serverOptions, clientOptions);
}
