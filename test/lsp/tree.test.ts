import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaptureSummaryRequest, LocateAddressRequest, SourceInfoRequest, TreeChildrenRequest, TreeNodeAtRequest, type SourceRef } from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server: sidebar tree requests', function () {
  this.timeout(60000);
  let client: TestLspClient;
  const source: SourceRef = { kind: 'capture', uri: pathToFileURL(legacyCaptureDir).toString() };
  before(async () => {
    client = new TestLspClient();
    await client.initialize(legacyCaptureDir);
  });
  after(async () => {
    await client.stop();
  });

  it('serves the Context Tables of a capture folder nobody opened a file of', async () => {
    const roots = await client.request(TreeChildrenRequest, { view: 'contextTables', source });
    assert.deepEqual(roots.map((n) => n.label), ['dmar0']);
    const bus = (await client.request(TreeChildrenRequest, { view: 'contextTables', source, parentId: roots[0].id })).find((n) => n.label === 'Bus 00')!;
    const devices = (await client.request(TreeChildrenRequest, { view: 'contextTables', source, parentId: bus.id })).filter((n) => /^device\b/.test(n.contextValue ?? ''));
    assert.equal(devices.length, 9);
    assert.equal(devices[2].location?.uri, pathToFileURL(join(legacyCaptureDir, 'dmar_translation_struct')).toString());
  });

  it('walks Second-Level Tables down to the alias pair of 00:02.0, in the number format asked for', async () => {
    const ask = (parentId?: string) => client.request(TreeChildrenRequest, { view: 'secondLevelTables', source, parentId, numberFormat: 'hex', pad: true });
    const roots = await ask();
    assert.deepEqual(roots.map((n) => n.label), ['DID 2', 'DID 3', 'DID 4', 'DID 5', 'DID 6', 'DID 7', 'DID 8']);
    const pte = (await ask('d:4/e:3/e:511'))[0];
    assert.equal(pte.description, '0x00ffefd000–0x00ffefdfff → 0x000000268e000 · 4K · RW · alias 0x00ffefe000');
    const coalesced = await client.request(TreeChildrenRequest, { view: 'secondLevelTables', source, parentId: 'd:6', coalesce: true });
    assert.equal(coalesced.length, 2);
  });

  it('filters, and answers an unknown parent or an unknown source kind with no children', async () => {
    const filtered = await client.request(TreeChildrenRequest, { view: 'gsiRouting', source, parentId: 'g:msi', filter: 'irte 17' });
    assert.deepEqual(filtered.map((n) => n.label), ['IRQ 25 virtio1-config']);
    assert.deepEqual(await client.request(TreeChildrenRequest, { view: 'gsiRouting', source, parentId: 'g:nothing/q:1' }), []);
    assert.deepEqual(await client.request(TreeChildrenRequest, { view: 'iotlb', source: { kind: 'simulation', uri: 'sim:1' } }), []);
  });

  it('finds the node of a dump line (an open document of the capture)', async () => {
    const { uri } = await client.open(join(legacyCaptureDir, 'ir_translation_struct'), 'viommu-irte');
    assert.equal(await client.request(TreeNodeAtRequest, { view: 'gsiRouting', source, uri, line: 4 }), 'g:ioapic/q:0/i:1');
    assert.equal(await client.request(TreeNodeAtRequest, { view: 'gsiRouting', source, uri, line: 9, filter: 'irte 1' }), null);
    const pt = pathToFileURL(join(legacyCaptureDir, 'domain_translation_struct')).toString();
    assert.equal(await client.request(TreeNodeAtRequest, { view: 'secondLevelTables', source, uri: pt, line: 9 }), 'd:4/e:3/e:511/e:254');
  });

  it('says what the source is and what each view cannot know', async () => {
    const info = await client.request(SourceInfoRequest, { source, view: 'gsiRouting' });
    assert.equal(info?.name, 'linux-6.1-qemu-7.2-legacy');
    assert.deepEqual(info?.counts, { units: 1, requesters: 9, domains: 7, irtes: 17, irqs: 18, faults: 2 });
    assert.match(info?.note ?? '', /irqchip/);
    assert.equal(await client.request(SourceInfoRequest, { source: { kind: 'capture', uri: 'file:///no/such/folder' } }), null, 'no capture there');
  });

  it('keeps the fingerprint while nothing changes, and moves it when a file of the capture does', async () => {
    const first = await client.request(SourceInfoRequest, { source });
    const again = await client.request(SourceInfoRequest, { source, view: 'contextTables' });
    assert.ok(first?.fingerprint);
    assert.equal(again?.fingerprint, first.fingerprint);
    // Opening a file changes nothing the views show.
    const path = join(legacyCaptureDir, 'interrupts');
    const { uri } = await client.open(path, 'viommu-interrupts');
    assert.equal((await client.request(SourceInfoRequest, { source }))?.fingerprint, first.fingerprint);
    // Renaming an IRQ's action does.
    const text = readFileSync(path, 'utf8');
    await client.change(uri, 2, text.replace('virtio1-config', 'virtio1-renamed'));
    const moved = await client.request(SourceInfoRequest, { source });
    assert.notEqual(moved?.fingerprint, first.fingerprint);
    const irqs = await client.request(TreeChildrenRequest, { view: 'gsiRouting', source, parentId: 'g:msi' });
    assert.equal(irqs[0].label, 'IRQ 25 virtio1-renamed');
    await client.change(uri, 3, text);
    assert.equal((await client.request(SourceInfoRequest, { source }))?.fingerprint, first.fingerprint);
  });

  it('says which files of a capture folder it left out, and why: two too large, a link to nothing, a FIFO, those beyond 2000', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-left-out-'));
    copyFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), join(dir, 'dmar_translation_struct'));
    // Sparse: 70 MiB on paper, nothing on disk; the server leaves it out without reading it.
    writeFileSync(join(dir, 'domain_translation_struct'), '');
    truncateSync(join(dir, 'domain_translation_struct'), 70 * 1024 * 1024);
    writeFileSync(join(dir, 'kernel.log'), '');
    truncateSync(join(dir, 'kernel.log'), 65 * 1024 * 1024);
    for (let i = 0; i < 2100; i++) writeFileSync(join(dir, `note-${String(i).padStart(4, '0')}`), `line ${i}\n`);
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const folder: SourceRef = { kind: 'capture', uri: pathToFileURL(dir).toString() };
    const info = await client.request(SourceInfoRequest, { source: folder, view: 'contextTables' });
    assert.match(
      info?.message ?? '',
      /^Left out of this capture: dangling \(no such file or folder \(a link to nothing\?\) \(ENOENT\)\); domain_translation_struct \(70 MiB, more than the 64 MiB a file is read up to; open it with "vIOMMU: Open Large Dump File…", which streams it\); fifo \(not a regular file \(a FIFO, a device or a socket could block the reader\)\); 1 more; 105 more files or folders \(a capture folder is read up to 2000 files\)\.$/,
    );
    // The capture still holds what it read: dmar_translation_struct's unit and devices.
    assert.equal(info?.counts.requesters, 9);
    const summary = await client.request(CaptureSummaryRequest, { uri: pathToFileURL(dir).toString() });
    assert.deepEqual(summary?.leftOut.map((f) => f.name), ['dangling', 'domain_translation_struct', 'fifo', 'kernel.log', '105 more files or folders']);
  });

  it('finds an IOVA in every domain that maps it and a host address through the reverse map, at their dump rows', async () => {
    const uri = pathToFileURL(legacyCaptureDir).toString();
    const iova = await client.request(LocateAddressRequest, { uri, address: '0xffefd000' });
    const domains = iova.found.filter((f) => f.kind === 'iova');
    assert.ok(domains.some((f) => /in domain 4 \(00:02\.0\)/.test(f.label) && /→ 0x268e000/.test(f.description)), JSON.stringify(iova.found));
    assert.ok(domains.every((f) => f.location.uri.endsWith('/domain_translation_struct')));
    const hpa = await client.request(LocateAddressRequest, { uri, address: '0x268e000' });
    const back = hpa.found.find((f) => f.kind === 'hpa');
    assert.ok(back && /IOVA 0xffefd000/.test(back.description), JSON.stringify(hpa.found));
    assert.equal(back.location.line, 8);
    assert.deepEqual((await client.request(LocateAddressRequest, { uri, address: '0x7777000000' })).found, []);
    assert.match((await client.request(LocateAddressRequest, { uri, address: 'nope' })).error ?? '', /not a 64-bit address/);
  });
});
