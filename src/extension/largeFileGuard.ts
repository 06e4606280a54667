// Dumps over `viommu.maxFileSizeMB` are slow to edit and to analyse on every
// keystroke: when one opens in an editor, offer the streamed summary instead
// (the language server reads the file itself, in the background).

import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { COMMANDS, SETTINGS } from '../protocol';

export function registerLargeFileGuard(): vscode.Disposable {
  return vscode.workspace.onDidOpenTextDocument(async (doc) => {
    if (!doc.languageId.startsWith('viommu-') || doc.uri.scheme !== 'file') return;
    const limitMB = vscode.workspace.getConfiguration().get<number>(SETTINGS.maxFileSizeMB, 20);
    let size: number;
    try {
      size = statSync(doc.uri.fsPath).size;
    } catch {
      return;
    }
    if (size <= limitMB * 1024 * 1024) return;
    const choice = await vscode.window.showWarningMessage(
      `${doc.uri.path.split('/').pop()} is ${(size / 2 ** 20).toFixed(0)} MB, over viommu.maxFileSizeMB (${limitMB}). Editing it re-analyses the whole dump; the streamed summary reads it in the background instead.`,
      'Open Summary Instead',
      'Keep Editing',
    );
    if (choice !== 'Open Summary Instead') return;
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === doc.uri.toString()) await vscode.window.tabGroups.close(tab);
    }
    await vscode.commands.executeCommand(COMMANDS.openLargeFile, doc.uri);
  });
}
