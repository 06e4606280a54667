// The ATS Flow view: per device with a device TLB, the events of its ATS flow
// replayed from a trace (the server's atsFlowTree); "Show Sequence Diagram"
// opens the flow in the webview, for the device of the node it is run on.

import * as vscode from 'vscode';
import { COMMANDS, viewTitleCommand } from '../../protocol';
import { showAtsSequence, type AtsSequencePanel } from '../webview/atsSequence';
import { PanelSlot } from '../webview/panelSlot';
import type { ServerRequests } from './serverRequests';
import { registerTitleCommands, TraceTreeView, type TraceSourceTracker } from './traceViews';
import type { ViewNode } from './treeItems';
import type { CommandTable } from '../commandTable';

/** The device a node of the ATS Flow view stands for ("dev:<sid>" and below). */
function sidOfNode(node: ViewNode | undefined): number | undefined {
  const m = node ? /^dev:(\d+)/.exec(node.id) : null;
  return m ? Number(m[1]) : undefined;
}

export function registerAtsFlowView(
  context: vscode.ExtensionContext,
  server: ServerRequests,
  tracker: TraceSourceTracker,
  all: () => readonly TraceTreeView[],
  commands: CommandTable,
): { view: TraceTreeView; disposables: vscode.Disposable[] } {
  const view = new TraceTreeView('atsFlow', server, tracker);
  const diagram = new PanelSlot<AtsSequencePanel>();
  return {
    view,
    disposables: [
      view,
      ...registerTitleCommands(commands, view, all(), (action) => viewTitleCommand('atsFlow', action)),
      commands.add(COMMANDS.showAtsSequence, (node?: ViewNode) => {
        const source = tracker.source;
        if (!source) {
          void vscode.window.showInformationMessage('vIOMMU: open a QEMU trace (qemu-vtd.trace) or a capture folder that holds one first.');
          return;
        }
        showAtsSequence(diagram, context, server, source, sidOfNode(node ?? view.view.selection[0]));
      }),
    ],
  };
}
