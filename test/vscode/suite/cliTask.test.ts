import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, EXTENSION_ID, eventually } from './helpers';

describe('viommu check as a VS Code task', () => {
  it('lands in the Problems view through the $viommu problem matcher: the kernel log\'s two faults at their lines', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const cli = vscode.Uri.joinPath(ext.extensionUri, 'dist', 'cli.js').fsPath;
    const capture = vscode.Uri.joinPath(captureFile('dmesg'), '..');
    const folder = vscode.workspace.workspaceFolders![0];
    const task = new vscode.Task({ type: 'viommu-check-test' }, folder, 'viommu check', 'viommu', new vscode.ProcessExecution(process.execPath, [cli, 'check', capture.fsPath]), '$viommu');
    const ended = new Promise<number | undefined>((resolve) => {
      const d = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name !== 'viommu check') return;
        d.dispose();
        resolve(e.exitCode);
      });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 0);
    const faults = await eventually('the task\'s problems on dmesg', () => {
      const list = vscode.languages.getDiagnostics(captureFile('dmesg')).filter((d) => d.source === 'viommu check');
      return list.length >= 2 ? list : undefined;
    });
    assert.deepEqual(faults.map((d) => d.range.start.line).sort((a, b) => a - b), [421, 428]);
    assert.ok(faults.every((d) => d.severity === vscode.DiagnosticSeverity.Information));
    assert.ok(faults.every((d) => /Fault 0x0[56]/.test(d.message)));
  });
});
