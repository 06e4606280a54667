// "vIOMMU: Open Large Dump File…": VS Code does not hand files above 50 MB to
// extensions, so the language server reads the file itself (streaming, with
// progress) and adds it to its capture; this shows what it found.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { OpenLargeFileRequest, type OpenLargeFileResult } from '../../protocol';

function summaryMarkdown(r: OpenLargeFileResult): string {
  const esc = (t: string) => t.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
  const lines = [
    `# ${esc(vscode.Uri.parse(r.uri).fsPath)}`,
    '',
    `- format: **${r.format ?? 'not recognised'}**${r.dialect.length ? ` (${esc(r.dialect.join('; '))})` : ''}`,
    `- ${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.lineCount} lines, ${r.records} records`,
    `- ${r.findingCount} finding(s)${r.findingCount > r.findings.length ? ` (the first ${r.findings.length} below)` : ''}`,
    '',
    'The file is now part of its capture: the vIOMMU views and the other files of the folder see it.',
  ];
  if (r.findings.length) {
    lines.push('', '| line | severity | code | message |', '|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${f.line + 1} | ${f.severity} | ${esc(f.code)} | ${esc(f.message)} |`);
  }
  return lines.join('\n');
}

export async function openLargeFile(client: LanguageClient, uri?: vscode.Uri): Promise<OpenLargeFileResult | undefined> {
  const target =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open a large dump file (read by the vIOMMU language server)' }))?.[0];
  if (!target) return undefined;
  const result = (await client.sendRequest(OpenLargeFileRequest.method, { uri: target.toString() })) as OpenLargeFileResult;
  if (result.error) {
    void vscode.window.showErrorMessage(`vIOMMU: ${result.error}`);
    return result;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: summaryMarkdown(result) });
  await vscode.window.showTextDocument(doc, { preview: true });
  return result;
}
