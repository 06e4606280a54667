// Dumps as people save them: UTF-8 with a BOM, UTF-16 LE (what Windows
// PowerShell's ">" writes) and BE, with and without a BOM, CRLF line ends.
// Each file of the real capture, saved each way, reads to the same records
// and findings as the original, with one note saying what was converted.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, SERVER_LIMITS } from '../../src/io/captureReader';
import { buildCapture } from '../../src/model/buildCapture';
import { decodeDumpBytes } from '../../src/dumps/encoding';
import { recordsJson } from '../../src/cli/json';
import { legacyCaptureDir } from '../helpers';

const FILES = ['iommu_regset', 'dmar_translation_struct', 'ir_translation_struct', 'invalidation_queue', 'dmar_perf_latency', 'dmesg', 'interrupts', 'iommu_groups', 'qemu-vtd.trace'];

function utf16(text: string, be: boolean, bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  if (!be) return le;
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
  return le;
}

const ENCODINGS: [string, (t: string) => Buffer, RegExp][] = [
  ['UTF-8 with a BOM', (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)]), /UTF-8 with a byte-order mark/],
  ['UTF-16 LE with a BOM', (t) => utf16(t, false, true), /UTF-16 LE with a byte-order mark/],
  ['UTF-16 BE with a BOM', (t) => utf16(t, true, true), /UTF-16 BE with a byte-order mark/],
  ['UTF-16 LE without a BOM', (t) => utf16(t, false, false), /UTF-16 LE without a byte-order mark/],
  ['CRLF', (t) => Buffer.from(t.replace(/\n/g, '\r\n')), /CRLF line endings/],
  ['UTF-16 LE with a BOM and CRLF', (t) => utf16(t.replace(/\n/g, '\r\n'), false, true), /UTF-16 LE with a byte-order mark; CRLF/],
];

describe('dumps in other encodings and line ends read as the originals', function () {
  this.timeout(60000);
  const original = buildCapture(FILES.map((n) => ({ name: n, text: readFileSync(join(legacyCaptureDir, n), 'utf8') })));
  for (const [what, encode, note] of ENCODINGS) {
    it(what, () => {
      const dir = mkdtempSync(join(tmpdir(), 'viommu-enc-'));
      for (const n of FILES) writeFileSync(join(dir, n), encode(readFileSync(join(legacyCaptureDir, n), 'utf8')));
      const read = readCapture(dir, SERVER_LIMITS);
      assert.deepEqual(read.leftOut, []);
      const c = buildCapture(read.files);
      for (const n of FILES) {
        const a = original.files.find((f) => f.name === n)!.parsed!;
        const b = c.files.find((f) => f.name === n)?.parsed;
        assert.equal(b?.format, a.format, `${n} is still ${a.format}`);
        assert.deepEqual(JSON.parse(JSON.stringify(recordsJson(b!), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))), JSON.parse(JSON.stringify(recordsJson(a), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))), n);
        assert.deepEqual(b!.findings, a.findings, n);
      }
      const notes = c.findings.filter((f) => f.code === 'converted');
      assert.equal(notes.length, FILES.length);
      for (const f of notes) assert.match(f.message, note);
      assert.deepEqual(
        c.faults.map((f) => f.reason),
        [0x06, 0x05],
      );
    });
  }

  it('takes plain ASCII as it is, with no note', () => {
    const d = decodeDumpBytes(Buffer.from('IOMMU: dmar0 Register Base Address: fed90000\n'));
    assert.equal(d.converted, undefined);
    assert.equal(d.crlf, false);
  });

  it('reads a per-device folder in UTF-16 like the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-enc-dev-'));
    mkdirSync(join(dir, '0000:00:02.0'));
    writeFileSync(join(dir, '0000:00:02.0', 'domain_translation_struct'), utf16('Device 0000:00:02.0 @0x1a9a000\nIOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n', false, true));
    const read = readCapture(dir, SERVER_LIMITS);
    assert.equal(read.files[0].name, '0000:00:02.0/domain_translation_struct');
    assert.equal(buildCapture(read.files).files[0].parsed?.format, 'domain_translation_struct');
  });
});
