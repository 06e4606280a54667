// The trace views (IOTLB, ATS Flow) put together: which trace they show, the
// two views, their refreshes (another trace or line, a change of the trace
// document, the number settings) and the cursor → node sync.

import * as vscode from 'vscode';
import { SETTINGS, type SourceRef } from '../../protocol';
import { registerAtsFlowView } from './atsFlowView';
import { registerIotlbView } from './iotlbView';
import { registerTimeline } from '../webview/timelinePanel';
import type { ServerRequests } from './serverRequests';
import type { ServerTreeProvider } from './serverTreeProvider';
import { followTraceCursor, TRACE_LANGUAGE, TraceSourceTracker, type TraceTreeView } from './traceViews';
import type { CommandTable } from '../commandTable';

/** `sidebarChanged`: the sidebar shows another source, or a simulation moved (these views follow a simulation too). */
export function registerTraceViews(
  context: vscode.ExtensionContext,
  server: ServerRequests,
  sidebarSource: () => SourceRef | undefined,
  sidebarChanged: vscode.Event<unknown> | undefined,
  commands: CommandTable,
  adopt?: (view: 'iotlb' | 'atsFlow', provider: ServerTreeProvider) => void,
): { disposables: vscode.Disposable[]; source: () => SourceRef | undefined } {
  const tracker = new TraceSourceTracker(sidebarSource);
  const views: TraceTreeView[] = [];
  const iotlb = registerIotlbView(server, tracker, () => views, commands);
  const ats = registerAtsFlowView(context, server, tracker, () => views, commands);
  views.push(iotlb.view, ats.view);
  adopt?.('iotlb', iotlb.view.provider);
  adopt?.('atsFlow', ats.view.provider);
  const refreshAll = () => void Promise.all(views.map((v) => v.refresh()));
  let timer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refreshAll, 500);
  };
  refreshAll();
  const disposables = [
    tracker,
    ...registerTimeline(context, server, tracker, commands),
    ...iotlb.disposables,
    ...ats.disposables,
    followTraceCursor(views),
    tracker.onDidChange(refreshAll),
    ...(sidebarChanged
      ? [
          sidebarChanged(() => {
            tracker.checkSidebar();
            refreshAll();
          }),
        ]
      : []),
    // The sidebar may have opened another capture without an editor change.
    ...views.map((v) => v.view.onDidChangeVisibility((e) => e.visible && tracker.checkSidebar())),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId === TRACE_LANGUAGE && e.document.uri.toString() === tracker.source?.uri) refreshSoon();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.numberFormat) || e.affectsConfiguration(SETTINGS.padNumbers)) refreshAll();
    }),
    new vscode.Disposable(() => timer && clearTimeout(timer)),
  ];
  return { disposables, source: () => tracker.source };
}
