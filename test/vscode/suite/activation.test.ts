import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, viommuApi } from './helpers';

describe('activation in a real extension host', () => {
  it('activates and returns its API with a running language client', async () => {
    const api = await viommuApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(typeof api.translate, 'function');
    assert.equal(typeof api.captureSummary, 'function');
    assert.equal(api.client.isRunning(), true);
  });

  it('registers the vIOMMU: Translate IOVA command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('viommu.translateIova'));
  });
});
