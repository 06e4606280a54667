import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest, CompletionRequest, HoverRequest, type CompletionItem, type CompletionList, type Hover, type MarkupContent } from 'vscode-languageserver/node';
import { SCENARIO_LANGUAGE, SIMULATION_COMMANDS } from '../../src/protocol';
import { repoRoot } from '../helpers';
import { TestLspClient } from './lspClient';

const labels = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);
const hoverText = (h: Hover | null) => (h?.contents as MarkupContent | undefined)?.value ?? '';

describe('language server: scenario files (*.viommu.yaml)', function () {
  this.timeout(60000);
  let client: TestLspClient;
  const dir = mkdtempSync(join(tmpdir(), 'viommu-scenario-'));
  before(async () => {
    client = new TestLspClient();
    await client.initialize(dir);
  });
  after(() => client.stop());

  it('puts each error at its line and column, and nothing on a good file', async () => {
    const path = join(dir, 'bad.viommu.yaml');
    const text = ['name: bad', 'platform:', '  caching-mode: maybe', '  aw-bits: 40', 'devices:', '  - { name: net0, bdf: "00:03.0" }', 'workload:', '  requests:', '    - { type: dma, device: net1, iova: 0x1000 }', ''].join('\n');
    writeFileSync(path, text);
    const { diagnostics } = await client.open(path, SCENARIO_LANGUAGE, text);
    const at = diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.message]);
    assert.deepEqual(at, [
      [2, 16, 'platform.caching-mode: expected on or off'],
      [3, 11, 'platform.aw-bits: expected one of 39, 48, 57, got 40'],
    ]);
    const fixed = text.replace('maybe', 'on').replace('40', '39');
    const next = await client.change(pathToFileURL(path).toString(), 2, fixed);
    assert.deepEqual(next.map((d) => [d.range.start.line, d.range.start.character, d.message]), [[8, 27, 'workload.requests[0].device: no device named "net1" (devices: net0)']]);
    const good = join(repoRoot, 'samples', 'scenarios', 'dynamic-strict.viommu.yaml');
    assert.deepEqual((await client.open(good, SCENARIO_LANGUAGE)).diagnostics, [], 'a built-in loads cleanly, and gets no dump finding');
  });

  it('completes the keys a map may still take and the values of a key', async () => {
    const path = join(dir, 'typing.viommu.yaml');
    const text = ['name: typing', 'platform:', '  iommu: intel-iommu', '  ', '  vhost: on', 'devices:', '  - { name: edu, bdf: "00:05.0", kind:  }', 'workload:', '  requests:', '    - { type: dma, device:  }', ''].join('\n');
    const { uri } = await client.open(path, SCENARIO_LANGUAGE, text);
    const complete = (at: string, line: number, character: number) => client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: at }, position: { line, character } });
    const keys = labels(await complete(uri, 3, 2));
    assert.ok(keys.includes('caching-mode') && keys.includes('x-scalable-mode') && keys.includes('irqchip'), keys.join(' '));
    assert.ok(!keys.includes('iommu') && !keys.includes('vhost'), 'keys already set are not offered again');
    assert.deepEqual(labels(await complete(uri, 6, 40)), ['virtio-net', 'ats-nic', 'emulated', 'vfio']);
    assert.deepEqual(labels(await complete(uri, 9, 28)), ['edu'], 'a request names a device of the file');
    const root = labels(await complete(uri, 10, 0));
    assert.ok(root.includes('guest') && root.includes('costs') && !root.includes('platform'), root.join(' '));
    const values = await client.open(join(dir, 'values.viommu.yaml'), SCENARIO_LANGUAGE, 'name: values\nplatform:\n  caching-mode: \n');
    assert.deepEqual(labels(await complete(values.uri, 2, 16)), ['on', 'off']);
    // Past the end of the file or of a line (a client may ask there): an answer, not an error.
    const past = labels(await complete(uri, 500, 3));
    assert.ok(past.includes('guest') && !past.includes('platform'), past.join(' '));
    assert.deepEqual(labels(await complete(values.uri, 2, 400)), ['on', 'off']);
    assert.ok(Array.isArray(labels(await complete(values.uri, 2 ** 31 - 1, 2 ** 31 - 1))));
    const hover = (line: number, character: number) => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: values.uri }, position: { line, character } });
    assert.equal(await hover(2 ** 31 - 1, 5), null);
    assert.equal(await hover(2, 400), null);
  });

  it('reads the YAML the scenarios are written in: one-line flow maps and lists, block scalars, comments', async () => {
    const text = [
      'name: shapes # a comment: with a colon',
      'description: >-',
      '  The guest maps: nothing here is a key,',
      '  platform: neither is this.',
      'devices: [{ name: net0, bdf: "00:03.0", kind:  }, { name: nic1,  }]',
      'platform: { irqchip:  }',
      'guest:',
      '  dma: dynamic',
      '  # invalidation: lazy',
      '  ',
      '',
    ].join('\n');
    const { uri } = await client.open(join(dir, 'shapes.viommu.yaml'), SCENARIO_LANGUAGE, text);
    const complete = (line: number, character: number) => client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } });
    assert.deepEqual(labels(await complete(2, 18)), [], 'inside a block scalar');
    assert.deepEqual(labels(await complete(4, 46)), ['virtio-net', 'ats-nic', 'emulated', 'vfio'], 'a map inside a flow list');
    const second = labels(await complete(4, 64));
    assert.ok(second.includes('bdf') && !second.includes('name'), `the second device's keys: ${second.join(' ')}`);
    assert.deepEqual(labels(await complete(5, 21)), ['split', 'on', 'off']);
    const guest = labels(await complete(9, 2));
    assert.ok(guest.includes('invalidation') && !guest.includes('dma'), 'a commented-out key is not there');
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 3, character: 4 } });
    assert.equal(hover, null, 'text of a block scalar is not a key');
  });

  it('hovers a key with its meaning, values and default, and a cost constant with its source', async () => {
    const path = join(dir, 'hover.viommu.yaml');
    const text = ['name: hover', 'platform:', '  caching-mode: on', '  irqchip: sideways', 'costs:', '  devtlb-miss-ns: 20000', ''].join('\n');
    const { uri } = await client.open(path, SCENARIO_LANGUAGE, text);
    const hover = (line: number, character: number) => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    const cm = hoverText(await hover(2, 4));
    assert.match(cm, /CAP\.CM: the guest must invalidate after every map too/);
    assert.match(cm, /`on` or `off` \(default `off`\)/);
    assert.match(hoverText(await hover(3, 14)), /`sideways` is not one of them/);
    const cost = hoverText(await hover(5, 5));
    assert.match(cost, /Default 15000 ns, \[E\] an estimate to calibrate/);
    assert.match(cost, /vhost IOTLB miss as vhost waits for it/);
  });

  it('offers to run the scenario or step through it in the sidebar, above its first line', async () => {
    const path = join(repoRoot, 'samples', 'scenarios', 'fault-unmapped-iova.viommu.yaml');
    const uri = pathToFileURL(path).toString();
    await client.open(path, SCENARIO_LANGUAGE, readFileSync(path, 'utf8'));
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.command, l.command?.arguments]),
      [
        [0, SIMULATION_COMMANDS.runScenario, [uri]],
        [0, SIMULATION_COMMANDS.stepInSidebar, [uri]],
      ],
    );
  });
});
