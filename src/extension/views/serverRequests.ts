// The views' only way to the language server: the typed custom requests of
// src/protocol.ts. A small seam, so the views need nothing else of the client.

import type { LanguageClient } from 'vscode-languageclient/node';
import type { RequestSpec } from '../../protocol';

export interface ServerRequests {
  request<P, R>(spec: RequestSpec<P, R>, params: P): Promise<R>;
}

export function serverRequestsOf(client: LanguageClient): ServerRequests {
  return { request: async (spec, params) => client.sendRequest(spec.method, params) };
}
