// The viommu-scenario language (*.viommu.yaml): diagnostics from the
// simulator's own loader at the line and column of each error, hover on keys
// and values (meaning, values, default, the cost constants' sources),
// completion of keys and values from the schema, and code lenses to run the
// scenario or step through it in the sidebar. The dump features leave these
// documents alone (server.ts does not analyse them as dumps).

import { MarkupKind, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { splitLines } from '../../dumps/types';
import { scenarioCodeLenses, scenarioDiagnostics } from '../scenario/scenarioChecks';
import { scenarioCompletions } from '../scenario/scenarioCompletion';
import { isScenarioDocument } from '../scenario/scenarioDocument';
import { scenarioHover } from '../scenario/scenarioHover';
import type { Feature } from './feature';

const DEBOUNCE_MS = 150;

function register(connection: Connection, documents: TextDocuments<TextDocument>): void {
  const timers = new Map<string, NodeJS.Timeout>();
  const scenarioDoc = (uri: string) => {
    const doc = documents.get(uri);
    return doc && isScenarioDocument(doc) ? doc : undefined;
  };
  const publish = (uri: string) => {
    timers.delete(uri);
    const doc = scenarioDoc(uri);
    if (doc) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: scenarioDiagnostics(doc.getText()) });
  };
  documents.onDidChangeContent((e) => {
    if (!isScenarioDocument(e.document)) return;
    const uri = e.document.uri;
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => publish(uri), DEBOUNCE_MS));
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
  });
  connection.onHover((params) => {
    const doc = scenarioDoc(params.textDocument.uri);
    const h = doc ? scenarioHover(splitLines(doc.getText()), params.position.line, params.position.character) : undefined;
    if (!h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: { start: { line: h.line, character: h.start }, end: { line: h.line, character: h.end } } };
  });
  connection.onCompletion((params) => {
    const doc = scenarioDoc(params.textDocument.uri);
    return doc ? scenarioCompletions(splitLines(doc.getText()), params.position.line, params.position.character) : [];
  });
  connection.onCodeLens((params) => {
    const doc = scenarioDoc(params.textDocument.uri);
    return doc ? scenarioCodeLenses(doc.uri, doc.getText()) : [];
  });
}

export const scenarioLanguageFeature: Feature = {
  capabilities: { completionProvider: { triggerCharacters: [':', ' ', '-', '{', ','] } },
  register: ({ connection, documents }) => register(connection, documents),
};
