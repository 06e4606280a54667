import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server: documents over viommu.maxFileSizeMB', function () {
  this.timeout(60000);

  it('are analysed once edits settle, and the result reflects the last edit', async () => {
    // A limit of 1 KB makes the 20 KB invalidation queue "large".
    const client = new TestLspClient({ inlayHints: 'compact', numberFormat: 'hex', maxFileSizeMB: 1 / 1024 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'viommu-settle-'));
      const path = join(dir, 'invalidation_queue');
      const text = readFileSync(join(legacyCaptureDir, 'invalidation_queue'), 'utf8');
      writeFileSync(path, text);
      await client.initialize(dir);
      const { uri, diagnostics } = await client.open(path, 'viommu-invq', text);
      assert.equal(diagnostics.filter((d) => d.code === 'unrecognised-line').length, 0);
      const lines = text.split('\n');
      const broken = lines.slice();
      broken[5] = 'garbage line';
      const start = Date.now();
      const wait = client.nextDiagnostics(uri);
      // Three quick edits: only the last one counts.
      for (let v = 2; v <= 4; v++) {
        await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: v === 4 ? broken.join('\n') : text }] });
      }
      const after = await wait;
      assert.ok(Date.now() - start >= 900, 'analysed after the edits settled');
      assert.ok(after.some((d) => d.range.start.line === 5), 'the garbage line is reported');
    } finally {
      await client.stop();
    }
  });
});
