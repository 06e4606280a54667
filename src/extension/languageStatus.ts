// The language status item of a dump document: which format the server read
// it as, the kernel dialect it recognised, what the capture holds (requesters,
// domains, IRTEs) and how many findings there are.

import * as vscode from 'vscode';
import { CaptureSummaryRequest, LANGUAGE_IDS, SourceInfoRequest, type CaptureSummary } from '../protocol';
import type { ServerRequests } from './views/serverRequests';

const SHOW_VIEWS = 'workbench.view.extension.viommu';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function fileOf(summary: CaptureSummary, uri: vscode.Uri): CaptureSummary['files'][number] | undefined {
  return summary.files.find((f) => f.uri === uri.toString()) ?? summary.files.find((f) => f.uri && vscode.Uri.parse(f.uri).fsPath === uri.fsPath);
}

export function registerLanguageStatus(server: ServerRequests): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem(
    'viommu.capture',
    LANGUAGE_IDS.map((language) => ({ language })),
  );
  item.name = 'vIOMMU capture';
  item.text = '$(circuit-board) vIOMMU';
  let generation = 0;

  const update = async (): Promise<void> => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !doc.languageId.startsWith('viommu-')) return;
    const mine = ++generation;
    item.busy = true;
    try {
      const uri = doc.uri.toString();
      const [summary, info] = await Promise.all([
        server.request(CaptureSummaryRequest, { uri }),
        server.request(SourceInfoRequest, { source: { kind: 'capture', uri } }),
      ]);
      if (mine !== generation || !summary) return;
      const file = fileOf(summary, doc.uri);
      const errors = summary.files.reduce((n, f) => n + f.errors, 0);
      const warnings = summary.files.reduce((n, f) => n + f.warnings, 0);
      item.text = `$(circuit-board) ${file?.format ?? 'not a known dump format'}`;
      const counts = info
        ? [plural(info.counts.requesters, 'requester'), plural(info.counts.domains, 'domain'), plural(info.counts.irtes, 'IRTE')].join(', ')
        : `${plural(summary.requesters.length, 'requester')}, ${plural(summary.domains.length, 'domain')}`;
      const dialect = file?.dialect.length ? file.dialect.join('; ') : 'no kernel dialect told apart';
      item.detail = `${dialect} — ${counts} — ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in the capture`;
      item.severity = errors > 0 ? vscode.LanguageStatusSeverity.Error : warnings > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
      item.command = { title: 'Show tables', command: SHOW_VIEWS, tooltip: 'Show the vIOMMU sidebar' };
    } catch {
      // The server is starting or gone: keep what is shown.
    } finally {
      if (mine === generation) item.busy = false;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void update(), 300);
  };
  const subscriptions = [
    item,
    vscode.window.onDidChangeActiveTextEditor(() => void update()),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && e.uris.some((u) => u.toString() === doc.uri.toString())) soon();
    }),
  ];
  void update();
  return vscode.Disposable.from(...subscriptions, { dispose: () => timer && clearTimeout(timer) });
}
