import { strict as assert } from 'node:assert';
import { looksLikeDmarTranslation, parseDmarTranslation, rootSpanOf } from '../../src/dumps/debugfs/dmarTranslation';
import { spanOf } from '../../src/dumps/rowColumns';
import { fixtureText, legacyCaptureText } from '../helpers';

const bdf = (r: { bus: number; dev: number; fn: number }) =>
  `${r.bus.toString(16).padStart(2, '0')}:${r.dev.toString(16).padStart(2, '0')}.${r.fn}`;

describe('debugfs dmar_translation_struct', () => {
  const real = parseDmarTranslation(legacyCaptureText('dmar_translation_struct'));

  it('reads every line of the real capture: 9 legacy context rows', () => {
    assert.deepEqual(real.findings, []);
    assert.equal(real.lineCount, 12);
    assert.equal(real.records.length, 1);
    const unit = real.records[0];
    assert.equal(unit.unit, 'dmar0');
    assert.equal(unit.rootTableAddress, 0x1a8e000n);
    assert.deepEqual(unit.rows.map(bdf), ['00:00.0', '00:01.0', '00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.0', '00:1f.2', '00:1f.3']);
    assert.ok(unit.rows.every((r) => r.pasid === -1 && r.rootHi === 0n && r.rootLo === 0x1a94001n));
    assert.deepEqual(real.dialect, ['v5.3+ layout (B.D.F, Root_entry, Context_entry, PASID, PASID_table_entry)', 'legacy-mode rows (PASID -1)']);
  });

  it('keeps exact context entries and spans', () => {
    const rows = real.records[0].rows;
    const edu = rows[5];
    assert.equal(bdf(edu), '00:05.0');
    assert.equal(edu.ctxHi, 0x701n);
    assert.equal(edu.ctxLo, 0x1b1f001n);
    assert.equal(edu.devfn, 0x28);
    assert.deepEqual(edu.pasidEntry, [0n, 0n, 0n]);
    const sata = rows[7];
    assert.equal(sata.devfn, 0xfa);
    assert.equal(sata.ctxHi, 0x801n);
    // "00:00.0\t" then two 37-character hi:lo fields separated by TABs.
    const first = rows[0];
    assert.deepEqual(spanOf(first, 'bdf'), { line: 2, start: 0, end: 7 });
    assert.deepEqual(rootSpanOf(first), { line: 2, start: 8, end: 45 });
    assert.deepEqual(spanOf(first, 'context'), { line: 2, start: 46, end: 83 });
    assert.deepEqual(spanOf(first, 'pasid'), { line: 2, start: 84, end: 86 });
  });

  it('reads the v4.20–v5.2 layout with per-bus root entries and decimal devfn', () => {
    const r = parseDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v5.2-old-layout'));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['v4.20–v5.2 layout (root entry per bus, context rows with decimal devfn)']);
    const unit = r.records[0];
    assert.equal(unit.rootTableAddress, 0x1a8e000n);
    assert.equal(unit.rows.length, 10);
    const lpc = unit.rows[6];
    assert.equal(bdf(lpc), '00:1f.0');
    assert.equal(lpc.devfn, 248);
    assert.equal(lpc.ctxHi, 0x801n);
    assert.equal(lpc.ctxLo, 0x2004001n);
    assert.equal(lpc.rootLo, 0x1a94001n);
    assert.equal(lpc.pasid, -1);
    // The root entry is printed once per bus, on the " Bus:" line (line 3).
    assert.equal(lpc.rootLine, 2);
    assert.deepEqual(rootSpanOf(lpc), { line: 2, start: 8, end: 23 });
    assert.deepEqual(spanOf(lpc, 'context'), { line: 11, start: 16, end: 30 });
    // No PASID in this layout: an empty span at the end of the row.
    assert.deepEqual(spanOf(lpc, 'pasid'), { line: 11, start: 30, end: 30 });
    const bus1 = unit.rows[9];
    assert.equal(bdf(bus1), '01:00.0');
    assert.equal(bus1.rootLo, 0x1a95001n);
    assert.equal(bus1.ctxHi, 0x901n);
  });

  it('reads scalable rows with MSB-first PASID entries and a unit that is off', () => {
    const r = parseDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v6.8-scalable'));
    assert.deepEqual(r.findings, []);
    assert.ok(r.dialect.includes('PASID entries printed MSB first (val[2]:val[1]:val[0]; v5.3 release and later)'));
    assert.ok(r.dialect.includes('v5.7+ ("DMA Remapping is not enabled" lines)'));
    assert.deepEqual(r.records.map((u) => [u.unit, u.notEnabled === true, u.rows.length]), [
      ['dmar2', true, 0],
      ['dmar1', false, 1],
      ['dmar0', false, 5],
    ]);
    const sm = r.records[2];
    assert.equal(sm.rootTableAddress, 0x10c0fe000n);
    const fl = sm.rows[2];
    assert.equal(bdf(fl), '00:0a.0');
    assert.equal(fl.pasid, 1);
    assert.deepEqual(fl.pasidEntry, [0x49n, 0x4n, 0x105a86000n]);
    assert.equal(sm.rows[3].pasid, 27);
    const pt = sm.rows[4];
    assert.equal(pt.devfn, 0xf8);
    assert.equal(pt.rootHi, 0x10c100001n);
    assert.deepEqual(pt.pasidEntry, [0x109n, 0x800001n, 0n]);
  });

  it('reads v5.3-rc LSB-first PASID entries into the same lowest-first values', () => {
    const msb = parseDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v6.8-scalable'));
    const lsb = parseDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v5.3-rc-lsb-first'));
    assert.deepEqual(lsb.findings, []);
    assert.ok(lsb.dialect.includes('PASID entries printed LSB first (val[0]:val[1]:val[2]; v5.3-rc)'));
    assert.deepEqual(
      lsb.records[0].rows.map((x) => x.pasidEntry),
      msb.records[2].rows.map((x) => x.pasidEntry),
    );
    assert.deepEqual(lsb.records[0].rows[0].pasidEntry, [0x10c112089n, 0x800002n, 0n]);
  });

  it('reports rows out of order, duplicates, bad devfn and bad lines at their line', () => {
    const lines = legacyCaptureText('dmar_translation_struct').split('\n');
    const swapped = [...lines];
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    swapped[6] = swapped[5];
    swapped[8] = '00:1f.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000801';
    const r = parseDmarTranslation(swapped.join('\n'));
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.kind, f.span.line]),
      [
        ['unrecognised-line', 'syntax', 8],
        ['rows-out-of-order', 'semantic', 4],
        ['duplicate-row', 'semantic', 6],
      ],
    );
    const old = fixtureText('debugfs', 'dmar_translation_struct.v5.2-old-layout').replace('  8    \t00:01.0', '  9    \t00:01.0');
    const o = parseDmarTranslation(old);
    assert.deepEqual(o.findings.map((f) => [f.code, f.span.line, f.span.start]), [['devfn-mismatch', 6, 2]]);
  });

  it('notices a root entry that changes within one bus', () => {
    const text = legacyCaptureText('dmar_translation_struct').replace(
      '00:03.0\t0x0000000000000000:0x0000000001a94001',
      '00:03.0\t0x0000000000000000:0x0000000001a95001',
    );
    const r = parseDmarTranslation(text);
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [['root-entry-differs', 5]]);
    assert.equal(r.records[0].rows[3].rootLo, 0x1a95001n);
  });

  it('is detected from its first line', () => {
    assert.equal(looksLikeDmarTranslation(legacyCaptureText('dmar_translation_struct')), true);
    assert.equal(looksLikeDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v5.2-old-layout')), true);
    assert.equal(looksLikeDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.v6.8-scalable')), true);
    assert.equal(looksLikeDmarTranslation(legacyCaptureText('domain_translation_struct')), false);
    assert.equal(looksLikeDmarTranslation(legacyCaptureText('iommu_regset')), false);
  });
});
