// "vIOMMU: Translate IOVA…": asks for a requester (picked from the capture),
// an IOVA and the access, then shows the walk step by step in the IOVA Walk view.

import * as vscode from 'vscode';
import type { ServerRequests } from '../views/serverRequests';
import { CaptureSummaryRequest, TranslateRequest, type CaptureSummary, type TranslateParams, type WireWalkResult } from '../../protocol';

/** The capture to use: the active dump editor's, else the first capture folder open. */
function activeCaptureUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId.startsWith('viommu-')) return doc.uri.toString();
  return undefined;
}

const IOVA = /^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/;

/** Asks for an IOVA: the requester's faulting IOVAs and some it maps are offered, any other can be typed. */
async function pickIova(bdf: string, summary: CaptureSummary | null, unit: string | undefined): Promise<{ iova: string; write?: boolean } | undefined> {
  type Item = vscode.QuickPickItem & { iova?: string; write?: boolean };
  const faults: Item[] = (summary?.faults ?? [])
    .filter((f) => f.bdf === bdf && (unit === undefined || f.unit === undefined || f.unit === unit))
    .map((f) => ({ label: f.iova, description: `fault: ${f.write === undefined ? '' : f.write ? 'write, ' : 'read, '}${f.reason}`, iova: f.iova, write: f.write }));
  const mapped: Item[] = (summary?.requesters.find((r) => r.bdf === bdf && (unit === undefined || r.unit === unit))?.iovas ?? []).map((iova) => ({ label: iova, description: 'mapped', iova }));
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Translate IOVA for ${bdf}`;
  qp.placeholder = 'an IOVA (0x-prefixed hex or decimal), or one of these';
  const base: Item[] = [
    ...(faults.length ? [{ label: 'faults of the capture', kind: vscode.QuickPickItemKind.Separator }, ...faults] : []),
    ...(mapped.length ? [{ label: 'mapped', kind: vscode.QuickPickItemKind.Separator }, ...mapped] : []),
  ];
  qp.items = base;
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    qp.items = IOVA.test(typed) ? [{ label: typed, description: 'translate this IOVA', iova: typed }, ...base] : base;
  });
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      // A typed IOVA wins (Enter may come before the list shows it); else the item picked.
      const typed = qp.value.trim();
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      const picked = IOVA.test(typed) ? { iova: typed, write: item?.iova === typed ? item.write : undefined } : item?.iova ? { iova: item.iova, write: item.write } : undefined;
      if (!picked) return;
      done = true;
      resolve(picked);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export async function translateIova(
  server: ServerRequests,
  showWalk: (params: TranslateParams, result: WireWalkResult) => Promise<void>,
  args?: Partial<TranslateParams>,
  /** The capture the sidebar views show (when no dump editor is in front). */
  viewCapture?: () => string | undefined,
): Promise<WireWalkResult | undefined> {
  const uri = args?.uri ?? activeCaptureUri() ?? viewCapture?.();
  if (!uri) {
    void vscode.window.showWarningMessage('Open a capture first: a file of one (a debugfs dump, kernel log or trace), "vIOMMU: Open Capture Folder…" or "vIOMMU: Open Sample Capture".');
    return undefined;
  }
  let bdf = args?.bdf;
  let unit = args?.unit;
  const summary = !bdf || !args?.iova ? await server.request(CaptureSummaryRequest, { uri }) : null;
  if (!bdf) {
    const faulted = new Set((summary?.faults ?? []).map((f) => f.bdf));
    const items = (summary?.requesters ?? []).map((r) => ({
      label: r.bdf,
      unit: r.unit,
      description: `${r.unit ? `${r.unit} ` : ''}${r.did !== undefined ? `DID ${r.did}` : 'no context entry'}${faulted.has(r.bdf) ? ', faulted' : ''}`,
      detail: `${r.mappings} mapped leaf rows`,
    }));
    const pick = await vscode.window.showQuickPick(items, { title: 'Translate IOVA: requester', placeHolder: 'bus:dev.fn' });
    if (!pick) return undefined;
    bdf = pick.label;
    unit = pick.unit;
  }
  let iova = args?.iova;
  let suggestedWrite: boolean | undefined;
  if (!iova) {
    const picked = await pickIova(bdf, summary, unit);
    if (!picked) return undefined;
    iova = picked.iova;
    suggestedWrite = picked.write;
  }
  let write = args?.write ?? suggestedWrite;
  if (write === undefined) {
    const access = await vscode.window.showQuickPick(['read', 'write'], { title: 'Access' });
    if (!access) return undefined;
    write = access === 'write';
  }
  const params: TranslateParams = { uri, bdf, unit, iova: iova.trim(), pasid: args?.pasid, write };
  const result = await server.request(TranslateRequest, params);
  if (result.error) {
    void vscode.window.showErrorMessage(result.error);
    return result;
  }
  await showWalk(params, result);
  return result;
}
