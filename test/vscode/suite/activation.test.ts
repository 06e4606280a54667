import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, closeAllEditors, EXTENSION_ID, openInEditor, suiteFigures, viommuApi } from './helpers';

describe('activation in a real extension host', () => {
  it('activates and returns its API with a running language client', async () => {
    const api = await viommuApi();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(typeof api.translate, 'function');
    assert.equal(typeof api.captureSummary, 'function');
    assert.equal(api.client.isRunning(), true);
  });

  it('is installed as a finished package: its 128 px icon, preview while 0.x, a workspace extension, an icon for each view and language', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const pkg = ext.packageJSON as { icon?: string; preview?: boolean; version: string; extensionKind?: string[]; contributes: { views: Record<string, { icon?: string }[]>; languages: { id: string; icon?: { dark: string } }[] } };
    assert.equal(pkg.icon, 'media/icon.png');
    const png = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ext.extensionUri, pkg.icon));
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    assert.equal(Buffer.from(png).readUInt32BE(16), 128);
    assert.equal(Buffer.from(png).readUInt32BE(20), 128);
    assert.equal(pkg.preview, pkg.version.startsWith('0.'));
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    for (const v of pkg.contributes.views.viommu) {
      assert.ok(v.icon, 'every view has an icon');
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, v.icon));
    }
    for (const l of pkg.contributes.languages) {
      assert.ok(l.icon, `${l.id} has an icon`);
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, l.icon.dark));
    }
    // No source maps of an earlier build shipped.
    const shipped = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(ext.extensionUri, 'dist'));
    assert.deepEqual(shipped.filter(([n]) => n.endsWith('.map')), []);
  });

  it('has a walkthrough whose five steps link to commands it registers, with their pages shipped, and opens it', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const [walk] = (ext.packageJSON as { contributes: { walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown: string }; completionEvents: string[] }[] }[] } }).contributes.walkthroughs;
    assert.equal(walk.id, 'gettingStarted');
    assert.deepEqual(walk.steps.map((s) => s.id), ['openSample', 'hover', 'translate', 'replay', 'simulate']);
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const step of walk.steps) {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, step.media.markdown));
      for (const m of step.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(commands.has(m[1]), `${step.id} links to ${m[1]}, a registered command`);
      for (const e of step.completionEvents) assert.ok(commands.has(e.replace(/^onCommand:/, '')), `${step.id} completes on ${e}`);
    }
    // The hover step's link: the sample's dmar_translation_struct with the cursor on 00:05.0.
    const editor = (await vscode.commands.executeCommand('viommu.walkthrough.openSampleFile', 'dmar_translation_struct', 8)) as vscode.TextEditor;
    assert.equal(editor.selection.active.line, 7);
    assert.match(editor.document.lineAt(7).text, /^00:05\.0\t/);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#gettingStarted`, false);
    // Back to what the other tests start from: no editor, the views on the workspace's capture.
    await closeAllEditors();
    await vscode.commands.executeCommand('viommu.openCaptureFolder', vscode.Uri.joinPath(captureFile('dmesg'), '..'));
  });

  it('registers its commands from one table: exactly the commands package.json contributes', async () => {
    const api = await viommuApi();
    const contributed = ((vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands).map((c) => c.command).sort();
    assert.deepEqual(api.commandIds(), contributed);
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
