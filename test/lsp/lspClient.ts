// A real LSP client for tests: starts the built server (dist/server.js) as a
// child process and speaks JSON-RPC to it over stdio.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  ConfigurationRequest,
  RegistrationRequest,
  type ProtocolConnection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { repoRoot } from '../helpers';
import type { RequestSpec } from '../../src/protocol';

export class TestLspClient {
  readonly connection: ProtocolConnection;
  private readonly proc: ChildProcess;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: { uri: string; resolve: (d: Diagnostic[]) => void }[] = [];
  stderr = '';
  exited = false;

  get pid(): number | undefined {
    return this.proc.pid;
  }

  constructor(settings: Record<string, unknown> = { inlayHints: 'compact', numberFormat: 'hex' }, nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on('exit', () => (this.exited = true));
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i].uri === p.uri) {
          this.waiters[i].resolve(p.diagnostics);
          this.waiters.splice(i, 1);
        }
      }
    });
    this.connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => settings));
    this.connection.onRequest(RegistrationRequest.type, () => undefined);
    this.connection.listen();
  }

  async initialize(rootPath: string): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(rootPath).toString(),
      capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { inlayHint: {} } },
      workspaceFolders: null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  /** Opens a file from disk (or given text) and waits for its diagnostics. */
  async open(path: string, languageId = 'plaintext', text = readFileSync(path, 'utf8')): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = pathToFileURL(path).toString();
    const wait = this.nextDiagnostics(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return { uri, diagnostics: await wait };
  }

  async change(uri: string, version: number, text: string): Promise<Diagnostic[]> {
    const wait = this.nextDiagnostics(uri);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return wait;
  }

  nextDiagnostics(uri: string, timeoutMs = 15000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        uri,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  }

  /** Sends one of the custom requests of src/protocol.ts. */
  request<P, R>(spec: RequestSpec<P, R>, params: P): Promise<R> {
    return this.connection.sendRequest(spec.method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.connection.dispose();
    this.proc.kill();
  }
}
