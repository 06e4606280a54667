import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { OpenLargeFileResult, ServerStats } from '../../../src/protocol';
import { captureFile, closeAllEditors, eventually, eventuallyAsync, openInEditor, serverSettled, viommuApi, workspaceRoot } from './helpers';

/** Deterministic noise: every byte value from `lowest` to 255, control characters and invalid UTF-8 among them. */
function noise(length: number, lowest: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => lowest + ((i * 37 + (i >> 7)) % (256 - lowest)));
}

describe('robustness', () => {
  const garbageFolder = () => vscode.Uri.joinPath(workspaceRoot(), 'binary-garbage');
  const onDisk = () => vscode.Uri.joinPath(garbageFolder(), 'dmar_translation_struct');

  after(async () => {
    await closeAllEditors();
    // VS Code keeps a document open for a while after its editor closes, and the
    // server its diagnostics: empty the file first so none stay behind.
    await vscode.workspace.fs.writeFile(onDisk(), new Uint8Array());
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === onDisk().toString());
    if (doc) await eventually('the emptied garbage file to reload', () => (doc.getText() === '' ? true : undefined));
    await serverSettled(await viommuApi(), onDisk());
    await vscode.workspace.fs.delete(garbageFolder(), { recursive: true, useTrash: false });
  });

  it('keeps the extension host and the language server up after opening files of binary garbage', async () => {
    const api = await viommuApi();
    const stops: string[] = [];
    const listener = api.client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) stops.push('the language client stopped');
    });
    try {
      // From disk, named like a debugfs file. VS Code refuses to open a file with NUL bytes as text, so this one has none.
      await vscode.workspace.fs.writeFile(onDisk(), noise(64 * 1024, 1));
      const fileDoc = await openInEditor(onDisk());
      assert.equal(fileDoc.languageId, 'viommu-dmar', 'named like a debugfs file, so the server reads it');
      // And every byte value, NUL included, as an untitled document.
      const latin1 = String.fromCharCode(...noise(16 * 1024, 0));
      const untitled = await vscode.workspace.openTextDocument({ language: 'viommu-pagetable', content: latin1 });
      await vscode.window.showTextDocument(untitled);
      for (const doc of [fileDoc, untitled]) {
        await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 3));
        await vscode.commands.executeCommand('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      }
      await serverSettled(api, fileDoc.uri);
      // The server read the garbage and said so.
      const said = vscode.languages.getDiagnostics(fileDoc.uri).filter((d) => d.source === 'viommu');
      assert.ok(said.length > 0, 'a finding on the garbage file');
      // The same server still answers for the real capture.
      const r = await api.translate({ uri: captureFile('domain_translation_struct').toString(), bdf: '00:02.0', iova: '0xffefd000' });
      assert.equal(r.hpa, '0x268e000');
      assert.equal(api.client.isRunning(), true);
      assert.deepEqual(stops, []);
    } finally {
      listener.dispose();
    }
  });

  it('Open Large Dump File shows a read-only summary; closing its tab makes the server let the file go', async () => {
    const api = await viommuApi();
    const stats = async () => ((await api.client.sendRequest('viommu/serverStats', {})) as ServerStats).held;
    const folder = vscode.Uri.joinPath(workspaceRoot(), 'large-file');
    const file = vscode.Uri.joinPath(folder, 'domain_translation_struct');
    await vscode.workspace.fs.writeFile(file, await vscode.workspace.fs.readFile(captureFile('domain_translation_struct')));
    try {
      const result = (await vscode.commands.executeCommand('viommu.openLargeFile', file)) as OpenLargeFileResult;
      assert.equal(result.error, undefined);
      assert.equal(result.format, 'domain_translation_struct');
      const editor = await eventually('the summary in the active editor', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'viommu-large-file' ? vscode.window.activeTextEditor : undefined));
      assert.equal(editor.document.languageId, 'markdown');
      assert.equal(editor.document.isDirty, false, 'read-only: closing it asks nothing');
      assert.match(editor.document.getText(), /format: \*\*domain_translation_struct\*\*/);
      assert.deepEqual((await stats()).largeFiles, [file.toString()]);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await eventuallyAsync('the server to let the large file go', async () => ((await stats()).largeFiles.length === 0 ? true : undefined));
    } finally {
      await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
    }
  });

  it('Open Large Dump File streams a file above the setting; Go to Line shows any line of it, read from disk', async () => {
    const api = await viommuApi();
    const stats = async () => ((await api.client.sendRequest('viommu/serverStats', {})) as ServerStats).held;
    const config = vscode.workspace.getConfiguration('viommu');
    await config.update('largeFiles.streamAboveMB', 0, vscode.ConfigurationTarget.Global);
    const folder = vscode.Uri.joinPath(workspaceRoot(), 'streamed-file');
    const file = vscode.Uri.joinPath(folder, 'qemu-vtd.trace');
    const trace = await vscode.workspace.fs.readFile(captureFile('qemu-vtd.trace'));
    await vscode.workspace.fs.writeFile(file, trace);
    const lines = new TextDecoder().decode(trace).split('\n');
    const documentsBefore = (await stats()).documents;
    try {
      const result = (await vscode.commands.executeCommand('viommu.openLargeFile', file)) as OpenLargeFileResult;
      assert.equal(result.error, undefined);
      assert.match(result.streamed ?? '', /events replayed/);
      const summary = await eventually('the summary in the active editor', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'viommu-large-file' ? vscode.window.activeTextEditor : undefined));
      assert.match(summary.document.getText(), /read as a stream/);
      assert.equal((await stats()).documents, documentsBefore, 'nothing of the text is held: no document more than before');
      const editor = (await vscode.commands.executeCommand('viommu.largeFileGoToLine', summary.document.uri, 5000)) as vscode.TextEditor;
      assert.ok(editor, 'a window of lines');
      const selected = editor.document.getText(editor.selection);
      assert.equal(selected, `5000│ ${lines[4999]}`);
      assert.equal(editor.document.isDirty, false);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.window.showTextDocument(summary.document);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await eventuallyAsync('the server to let the streamed file go', async () => ((await stats()).largeFiles.length === 0 ? true : undefined));
    } finally {
      await config.update('largeFiles.streamAboveMB', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
    }
  });
});
