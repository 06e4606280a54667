// Go to definition across a capture: a requester id goes to its context entry,
// a DID or a context entry to its domain's page-table dump, an IOVA (a fault
// address, a trace event's iova) to the page-table row that maps it, or to its
// domain's dump when nothing maps it (that is where the mapping is missing).

import type { Definition } from 'vscode-languageserver/node';
import type { Feature } from './feature';
import { definitionOf, subjectAt, toLspLocations } from './crossRefs';

export const definitionFeature: Feature = {
  capabilities: { definitionProvider: true },
  register: ({ connection, workspace }) => {
    connection.onDefinition((params, token): Definition | null => {
      const uri = params.textDocument.uri;
      if (!workspace.document(uri) || token.isCancellationRequested) return null;
      const entry = workspace.captureOf(uri);
      if (!entry) return null;
      const { line, character } = params.position;
      const at = subjectAt(entry, uri, line, character, true);
      if (!at) return null;
      const locations = toLspLocations(entry, definitionOf(entry.capture, at.mention.subject));
      return locations.length ? locations : null;
    });
  },
};
