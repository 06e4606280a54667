import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { HoverRequest, InlayHintRequest, type MarkupContent } from 'vscode-languageserver/node';
import { TranslateRequest, CaptureSummaryRequest } from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server over stdio', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => {
    client = new TestLspClient();
    await client.initialize(legacyCaptureDir);
  });
  after(async () => {
    await client.stop();
  });

  it('publishes no syntax diagnostics for the real dmar_translation_struct, and hovers its context entry', async () => {
    const { uri, diagnostics } = await client.open(join(legacyCaptureDir, 'dmar_translation_struct'), 'viommu-dmar');
    assert.deepEqual(diagnostics.filter((d) => d.code === 'unrecognised-line'), []);
    // Line 8 (0-based 7) is 00:05.0; the context entry starts after the root entry.
    const line = '00:05.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000701:0x0000000001b1f001';
    const character = line.indexOf('0x0000000000000701') + 5;
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 7, character } });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /Context entry/i);
    assert.match(value, /\| DID \| 87:72 \| `0x7` \| /);
    assert.match(value, /SLPTPTR/);
    assert.match(value, /0x1b1f000/);
  });

  it('gives compact inlay hints after each raw entry', async () => {
    const { uri } = await client.open(join(legacyCaptureDir, 'ir_translation_struct'), 'viommu-irte');
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 22, character: 0 } } });
    assert.equal(hints?.length, 17, 'one hint per IRTE');
    const first = hints![0];
    assert.equal(first.position.line, 3);
    assert.match(typeof first.label === 'string' ? first.label : first.label.map((p) => p.value).join(''), /0x26/);
  });

  it('gives one compact hint a row in a page-table dump (the leaf), none cut inside a value', async () => {
    const { uri } = await client.open(join(legacyCaptureDir, 'domain_translation_struct'), 'viommu-pagetable');
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 40, character: 0 } } });
    const lines = hints!.map((h) => h.position.line);
    assert.ok(hints!.length > 20);
    assert.equal(new Set(lines).size, lines.length, 'at most one hint a row');
    for (const h of hints!) {
      const label = typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
      assert.ok(label.trim().length <= 42, `fits VS Code's 43-character limit: ${label}`);
      assert.doesNotMatch(label, /0x[0-9a-f]*…/, 'no value cut');
    }
  });

  it('explains each fault of the kernel log with an information diagnostic', async () => {
    const { diagnostics } = await client.open(join(legacyCaptureDir, 'dmesg'), 'viommu-dmesg');
    const faults = diagnostics.filter((d) => d.code === 'fault');
    assert.equal(faults.length, 2);
    assert.equal(faults[0].range.start.line, 421);
    assert.match(String(faults[0].message), /0x06 READ: PTE Read access is not set/);
  });

  it('answers viommu/translate with the walk the CLI gives', async () => {
    const { uri } = await client.open(join(legacyCaptureDir, 'domain_translation_struct'), 'viommu-pagetable');
    const r = await client.request(TranslateRequest, { uri, bdf: '00:02.0', iova: '0xffefd000' });
    assert.equal(r.ok, true);
    assert.equal(r.hpa, '0x268e000');
    const pte = r.steps.find((s) => s.name === 'PTE')!;
    assert.equal(pte.entry, '0x268e003');
    assert.equal(pte.location?.line, 8);
    // A 128-bit entry as the dump prints it.
    assert.equal(r.steps.find((s) => s.name === 'context entry')?.entry, '0x0000000000000401:0x0000000001a9a001');
    // Each step names its sidebar node: the bus and device in Context Tables, the entries of DID 4's table.
    assert.deepEqual(
      r.steps.map((s) => s.node && `${s.node.view}:${s.node.id}`),
      [
        'contextTables:u:dmar0/b:00',
        'contextTables:u:dmar0/b:00/d:02.0',
        'secondLevelTables:d:4/e:3',
        'secondLevelTables:d:4/e:3/e:511',
        'secondLevelTables:d:4/e:3/e:511/e:253',
      ],
    );
  });

  it('answers viommu/captureSummary for the capture folder', async () => {
    const { uri } = await client.open(join(legacyCaptureDir, 'iommu_regset'), 'viommu-regset');
    const s = await client.request(CaptureSummaryRequest, { uri });
    assert.equal(s?.units[0].name, 'dmar0');
    assert.equal(s?.units[0].mode, 'legacy');
    assert.equal(s?.domains.find((d) => d.did === 8)?.requesters.join(' '), '00:1f.0 00:1f.2 00:1f.3');
  });

  it('flags a reserved-bit violation and keeps running after binary garbage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-lsp-'));
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, 'iommu_regset'));
    const bad = join(dir, 'dmar_translation_struct');
    const text =
      'IOMMU dmar0: Root Table Address: 0x1a8e000\n' +
      'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n' +
      '00:05.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000701:0x0000000001b1f0f1\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n';
    writeFileSync(bad, text);
    const { uri, diagnostics } = await client.open(bad, 'viommu-dmar', text);
    const reserved = diagnostics.find((d) => d.code === 'reserved-bits');
    assert.ok(reserved, 'reserved bits 11:4 of the context entry are flagged');
    assert.equal(reserved!.range.start.line, 2);
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)).toString('latin1');
    const after = await client.change(uri, 2, garbage);
    assert.ok(Array.isArray(after));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 3 } });
    assert.ok(hover === null || typeof hover === 'object');
    assert.equal(client.exited, false);
  });
});
