// "vIOMMU: Translate IOVA…": asks for a requester (picked from the capture),
// an IOVA and the access, then shows the walk step by step in the IOVA Walk view.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CaptureSummaryRequest, TranslateRequest, type TranslateParams, type WireWalkResult } from '../../protocol';

/** The capture to use: the active dump editor's, else the first capture folder open. */
export function activeCaptureUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.languageId.startsWith('viommu-')) return doc.uri.toString();
  return undefined;
}

export async function translateIova(
  client: LanguageClient,
  showWalk: (params: TranslateParams, result: WireWalkResult) => Promise<void>,
  args?: Partial<TranslateParams>,
): Promise<WireWalkResult | undefined> {
  const uri = args?.uri ?? activeCaptureUri();
  if (!uri) {
    void vscode.window.showWarningMessage('Open a file of a capture (a debugfs dump, kernel log or trace) first.');
    return undefined;
  }
  let bdf = args?.bdf;
  let unit = args?.unit;
  if (!bdf) {
    const summary = await client.sendRequest(CaptureSummaryRequest.method, { uri });
    const items = ((summary as { requesters?: { bdf: string; unit?: string; did?: number; mappings: number }[] } | null)?.requesters ?? []).map((r) => ({
      label: r.bdf,
      unit: r.unit,
      description: `${r.unit ? `${r.unit} ` : ''}${r.did !== undefined ? `DID ${r.did}` : 'no context entry'}`,
      detail: `${r.mappings} mapped leaf rows`,
    }));
    const pick = await vscode.window.showQuickPick(items, { title: 'Translate IOVA: requester', placeHolder: 'bus:dev.fn' });
    if (!pick) return undefined;
    bdf = pick.label;
    unit = pick.unit;
  }
  let iova = args?.iova;
  if (!iova) {
    iova = await vscode.window.showInputBox({
      title: `Translate IOVA for ${bdf}`,
      prompt: 'IOVA (0x-prefixed hex or decimal)',
      validateInput: (v) => (/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(v.trim()) ? undefined : 'a 64-bit number, e.g. 0xffefd000'),
    });
    if (!iova) return undefined;
  }
  let write = args?.write;
  if (write === undefined) {
    const access = await vscode.window.showQuickPick(['read', 'write'], { title: 'Access' });
    if (!access) return undefined;
    write = access === 'write';
  }
  const params: TranslateParams = { uri, bdf, unit, iova: iova.trim(), pasid: args?.pasid, write };
  const result = (await client.sendRequest(TranslateRequest.method, params)) as WireWalkResult;
  if (result.error) {
    void vscode.window.showErrorMessage(result.error);
    return result;
  }
  await showWalk(params, result);
  return result;
}
