import { strict as assert } from 'node:assert';
import { domainFileContext, looksLikeDomainTranslation, pageTableRowTokenColumns, parseDomainTranslation } from '../../src/dumps/debugfs/domainTranslation';
import { fixtureText, legacyCaptureText } from '../helpers';

const dev = (b: { segment: number; bus: number; dev: number; fn: number }) =>
  `${b.segment.toString(16).padStart(4, '0')}:${b.bus.toString(16).padStart(2, '0')}:${b.dev.toString(16).padStart(2, '0')}.${b.fn}`;

const OLD_COLUMNS = 'IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE';
const NEW_COLUMNS = 'IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE';

describe('debugfs domain_translation_struct', () => {
  const real = parseDomainTranslation(legacyCaptureText('domain_translation_struct'));

  it('reads every line of the real capture: 9 device blocks', () => {
    assert.deepEqual(real.findings, []);
    assert.equal(real.lineCount, 13312);
    assert.deepEqual(real.dialect, ['global file, headers without PASID (v5.18–v6.6)']);
    assert.deepEqual(
      real.records.map((b) => [dev(b), b.rows.count]),
      [
        ['0000:00:00.0', 0],
        ['0000:00:01.0', 0],
        ['0000:00:02.0', 258],
        ['0000:00:03.0', 321],
        ['0000:00:04.0', 4],
        ['0000:00:05.0', 0],
        ['0000:00:1f.0', 4234],
        ['0000:00:1f.0', 4234],
        ['0000:00:1f.0', 4234],
      ],
    );
    // The three functions of the LPC/SATA/SMBus group share one domain.
    assert.ok(real.records.slice(6).every((b) => b.pgd === 0x2004000n));
    // 13312 lines = 9 headers + 9 column headers + 9 blank lines + rows.
    assert.equal(real.records.reduce((n, b) => n + b.rows.count, 0), 13312 - 27);
  });

  it('keeps exact entries of the first row of 00:02.0', () => {
    const b = real.records[2];
    assert.equal(b.pgd, 0x1a9a000n);
    assert.equal(b.pasid, undefined);
    assert.deepEqual(b.span, { line: 6, start: 0, end: 30 });
    assert.deepEqual(b.pgdSpan, { line: 6, start: 21, end: 30 });
    assert.equal(b.lastLine, 265);
    const rows = b.rows;
    assert.equal(rows.pfn(0), 0xffefdn);
    assert.equal(rows.iova(0), 0xffefd000n);
    assert.equal(rows.line(0), 8);
    assert.equal(rows.entryCount(0), 5);
    assert.equal(rows.entry(0, 1), 0x268e003n);
    assert.equal(rows.entry(0, 2), 0x25bc003n);
    assert.equal(rows.entry(0, 3), 0x25b6003n);
    assert.equal(rows.entry(0, 4), 0n);
    assert.equal(rows.entry(0, 5), 0n);
    assert.equal(rows.entry(0, 6), undefined);
    assert.equal(rows.leafLevel(0), 1);
    // The pair of IOVA pages that share one host page.
    assert.equal(rows.entry(1, 1), 0x268e003n);
    assert.deepEqual(rows.row(2), {
      pfn: 0xffeffn,
      iova: 0xffeff000n,
      entries: [
        { level: 5, value: 0n },
        { level: 4, value: 0n },
        { level: 3, value: 0x25b6003n },
        { level: 2, value: 0x25bc003n },
        { level: 1, value: 0x268d003n },
      ],
      line: 10,
      leafLevel: 1,
      entryCount: 5,
    });
    const last = real.records[3].rows;
    assert.equal(last.pfn(0), 0xffebdn);
    assert.equal(last.entry(0, 1), 0x2471003n);
  });

  it('finds rows by PFN with a binary search', () => {
    const rows = real.records[2].rows;
    assert.equal(rows.ascending, true);
    assert.equal(rows.findByPfn(0xffefdn), 0);
    assert.equal(rows.findByPfn(0xfff00n), 3);
    assert.equal(rows.findByPfn(0xffefcn), -1);
    assert.equal(rows.findByPfn(rows.pfn(rows.count - 1)), rows.count - 1);
    assert.equal(rows.findByPfn(rows.pfn(rows.count - 1) + 1n), -1);
    assert.equal(rows.findByPfn(-1n), -1);
    assert.equal(rows.findByPfn(1n << 70n), -1);
  });

  it('gives the columns of each value of a row on demand', () => {
    const line = legacyCaptureText('domain_translation_struct').split('\n')[8];
    const cols = pageTableRowTokenColumns(line);
    assert.equal(cols.length, 6);
    assert.equal(line.slice(cols[0].start, cols[0].end), '0x00000000ffefd');
    assert.equal(line.slice(cols[5].start, cols[5].end), '0x000000000268e003');
  });

  it('reads the v5.6 global file with "with pasid %d" and zero-filled huge-page rows', () => {
    const r = parseDomainTranslation(fixtureText('debugfs', 'domain_translation_struct.v5.6-with-pasid'));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['global file with "with pasid %d" headers (v5.6–v5.17)']);
    assert.deepEqual(r.records.map((b) => [dev(b), b.pasid, b.rows.count]), [
      ['0000:00:02.0', 0, 3],
      ['0000:00:03.0', 0, 1],
    ]);
    const rows = r.records[0].rows;
    // 2 MiB leaf: the PTE column is printed, as zero.
    assert.equal(rows.entryCount(0), 5);
    assert.equal(rows.entry(0, 1), 0n);
    assert.equal(rows.entry(0, 2), 0x80000883n);
    assert.equal(rows.leafLevel(0), 2);
    assert.equal(rows.findByPfn(0x80000n + 511n), 0);
    assert.equal(rows.findByPfn(0x80000n + 512n), -1);
  });

  it('reads a v6.7+ per-device file: not-enabled line, padded header, rows of 4/5/6 values', () => {
    const r = parseDomainTranslation(fixtureText('debugfs', 'domain_translation_struct.v6.7-device-0000_00_02.0'), '0000:00:02.0/domain_translation_struct');
    assert.deepEqual(r.findings.filter((f) => f.kind === 'syntax'), []);
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [['dma-remapping-not-enabled', 0]]);
    assert.deepEqual(r.notEnabled, [{ unit: 'dmar1', span: { line: 0, start: 32, end: 37 } }]);
    assert.deepEqual(r.dialect, ['per-device file (v6.7+): rows stop at a huge-page leaf']);
    assert.equal(r.records.length, 1);
    const rows = r.records[0].rows;
    assert.equal(rows.count, 4);
    assert.deepEqual([0, 1, 2, 3].map((i) => rows.entryCount(i)), [3, 4, 5, 5]);
    assert.deepEqual([0, 1, 2, 3].map((i) => rows.leafLevel(i)), [3, 2, 1, 1]);
    assert.equal(rows.entry(0, 3), 0x40000883n);
    assert.equal(rows.entry(0, 2), undefined);
    assert.equal(rows.entry(0, 1), undefined);
    assert.equal(rows.entry(1, 2), 0x80000883n);
    assert.equal(rows.entry(1, 1), undefined);
    // A PFN inside the 1 GiB page finds its row.
    assert.equal(rows.findByPfn(0x40000n + 12345n), 0);
    assert.equal(rows.findByPfn(0x7ffffn), 0);
    assert.equal(rows.findByPfn(0x80000n + 0x1ffn), 1);
    assert.equal(rows.findByPfn(0x80000n + 0x200n), -1);
    assert.equal(r.records[0].lastLine, 6);
  });

  it('reads a v6.7+ per-PASID file: "with pasid %x" in hex, checked against the directory', () => {
    const text = fixtureText('debugfs', 'domain_translation_struct.v6.7-pasid-0000_00_0a.0-1b');
    const r = parseDomainTranslation(text, '/sys/kernel/debug/iommu/intel/0000:00:0a.0/1b/domain_translation_struct');
    assert.deepEqual(r.findings, []);
    assert.ok(r.dialect.includes('"with pasid %x" header: scalable mode, PASID in hex'));
    const b = r.records[0];
    assert.equal(b.pasid, 0x1b);
    assert.equal(b.pgd, 0x10c124000n);
    assert.equal(b.rows.entry(1, 1), 0x111a01803n);
    // Without a file name the padded column header still says v6.7+ (hex).
    assert.equal(parseDomainTranslation(text).records[0].pasid, 0x1b);
    const wrong = parseDomainTranslation(text, '0000:00:0b.0/1c/domain_translation_struct');
    assert.deepEqual(wrong.findings.map((f) => [f.code, f.span.line]), [
      ['device-mismatch', 0],
      ['pasid-mismatch', 0],
    ]);
  });

  it('reads "with pasid" as decimal before v6.7 and as hex after', () => {
    const old = `Device 0000:00:02.0 with pasid 10 @0x1000\n${OLD_COLUMNS}\n\n`;
    const now = `Device 0000:00:02.0 with pasid 10 @0x1000\n${NEW_COLUMNS}\n`;
    assert.equal(parseDomainTranslation(old).records[0].pasid, 10);
    assert.equal(parseDomainTranslation(now).records[0].pasid, 16);
  });

  it('understands the per-device and per-PASID directory names', () => {
    assert.deepEqual(domainFileContext('0000:00:02.0/domain_translation_struct'), { device: { segment: 0, bus: 0, dev: 2, fn: 0 } });
    assert.deepEqual(domainFileContext('C:\\dumps\\0001:3b:00.2\\a\\domain_translation_struct'), { device: { segment: 1, bus: 0x3b, dev: 0, fn: 2 }, pasid: 10 });
    assert.equal(domainFileContext('domain_translation_struct'), undefined);
    assert.equal(domainFileContext('intel/domain_translation_struct'), undefined);
  });

  it('reports bad rows at their line and keeps going', () => {
    const lines = legacyCaptureText('domain_translation_struct').split('\n');
    lines[9] = lines[9].slice(0, 40); // truncated after PML5E
    lines[10] = lines[10].replace('0x00000000025b6003', '0x00000000025b6g03');
    lines[11] = lines[11] + '\t0x0000000000000001';
    lines[12] = '0x00000000fff00 |\t0x10000000000000000\t0x0\t0x0';
    const r = parseDomainTranslation(lines.join('\n'));
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.kind, f.span.line]),
      [
        ['bad-row', 'syntax', 9],
        ['bad-row', 'syntax', 10],
        ['bad-row', 'syntax', 11],
        ['value-too-wide', 'syntax', 12],
      ],
    );
    assert.equal(r.records[2].rows.count, 254);
    // The finding points at the bad value, not at the line start.
    assert.equal(r.findings[1].span.start, 71);
  });

  it('reports out-of-order and duplicated PFNs once', () => {
    const lines = legacyCaptureText('domain_translation_struct').split('\n');
    [lines[9], lines[10]] = [lines[10], lines[9]];
    lines[12] = lines[11];
    const r = parseDomainTranslation(lines.join('\n'));
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [
      ['rows-out-of-order', 10],
      ['duplicate-pfn', 12],
    ]);
    // Lookup still works on an unsorted block (linear scan).
    const rows = r.records[2].rows;
    assert.equal(rows.ascending, false);
    assert.equal(rows.findByPfn(0xffefen), 2);
  });

  it('reports rows outside any block and lines it does not know', () => {
    const text = `0x00000000ffefd |\t0x0\t0x0\t0x1\t0x2\t0x3\nDevice 0000:00:02.0\nDevice nonsense @0x1000\nhello\n`;
    const r = parseDomainTranslation(text);
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [
      ['row-outside-block', 0],
      ['unrecognised-line', 1],
      ['bad-device-name', 2],
      ['unrecognised-line', 3],
    ]);
  });

  it('parses a 20 MB generated dump without findings, compactly', function () {
    this.timeout(60000);
    const parts: string[] = [];
    const pad = (v: number, n: number) => v.toString(16).padStart(n, '0');
    let size = 0;
    let rows = 0;
    let blocks = 0;
    while (size < 20 * 1024 * 1024) {
      const header = `Device 0000:00:${pad(blocks % 32, 2)}.0 @0x${pad(0x1000000 + blocks * 0x1000, 1)}\n${OLD_COLUMNS}\n`;
      parts.push(header);
      size += header.length;
      for (let i = 0; i < 50000 && size < 20 * 1024 * 1024; i++) {
        const pfn = 0x80000 + i;
        const line = `0x${pad(pfn, 13)} |\t0x${pad(0, 16)}\t0x00000001${pad(0x2000003 + blocks, 8)}\t0x00000000${pad(0x3000003 + (i >> 18), 8)}\t0x00000000${pad(0x4000003 + (i >> 9), 8)}\t0x8000000${pad(i, 9)}\n`;
        parts.push(line);
        size += line.length;
        rows++;
      }
      parts.push('\n');
      size++;
      blocks++;
    }
    const text = parts.join('');
    const t0 = Date.now();
    const r = parseDomainTranslation(text);
    const ms = Date.now() - t0;
    assert.deepEqual(r.findings, []);
    assert.equal(r.records.length, blocks);
    assert.equal(r.records.reduce((n, b) => n + b.rows.count, 0), rows);
    const held = r.records.reduce((n, b) => n + b.rows.byteSize, 0);
    assert.ok(held < text.length, `rows hold ${held} bytes for a ${text.length}-byte file`);
    // Blocks give back the room they did not fill (53 bytes a row, a sixteenth kept at most).
    for (const b of r.records) assert.ok(b.rows.byteSize <= 53 * (b.rows.count + (b.rows.count >> 4) + 16), `${b.rows.byteSize} bytes for ${b.rows.count} rows`);
    const b0 = r.records[0].rows;
    assert.equal(b0.entry(49999, 1), 0x800000000000c34fn);
    assert.equal(b0.entry(49999, 4), 0x102000003n);
    assert.equal(b0.findByPfn(0x80000n + 31337n), 31337);
    assert.ok(ms < 10000, `took ${ms} ms`);
  });

  it('is detected from its first lines', () => {
    assert.equal(looksLikeDomainTranslation(legacyCaptureText('domain_translation_struct')), true);
    assert.equal(looksLikeDomainTranslation(fixtureText('debugfs', 'domain_translation_struct.v6.7-device-0000_00_02.0')), true);
    assert.equal(looksLikeDomainTranslation(legacyCaptureText('dmar_translation_struct')), false);
    assert.equal(looksLikeDomainTranslation(legacyCaptureText('invalidation_queue')), false);
  });
});
