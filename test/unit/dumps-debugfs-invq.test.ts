import { strict as assert } from 'node:assert';
import { QWORD_FIELDS, looksLikeInvalidationQueue, parseInvalidationQueue } from '../../src/dumps/debugfs/invalidationQueue';
import { spanOf } from '../../src/dumps/rowColumns';
import { fixtureText, legacyCaptureText } from '../helpers';

describe('debugfs invalidation_queue', () => {
  const real = parseInvalidationQueue(legacyCaptureText('invalidation_queue'));

  it('reads every line of the real capture: 256 descriptors, Head = Tail = 180', () => {
    assert.deepEqual(real.findings, []);
    assert.equal(real.lineCount, 260);
    assert.deepEqual(real.dialect, ['128-bit descriptors']);
    const unit = real.records[0];
    assert.equal(unit.unit, 'dmar0');
    assert.equal(unit.base, 0x10db000n);
    assert.equal(unit.head, 180);
    assert.equal(unit.tail, 180);
    assert.equal(unit.wide, false);
    assert.equal(unit.descriptors.length, 256);
    assert.deepEqual(unit.descriptors.map((d) => d.index), [...Array(256).keys()]);
  });

  it('keeps exact qwords and spans', () => {
    const d = real.records[0].descriptors;
    // An IOTLB page-selective invalidation followed by its wait descriptor.
    assert.deepEqual(d[0].qwords, [0x600f2n, 0xfffe0000n]);
    assert.deepEqual(d[1].qwords, [0x200000025n, 0x1055004n]);
    assert.equal(d[1].status, 0n);
    assert.deepEqual(d[255].qwords, [0x200000025n, 0x10553fcn]);
    // "    0\t00000000000600f2\t00000000fffe0000\t0000000000000000"
    assert.deepEqual(spanOf(d[0], 'line'), { line: 3, start: 0, end: 56 });
    assert.deepEqual(spanOf(d[0], 'index'), { line: 3, start: 4, end: 5 });
    assert.deepEqual(spanOf(d[0], 'qw0'), { line: 3, start: 6, end: 22 });
    assert.deepEqual(spanOf(d[0], 'qw1'), { line: 3, start: 23, end: 39 });
    assert.deepEqual(spanOf(d[0], 'status'), { line: 3, start: 40, end: 56 });
  });

  it('reads 256-bit descriptor rows', () => {
    const r = parseInvalidationQueue(fixtureText('debugfs', 'invalidation_queue.256bit'));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['256-bit descriptors (scalable-mode capable unit)', '128-bit descriptors']);
    assert.deepEqual(r.records.map((u) => [u.unit, u.wide, u.head, u.tail, u.descriptors.length]), [
      ['dmar1', true, 42, 42, 256],
      ['dmar0', false, 180, 180, 256],
    ]);
    const d = r.records[0].descriptors;
    assert.deepEqual(d[0].qwords, [0x20036n, 0xfffe0000n, 0n, 0n]);
    assert.deepEqual(d[1].qwords, [0x200000025n, 0x10c301004n, 0n, 0n]);
    assert.deepEqual(
      QWORD_FIELDS.map((q) => spanOf(d[1], q).start),
      [6, 23, 40, 57],
    );
  });

  it('checks Head/Tail, slot order and row widths', () => {
    const lines = legacyCaptureText('invalidation_queue').split('\n');
    lines[1] = ' Base: 0x10db000\tHead: 300\tTail: 180';
    [lines[10], lines[11]] = [lines[11], lines[10]];
    lines[20] = '   17\t00000000000600f2\t00000000fffe1000\t0000000000000000\t0000000000000000\t0000000000000000';
    lines[30] = '   27\t00000000000600f2\t00000000fffe1000\t000000000000000x';
    const r = parseInvalidationQueue(lines.join('\n'));
    assert.deepEqual(r.findings.map((f) => [f.code, f.kind, f.span.line]), [
      ['row-width', 'syntax', 20],
      ['unrecognised-line', 'syntax', 30],
      ['index-beyond-ring', 'semantic', 1],
      ['rows-out-of-order', 'semantic', 10],
      ['ring-incomplete', 'semantic', 0],
    ]);
    assert.deepEqual(r.findings[2].span, { line: 1, start: 23, end: 26 });
  });

  it('is detected from its first line', () => {
    assert.equal(looksLikeInvalidationQueue(legacyCaptureText('invalidation_queue')), true);
    assert.equal(looksLikeInvalidationQueue(legacyCaptureText('ir_translation_struct')), false);
  });
});
