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
import { isScenarioDocument } from './scenario/scenarioDocument';
import { basename } from 'node:path';

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
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] }).catch(() => undefined);
});

function analyse(doc: TextDocument): DocumentAnalysis {
  const path = fsPathOf(doc.uri);
  const a = new DocumentAnalysis(doc.uri, doc.version, doc.getText(), path ? basename(path) : undefined, doc.languageId, workspace.document(doc.uri));
  workspace.setDocument(a);
  return a;
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
for (const feature of FEATURES) feature.register({ connection, documents, workspace, settings });

documents.listen(connection);
connection.listen();
