// The questions the simulator's commands ask: which scenario (a built-in with
// its published anchor, or the scenario file in front), whether to seed it
// from the capture the sidebar shows, how many events to step, and what a
// breakpoint stops at.

import * as vscode from 'vscode';
import { SCENARIO_LANGUAGE, SimulationCatalogRequest, type SimulationCatalog, type SimulationStartParams, type SourceRef, type WireBreakpoint } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';

async function catalog(server: ServerRequests): Promise<SimulationCatalog | undefined> {
  try {
    return await server.request(SimulationCatalogRequest, {});
  } catch {
    void vscode.window.showErrorMessage('vIOMMU: the language server is not running, so no simulation can start.');
    return undefined;
  }
}

function firstSentence(text: string): string {
  return text.replace(/\s+/g, ' ').trim().split(/(?<=\.) /)[0] ?? '';
}

/** A scenario to run: the scenario file in front, or a built-in; then, with a capture open, how the guest's tables are made. */
export async function pickScenario(server: ServerRequests, capture: SourceRef | undefined): Promise<SimulationStartParams | undefined> {
  const cat = await catalog(server);
  if (!cat) return undefined;
  type Item = vscode.QuickPickItem & { params?: SimulationStartParams };
  const items: Item[] = [];
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === SCENARIO_LANGUAGE) {
    items.push({ label: `$(file-code) ${vscode.workspace.asRelativePath(doc.uri)}`, description: 'the scenario file in the editor', params: { uri: doc.uri.toString(), text: doc.getText() } }, { label: 'Built-in scenarios', kind: vscode.QuickPickItemKind.Separator });
  }
  for (const b of cat.builtins) items.push({ label: b.name, description: firstSentence(b.description), detail: b.anchor ? `Anchor: ${b.anchor}` : undefined, params: { builtin: b.name } });
  const pick = await vscode.window.showQuickPick(items, { title: 'vIOMMU: New Simulation', placeHolder: 'A scenario to step through', matchOnDescription: true, matchOnDetail: true });
  if (!pick?.params) return undefined;
  if (capture?.kind !== 'capture') return pick.params;
  const name = vscode.Uri.parse(capture.uri).path.split('/').filter(Boolean).pop() ?? capture.uri;
  const how = await vscode.window.showQuickPick(
    [
      { label: 'Boot the guest driver', description: 'the guest builds its tables as the scenario says', seeded: false },
      { label: `Seed from ${name}`, description: "the capture's root, context and page tables and IRTEs in guest memory, its registers in the IOMMU", seeded: true },
    ],
    { title: 'vIOMMU: New Simulation — guest tables' },
  );
  if (!how) return undefined;
  return how.seeded ? { ...pick.params, capture: capture.uri } : pick.params;
}

export async function askCount(title: string): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'How many events',
    value: '100',
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A positive whole number of events'),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** What a new breakpoint stops at: a fault, an event kind, a requester or an IOVA range. */
export async function askBreakpoint(server: ServerRequests): Promise<WireBreakpoint | undefined> {
  type Item = vscode.QuickPickItem & { what: 'fault' | 'reason' | 'kind' | 'requester' | 'iova' };
  const what = await vscode.window.showQuickPick<Item>(
    [
      { label: 'Any fault', description: 'a DMA remapping or interrupt remapping fault', what: 'fault' },
      { label: 'A fault reason…', description: 'e.g. 0x06: PTE Read access is not set', what: 'reason' },
      { label: 'An event kind…', description: 'e.g. iotlb-invalidate, devtlb-request, route-stale-deliver', what: 'kind' },
      { label: 'A requester…', description: 'any event of one device (B:D.F)', what: 'requester' },
      { label: 'An IOVA range…', description: 'any event about an address in a range', what: 'iova' },
    ],
    { title: 'vIOMMU: Add Breakpoint — stop at' },
  );
  if (!what) return undefined;
  switch (what.what) {
    case 'fault':
      return { fault: true };
    case 'reason': {
      const v = await vscode.window.showInputBox({ title: 'Fault reason', prompt: 'A fault reason code', placeHolder: '0x06', validateInput: (t) => (/^\s*(0x[0-9a-f]{1,2}|\d{1,3})\s*$/i.test(t) ? undefined : 'A reason code such as 0x06') });
      return v === undefined ? undefined : { fault: Number(v.trim()) };
    }
    case 'kind': {
      const cat = await catalog(server);
      const kind = cat ? await vscode.window.showQuickPick(cat.eventKinds, { title: 'Event kind' }) : undefined;
      return kind ? { kind } : undefined;
    }
    case 'requester': {
      const v = await vscode.window.showInputBox({ title: 'Requester', prompt: 'B:D.F', placeHolder: '00:03.0', validateInput: (t) => (/^\s*[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\s*$/i.test(t) ? undefined : 'A requester id such as 00:03.0') });
      return v === undefined ? undefined : { requester: v.trim() };
    }
    case 'iova': {
      const v = await vscode.window.showInputBox({ title: 'IOVA range', prompt: 'FROM-TO (inclusive), or one address', placeHolder: '0xffffc000-0xffffcfff', validateInput: (t) => (/^\s*0x[0-9a-f]+(\s*-\s*0x[0-9a-f]+)?\s*$/i.test(t) ? undefined : 'Hex addresses: 0xFROM-0xTO') });
      if (v === undefined) return undefined;
      const [from, to] = v.split('-').map((x) => x.trim());
      return { iovaFrom: from, iovaTo: to ?? from };
    }
  }
}
