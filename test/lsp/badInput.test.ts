import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentSymbolRequest, HoverRequest, InlayHintRequest } from 'vscode-languageserver/node';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server on hostile input', function () {
  this.timeout(120000);
  let client: TestLspClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'viommu-bad-'));
    client = new TestLspClient();
    await client.initialize(dir);
  });
  after(async () => {
    await client.stop();
  });

  async function stillAnswers(uri: string): Promise<void> {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 5 } });
    assert.ok(hover === null || typeof hover === 'object');
    const symbols = await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    assert.ok(symbols === null || Array.isArray(symbols));
    assert.equal(client.exited, false, 'the server process is alive');
  }

  it('answers and reports on a 10 MB single line', async () => {
    const path = join(dir, 'iommu_regset');
    const text = 'IOMMU: dmar0 Register Base Address: fed90000\n' + '0x0123456789abcdef:'.repeat(10 * 1024 * 1024 / 19) + '\n';
    writeFileSync(path, text);
    const { uri, diagnostics } = await client.open(path, 'viommu-regset', text);
    assert.ok(diagnostics.length > 0, 'the long line is reported');
    assert.ok(diagnostics.every((d) => d.range.start.line <= 1));
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } } });
    assert.ok(Array.isArray(hints));
    await stillAnswers(uri);
  });

  it('reports a truncated file where it stops', async () => {
    const real = readFileSync(join(legacyCaptureDir, 'ir_translation_struct'), 'utf8');
    const cut = real.slice(0, real.indexOf('000002000023000d') + 7);
    const path = join(dir, 'ir_translation_struct');
    writeFileSync(path, cut);
    const { uri, diagnostics } = await client.open(path, 'viommu-irte', cut);
    const last = cut.split('\n').length - 1;
    assert.ok(diagnostics.some((d) => d.range.start.line === last), `a finding on the cut line ${last}`);
    await stillAnswers(uri);
  });

  it('follows a document that changes format mid-way', async () => {
    const path = join(dir, 'notes.txt');
    const regset = readFileSync(join(legacyCaptureDir, 'iommu_regset'), 'utf8');
    const trace = readFileSync(join(legacyCaptureDir, 'qemu-vtd.trace'), 'utf8').split('\n').slice(0, 200).join('\n');
    const mixed = regset + trace;
    const { uri, diagnostics } = await client.open(path, 'plaintext', mixed);
    // Read as a register dump: the trace half is not register rows.
    assert.ok(diagnostics.some((d) => d.range.start.line > regset.split('\n').length - 2), 'lines of the other format are flagged');
    // The same document edited into a pure trace is re-read as a trace.
    const now = await client.change(uri, 2, trace);
    assert.equal(now.filter((d) => d.code === 'unrecognised-line').length, 0);
    await stillAnswers(uri);
  });
});
