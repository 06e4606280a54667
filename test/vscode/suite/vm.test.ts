// "vIOMMU: Capture a QEMU Guest…" for real: the command (given its picks as
// arguments) runs the bundled `viommu vm`, which boots a Linux guest on
// QEMU's intel-iommu (the kernel the VM lane built is in the cache; npm test
// runs that lane first), and the views then show the capture it made.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CAPTURE, closeAllEditors, eventually, openInEditor, viommuApi, workspaceRoot } from './helpers';

describe('capturing a QEMU guest', () => {
  const out = () => join(workspaceRoot().fsPath, 'qemu-guest-capture');
  after(async () => {
    // The UI checks after the suite expect the sample capture in the views.
    await (await viommuApi()).views.openCapture(vscode.Uri.joinPath(workspaceRoot(), CAPTURE).toString());
    await vscode.workspace.fs.delete(vscode.Uri.file(out()), { recursive: true, useTrash: false });
  });

  it('boots a scalable-mode guest with ATS through vIOMMU: Capture a QEMU Guest…, and opens its capture in the views', async function () {
    this.timeout(900000);
    const api = await viommuApi();
    const folder = (await vscode.commands.executeCommand('viommu.captureQemuGuest', { mode: 'scalable', options: ['ats'], out: out() })) as string | undefined;
    assert.equal(folder, out(), 'the command gives the capture folder');
    const manifest = JSON.parse(readFileSync(join(out(), 'manifest.json'), 'utf8')) as { options: { mode: string; ats: boolean } };
    assert.deepEqual([manifest.options.mode, manifest.options.ats], ['scalable', true]);
    assert.ok(existsSync(join(out(), 'qemu-vtd.trace')));
    assert.equal(api.views.source()?.uri, vscode.Uri.file(out()).toString(), 'the views show the new capture');
    const summary = await api.captureSummary(vscode.Uri.file(join(out(), 'dmar_translation_struct')).toString());
    assert.equal(summary?.units[0]?.mode, 'scalable');
    assert.equal(summary?.platform?.kind, 'qemu');
    assert.ok(summary?.requesters.some((r) => r.bdf === '01:00.0'), 'virtio-net behind the root port');
    // Its kernel log, opened: the edu device's two real faults, each explained by the walk.
    const dmesg = vscode.Uri.file(join(out(), 'dmesg'));
    await openInEditor(dmesg);
    const faults = await eventually('the two fault diagnostics of the guest\'s kernel log', () => {
      const f = vscode.languages.getDiagnostics(dmesg).filter((d) => d.code === 'fault');
      return f.length === 2 ? f : undefined;
    });
    assert.match(faults[0].message, /0x2345000/);
    assert.match(faults[1].message, /0x200000/);
    await closeAllEditors();
  });
});
