// "vIOMMU: Open Large Dump File…": VS Code does not hand files above 50 MB to
// extensions, so the language server reads the file itself (streaming, with
// progress) and adds it to its capture; this shows what it found in a
// read-only summary. The summary stands for the file: closing its tab tells
// the server to let the file go (its text, its parse, its place in the
// capture), so memory is given back.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CloseLargeFileRequest, OpenLargeFileRequest, type OpenLargeFileResult } from '../../protocol';

const SCHEME = 'viommu-large-file';

function summaryMarkdown(r: OpenLargeFileResult): string {
  const esc = (t: string) => t.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
  const lines = [
    `# ${esc(vscode.Uri.parse(r.uri).fsPath)}`,
    '',
    `- format: **${r.format ?? 'not recognised'}**${r.dialect.length ? ` (${esc(r.dialect.join('; '))})` : ''}`,
    `- ${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.lineCount} lines, ${r.records} records`,
    `- ${r.findingCount} finding(s)${r.findingCount > r.findings.length ? ` (the first ${r.findings.length} below)` : ''}`,
    '',
    'The file is now part of its capture: the vIOMMU views and the other files of the folder see it. Closing this summary closes the file (the language server lets it go).',
  ];
  if (r.findings.length) {
    lines.push('', '| line | severity | code | message |', '|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${f.line + 1} | ${f.severity} | ${esc(f.code)} | ${esc(f.message)} |`);
  }
  return lines.join('\n');
}

/** The summaries of the large files the server holds, as read-only documents; closing one closes its file. */
export class LargeFileSummaries implements vscode.TextDocumentContentProvider {
  /** Summary URI → the large file's URI and its summary. */
  private readonly open = new Map<string, { fileUri: string; markdown: string }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: LanguageClient) {}

  register(): vscode.Disposable[] {
    return [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
          if (uri?.scheme === SCHEME && !this.shown(uri)) void this.close(uri);
        }
      }),
      this.changed,
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.open.get(uri.toString())?.markdown ?? 'This large file was closed. Open it again with "vIOMMU: Open Large Dump File…".';
  }

  async show(result: OpenLargeFileResult): Promise<void> {
    const file = vscode.Uri.parse(result.uri);
    // The .md ending makes it a Markdown document (not a dump: "name.*" patterns of the dumps need the dot after the name).
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `${file.path} (summary).md` });
    this.open.set(uri.toString(), { fileUri: result.uri, markdown: summaryMarkdown(result) });
    this.changed.fire(uri);
    // Not a preview tab: opening another file must not replace it (and so close the large file).
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  }

  /** Large files shown now (their URIs on disk). */
  files(): string[] {
    return [...this.open.values()].map((e) => e.fileUri);
  }

  private shown(uri: vscode.Uri): boolean {
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));
  }

  private async close(uri: vscode.Uri): Promise<void> {
    const entry = this.open.get(uri.toString());
    if (!entry) return;
    this.open.delete(uri.toString());
    await this.client.sendRequest(CloseLargeFileRequest.method, { uri: entry.fileUri });
  }
}

export async function openLargeFile(client: LanguageClient, summaries: LargeFileSummaries, uri?: vscode.Uri): Promise<OpenLargeFileResult | undefined> {
  const target =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open a large dump file (read by the vIOMMU language server)' }))?.[0];
  if (!target) return undefined;
  const result = (await client.sendRequest(OpenLargeFileRequest.method, { uri: target.toString() })) as OpenLargeFileResult;
  if (result.error) {
    void vscode.window.showErrorMessage(`vIOMMU: ${result.error}`);
    return result;
  }
  await summaries.show(result);
  return result;
}
