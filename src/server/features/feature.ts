// What a language-server feature is: the capabilities it announces and the
// handlers it registers. server.ts composes the list in features/index.ts.

import type { Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CaptureWorkspace } from '../captureWorkspace';
import type { Settings } from '../settings';

export interface FeatureContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  workspace: CaptureWorkspace;
  settings: Settings;
}

export interface Feature {
  capabilities: ServerCapabilities;
  register(ctx: FeatureContext): void;
}
