import { strict as assert } from 'node:assert';
import { loadBuiltin, loadScenario, runScenario, SimulationSession } from '../../src/sim/index';
import { fnv1aOf } from '../../src/sim/digest';

const RANDOM = (seed: number) =>
  [
    'name: random',
    `seed: ${seed}`,
    'platform: { caching-mode: on, irqchip: split }',
    'devices: [{ name: net0, bdf: "00:03.0", kind: virtio-net }]',
    'guest: { dma: dynamic, invalidation: strict }',
    'workload: { packets: 300, packet-bytes: [64, 1500, 9000], interrupt-every: 4, interrupt-jitter: 8 }',
  ].join('\n');

const scenario = (text: string) => {
  const r = loadScenario(text);
  assert.deepEqual(r.errors, []);
  return r.scenario!;
};

describe('sim: determinism and the digest', () => {
  it('FNV-1a of numbers is stable and sensitive', () => {
    assert.equal(fnv1aOf([]), 'fnv1a32:811c9dc5');
    assert.equal(fnv1aOf([1, 2, 3]), fnv1aOf([1, 2, 3]));
    assert.notEqual(fnv1aOf([1, 2, 3]), fnv1aOf([1, 3, 2]));
    assert.notEqual(fnv1aOf([2 ** 40]), fnv1aOf([0]));
  });

  it('the same seed gives the same events and digest; another seed another digest when the workload is random', () => {
    const a = runScenario(scenario(RANDOM(1))).result;
    const b = runScenario(scenario(RANDOM(1))).result;
    const c = runScenario(scenario(RANDOM(2))).result;
    assert.equal(a.digest, b.digest);
    assert.equal(a.events, b.events);
    assert.notEqual(a.digest, c.digest);
  });

  it('a scenario without randomness does not depend on its seed', () => {
    const text = loadBuiltin('dynamic-strict').scenario!;
    const a = runScenario({ ...text, seed: 1 }).result.digest;
    const b = runScenario({ ...text, seed: 99 }).result.digest;
    assert.equal(a, b);
  });

  it('recording the events or not gives the same digest', () => {
    const s = scenario(RANDOM(3));
    assert.equal(runScenario(s, { record: true }).result.digest, runScenario(s).result.digest);
  });
});

describe('sim: stepping sessions', () => {
  it('steps forward and back by replay: the state after k events is the same however it is reached', () => {
    const s = new SimulationSession(scenario(RANDOM(5)));
    assert.equal(s.position, 0);
    const one = s.step();
    assert.equal(one.position, 1);
    assert.equal(one.events.length, 1);
    assert.equal(one.events[0].kind, 'reg-write');
    s.step(99);
    assert.equal(s.position, 100);
    const at100 = s.state();
    s.step(50);
    const back = s.stepBack(50);
    assert.equal(back.position, 100);
    assert.deepEqual(s.state().digest, at100.digest);
    assert.deepEqual(s.state().iotlb, at100.iotlb);
    s.reset();
    assert.equal(s.position, 0);
  });

  it('runs to a breakpoint on an event kind, a requester and IOVA range, or a fault', () => {
    const s = new SimulationSession(scenario(RANDOM(5)));
    const r = s.runTo({ kind: 'devtlb-request' });
    assert.equal(r.hit, true);
    assert.equal(r.events.at(-1)?.kind, 'devtlb-request');
    const pos = s.position;
    const r2 = s.runTo({ kind: 'devtlb-request', requester: '00:03.0', iovaFrom: 0xfff00000n, iovaTo: 0xffffffffn });
    assert.ok(s.position > pos);
    assert.equal(r2.events.at(-1)?.requester, '00:03.0');
    const f = new SimulationSession(loadBuiltin('fault-unmapped-iova').scenario!);
    const hit = f.runTo({ fault: 6 });
    assert.equal(hit.hit, true);
    assert.equal(hit.events.at(-1)?.kind, 'dmar-fault');
    assert.match(hit.events.at(-1)!.text, /0x06 PTE Read access is not set/);
    const end = f.runToEnd();
    assert.equal(end.finished, true);
    assert.deepEqual(f.state().faults.kernelLog.at(-1), 'DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x2345000 [fault reason 0x06] PTE Read access is not set');
  });

  it('exposes the views: IOTLB, context cache, vhost IOTLB flow, routes, last-step changes', () => {
    const s = new SimulationSession(scenario(RANDOM(7)));
    s.runTo({ kind: 'iotlb-update' });
    const st = s.state();
    assert.ok(st.iotlb.entries.length >= 1);
    const e = st.iotlb.entries.at(-1)!;
    assert.equal(e.requester, '00:03.0');
    assert.match(e.iovaPage, /^0x[0-9a-f]+000$/);
    assert.equal(e.permissions, 'RW');
    assert.match(st.lastStep.changes.at(-1)!, /^iotlb-update: IOTLB fill IOVA/);
    s.step();
    assert.equal(s.state().lastStep.events.length, 1, 'one step, one event');
    assert.ok(st.contextCache.entries.some((c) => c.requester === '00:03.0' && c.valid));
    s.step(400);
    const later = s.state();
    const vhost = later.deviceTlbs[0];
    assert.equal(vhost.kind, 'vhost');
    assert.equal(vhost.invalidatedBy, 'IOTLB UNMAP notifications');
    const kinds = new Set(vhost.flow.map((f) => f.kind));
    for (const k of ['devtlb-request', 'devtlb-completion', 'devtlb-fill']) assert.ok(kinds.has(k), k);
    assert.ok(vhost.flow.every((f, i) => i === 0 || f.index > vhost.flow[i - 1].index), 'in time order');
    assert.equal(later.routes[0].status, 'cached');
    assert.equal(later.routes[0].requester, '00:03.0');
    assert.ok(later.routes[0].irteIndex !== null);
    assert.doesNotThrow(() => JSON.stringify(later));
  });

  it('runs to an IOTLB reset (QEMU full-table policy) when a device touches more than 1024 pages', () => {
    const text = [
      'name: reset',
      'platform: { vhost: off, irqchip: split }',
      'devices: [{ name: net0, bdf: "00:03.0", kind: virtio-net }]',
      'guest: { dma: static, huge-pages: 4K, static-bytes: 33554432, buffers: 2048 }',
      'workload: { packets: 1500 }',
    ].join('\n');
    const s = new SimulationSession(scenario(text));
    const r = s.runTo({ kind: 'iotlb-reset' });
    assert.equal(r.hit, true);
    const st = s.state();
    assert.equal(st.iotlb.counters.resets, 1);
    assert.equal(st.iotlb.size, 1, 'the reset left only the entry just inserted');
  });
});

describe('sim: the state after a register write', () => {
  it('holds the write and its effect (IQA, GSTS after GCMD) at the event itself, not one event later', () => {
    const s = new SimulationSession(loadBuiltin('dynamic-strict').scenario!);
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = s.step(1);
      const text = r.events[0]?.text ?? '';
      const regs = s.state().registers;
      const m = /^(IQA|GCMD|IRTA) <- (0x[0-9a-f]+)$/.exec(text);
      if (!m) continue;
      seen.push(m[1]);
      if (m[1] === 'GCMD') {
        // GSTS mirrors the command bits QEMU sets at once (QIES 26, IRES 25, TES 31, ...).
        assert.equal(BigInt(regs.GSTS) & BigInt(m[2]), BigInt(m[2]), `GSTS after ${text}`);
      } else assert.equal(BigInt(regs[m[1]]) & ~0xfffn, BigInt(m[2]) & ~0xfffn, `${m[1]} after ${text}`);
    }
    assert.deepEqual(seen.slice(0, 4), ['IQA', 'GCMD', 'IRTA', 'GCMD']);
  });
});
