import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoverRequest, type Diagnostic } from 'vscode-languageserver/node';
import { ServerStatsRequest } from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

/** A deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('language server under thousands of random edits', function () {
  this.timeout(120000);

  it('keeps answering, and its memory does not grow with the number of edits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-edits-'));
    for (const f of ['invalidation_queue', 'iommu_regset', 'dmar_translation_struct', 'ir_translation_struct']) copyFileSync(join(legacyCaptureDir, f), join(dir, f));
    const client = new TestLspClient(undefined, ['--expose-gc']);
    try {
      await client.initialize(dir);
      const path = join(dir, 'invalidation_queue');
      const original = readFileSync(path, 'utf8');
      const { uri } = await client.open(path, 'viommu-invq', original);
      const rand = lcg(42);
      const alphabet = '0123456789abcdefx \t:\n|[]';
      let text = original;
      let version = 1;
      const heapAfter = async (edits: number) => {
        for (let i = 0; i < edits; i++) {
          const at = Math.floor(rand() * text.length);
          const del = Math.floor(rand() * 4);
          const ins = Array.from({ length: Math.floor(rand() * 4) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
          text = text.slice(0, at) + ins + text.slice(at + del);
          // Every 50 edits, back to the real file so the text does not drift into noise.
          if (i % 50 === 49) text = original;
          await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
        }
        await client.change(uri, ++version, original);
        const stats = await client.request(ServerStatsRequest, {});
        return stats.heapUsedBytes + stats.externalBytes;
      };
      const early = await heapAfter(300);
      const late = await heapAfter(2700);
      assert.ok(late < early * 1.5 + 8 * 1024 * 1024, `heap after 3000 edits (${late}) stays near the heap after 300 (${early})`);
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 3, character: 10 } });
      assert.ok(hover, 'still hovers the first descriptor');
      assert.equal(client.exited, false);
    } finally {
      await client.stop();
    }
  });

  it('ends, after range edits of a page-table dump, with the diagnostics of the same text opened afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-edits-'));
    copyFileSync(join(legacyCaptureDir, 'domain_translation_struct'), join(dir, 'domain_translation_struct'));
    const client = new TestLspClient();
    try {
      await client.initialize(dir);
      const path = join(dir, 'domain_translation_struct');
      const original = readFileSync(path, 'utf8');
      const { uri } = await client.open(path, 'viommu-pagetable', original);
      const rand = lcg(7);
      const alphabet = '0123456789abcdefx \t|';
      let lines = original.split('\n');
      let version = 1;
      for (let i = 0; i < 1000; i++) {
        // Mostly edits inside one row (the incremental path), now and then a
        // line end added or removed (the full parse).
        let line = Math.floor(rand() * (lines.length - 1));
        // Rows only: a broken "Device" header would leave the rows after it outside any block.
        while (!lines[line].startsWith('0x')) line = (line + 1) % lines.length;
        const at = Math.floor(rand() * (lines[line].length + 1));
        const del = Math.floor(rand() * 3);
        const ins = rand() < 0.01 ? '\n' : Array.from({ length: Math.floor(rand() * 3) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
        const end = Math.min(at + del, lines[line].length);
        const range = { start: { line, character: at }, end: { line, character: end } };
        lines[line] = lines[line].slice(0, at) + ins + lines[line].slice(end);
        lines = lines.join('\n').split('\n');
        await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range, text: ins }] });
      }
      const edited = lines.join('\n');
      const settled = await client.change(uri, ++version, edited);
      const fresh = await client.open(join(dir, 'copy', 'domain_translation_struct'), 'viommu-pagetable', edited);
      const key = (d: Diagnostic) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)} ${d.message}`;
      assert.ok(settled.length > 10, `the edits left findings (${settled.length})`);
      assert.deepStrictEqual(settled.map(key).sort(), fresh.diagnostics.map(key).sort());
      assert.equal(client.exited, false);
    } finally {
      await client.stop();
    }
  });
});
