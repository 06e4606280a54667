import { strict as assert } from 'node:assert';
import { PERF_COLUMNS, looksLikePerfLatency, parsePerfLatency } from '../../src/dumps/debugfs/perfLatency';
import { spanOf } from '../../src/dumps/rowColumns';
import { fixtureText, legacyCaptureText } from '../helpers';

describe('debugfs dmar_perf_latency', () => {
  it('reads the real capture: the title line only (no type enabled)', () => {
    const r = parsePerfLatency(legacyCaptureText('dmar_perf_latency'));
    assert.deepEqual(r.findings, []);
    assert.equal(r.lineCount, 2);
    assert.deepEqual(r.dialect, ['no latency type enabled (title line only)']);
    assert.equal(r.records.length, 1);
    assert.equal(r.records[0].unit, 'dmar0');
    assert.equal(r.records[0].baseAddress, 0xfed90000n);
    assert.deepEqual(r.records[0].columns, PERF_COLUMNS);
    assert.deepEqual(r.records[0].rows, []);
  });

  it('reads sample rows of every type, units without blank lines between them', () => {
    const r = parsePerfLatency(fixtureText('debugfs', 'dmar_perf_latency.samples'));
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['sampled types: inv_iotlb, inv_devtlb, inv_iec, svm_prq', 'svm_prq row: page-request latency (v5.14, before its removal)']);
    assert.deepEqual(r.records.map((u) => [u.unit, u.baseAddress, u.rows.map((x) => x.type)]), [
      ['dmar1', 0xfed91000n, ['inv_iotlb', 'inv_devtlb', 'inv_iec', 'svm_prq']],
      ['dmar0', 0xfed90000n, ['inv_iotlb']],
    ]);
    const prq = r.records[0].rows[3];
    assert.deepEqual(prq.values, [0, 0, 0, 12, 3, 1, 0, 12, 1204, 240]);
    assert.deepEqual(spanOf(prq, 'line'), { line: 5, start: 0, end: 132 });
    // "%12s" label then "%12lld" values: the max column ends at 12 * 10.
    assert.deepEqual(spanOf(prq, 'value8'), { line: 5, start: 116, end: 120 });
  });

  it('reports short rows, unknown types and stray lines at their line', () => {
    const text = [
      'IOMMU: dmar0 Register Base Address: fed90000',
      '                  <0.1us   0.1us-1us    1us-10us  10us-100us   100us-1ms    1ms-10ms      >=10ms     min(us)     max(us) average(us)',
      '   inv_iotlb           0           9         311           2           0           0           0           0          41',
      '   inv_xyz             0           9         311           2           0           0           0           0          41           1',
      'Failed to get latency snapshot',
      'what is this',
    ].join('\n');
    const r = parsePerfLatency(text);
    assert.deepEqual(r.findings.map((f) => [f.code, f.kind, f.span.line]), [
      ['row-width', 'syntax', 2],
      ['unknown-type', 'semantic', 3],
      ['snapshot-failed', 'semantic', 4],
      ['unrecognised-line', 'syntax', 5],
    ]);
  });

  it('is detected by its title line, not confused with iommu_regset', () => {
    assert.equal(looksLikePerfLatency(legacyCaptureText('dmar_perf_latency')), true);
    assert.equal(looksLikePerfLatency(legacyCaptureText('iommu_regset')), false);
  });
});
