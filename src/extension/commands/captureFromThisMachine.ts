// "vIOMMU: Capture from This Machine…": runs `viommu capture` as root in a
// terminal (the user sees and confirms the sudo prompt) and offers to open the
// folder when it is done. Runs commands, so it needs a trusted workspace.

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { captureCommandLine } from '../captureCommandLine';

export async function captureFromThisMachine(context: vscode.ExtensionContext): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Capturing runs commands as root: trust this workspace first (Workspaces: Manage Workspace Trust).');
    return;
  }
  if (process.platform !== 'linux') {
    void vscode.window.showErrorMessage('Capturing reads the Linux kernel\'s debugfs: run VS Code (or a remote window) on the Linux machine to inspect.');
    return;
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const target = await vscode.window.showSaveDialog({
    title: 'Capture the IOMMU state into a new folder',
    defaultUri: base ? vscode.Uri.joinPath(base, `viommu-capture-${stamp}`) : undefined,
    saveLabel: 'Capture here',
  });
  if (!target) return;
  const out = target.fsPath;
  const terminal = vscode.window.createTerminal({ name: 'vIOMMU capture' });
  terminal.show();
  terminal.sendText(captureCommandLine(process.execPath, context.asAbsolutePath(join('dist', 'cli.js')), out));
  const done = vscode.window.onDidCloseTerminal(async (t) => {
    if (t !== terminal) return;
    done.dispose();
    if (existsSync(join(out, 'manifest.json'))) {
      const open = await vscode.window.showInformationMessage(`Captured into ${out}.`, 'Open dmar_translation_struct');
      if (open) await vscode.window.showTextDocument(vscode.Uri.file(join(out, 'dmar_translation_struct')));
    }
  });
  context.subscriptions.push(done);
  void vscode.window.showInformationMessage('The capture runs in the "vIOMMU capture" terminal (sudo asks for your password there). Close the terminal when it is done.');
}
