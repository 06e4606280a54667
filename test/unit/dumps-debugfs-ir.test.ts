import { strict as assert } from 'node:assert';
import { looksLikeIrTranslation, parseIrTranslation } from '../../src/dumps/debugfs/irTranslation';
import { spanOf } from '../../src/dumps/rowColumns';
import { fixtureText, legacyCaptureText } from '../helpers';

describe('debugfs ir_translation_struct', () => {
  const real = parseIrTranslation(legacyCaptureText('ir_translation_struct'));

  it('reads every line of the real capture: 17 remapped IRTEs', () => {
    assert.deepEqual(real.findings, []);
    assert.equal(real.lineCount, 23);
    assert.equal(real.records.length, 1);
    const unit = real.records[0];
    assert.equal(unit.section, 'remapped');
    assert.equal(unit.unit, 'dmar0');
    assert.equal(unit.tableAddress, 0x1200000n);
    assert.deepEqual(unit.tableAddressSpan, { line: 1, start: 18, end: 25 });
    assert.equal(unit.entries.length, 17);
    assert.deepEqual(unit.entries.map((e) => e.index), [0, 1, 3, 7, 8, 11, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27, 28]);
  });

  it('keeps exact entries: IRTE 17 of 00:04.0 and the IOAPIC entries', () => {
    const byIndex = new Map(real.records[0].entries.map((e) => [e.index, e]));
    const e17 = byIndex.get(17)!;
    assert.equal(e17.sid, 0x0020); // 00:04.0
    assert.equal(e17.hi, 0x40020n);
    assert.equal(e17.lo, 0x2000023000dn);
    assert.equal(e17.destId, 0x200);
    assert.equal(e17.vector, 0x23);
    assert.equal(e17.pdaHigh, undefined);
    // " 17    00:04.0 00000200 23  0000000000040020\t000002000023000d"
    assert.deepEqual(spanOf(e17, 'line'), { line: 9, start: 0, end: 61 });
    assert.deepEqual(spanOf(e17, 'index'), { line: 9, start: 1, end: 3 });
    assert.deepEqual(spanOf(e17, 'sid'), { line: 9, start: 7, end: 14 });
    assert.deepEqual(spanOf(e17, 'hi'), { line: 9, start: 28, end: 44 });
    assert.deepEqual(spanOf(e17, 'lo'), { line: 9, start: 45, end: 61 });
    const ioapic = byIndex.get(0)!;
    assert.equal(ioapic.sid, 0xff00); // ff:00.0
    assert.equal(byIndex.get(21)!.sid, 0xfa); // 00:1f.2
  });

  it('reads the posted section, the **** separator and a unit with remapping off', () => {
    const r = parseIrTranslation(fixtureText('debugfs', 'ir_translation_struct.x2apic-posted'));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['posted-interrupt section (units with CAP.PI)']);
    assert.deepEqual(r.records.map((u) => [u.section, u.unit, u.notEnabled === true, u.entries.length]), [
      ['remapped', 'dmar1', true, 0],
      ['remapped', 'dmar0', false, 3],
      ['posted', 'dmar0', false, 2],
    ]);
    assert.equal(r.records[1].entries[0].destId, 0x80);
    const p = r.records[2].entries[0];
    assert.equal(p.index, 3);
    assert.equal(p.sid, 0x3b81); // 3b:10.1
    assert.equal(p.pdaHigh, 1);
    assert.equal(p.pdaLow, 0x23456780);
    assert.equal(p.vector, 0x31);
    assert.equal(p.hi, 0x100043b81n);
    assert.equal(p.lo, 0x2345678000318001n);
    assert.equal(p.destId, undefined);
  });

  it('checks the printed columns against the entry and the index order', () => {
    const lines = legacyCaptureText('ir_translation_struct').split('\n');
    lines[9] = lines[9].replace('00000200 23', '00000200 24');
    [lines[4], lines[5]] = [lines[5], lines[4]];
    lines[6] = lines[7];
    const r = parseIrTranslation(lines.join('\n'));
    assert.deepEqual(r.findings.map((f) => [f.code, f.kind, f.span.line]), [
      ['column-mismatch', 'semantic', 9],
      ['rows-out-of-order', 'semantic', 5],
      ['duplicate-index', 'semantic', 7],
    ]);
  });

  it('reports bad rows at their line', () => {
    const lines = legacyCaptureText('ir_translation_struct').split('\n');
    lines[4] = ' 1     ff:00.0 00000100 30  000000000004ff00';
    lines[5] = ' 3     ff:20.0 00000100 27  000000000004ff00\t000001000027000d';
    const r = parseIrTranslation(lines.join('\n'));
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [
      ['unrecognised-line', 4],
      ['unrecognised-line', 5],
    ]);
    assert.equal(r.records[0].entries.length, 15);
  });

  it('is detected from its first line', () => {
    assert.equal(looksLikeIrTranslation(legacyCaptureText('ir_translation_struct')), true);
    assert.equal(looksLikeIrTranslation(legacyCaptureText('invalidation_queue')), false);
    assert.equal(looksLikeIrTranslation(' '), false);
  });
});
