import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloseLargeFileRequest, LargeFileLinesRequest, OpenLargeFileRequest, ServerStatsRequest, TraceTimelineRequest, TranslateRequest } from '../../src/protocol';
import { generatePageTableDump } from '../../bench/generatePageTable';
import { TestLspClient } from './lspClient';
import { fixturesDir } from '../helpers';

describe('language server: files too large for the editor', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => {
    client = new TestLspClient();
    await client.initialize(tmpdir());
  });
  after(async () => {
    await client.stop();
  });

  it('reads a file itself, streaming, and makes it part of its capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-large-'));
    const { text, rows } = generatePageTableDump(6 * 1024 * 1024);
    const path = join(dir, 'domain_translation_struct');
    writeFileSync(path, text);
    // The context entry of 00:02.0: DID 4, AW 2 (4-level), table at 0x1a9a000 (the generated dump's pgd).
    writeFileSync(
      join(dir, 'dmar_translation_struct'),
      'IOMMU dmar0: Root Table Address: 0x1a8e000\n' +
        'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n' +
        '00:02.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000402:0x0000000001a9a001\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n',
    );
    const uri = pathToFileURL(path).toString();
    const r = await client.request(OpenLargeFileRequest, { uri });
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'domain_translation_struct');
    assert.equal(r.lineCount, rows + 2);
    assert.equal(r.findingCount, 0);
    // The walk now sees the file's table (the generator maps pfn 0x100000 + k to 0x10000000 + k pages).
    const walk = await client.request(TranslateRequest, { uri, bdf: '00:02.0', iova: '0x100005000' });
    assert.equal(walk.ok, true, JSON.stringify(walk));
    assert.equal(walk.hpa, '0x10005000');
    assert.equal(walk.steps.find((s) => s.name === 'PTE')?.entry, '0x10005003');

    // Closed (the client does it when its summary's tab closes): the server lets the file go, and the walk no longer sees it.
    const held = await client.request(ServerStatsRequest, {});
    assert.deepEqual(held.held.largeFiles, [uri]);
    assert.equal(held.held.documents, 1);
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri }), { closed: true });
    const after = await client.request(ServerStatsRequest, {});
    assert.deepEqual(after.held, { documents: 0, largeFiles: [], captures: 0, diskFiles: 0 });
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri }), { closed: false }, 'closing twice is no error');
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri: 'file:///etc/passwd' }), { closed: false }, 'a URI it never opened');
  });

  it('streams a file above streamAboveMiB: its summary with the replay, findings, and any line read from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-large-'));
    const trace = readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy', 'qemu-vtd.trace'), 'utf8');
    // Three copies and a garbled line: 130,000 lines.
    const text = trace + trace + 'garbage that is not an event\n' + trace;
    const path = join(dir, 'qemu-vtd.trace');
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    const r = await client.request(OpenLargeFileRequest, { uri, streamAboveMiB: 1 });
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'qemu_trace');
    const lines = text.split('\n');
    assert.equal(r.lineCount, lines.length - 1);
    assert.match(r.streamed ?? '', /events replayed\. IOTLB [\d,]+ hits/);
    assert.ok(r.findings.some((f) => f.line === 2 * 42896), 'the garbled line is a finding at its line');
    // Any line, read by byte offset: the first, one in the middle, the last, past the end.
    for (const at of [0, 1, 4095, 4096, 70001, lines.length - 3]) {
      const got = await client.request(LargeFileLinesRequest, { uri, line: at, count: 3 });
      assert.deepEqual(got.lines, lines.slice(at, at + 3).filter((_l, i) => at + i < lines.length - 1), `line ${at}`);
    }
    assert.deepEqual((await client.request(LargeFileLinesRequest, { uri, line: 10 ** 9, count: 5 })).lines, []);
    // Its timeline was made while it streamed: columns over its three copies of the trace.
    const timeline = await client.request(TraceTimelineRequest, { source: { kind: 'trace', uri } });
    assert.ok(timeline && timeline.x.length > 100 && timeline.lanes.length > 5, JSON.stringify(timeline?.lanes.map((l) => l.label)));
    assert.equal(timeline.lanes.find((l) => l.label === 'IOTLB hits')!.counts.reduce((a, b) => a + b, 0), 3 * 3352);
    // Nothing of the text is held: no document, and the summary is all.
    const held = await client.request(ServerStatsRequest, {});
    assert.deepEqual(held.held.largeFiles, [uri]);
    assert.equal(held.held.documents, 0);
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri }), { closed: true });
    assert.match((await client.request(LargeFileLinesRequest, { uri, line: 0, count: 1 })).error ?? '', /not open/);
  });

  it('streams a kernel log above streamAboveMiB: its IOMMU lines and faults counted, a malformed fault line a finding at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-large-'));
    const log = readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy', 'dmesg'), 'utf8');
    const copies = Math.ceil((1.5 * 2 ** 20) / log.length);
    const bad = '[   14.600000] DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0xzz [fault reason 0x06] PTE Read access is not set\n';
    const text = log.repeat(copies) + bad;
    const path = join(dir, 'dmesg');
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    const r = await client.request(OpenLargeFileRequest, { uri, streamAboveMiB: 1 });
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'dmesg');
    assert.match(r.streamed ?? '', new RegExp(`IOMMU lines \\(${2 * copies} faults\\)`));
    assert.ok(r.findings.some((f) => f.code === 'malformed-fault-line' && f.line === text.split('\n').length - 2), 'the bad fault line is a finding at its line');
    const held = await client.request(ServerStatsRequest, {});
    assert.equal(held.held.documents, 0);
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri }), { closed: true });
  });

  it('reads a held file through the same decoder as a streamed one: UTF-16 (what PowerShell writes) too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-large-'));
    const path = join(dir, 'dmar_translation_struct');
    const text = readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-legacy', 'dmar_translation_struct'), 'utf8');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const uri = pathToFileURL(path).toString();
    const r = await client.request(OpenLargeFileRequest, { uri });
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'dmar_translation_struct');
    assert.equal(r.lineCount, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    assert.deepEqual(await client.request(CloseLargeFileRequest, { uri }), { closed: true });
  });

  it('says why when a file cannot be read', async () => {
    const r = await client.request(OpenLargeFileRequest, { uri: pathToFileURL(join(tmpdir(), 'does-not-exist-viommu')).toString() });
    assert.match(r.error ?? '', /ENOENT/);
    const u = await client.request(OpenLargeFileRequest, { uri: 'untitled:Untitled-1' });
    assert.match(u.error ?? '', /Only files on disk/);
  });

  it('refuses a device and a FIFO instead of reading forever', async function () {
    if (process.platform === 'win32') this.skip();
    const zero = await client.request(OpenLargeFileRequest, { uri: pathToFileURL('/dev/zero').toString() });
    assert.match(zero.error ?? '', /^zero is not a regular file/);
    const fifo = join(mkdtempSync(join(tmpdir(), 'viommu-fifo-')), 'dmesg');
    execFileSync('mkfifo', [fifo]);
    const f = await client.request(OpenLargeFileRequest, { uri: pathToFileURL(fifo).toString() });
    assert.match(f.error ?? '', /^dmesg is not a regular file/);
    assert.equal(client.exited, false);
  });
});
