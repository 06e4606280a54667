// The vIOMMU Inspector language server: the composition root. It analyses any
// dump document it is sent (deciding the format from the content), reads the
// rest of the document's capture folder itself, and answers the editor's and
// the extension's requests. Runs under the extension or stand-alone (--stdio).

import {
  createConnection,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentAnalysis } from './analysis';
import { CaptureWorkspace, fsPathOf } from './captureWorkspace';
import { Settings } from './settings';
import { DiagnosticsPublisher } from './features/diagnostics';
import { FEATURES } from './features/index';
import { SimulationRegistry } from './sim/simulationRegistry';
import { isScenarioDocument } from './scenario/scenarioDocument';
import { basename } from 'node:path';
import { CAPTURE_FILES_GLOB } from '../protocol';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const workspace = new CaptureWorkspace();
const settings = new Settings(connection);
const diagnostics = new DiagnosticsPublisher(connection, workspace);

connection.onInitialize((params): InitializeResult => {
  settings.init(params.capabilities);
  return {
    capabilities: Object.assign({ textDocumentSync: TextDocumentSyncKind.Incremental }, ...FEATURES.map((f) => f.capabilities)),
    serverInfo: { name: 'vIOMMU Inspector language server' },
  };
});

connection.onInitialized(() => {
  settings.onInitialized();
  // Capture files only: the names the kernel, `viommu capture` and QEMU give them (not every file of the workspace).
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: CAPTURE_FILES_GLOB }] }).catch(() => undefined);
  log('started');
});

const log = (message: string) => connection.console.log(`[${new Date().toISOString()}] ${message}`);

function analyse(doc: TextDocument): DocumentAnalysis {
  const path = fsPathOf(doc.uri);
  const t = performance.now();
  const known = workspace.document(doc.uri) !== undefined;
  const a = new DocumentAnalysis(doc.uri, doc.version, doc.getText(), path ? basename(path) : undefined, doc.languageId, workspace.document(doc.uri));
  workspace.setDocument(a);
  const ms = performance.now() - t;
  // Each file once when opened, and any analysis that took long (not every keystroke).
  if (!known || ms > 200) log(`${known ? 're-analysed' : 'opened'} ${path ? basename(path) : doc.uri}: ${a.format ?? 'not a known format'}, ${a.lines.count} lines, ${a.parsed?.findings.length ?? 0} findings, ${ms.toFixed(0)} ms`);
  return a;
}

/**
 * The connection the features register with: every request they answer is
 * logged when it fails (with its stack) or takes long, to the server's output
 * channel (vIOMMU: Show Server Log); a failure still answers as an error.
 */
function loggedConnection(c: typeof connection): typeof connection {
  const wrap =
    (method: string, handler: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      const t = performance.now();
      try {
        const result = await handler(...args);
        const ms = performance.now() - t;
        if (ms > 500) log(`${method}: ${ms.toFixed(0)} ms`);
        return result;
      } catch (err) {
        connection.console.error(`[${new Date().toISOString()}] ${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        throw err;
      }
    };
  return new Proxy(c, {
    get(target, prop, receiver) {
      if (prop === 'onRequest') {
        return (method: unknown, handler: unknown) =>
          typeof method === 'string' && typeof handler === 'function'
            ? target.onRequest(method, wrap(method, handler as (...args: unknown[]) => unknown))
            : (target.onRequest as (...a: unknown[]) => unknown)(method, handler);
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** A change to one file of a capture can change the cross-file findings of every open sibling. */
function recheck(uri: string): void {
  const folder = workspace.folderOfUri(uri);
  if (folder) diagnostics.scheduleFolder(folder, documents.all().map((d) => d.uri));
  else diagnostics.schedule(uri);
}

/** Large documents wait for edits to settle; the previous analysis answers meanwhile. */
const SETTLE_MS = 1000;
const settling = new Map<string, NodeJS.Timeout>();

// Fires on open too.
documents.onDidChangeContent((e) => {
  const doc = e.document;
  // Scenario files are not dumps: features/scenarioLanguage.ts serves them.
  if (isScenarioDocument(doc)) return;
  const large = doc.getText().length > settings.get().maxFileSizeMB * 1024 * 1024;
  const pending = settling.get(doc.uri);
  if (pending) clearTimeout(pending);
  if (!large || !workspace.document(doc.uri)) {
    settling.delete(doc.uri);
    analyse(doc);
    recheck(doc.uri);
    return;
  }
  settling.set(
    doc.uri,
    setTimeout(() => {
      settling.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (!current) return;
      analyse(current);
      recheck(current.uri);
    }, SETTLE_MS),
  );
});
documents.onDidClose((e) => {
  const pending = settling.get(e.document.uri);
  if (pending) clearTimeout(pending);
  settling.delete(e.document.uri);
  workspace.closeDocument(e.document.uri);
  diagnostics.clear(e.document.uri);
});
connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    if (documents.get(change.uri)) continue;
    const folder = workspace.fileChanged(change.uri);
    if (folder) diagnostics.scheduleFolder(folder, documents.all().map((d) => d.uri));
  }
});
const featureConnection = loggedConnection(connection);
const simulations = new SimulationRegistry();
for (const feature of FEATURES) feature.register({ connection: featureConnection, documents, workspace, settings, simulations });
process.on('uncaughtException', (err) => connection.console.error(`[${new Date().toISOString()}] uncaught: ${err.stack ?? err.message}`));

documents.listen(connection);
connection.listen();
