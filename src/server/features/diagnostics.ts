// Diagnostics: the document's syntax findings, and the specification and
// semantic findings of its capture that fall in it (among them each fault
// line of a kernel log, explained with the walk of its request). Re-published for every open document of a
// folder when any file of that capture changes.

import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../../dumps/types';
import type { CaptureWorkspace } from '../captureWorkspace';

const DEBOUNCE_MS = 150;

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function findingToDiagnostic(f: Finding, uriOf: (file: string) => string | undefined): Diagnostic {
  const d: Diagnostic = {
    severity: SEVERITY[f.severity],
    range: { start: { line: f.span.line, character: f.span.start }, end: { line: f.span.line, character: f.span.end } },
    message: f.message,
    source: 'viommu',
    code: f.code,
  };
  if (f.related?.length) {
    d.relatedInformation = f.related
      .map((r) => {
        const uri = r.file ? uriOf(r.file) : undefined;
        return uri ? { location: { uri, range: { start: { line: r.span.line, character: r.span.start }, end: { line: r.span.line, character: r.span.end } } }, message: r.message } : undefined;
      })
      .filter((x): x is NonNullable<typeof x> => x !== undefined);
  }
  return d;
}

function diagnosticsFor(workspace: CaptureWorkspace, uri: string): Diagnostic[] {
  const entry = workspace.captureOf(uri);
  if (!entry) return [];
  let name: string | undefined;
  for (const [n, u] of entry.uris) if (u === uri) name = n;
  if (name === undefined) return [];
  const uriOf = (file: string) => entry.uris.get(file);
  const out = entry.capture.findings.filter((f) => f.file === name).map((f) => findingToDiagnostic(f, uriOf));
  return out;
}

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly connection: Connection,
    private readonly workspace: CaptureWorkspace,
  ) {}

  schedule(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.publish(uri);
      }, DEBOUNCE_MS),
    );
  }

  /** Re-check every open document of a capture folder. */
  scheduleFolder(folder: string, openUris: readonly string[]): void {
    for (const uri of openUris) if (this.workspace.folderOfUri(uri) === folder) this.schedule(uri);
  }

  clear(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private publish(uri: string): void {
    if (!this.workspace.document(uri)) return;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = diagnosticsFor(this.workspace, uri);
    } catch (err) {
      diagnostics = [
        {
          severity: DiagnosticSeverity.Error,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          message: `vIOMMU Inspector could not analyse this file: ${err instanceof Error ? err.message : String(err)}`,
          source: 'viommu',
        },
      ];
    }
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }
}
