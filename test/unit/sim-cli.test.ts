import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { loadBuiltin, runScenario } from '../../src/sim/index';
import { legacyCaptureDir } from '../helpers';

function run(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }) as number;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('viommu simulate', () => {
  it('--list names every built-in', () => {
    const r = run('simulate', '--list');
    assert.equal(r.code, 0);
    for (const n of ['no-iommu', 'static-dpdk', 'dynamic-lazy', 'ir-kernel-irqchip', 'fault-compat-interrupt-blocked']) assert.match(r.out, new RegExp(`^${n} `, 'm'));
  });

  it('--builtin NAME --json gives the scenario, the metrics, the event count and the digest', () => {
    const r = run('simulate', '--builtin', 'dynamic-strict', '--json');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.equal(j.scenario, 'dynamic-strict');
    assert.ok(j.metrics.relativeThroughput > 0.01 && j.metrics.relativeThroughput < 0.05);
    for (const k of ['invalidationsPerPacket', 'exitsPerSecond', 'iotlbHitRate', 'vhostMissesPerPacket']) assert.ok(k in j.metrics, k);
    assert.equal(typeof j.events, 'number');
    assert.match(j.digest, /^fnv1a32:[0-9a-f]{8}$/);
    assert.equal(j.check.inside, true);
  });

  it('--steps N gives the first N events', () => {
    const r = run('simulate', '--builtin', 'fault-unmapped-iova', '--json', '--steps', '5');
    const j = JSON.parse(r.out);
    assert.equal(j.events.length, 5);
    assert.equal(j.events[0].kind, 'reg-write');
    const human = run('simulate', '--builtin', 'fault-unmapped-iova', '--steps', '3');
    assert.match(human.out, /fault 0x06 recorded/);
    assert.match(human.out, /reg-write/);
  });

  it('--steps N stores only N events however long the run: the same figures and digest as an unrecorded run', () => {
    const scenario = loadBuiltin('dynamic-strict').scenario!;
    const whole = runScenario(scenario, { record: false });
    const first = runScenario(scenario, { record: 7 });
    assert.ok(whole.result.events > 100000, String(whole.result.events));
    assert.equal(first.sim.world.rec.log?.count, 7);
    assert.equal(first.result.events, whole.result.events);
    assert.equal(first.result.digest, whole.result.digest);
    assert.deepEqual(first.result.metrics, whole.result.metrics);
    assert.equal(runScenario(scenario, { record: 0 }).sim.world.rec.log, null);
  });

  it('a scenario file runs; its errors print as FILE:LINE:COLUMN and exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-sim-'));
    const good = join(dir, 'ok.viommu.yaml');
    writeFileSync(good, 'name: ok\ndevices: [{ name: edu, bdf: "00:05.0", kind: emulated }]\nworkload:\n  requests: [{ type: dma, device: edu, iova: 0x1000, access: write }]\n');
    const r = run('simulate', good);
    assert.equal(r.code, 0);
    assert.match(r.out, /fault 0x05 recorded/);
    const bad = join(dir, 'bad.viommu.yaml');
    writeFileSync(bad, 'name: bad\nplatform:\n  irqchip: maybe\n');
    const b = run('simulate', bad);
    assert.equal(b.code, 1);
    assert.equal(b.err, `${bad}:3:12: platform.irqchip: expected one of split, on, off, got "maybe"`);
  });

  it('--capture seeds the run from a capture folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-sim-'));
    const f = join(dir, 'c.viommu.yaml');
    writeFileSync(f, 'name: c\nplatform: { aw-bits: 39, caching-mode: on, device-iotlb: on, irqchip: off }\ndevices: [{ name: edu, bdf: "00:05.0", kind: emulated }]\nworkload:\n  requests: [{ type: dma, device: edu, iova: 0x2345000 }]\n');
    const r = run('simulate', f, '--capture', legacyCaptureDir);
    assert.equal(r.code, 0);
    assert.match(r.out, /\[DMA Read NO_PASID\] Request device \[00:05\.0\] fault addr 0x2345000 \[fault reason 0x06\]/);
  });

  it('--table prints every built-in beside its published range, all inside (exit 0)', () => {
    // One row a scenario with --wide; wrapped to 100 columns without.
    const narrow = run('simulate', '--table');
    assert.equal(narrow.code, 0);
    assert.ok(narrow.out.split('\n').every((l) => l.length <= 100));
    const r = run('simulate', '--table', '--wide');
    assert.equal(r.code, 0);
    const rows = r.out.split('\n').slice(2);
    assert.equal(rows.length, 15);
    assert.ok(rows.every((l) => / yes /.test(l)), r.out);
    assert.match(r.out, /static-dpdk\s+relative throughput 0\.95-0\.99\s+0\.9\d\d/);
  });

  it('usage errors exit 2', () => {
    assert.equal(run('simulate').code, 2);
    assert.equal(run('simulate', '--builtin', 'nope').code, 2);
    assert.equal(run('simulate', '--builtin', 'no-iommu', '--steps', 'x').code, 2);
  });
});
