// "vIOMMU: Go to Address…" (Ctrl+G in the vIOMMU views): an IOVA or a host
// address, looked up in every domain's page table and in the reverse map;
// the one picked opens its leaf's dump line and selects its node in the views.

import * as vscode from 'vscode';
import { LocateAddressRequest, type LocatedAddress } from '../../protocol';
import type { ServerRequests } from '../views/serverRequests';
import type { CursorSync } from '../views/cursorSync';
import type { ActiveSource } from '../sources';
import { revealSource } from '../views/nodeCommands';

const ADDRESS = /^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/;

export async function goToAddress(server: ServerRequests, sources: ActiveSource, cursor: CursorSync, given?: string): Promise<LocatedAddress | undefined> {
  const source = sources.source;
  if (source?.kind !== 'capture') {
    void vscode.window.showInformationMessage('vIOMMU: open a capture first (Go to Address looks in its page tables).');
    return undefined;
  }
  const address =
    given ??
    (await vscode.window.showInputBox({
      title: 'Go to an IOVA or a host address',
      prompt: 'Looked up as an IOVA in every domain, and as a host address in the reverse map',
      placeHolder: '0xffefd000',
      validateInput: (v) => (ADDRESS.test(v.trim()) ? undefined : 'a 64-bit number, e.g. 0xffefd000'),
    }));
  if (!address) return undefined;
  const r = await server.request(LocateAddressRequest, { uri: source.uri, address: address.trim() });
  if (r.error) {
    void vscode.window.showErrorMessage(`vIOMMU: ${r.error}`);
    return undefined;
  }
  if (r.found.length === 0) {
    void vscode.window.showInformationMessage(`vIOMMU: no domain of the capture maps ${address.trim()}, as an IOVA or as a host address.`);
    return undefined;
  }
  const pick =
    r.found.length === 1 || given !== undefined
      ? r.found[0]
      : (await vscode.window.showQuickPick(
          r.found.map((f) => ({ label: f.label, description: f.description, found: f })),
          { title: `${address.trim()}: ${r.found.length} places`, matchOnDescription: true },
        ))?.found;
  if (!pick) return undefined;
  await revealSource(pick.location, cursor);
  await cursor.revealLine(vscode.Uri.parse(pick.location.uri), pick.location.line, { focus: true, onlyVisible: false });
  return pick;
}
