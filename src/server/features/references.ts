// Find references across a capture: every place that names the requester, the
// domain or the IOVA page under the cursor (debugfs rows, page-table block
// headers, IRTEs, /proc/interrupts, kernel log and trace lines), and for a
// page-table leaf's host page every IOVA that maps the same page.

import type { Location } from 'vscode-languageserver/node';
import type { Feature } from './feature';
import { definitionOf, referencesOf, subjectAt, toLspLocations } from './crossRefs';

export const referencesFeature: Feature = {
  capabilities: { referencesProvider: true },
  register: ({ connection, workspace }) => {
    connection.onReferences((params, token): Location[] | null => {
      const uri = params.textDocument.uri;
      if (!workspace.document(uri) || token.isCancellationRequested) return null;
      const entry = workspace.captureOf(uri);
      if (!entry) return null;
      const { line, character } = params.position;
      const at = subjectAt(entry, uri, line, character);
      if (!at) return null;
      let found = referencesOf(entry, at.mention.subject);
      if (!params.context.includeDeclaration) {
        const declared = new Set(definitionOf(entry.capture, at.mention.subject).map((d) => `${d.file}\n${d.span.line}`));
        found = found.filter((r) => !declared.has(`${r.file}\n${r.span.line}`));
      }
      return toLspLocations(entry, found);
    });
  },
};
