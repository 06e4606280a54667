import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { CompareCapturesResult } from '../../../src/protocol';
import { captureFile, closeAllEditors, eventually, workspaceRoot } from './helpers';

describe('Compare Captures', () => {
  after(closeAllEditors);

  it('opens a clean, read-only preview whose links to both captures are relative (the preview does not follow file:// links)', async () => {
    const capture = vscode.Uri.joinPath(captureFile('dmesg'), '..');
    const copy = vscode.Uri.joinPath(workspaceRoot(), 'compare (after)');
    await vscode.workspace.fs.copy(capture, copy, { overwrite: true });
    try {
      // Four consecutive leaves of domain 4 unmapped in the copy, and one context entry's DID changed.
      const table = vscode.Uri.joinPath(copy, 'domain_translation_struct');
      const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(table)).split('\n');
      const at = lines.findIndex((l) => l.startsWith('0x00000000ffefd |'));
      assert.ok(at > 0);
      lines.splice(at, 4);
      await vscode.workspace.fs.writeFile(table, new TextEncoder().encode(lines.join('\n')));
      const result = (await vscode.commands.executeCommand('viommu.compareCaptures', capture, [capture, copy])) as CompareCapturesResult & { document?: string };
      assert.equal(result.error, undefined);
      assert.equal(result.counts.mappings, 1, 'one range of four pages');
      assert.ok(result.document, 'written as a document of its own');
      const md = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(result.document)));
      const plain = md.replace(/\\(.)/g, '$1');
      assert.match(plain, /: range unmapped$/m, 'headed as a range, not as the domain removed');
      assert.match(plain, /4 pages\) no longer mapped; it was → 0x[0-9a-f]+–0x[0-9a-f]+ RW|4 pages\) no longer mapped; it was → 4 host pages not in one range/);
      assert.doesNotMatch(md, /\]\(file:/, 'no file:// link left');
      assert.match(md, /\]\((\.\.\/)+[^)]*domain_translation_struct#L\d+\)/, 'a relative link to the dump line');
      // Shown as a preview only: nothing dirty, nothing to save.
      await eventually('the Markdown preview', () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType)),
      );
      assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()), []);
    } finally {
      await vscode.workspace.fs.delete(copy, { recursive: true, useTrash: false });
    }
  });
});
