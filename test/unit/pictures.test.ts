// The pictures' data: the trace timeline (columns, never events; bounded
// whatever the trace's length), its SVG, a simulation's series, sweeps and
// latency histograms.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseQemuTrace, type TraceEvent } from '../../src/dumps/qemuTrace/index';
import { columnOfLine, MAX_BUCKETS, TimelineBuilder, traceTimeline } from '../../src/model/traceReplay/timeline';
import { timelineSvg } from '../../src/webview/timeline/render';
import { simSeries } from '../../src/sim/series';
import { loadBuiltin } from '../../src/sim/index';
import { perfLatencyCharts, sweepCharts } from '../../src/server/features/chartRequests';
import { CaptureWorkspace } from '../../src/server/captureWorkspace';
import { DocumentAnalysis } from '../../src/server/analysis';
import { fixturesDir, fixtureText, legacyCaptureText } from '../helpers';

const vmTrace = () => parseQemuTrace(readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy', 'qemu-vtd.trace'), 'utf8')).records;

describe('pictures: the trace timeline', () => {
  it('counts every drawn event once, in lanes per requester and per family, on the time axis when the trace has stamps', () => {
    const events = vmTrace();
    const t = traceTimeline(events);
    assert.equal(t.axis, 'time');
    assert.ok(t.x.length > 100 && t.x.length <= MAX_BUCKETS);
    const family = (label: string) => t.lanes.find((l) => l.kind === 'family' && l.label === label)!.counts.reduce((a, b) => a + b, 0);
    assert.equal(family('IOTLB hits'), events.filter((e) => e.name === 'vtd_iotlb_page_hit').length);
    assert.equal(family('faults'), events.filter((e) => e.name === 'vtd_dmar_fault' || e.name === 'vtd_frr_new').length);
    const families = t.lanes.filter((l) => l.kind === 'family').reduce((n, l) => n + l.counts.reduce((a, b) => a + b, 0), 0);
    assert.equal(families, t.drawn);
    assert.deepEqual(t.lanes.filter((l) => l.kind === 'device').map((l) => l.label), ['00:02.0', '00:03.0', '00:04.0', '00:05.0']);
    // Rates: a hit rate in [0, 1] where translations happened.
    assert.ok(t.rates.hitRate.every((r) => r === null || (r >= 0 && r <= 1)));
    assert.ok(t.rates.hitRate.some((r) => r !== null));
  });

  it('stays within its columns for a million events (the width doubles), and finds the column of any line', () => {
    const b = new TimelineBuilder();
    const e: TraceEvent = { kind: 'trace-event', name: 'vtd_iotlb_page_hit', args: { sid: 0x18 }, line: 0, lineEnd: 0, columns: { name: { start: 0, end: 0 } } } as unknown as TraceEvent;
    for (let i = 0; i < 1_000_000; i++) b.push({ ...e, line: i });
    const t = b.result();
    assert.equal(t.axis, 'line');
    assert.ok(t.x.length <= MAX_BUCKETS && t.x.length > MAX_BUCKETS / 2, `${t.x.length} columns`);
    assert.equal(t.lanes.find((l) => l.label === 'IOTLB hits')!.counts.reduce((a, b) => a + b, 0), 1_000_000);
    for (const line of [0, 1, 4095, 500_000, 999_999]) {
      const k = columnOfLine(t, line);
      assert.ok(t.firstLine[k] <= line && t.lastLine[k] >= line, `line ${line} in column ${k}`);
    }
  });

  it('exports an SVG with a group per lane and every name escaped', () => {
    const t = traceTimeline(parseQemuTrace(legacyCaptureText('qemu-vtd.trace')).records);
    const svg = timelineSvg({ ...t, name: 'trace <script>alert(1)</script>', uri: 'file:///x' });
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.equal((svg.match(/<g data-lane=/g) ?? []).length, t.lanes.length);
    assert.ok(!svg.includes('<script>'));
    assert.match(svg, /data-series="hit-rate"/);
  });
});

describe('pictures: simulation charts', () => {
  it('samples the figures of a run over its events, window by window, up to the position asked', () => {
    const s = simSeries(loadBuiltin('static-dpdk').scenario!, 30000);
    assert.ok(s.events.length > 5, `${s.events.length} points`);
    assert.ok(s.events.every((x, i) => i === 0 || x > s.events[i - 1]));
    assert.ok(s.until <= 30000);
    assert.ok(s.relativeThroughput.some((v) => v !== null && v > 0.5));
    const vhost = Object.keys(s.deviceTlbHitRate);
    assert.ok(vhost.length >= 1, 'vhost\'s device IOTLB has a series');
  });

  it('sweeps built-ins over a key, overlaid, with their published ranges as bands', function () {
    this.timeout(120000);
    const r = sweepCharts({ builtins: ['dynamic-strict', 'static-dpdk'], key: 'workload.packets', values: ['200', '400'] });
    assert.equal(r.error, undefined);
    const t = r.charts.find((c) => c.id === 'throughput')!;
    assert.deepEqual(t.x, [200, 400]);
    assert.deepEqual(t.series.map((s) => s.label), ['dynamic-strict', 'static-dpdk']);
    assert.equal(t.bands?.length, 2);
    assert.match(sweepCharts({ builtins: ['nope'], key: 'x', values: ['1'] }).error ?? '', /needs/);
  });

  it('draws a dmar_perf_latency dump as one histogram per unit with a series per latency type', () => {
    const ws = new CaptureWorkspace();
    const uri = 'untitled:perf';
    ws.setDocument(new DocumentAnalysis(uri, 1, fixtureText('debugfs', 'dmar_perf_latency.samples'), 'dmar_perf_latency'));
    const r = perfLatencyCharts(ws, uri)!;
    const dmar1 = r.charts.find((c) => c.title.startsWith('dmar1'))!;
    assert.equal(dmar1.kind, 'bars');
    assert.deepEqual(dmar1.x.length, 7);
    assert.deepEqual(dmar1.series.map((s) => s.label), ['inv_iotlb', 'inv_devtlb', 'inv_iec', 'svm_prq']);
    assert.equal(perfLatencyCharts(ws, 'untitled:none'), null);
  });
});
