// Code actions: on a fault line of a kernel log, "Explain this fault" and
// "Walk this IOVA" (the walk filled in from the fault); on a page-table row or
// a trace event that names a requester and an IOVA, "Walk this IOVA".
//
// Kinds: the two fault actions are quick fixes tied to the fault's diagnostic,
// so VS Code offers them from the diagnostic's hover and the Problems view as
// well as the light bulb. The walk on a row or a trace line has no diagnostic
// and fixes nothing, so it gets the empty kind: VS Code still lists it in the
// light bulb menu, and neither refactor nor source (which the light bulb
// hides) would describe it.

import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { formatBdf } from '../../model/bdf';
import { hex } from '../../vtd/u64';
import { COMMANDS, type TranslateParams } from '../../protocol';
import type { CaptureWorkspace } from '../captureWorkspace';
import { captureFileOf, mentionsOf } from './crossRefs';
import type { Feature } from './feature';
import type { ExplainFaultArgs } from '../../protocol';

/** Whether the client's `only` filter lets a kind through. */
function wanted(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => o === kind || (o !== '' && kind.startsWith(o + '.')));
}

function codeActionsAt(workspace: CaptureWorkspace, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const only = params.context.only;
  if (!workspace.document(uri) || !(wanted(only, CodeActionKind.QuickFix) || wanted(only, CodeActionKind.Empty))) return [];
  const entry = workspace.captureOf(uri);
  const file = entry ? captureFileOf(entry, uri) : undefined;
  if (!entry || !file) return [];
  const line = params.range.start.line;
  const capture = entry.capture;
  const fault = capture.faults.find((f) => f.location.file === file.name && f.location.span.line === line);
  const faultDiagnostics: Diagnostic[] = params.context.diagnostics.filter((d) => d.code === 'fault' && d.range.start.line === line);
  const actions: CodeAction[] = [];

  if (fault) {
    const args: ExplainFaultArgs = { uri, line };
    actions.push({
      title: 'Explain this fault',
      kind: CodeActionKind.QuickFix,
      diagnostics: faultDiagnostics,
      isPreferred: true,
      command: { title: 'Explain this fault', command: COMMANDS.explainFault, arguments: [args] },
    });
  }
  const iova = mentionsOf(capture, file, line).find((m) => m.subject.kind === 'iova')?.subject;
  if (iova?.kind === 'iova') {
    const args: TranslateParams = { uri, bdf: formatBdf(iova.sid), iova: hex(iova.iova) };
    if (iova.write !== undefined) args.write = iova.write;
    actions.push({
      title: 'Walk this IOVA',
      kind: fault ? CodeActionKind.QuickFix : CodeActionKind.Empty,
      diagnostics: fault ? faultDiagnostics : undefined,
      command: { title: 'Walk this IOVA', command: COMMANDS.translateIova, arguments: [args] },
    });
  }
  return actions.filter((a) => wanted(only, a.kind ?? CodeActionKind.Empty));
}

export const codeActionsFeature: Feature = {
  // No codeActionKinds: the empty kind would claim every kind, and VS Code asks a provider without kinds for the light bulb anyway.
  capabilities: { codeActionProvider: true },
  register: ({ connection, workspace }) => {
    connection.onCodeAction((params, token): CodeAction[] => {
      if (token.isCancellationRequested) return [];
      try {
        return codeActionsAt(workspace, params);
      } catch {
        return [];
      }
    });
  },
};
