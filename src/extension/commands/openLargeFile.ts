// "vIOMMU: Open Large Dump File…": VS Code does not hand files above 50 MB to
// extensions, so the language server reads the file itself (streaming, with
// progress) and adds it to its capture; this shows what it found in a
// read-only summary. The summary stands for the file: closing its tab tells
// the server to let the file go (its text, its parse, its place in the
// capture), so memory is given back.

import * as vscode from 'vscode';
import type { ServerRequests } from '../views/serverRequests';
import { CloseLargeFileRequest, LargeFileLinesRequest, OpenLargeFileRequest, type OpenLargeFileResult } from '../../protocol';
import { CONTEXT_KEYS, setContextKey } from '../contextKeys';

const SCHEME = 'viommu-large-file';

function summaryMarkdown(r: OpenLargeFileResult): string {
  const esc = (t: string) => t.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
  const lines = [
    `# ${esc(vscode.Uri.parse(r.uri).fsPath)}`,
    '',
    `- format: **${r.format ?? 'not recognised'}**${r.dialect.length ? ` (${esc(r.dialect.join('; '))})` : ''}`,
    `- ${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.lineCount} lines, ${r.records} records`,
    `- ${r.findingCount} finding(s)${r.findingCount > r.findings.length ? ` (the first ${r.findings.length} below)` : ''}`,
    ...(r.streamed ? [`- ${esc(r.streamed)}`] : []),
    '',
    r.streamed
      ? 'The file was streamed (too large to hold): its summary and findings are above, the views do not show it. *vIOMMU: Go to Line in Large File…* (this tab\'s title bar) reads any of its lines from disk. Closing this summary closes the file.'
      : 'The file is now part of its capture: the vIOMMU views and the other files of the folder see it. *vIOMMU: Go to Line in Large File…* shows any of its lines. Closing this summary closes the file (the language server lets it go).',
  ];
  if (r.findings.length) {
    lines.push('', '| line | severity | code | message |', '|---|---|---|---|');
    for (const f of r.findings) lines.push(`| ${f.line + 1} | ${f.severity} | ${esc(f.code)} | ${esc(f.message)} |`);
  }
  return lines.join('\n');
}

/** The summaries of the large files the server holds, as read-only documents; closing one closes its file. */
export class LargeFileSummaries implements vscode.TextDocumentContentProvider {
  /** Summary URI → the large file's URI, its summary and line count. */
  private readonly open = new Map<string, { fileUri: string; markdown: string; lineCount: number }>();
  /** Windows of lines of large files (read-only documents), by URI. */
  private readonly windows = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly server: ServerRequests) {}

  register(): vscode.Disposable[] {
    return [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
          if (uri?.scheme === SCHEME && !this.shown(uri)) {
            this.windows.delete(uri.toString());
            void this.close(uri);
          }
        }
      }),
      this.changed,
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.open.get(uri.toString())?.markdown ?? this.windows.get(uri.toString()) ?? 'This large file was closed. Open it again with "vIOMMU: Open Large Dump File…".';
  }

  /** The summary a URI is, or the one shown in the active editor (or the only one). */
  summaryFor(uri?: vscode.Uri): { uri: string; fileUri: string; lineCount: number } | undefined {
    const key = (uri ?? vscode.window.activeTextEditor?.document.uri)?.toString();
    const entry = key !== undefined ? this.open.get(key) : undefined;
    if (entry && key) return { uri: key, ...entry };
    if (this.open.size === 1) {
      const [k, e] = [...this.open.entries()][0];
      return { uri: k, ...e };
    }
    return undefined;
  }

  /** Shows lines around `line` (1-based) of a large file in a read-only document, the line selected. */
  async showLines(summary: { fileUri: string; lineCount: number }, line: number): Promise<vscode.TextEditor | undefined> {
    const BEFORE = 100;
    const first = Math.max(0, line - 1 - BEFORE);
    const r = await this.server.request(LargeFileLinesRequest, { uri: summary.fileUri, line: first, count: 2 * BEFORE + 1 });
    if (r.error) {
      void vscode.window.showErrorMessage(`vIOMMU: ${r.error}`);
      return undefined;
    }
    const file = vscode.Uri.parse(summary.fileUri);
    const last = r.first + r.lines.length;
    // Line numbers of the file beside each line: the document's own start at 1.
    const width = String(last).length;
    const text = r.lines.map((l, i) => `${String(r.first + i + 1).padStart(width)}│ ${l}`).join('\n') + '\n';
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `${file.path} (lines ${r.first + 1}-${last})` });
    this.windows.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = Math.min(line - 1 - r.first, Math.max(doc.lineCount - 1, 0));
    const editor = await vscode.window.showTextDocument(doc, { preview: true });
    const sel = new vscode.Range(at, 0, at, doc.lineAt(Math.max(at, 0)).text.length);
    editor.selection = new vscode.Selection(sel.start, sel.end);
    editor.revealRange(sel, vscode.TextEditorRevealType.InCenter);
    return editor;
  }

  async show(result: OpenLargeFileResult): Promise<void> {
    const file = vscode.Uri.parse(result.uri);
    // The .md ending makes it a Markdown document (not a dump: "name.*" patterns of the dumps need the dot after the name).
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `${file.path} (summary).md` });
    this.open.set(uri.toString(), { fileUri: result.uri, markdown: summaryMarkdown(result), lineCount: result.lineCount });
    void setContextKey(CONTEXT_KEYS.largeFileOpen, true);
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
    void setContextKey(CONTEXT_KEYS.largeFileOpen, this.open.size > 0);
    await this.server.request(CloseLargeFileRequest, { uri: entry.fileUri });
  }
}

export async function openLargeFile(server: ServerRequests, summaries: LargeFileSummaries, uri?: vscode.Uri): Promise<OpenLargeFileResult | undefined> {
  const target =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open a large dump file (read by the vIOMMU language server)' }))?.[0];
  if (!target) return undefined;
  const streamAboveMiB = vscode.workspace.getConfiguration('viommu').get<number>('largeFiles.streamAboveMB', 128);
  const result = await server.request(OpenLargeFileRequest, { uri: target.toString(), streamAboveMiB });
  if (result.error) {
    void vscode.window.showErrorMessage(`vIOMMU: ${result.error}`);
    return result;
  }
  await summaries.show(result);
  return result;
}

/** "vIOMMU: Go to Line in Large File…": asks a line number (or takes one) and shows the lines around it. */
export async function largeFileGoToLine(summaries: LargeFileSummaries, uri?: vscode.Uri, line?: number): Promise<vscode.TextEditor | undefined> {
  const summary = summaries.summaryFor(uri instanceof vscode.Uri ? uri : undefined);
  if (!summary) {
    void vscode.window.showInformationMessage('vIOMMU: open a large file first ("vIOMMU: Open Large Dump File…"), then go to a line of it from its summary.');
    return undefined;
  }
  let n = typeof line === 'number' ? line : undefined;
  if (n === undefined) {
    const answer = await vscode.window.showInputBox({
      title: 'Go to line of a large file',
      prompt: `A line number from 1 to ${summary.lineCount.toLocaleString('en-US')}`,
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= summary.lineCount ? undefined : `A number from 1 to ${summary.lineCount}`),
    });
    if (answer === undefined) return undefined;
    n = Number(answer.trim());
  }
  return summaries.showLines(summary, Math.max(1, Math.min(n, summary.lineCount)));
}
