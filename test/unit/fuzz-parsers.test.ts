// Property tests: every parser, fed random bytes or real lines mangled the way
// copies get mangled, returns findings and never throws; spans stay inside
// their lines; pathological megabyte lines finish (no catastrophic regex).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { FORMATS } from '../../src/dumps/registry';
import { splitLines, type ParseResult } from '../../src/dumps/types';
import { legacyCaptureText, LEGACY_CAPTURE_FILE_OF_FORMAT } from '../helpers';

const SAMPLES: Record<string, string> = LEGACY_CAPTURE_FILE_OF_FORMAT;

function checkResult(r: ParseResult<unknown>, text: string): void {
  assert.ok(Array.isArray(r.records));
  assert.ok(Array.isArray(r.findings));
  const lines = splitLines(text);
  for (const f of r.findings) {
    assert.ok(f.span.line >= 0 && f.span.line <= Math.max(lines.length, 1), `finding line ${f.span.line} inside the text`);
    assert.ok(f.span.start >= 0 && f.span.start <= f.span.end, 'span is ordered');
    const len = lines[f.span.line]?.length ?? 0;
    assert.ok(f.span.end <= Math.max(len, 1), `finding end ${f.span.end} inside line ${f.span.line} (${len} chars)`);
    assert.equal(typeof f.message, 'string');
  }
}

/** A real line mangled as copies mangle them. */
const mutation = fc.oneof(
  fc.constant((l: string) => l.replace(/[0-9a-f]/, (c) => (c === 'f' ? '0' : String.fromCharCode(c.charCodeAt(0) + 1)))),
  fc.constant((l: string) => l.slice(0, Math.floor(l.length / 2))),
  fc.constant((l: string) => l.replace(/\t/g, '\t\t')),
  fc.constant((l: string) => l.replace(/\t/g, '    ')),
  fc.constant((l: string) => l + '\r'),
  fc.constant((l: string) => l.replace(/ /g, '  ')),
  fc.constant((l: string) => l.replace(/0x/g, '0x0x')),
  fc.constant((l: string) => l + ' ünïcødé ☃ \u202e'),
  fc.constant((l: string) => l.replace(/:/g, '')),
  fc.constant((l: string) => '\u0000' + l),
);

for (const format of FORMATS) {
  describe(`fuzz: ${format.id}`, function () {
    this.timeout(60000);
    const real = legacyCaptureText(SAMPLES[format.id]);
    const lines = splitLines(real).slice(0, 400);

    it('never throws on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
          const text = Buffer.from(bytes).toString('latin1');
          checkResult(format.parse(text, SAMPLES[format.id]), text);
        }),
        { numRuns: 150, seed: 7 },
      );
    });

    it('never throws on real lines mangled (flipped digits, cut lines, doubled separators, CRLF, tabs to spaces, Unicode)', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(lines.length - 1), mutation), { minLength: 1, maxLength: 12 }), (edits) => {
          const copy = lines.slice();
          for (const [i, m] of edits) copy[i] = m(copy[i] ?? '');
          const text = copy.join('\n');
          checkResult(format.parse(text, SAMPLES[format.id]), text);
        }),
        { numRuns: 150, seed: 11 },
      );
    });

    it('finishes on 1 MB pathological lines (runs of digits, separators, prefixes)', () => {
      const mb = 1024 * 1024;
      const first = lines.find((l) => l.trim() !== '') ?? '';
      const patterns = ['0'.repeat(mb), '0x'.repeat(mb / 2), '\t'.repeat(mb), ' |'.repeat(mb / 2), '[' .repeat(mb), 'vtd_iotlb_page_hit '.repeat(mb / 20), '00:1f.2 '.repeat(mb / 8), 'DMAR: [DMA Read '.repeat(mb / 16)];
      for (const p of patterns) {
        const text = `${first}\n${p}\n${first}\n`;
        checkResult(format.parse(text, SAMPLES[format.id]), text);
      }
    });
  });
}
