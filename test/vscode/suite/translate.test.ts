import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { CaptureSummary, WireWalkResult } from '../../../src/protocol';
import { captureFile, closeAllEditors, eventually, viommuApi } from './helpers';

describe('translating an IOVA', () => {
  after(async () => {
    await closeAllEditors();
    // The checks of the UI that follow start from the trees as a person finds them.
    await vscode.commands.executeCommand('viommu.walk.clear');
    for (const view of ['viommu.contextTables', 'viommu.secondLevelTables']) await vscode.commands.executeCommand(`workbench.actions.treeView.${view}.collapseAll`);
  });

  it("walks 00:02.0's IOVA 0xffefd000 to 0x268e000 through the API", async () => {
    const api = await viommuApi();
    const r = await api.translate({ uri: captureFile('domain_translation_struct').toString(), bdf: '00:02.0', iova: '0xffefd000' });
    assert.equal(r.error, undefined);
    assert.equal(r.ok, true);
    assert.equal(r.hpa, '0x268e000');
    const pte = r.steps.find((s) => s.name === 'PTE');
    assert.equal(pte?.entry, '0x268e003');
    assert.equal(pte?.location?.line, 8);
  });

  it('returns the walk from the vIOMMU: Translate IOVA command given every argument, and shows it in the IOVA Walk view', async () => {
    const api = await viommuApi();
    const uri = captureFile('dmar_translation_struct').toString();
    const r = await vscode.commands.executeCommand<WireWalkResult>('viommu.translateIova', { uri, bdf: '00:02.0', iova: '0xffefd000', write: false });
    assert.equal(r.ok, true);
    assert.equal(r.hpa, '0x268e000');
    const [shown] = api.views.walks();
    assert.equal(shown.label, 'Read 00:02.0 0xffefd000');
    assert.equal(shown.description, '→ 0x268e000 (page 0x1000, RW)');
    assert.deepEqual(
      shown.children.map((c) => c.label),
      ['1. root entry', '2. context entry', '3. PDPE', '4. PDE', '5. PTE', 'Host address 0x268e000'],
    );
  });

  it("takes a step of the walk to its dump line and its node: the PTE to domain_translation_struct line 9 and DID 4's entry 253", async () => {
    const api = await viommuApi();
    const [shown] = api.views.walks();
    const pte = shown.result.steps.find((s) => s.name === 'PTE');
    assert.deepEqual(pte?.node, { view: 'secondLevelTables', id: 'd:4/e:3/e:511/e:253' });
    await vscode.commands.executeCommand('viommu.walk.showStep', pte);
    const editor = await eventually('the dump line of the PTE', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.path.endsWith('/domain_translation_struct') && e.selection.active.line === 8 ? e : undefined;
    });
    assert.match(editor.document.lineAt(8).text, /0x000000000268e003/);
    await eventually('the PTE selected in Second-Level Tables', () => (api.views.selection('secondLevelTables')[0] === 'd:4/e:3/e:511/e:253' ? true : undefined));
    // The context entry's step selects its device in Context Tables.
    const context = shown.result.steps.find((s) => s.name === 'context entry');
    await vscode.commands.executeCommand('viommu.walk.showInTables', context);
    await eventually('00:02.0 selected in Context Tables', () => (api.views.selection('contextTables')[0] === 'u:dmar0/b:00/d:02.0' ? true : undefined));
  });

  it('opens a walk as a Markdown document on request', async () => {
    await viommuApi();
    await vscode.commands.executeCommand('viommu.walk.openMarkdown');
    const doc = await eventually('the walk in a Markdown editor', () => vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown')?.document);
    assert.match(doc.getText(), /## 5\. PTE — domain\\_translation\\_struct:9/);
    assert.match(doc.getText(), /host address `0x268e000`/);
  });

  it("gives the kernel log's fault for 00:05.0's read of 0x2345000", async () => {
    const api = await viommuApi();
    const r = await api.translate({ uri: captureFile('dmesg').toString(), bdf: '00:05.0', iova: '0x2345000', write: false });
    assert.equal(r.ok, false);
    assert.equal(r.fault?.reason, 0x06);
  });
  it('uses the capture the views show when no editor is open, and the fault it picks reads as the kernel log says', async () => {
    const api = await viommuApi();
    await closeAllEditors();
    await eventually('the views still showing a capture', () => (api.views.source()?.kind === 'capture' ? true : undefined));
    const r = await vscode.commands.executeCommand<WireWalkResult>('viommu.translateIova', { bdf: '00:05.0', iova: '0x2345000', write: false });
    assert.ok(r, 'a walk, not "open a file first"');
    assert.equal(r.ok, false);
    assert.match(r.outcome ?? JSON.stringify(r), /fault|0x06|not present/i);
    // The prompt's suggestions: the kernel log's faults of 00:05.0.
    const summary = (await api.client.sendRequest('viommu/captureSummary', { uri: api.views.source()!.uri })) as CaptureSummary;
    assert.deepEqual(
      summary.faults?.filter((f) => f.bdf === '00:05.0').map((f) => [f.iova, f.write]),
      [['0x2345000', false], ['0x7777000', true]],
    );
  });

});
