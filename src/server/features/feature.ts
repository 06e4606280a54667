// What a language-server feature is: the capabilities it announces and the
// handlers it registers. server.ts composes the list in features/index.ts.

import type { Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CaptureWorkspace } from '../captureWorkspace';
import type { Settings } from '../settings';
import type { SimulationRegistry } from '../sim/simulationRegistry';

interface FeatureContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  workspace: CaptureWorkspace;
  settings: Settings;
  /** The simulation sessions of this server (made once by server.ts). */
  simulations: SimulationRegistry;
}

export interface Feature {
  capabilities: ServerCapabilities;
  register(ctx: FeatureContext): void;
}
