// Files of any size: the streamed parsers, cut anywhere, give what the
// whole-file parse gives, and the CLI's streamed check and decode say what
// the in-memory ones say.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { buildCapture } from '../../src/model/buildCapture';
import { describeStreamed, StreamedFile } from '../../src/model/streamedFile';
import { ByteLineChunker, MAX_STREAM_LINE } from '../../src/dumps/lineChunker';
import { parseDomainTranslation } from '../../src/dumps/debugfs/domainTranslation';
import { parseQemuTrace } from '../../src/dumps/qemuTrace/index';
import { DumpTextDecoder } from '../../src/dumps/encoding';
import { replayTrace } from '../../src/model/traceReplay/index';
import { openByteChunks, openTextChunks } from '../../src/io/streamFile';
import { fixturesDir, legacyCaptureDir } from '../helpers';
import { parseKernelLog } from '../../src/dumps/kernelLog/index';

const vmDir = join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy');

function lines(path: string, from: number, to: number): string {
  return readFileSync(path, 'utf8').split('\n').slice(from - 1, to).join('\n') + '\n';
}

/** Lines beyond ASCII (cut inside a character when cut at every byte): a known event with such a string field, an unknown event. */
const NON_ASCII =
  '23245@1796672190.700000:vtd_iotlb_reset IOTLB reset (reason: déjà vu)\n' +
  '23245@1796672190.700001:vtd_ünknown_event naïve 0x10\n'; // not an event name: an unrecognised line

/** A trace excerpt with faults, a QEMU fault message, fills, hits, invalidations and waits. */
const TRACE =
  lines(join(vmDir, 'qemu-vtd.trace'), 30525, 30560) +
  'qemu-system-x86_64: vtd_iommu_translate: detected translation failure (dev=00:05:00, iova=0x2345000)\n' +
  lines(join(legacyCaptureDir, 'qemu-vtd.trace'), 90, 100) +
  NON_ASCII;

/** Three blocks of a page-table dump, one with rows, and two bad rows (one with a character beyond ASCII before the bad value). */
const TABLE =
  lines(join(vmDir, 'domain_translation_struct'), 1, 16) + '0x00000000fff10 |\t0xzz\n' + '0x00000000fff11 |\t0x€1\n' + lines(join(vmDir, 'domain_translation_struct'), 17, 20);

/** The file streamed as the reader hands it on: UTF-8 bytes, cut at these byte offsets. */
function streamed(name: string, text: string, cuts: number[], context = buildCapture([])) {
  const bytes = Buffer.from(text, 'utf8');
  const f = new StreamedFile(name, text.slice(0, 4096), context);
  for (let p = 0; p < f.passes; p++) {
    f.startPass();
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      f.push(bytes.subarray(at, c));
      at = c;
    }
    f.endPass();
  }
  return f.result(bytes.length);
}

/** What a streamed result says, for comparison. */
function essence(r: ReturnType<typeof streamed>): string {
  const p = r.file.parsed!;
  const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
  const records =
    p.format === 'domain_translation_struct'
      ? p.records.map((b) => ({ ...b, rows: Array.from({ length: b.rows.count }, (_, i) => b.rows.row(i)), fileRows: b.rows.rowsInFile }))
      : p.records;
  // The timeline is compared on its own (cutTimeline): its columns are most of the summary's bytes.
  const summary = r.file.streamed?.trace ? { ...r.file.streamed, trace: { ...r.file.streamed.trace, timeline: undefined } } : r.file.streamed;
  return json({ records, findings: p.findings, dialect: p.dialect, lines: p.lineCount, summary, extra: r.findings });
}

const timelineOf = (r: ReturnType<typeof streamed>) => JSON.stringify(r.file.streamed?.trace?.timeline);

describe('streaming: files of any size', () => {
  it('a trace cut at every byte gives the whole-file result: events kept, findings, replay', () => {
    const whole = streamed('qemu-vtd.trace', TRACE, []);
    const expect = essence(whole);
    // The same replay as the in-memory one.
    const events = parseQemuTrace(TRACE).records;
    const replay = replayTrace(events);
    assert.equal(whole.file.streamed!.trace!.replay.iotlb.counters.hits, replay.iotlb.counters.hits);
    assert.deepEqual(whole.file.streamed!.trace!.replay.iotlb.counters, replay.iotlb.counters);
    assert.ok(replay.iotlb.counters.faults > 0 && replay.iotlb.counters.hits > 0, 'the excerpt has hits and faults');
    // Kept: the fault event before QEMU's message and the message (the capture turns them into a fault).
    const kept = whole.file.parsed!.records as { name: string }[];
    assert.ok(kept.some((e) => e.name === 'qemu_message'));
    const expectTimeline = timelineOf(whole);
    // The lines beyond ASCII read as the in-memory parse reads them.
    assert.equal(events.find((e) => e.name === 'vtd_iotlb_reset' && e.time === 1796672190.7)?.args.reason, 'déjà vu');
    assert.ok(whole.file.parsed!.findings.some((f) => f.code === 'unrecognised-line' && f.message.includes('vtd_ünknown_event naïve')));
    for (let cut = 1; cut < Buffer.byteLength(TRACE); cut++) {
      const r = streamed('qemu-vtd.trace', TRACE, [cut]);
      assert.equal(essence(r), expect, `cut at ${cut}`);
      if (cut % 97 === 0) assert.equal(timelineOf(r), expectTimeline, `timeline, cut at ${cut}`);
    }
  });

  it('a page-table dump cut at every byte gives the whole-file blocks, rows and findings', () => {
    const expect = essence(streamed('domain_translation_struct', TABLE, []));
    const inMemory = parseDomainTranslation(TABLE, 'domain_translation_struct');
    const r = streamed('domain_translation_struct', TABLE, []);
    assert.equal(r.file.parsed!.records.length, inMemory.records.length);
    assert.deepEqual(r.file.parsed!.findings, inMemory.findings);
    assert.ok(inMemory.findings.some((f) => f.code === 'bad-row'), 'the excerpt has a bad row');
    // Columns of the line's characters, not of its bytes, on the row with '€' (three bytes): it ends at 22, not 24.
    const euro = inMemory.findings.find((f) => f.code === 'bad-row' && f.span.line === 17)!;
    assert.deepEqual([euro.span.start, euro.span.end], [18, 22]);
    assert.equal(r.file.streamed!.pageTables!.rows, inMemory.records.reduce((n, b) => n + b.rows.count, 0));
    for (let cut = 1; cut < Buffer.byteLength(TABLE); cut++) assert.equal(essence(streamed('domain_translation_struct', TABLE, [cut])), expect, `cut at ${cut}`);
  });

  it('a kernel log cut at every byte gives the whole-file IOMMU records, findings and dialect', () => {
    // The real log's boot lines and both faults with their table dumps, a two-line (3.x) fault, and a line beyond ASCII.
    const log = lines(join(vmDir, 'dmesg'), 80, 95) + lines(join(vmDir, 'dmesg'), 300, 318) + readFileSync(join(fixturesDir, 'logs', 'dmesg-3.x-two-line.log'), 'utf8') + '[   15.000000] café: DMAR: not a line it knows\n';
    const inMemory = parseKernelLog(log);
    const iommu = inMemory.records.filter((r) => r.kind !== 'other');
    assert.ok(iommu.some((r) => r.kind === 'fault-dump') && iommu.filter((r) => r.kind === 'dmar-fault').length >= 3, 'faults and a dump');
    const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
    const whole = streamed('dmesg', log, []);
    assert.equal(json(whole.file.parsed!.records), json(iommu), 'the streamed file keeps the IOMMU records the in-memory parse makes');
    assert.equal(json(whole.file.parsed!.findings), json(inMemory.findings));
    assert.deepEqual(whole.file.parsed!.dialect, inMemory.dialect);
    assert.equal(whole.file.streamed!.kernelLog!.otherLines, inMemory.records.length - iommu.length);
    assert.match(describeStreamed(whole.file.streamed!), /IOMMU lines \(\d+ faults\)/);
    const expect = essence(whole);
    for (let cut = 1; cut < Buffer.byteLength(log); cut++) assert.equal(essence(streamed('dmesg', log, [cut])), expect, `cut at ${cut}`);
    // A log that ends inside a fault dump: the dump, held back while it may grow, is handed on at the end.
    const endsInDump = lines(join(vmDir, 'dmesg'), 300, 318);
    const kept = streamed('dmesg', endsInDump, [500]).file.parsed!.records as { kind: string }[];
    assert.equal(json(kept), json(parseKernelLog(endsInDump).records.filter((r) => r.kind !== 'other')));
    assert.equal(kept[kept.length - 1].kind, 'fault-dump');
  });

  it('keeps only the rows a fault walk reads, and says how many the file had', () => {
    const text = readFileSync(join(vmDir, 'domain_translation_struct'), 'utf8');
    const rest = buildCapture(['dmesg', 'dmar_translation_struct', 'iommu_regset'].map((n) => ({ name: n, text: readFileSync(join(vmDir, n), 'utf8') })));
    assert.ok(rest.faults.length > 0, 'the capture has kernel-log faults');
    const r = streamed('domain_translation_struct', text, [100000, 700000], rest);
    const blocks = r.file.parsed!.records as { rows: { count: number; rowsInFile: number } }[];
    const kept = blocks.reduce((n, b) => n + b.rows.count, 0);
    const all = blocks.reduce((n, b) => n + b.rows.rowsInFile, 0);
    assert.equal(all, r.file.streamed!.pageTables!.rows);
    assert.ok(kept < all / 100, `${kept} of ${all} rows kept`);
    assert.match(describeStreamed(r.file.streamed!), /rows checked/);
  });

  it('decodes UTF-16 (LE, BE) and UTF-8 with a mark, cut at every byte, to the same text', () => {
    const text = TRACE.slice(0, 1500) + 'é€\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
    const u8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    for (const bytes of [le, be, u8]) {
      for (let cut = 1; cut < bytes.length; cut += 7) {
        const d = new DumpTextDecoder();
        const out = d.decode(bytes.subarray(0, Math.max(cut, 64) === cut ? cut : 64)) + d.decode(bytes.subarray(Math.max(cut, 64) === cut ? cut : 64)) + d.end();
        assert.equal(out, text);
      }
      const d = new DumpTextDecoder();
      let out = '';
      out += d.decode(bytes.subarray(0, 64));
      for (let i = 64; i < bytes.length; i++) out += d.decode(bytes.subarray(i, i + 1));
      assert.equal(out + d.end(), text, 'one byte at a time');
      assert.ok(d.converted);
    }
  });

  it('cuts a line longer than any dump line, and drops the rest of it', () => {
    const c = new ByteLineChunker();
    const long = Buffer.from('x'.repeat(MAX_STREAM_LINE + 10));
    const out: Buffer[] = [];
    for (const part of [long.subarray(0, MAX_STREAM_LINE - 5), long.subarray(MAX_STREAM_LINE - 5), Buffer.from('\nnext\n')]) c.push(part, (l) => out.push(Buffer.from(l)));
    out.push(c.end());
    assert.equal(Buffer.concat(out).toString(), 'x'.repeat(MAX_STREAM_LINE) + '\nnext\n');
  });

  it('reads a file in chunks without one string of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-stream-'));
    const path = join(dir, 'qemu-vtd.trace');
    writeFileSync(path, TRACE);
    const { chunks, size } = openTextChunks(path, 1000);
    const parts = [...chunks];
    assert.equal(size, Buffer.byteLength(TRACE));
    assert.ok(parts.length >= 4);
    assert.ok(parts.every((p) => p.text.length <= 1000));
    assert.equal(parts.map((p) => p.text).join(''), TRACE);
    // ASCII chunks are taken as they are; a character cut between chunks still comes out whole.
    const mixed = 'abc\n' + 'é€'.repeat(40) + '\n' + 'x'.repeat(300) + '€\n';
    writeFileSync(path, mixed);
    for (const size of [1, 2, 3, 5, 7, 64]) assert.equal([...openTextChunks(path, size).chunks].map((p) => p.text).join(''), mixed, `chunks of ${size}`);
  });

  it('hands the byte scanners UTF-8 whatever the file is in: UTF-8 as read (its mark dropped), UTF-16 LE and BE converted, cut anywhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-stream-'));
    const path = join(dir, 'qemu-vtd.trace');
    const text = TRACE.slice(0, 3000) + 'é€𝄞\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
    const files: [string, Buffer, string | undefined][] = [
      ['UTF-8', Buffer.from(text, 'utf8'), undefined],
      ['UTF-8 with a mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'mark'],
      ['UTF-16 LE', le, 'UTF-16 LE'],
      ['UTF-16 BE', be, 'UTF-16 BE'],
    ];
    for (const [what, bytes, converted] of files) {
      writeFileSync(path, bytes);
      // The encoding is chosen from the first chunk (1 MiB in use): here at least a mark's bytes, cut anywhere after.
      for (const size of [3, 7, 64, 65, 1000, 4096]) {
        const opened = openByteChunks(path, size);
        // Each chunk is valid until the next is asked: copied as it comes.
        const parts: Buffer[] = [];
        for (const c of opened.chunks) parts.push(Buffer.from(c.bytes));
        const out = Buffer.concat(parts);
        assert.equal(out.toString('utf8'), text, `${what}, chunks of ${size}`);
        if (converted) assert.match(opened.converted() ?? '', new RegExp(converted), what);
        else assert.equal(opened.converted(), undefined, what);
      }
    }
  });
});

function run(env: string | undefined, ...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.env.VIOMMU_STREAM_ABOVE;
  if (env === undefined) delete process.env.VIOMMU_STREAM_ABOVE;
  else process.env.VIOMMU_STREAM_ABOVE = env;
  try {
    const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }) as number;
    return { code, out, err };
  } finally {
    if (before === undefined) delete process.env.VIOMMU_STREAM_ABOVE;
    else process.env.VIOMMU_STREAM_ABOVE = before;
  }
}

describe('streaming: the CLI', () => {
  for (const dir of [legacyCaptureDir, vmDir]) {
    it(`check of ${dir.split('/').pop()} streamed says what the in-memory check says, plus a note per streamed file`, () => {
      const held = run(undefined, 'check', dir, '--json-lines');
      const streamedRun = run('100000', 'check', dir, '--json-lines');
      assert.equal(streamedRun.code, held.code);
      const notes = streamedRun.out.filter((l) => l.includes('"code":"streamed"'));
      assert.equal(notes.length, 2, 'the trace and the page-table dump were streamed');
      assert.ok(notes.some((l) => /events replayed\. IOTLB [\d,]+ hits/.test(l)));
      assert.deepEqual(streamedRun.out.filter((l) => !l.includes('"code":"streamed"')), held.out);
      // Faults are walked through the rows kept.
      assert.ok(held.out.some((l) => /fault/i.test(l)), 'the capture has faults to check');
    });
  }

  it('decode --json of a streamed capture holds the same records and entries (columns aside)', function () {
    this.timeout(60000);
    const strip = (v: { files: { file: string; records: unknown[]; decoded: { column?: number }[] }[] }) =>
      v.files
        .map((f) => ({ file: f.file, records: f.records, decoded: f.decoded.map(({ column: _c, ...rest }) => rest) }))
        .sort((a, b) => (a.file < b.file ? -1 : 1));
    const two = join(fixturesDir, 'captures', 'hw-two-segments');
    const held = JSON.parse(run(undefined, 'decode', two, '--json').out.join('\n'));
    const s = run('100', 'decode', two, '--json');
    assert.equal(s.code, 0);
    assert.deepEqual(strip(JSON.parse(s.out.join('\n'))), strip(held));
    assert.ok(s.out.some((l) => l.includes('"bytes"')), 'its page tables were streamed');
    // A trace of a capture folder, decoded alone: the file's own object.
    const trace = join(vmDir, 'qemu-vtd.trace');
    const one = (env: string | undefined) => JSON.parse(run(env, 'decode', trace, '--json').out.join('\n')) as { records: unknown[]; decoded: { column?: number }[] };
    const a = one(undefined);
    const b = one('100000');
    assert.deepEqual(b.records, a.records);
    assert.deepEqual(b.decoded.map(({ column: _c, ...rest }) => rest), a.decoded.map(({ column: _c, ...rest }) => rest));
  });

  it('decode --json-lines streams one object per line; --compact leaves out the rows', function () {
    this.timeout(60000);
    const full = run('100000', 'decode', join(vmDir, 'domain_translation_struct'), '--json-lines');
    const compact = run('100000', 'decode', join(vmDir, 'domain_translation_struct'), '--json-lines', '--compact');
    const records = (r: typeof full) => r.out.map((l) => JSON.parse(l)).filter((o) => o.type === 'record');
    assert.ok(records(full).some((o) => Array.isArray(o.rows) && o.rows.length > 100));
    assert.ok(records(compact).every((o) => o.rows === undefined && typeof o.rowCount === 'number'));
    assert.equal(records(compact).length, records(full).length);
    assert.ok(full.out.some((l) => JSON.parse(l).type === 'end'));
  });

  it('check --json is one JSON array, written as it goes', () => {
    const r = run(undefined, 'check', vmDir, '--json');
    const list = JSON.parse(r.out.join('\n')) as { code: string }[];
    assert.ok(list.length > 0);
    assert.deepEqual(JSON.parse(run(undefined, 'check', join(vmDir, 'iommu_groups'), '--json').out.join('\n')), []);
  });
});
