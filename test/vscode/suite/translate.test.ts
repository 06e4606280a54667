import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { WireWalkResult } from '../../../src/protocol';
import { captureFile, closeAllEditors, viommuApi } from './helpers';

describe('translating an IOVA', () => {
  after(closeAllEditors);

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

  it('returns the walk from the vIOMMU: Translate IOVA command given every argument, and shows it', async () => {
    await viommuApi();
    const uri = captureFile('dmar_translation_struct').toString();
    const r = await vscode.commands.executeCommand<WireWalkResult>('viommu.translateIova', { uri, bdf: '00:02.0', iova: '0xffefd000', write: false });
    assert.equal(r.ok, true);
    assert.equal(r.hpa, '0x268e000');
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown');
    assert.ok(shown, 'the walk is shown in a Markdown editor');
    assert.match(shown.document.getText(), /0x268e000/);
  });

  it("gives the kernel log's fault for 00:05.0's read of 0x2345000", async () => {
    const api = await viommuApi();
    const r = await api.translate({ uri: captureFile('dmesg').toString(), bdf: '00:05.0', iova: '0x2345000', write: false });
    assert.equal(r.ok, false);
    assert.equal(r.fault?.reason, 0x06);
  });
});
