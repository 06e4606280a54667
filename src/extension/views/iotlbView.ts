// The IOTLB view: QEMU's IOTLB and context cache replayed from a trace (the
// server's iotlbTree), with the trace views' "Replay to Cursor" and "Replay
// Whole Trace", which stop the replay of both trace views at a line.

import * as vscode from 'vscode';
import { COMMANDS, viewTitleCommand } from '../../protocol';
import type { ServerRequests } from './serverRequests';
import { registerTitleCommands, TRACE_LANGUAGE, TraceTreeView, type TraceSourceTracker } from './traceViews';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';
import type { CommandTable } from '../commandTable';

async function replayToCursor(tracker: TraceSourceTracker): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== TRACE_LANGUAGE) {
    void vscode.window.showInformationMessage('vIOMMU: put the cursor on a line of a QEMU trace (qemu-vtd.trace) first.');
    return;
  }
  tracker.replayTo(editor.document, editor.selection.active.line);
  await setContextKey(CONTEXT_KEYS.traceAsOfLine, true);
}

async function replayAll(tracker: TraceSourceTracker): Promise<void> {
  tracker.replayTo(undefined, undefined);
  await setContextKey(CONTEXT_KEYS.traceAsOfLine, false);
}

export function registerIotlbView(server: ServerRequests, tracker: TraceSourceTracker, all: () => readonly TraceTreeView[], commands: CommandTable): { view: TraceTreeView; disposables: vscode.Disposable[] } {
  const view = new TraceTreeView('iotlb', server, tracker);
  return {
    view,
    disposables: [
      view,
      ...registerTitleCommands(commands, view, all(), (action) => viewTitleCommand('iotlb', action)),
      commands.add(COMMANDS.traceReplayToCursor, () => replayToCursor(tracker)),
      commands.add(COMMANDS.traceReplayAll, () => replayAll(tracker)),
    ],
  };
}
