import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, EXTENSION_ID, openInEditor, suiteFigures, viommuApi } from './helpers';

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

  it('measures its activation: activate() to its return, and to the first diagnostics of a capture file', async () => {
    const api = await viommuApi();
    // In the lane the UI check opened dmesg, which activated the extension; opened again it changes nothing.
    await openInEditor(captureFile('dmesg'));
    const times = await api.activation.whenFirstDiagnostics();
    const { activateMs, firstDiagnosticsMs, firstDiagnosticsUri } = times;
    assert.ok(activateMs !== undefined && activateMs > 0 && activateMs < 60000, `activate() took ${activateMs} ms`);
    assert.ok(firstDiagnosticsMs !== undefined && firstDiagnosticsMs > 0 && firstDiagnosticsMs < 60000, `first diagnostics after ${firstDiagnosticsMs} ms`);
    assert.ok(firstDiagnosticsUri?.startsWith(vscode.Uri.joinPath(captureFile('dmesg'), '..').toString()), `the first diagnostics were of a capture file: ${firstDiagnosticsUri}`);
    suiteFigures.activation = { ...times, vscodeVersion: vscode.version, extensionHostNode: process.versions.node };
  });
});
