// Registers a handler for one custom request of src/protocol.ts, typed by its
// spec: the parameters and the result are the protocol's, not written again
// at each handler (and not cast). What arrives over the wire is still
// untrusted: handlers check what they read (params?.x).

import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { RequestSpec } from '../protocol';

export function onRequest<P, R>(connection: Connection, spec: RequestSpec<P, R>, handler: (params: P, token: CancellationToken) => R | Promise<R>): void {
  // The string-method overload: vscode-languageserver's RequestType cannot carry a generic result through its HandlerResult.
  connection.onRequest<unknown, void>(spec.method, (params: P, token: CancellationToken): unknown => handler(params, token));
}
