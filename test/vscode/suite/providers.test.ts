import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, closeAllEditors, flattenSymbols, markdownText, openInEditor, viommuApi } from './helpers';

describe('language features through VS Code commands', () => {
  before(() => viommuApi());
  after(closeAllEditors);

  it("hovers the 00:05.0 context entry with its field table", async () => {
    const doc = await openInEditor(captureFile('dmar_translation_struct'));
    const line = doc.lineAt(7).text;
    assert.ok(line.startsWith('00:05.0'), `line 8 is 00:05.0's: ${line}`);
    const position = new vscode.Position(7, line.indexOf('0x0000000000000701') + 5);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
    const text = hovers.map((h) => markdownText(h.contents)).join('\n');
    assert.match(text, /Context entry/i);
    assert.match(text, /\| DID \| 87:72 \| `0x7` \| /);
    assert.match(text, /SLPTPTR/);
    assert.match(text, /0x1b1f000/);
  });

  it('gives a compact inlay hint after each IRTE', async () => {
    const doc = await openInEditor(captureFile('ir_translation_struct'));
    const range = new vscode.Range(0, 0, 22, 0);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range);
    assert.equal(hints.length, 17, 'one hint per IRTE');
    const first = [...hints].sort((a, b) => a.position.line - b.position.line)[0];
    assert.equal(first.position.line, 3);
    const label = typeof first.label === 'string' ? first.label : first.label.map((p) => p.value).join('');
    assert.match(label, /0x26/);
  });

  it('outlines dmar_translation_struct by IOMMU unit and requester', async () => {
    const doc = await openInEditor(captureFile('dmar_translation_struct'));
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri)) ?? [];
    const names = flattenSymbols(symbols).map((s) => s.name);
    assert.ok(names.some((n) => n.includes('dmar0')), `a symbol for dmar0 among ${JSON.stringify(names)}`);
    assert.ok(names.some((n) => n.includes('00:05.0')), `a symbol for 00:05.0 among ${JSON.stringify(names)}`);
  });
});
