// The fidelity work through the language server: walks that say what the
// capture's machine records, first-stage tables decoded with first-stage
// names in hovers and inlay hints, and domains of two units that share a DID
// kept apart in the Second-Level Tables view.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { HoverRequest, InlayHintRequest, type MarkupContent } from 'vscode-languageserver/node';
import { TranslateRequest, TreeChildrenRequest, type SourceRef } from '../../src/protocol';
import { pathToFileURL } from 'node:url';
import { fixturesDir } from '../helpers';
import { TestLspClient } from './lspClient';

const captures = join(fixturesDir, 'captures');

describe('language server: walks, first-stage tables and units as the machine has them', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => {
    client = new TestLspClient();
    await client.initialize(captures);
  });
  after(async () => {
    await client.stop();
  });

  it('walks the scalable capture\'s fault to QEMU\'s 0x06, with the specification\'s 0x79 beside it', async () => {
    const dir = join(captures, 'linux-6.1-qemu-7.2-scalable');
    const { uri, diagnostics } = await client.open(join(dir, 'dmesg'), 'viommu-dmesg');
    const r = await client.request(TranslateRequest, { uri, bdf: '00:05.0', iova: '0x2345000' });
    assert.equal(r.outcome, 'fault');
    assert.equal(r.platform, 'qemu');
    assert.equal(r.fault?.reason, 0x06);
    assert.deepEqual(r.alternative && [r.alternative.on, r.alternative.reason], ['hardware', 0x79]);
    const faults = diagnostics.filter((d) => d.code === 'fault');
    assert.equal(faults.length, 2);
    assert.match(String(faults[0].message), /The walk of the same request agrees/);
  });

  it('walks a requester id by its PCI segment (SSSS:BB:DD.F)', async () => {
    const dir = join(captures, 'hw-two-segments');
    const { uri } = await client.open(join(dir, 'dmesg'), 'viommu-dmesg');
    const one = await client.request(TranslateRequest, { uri, bdf: '0001:00:00.0', iova: '0xfffff000' });
    assert.equal(one.hpa, '0x12345000');
    const zero = await client.request(TranslateRequest, { uri, bdf: '0000:00:02.0', iova: '0xfffff000' });
    assert.equal(zero.hpa, '0x23456000');
  });

  it('lists the two DID 1 domains of two units apart, named with their unit', async () => {
    const dir = join(captures, 'hw-two-segments');
    const source: SourceRef = { kind: 'capture', uri: pathToFileURL(dir).toString() };
    const roots = await client.request(TreeChildrenRequest, { view: 'secondLevelTables', source });
    assert.deepEqual(
      roots.map((n) => [n.id, n.label]),
      [
        ['d:1%40dmar0', 'dmar0 DID 1'],
        ['d:1%40dmar1', 'dmar1 DID 1'],
      ],
    );
  });

  it('hovers and hints a first-stage row with first-stage names', async () => {
    const dir = join(captures, 'qemu-10-first-stage');
    const { uri } = await client.open(join(dir, 'domain_translation_struct'), 'viommu-pagetable');
    const text = '0x00000000fffff |\t0x0000000000000000\t0x8000000107eeb027\t0x8000000107eec027\t0x8000000107eed027\t0x8000000182cac867';
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 3, character: text.lastIndexOf('0x8000000182cac867') + 4 } });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /First\\-level PTE/);
    assert.match(value, /\| XD \|/);
    assert.match(value, /\| U\\\/S \|/);
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } } });
    const labels = (hints ?? []).map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.some((l) => /P R\/W U\/S A D XD/.test(l)), labels.join(' | '));
  });
});
