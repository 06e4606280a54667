// The simulator moves its figures the way QEMU and Linux would when one knob
// changes (issue: performance from mechanisms). Each test sweeps one key of a
// built-in scenario and asserts the direction, with the mechanism that gives it.

import { strict as assert } from 'node:assert';
import { builtinText } from '../../src/sim/index';
import { sensitivity, sweep } from '../../src/sim/sensitivity';
import type { SimMetrics } from '../../src/sim/metrics';

function steady(text: string, path: string, values: string[]): SimMetrics[] {
  return sweep(text, path, values).map((r) => {
    assert.ok(r.metrics, `${path}=${r.value}: ${(r.errors ?? []).join('; ')}`);
    return r.metrics.steadyState ?? r.metrics;
  });
}

const rel = (m: SimMetrics) => m.relativeThroughput ?? NaN;
/** dynamic-strict with small packets: the vCPU's traps, not vhost's misses, are the bottleneck. */
const smallPackets = () => builtinText('dynamic-strict')!.replace('packet-bytes: 65536', 'packet-bytes: 64');

describe('simulator: figures move the way QEMU and Linux would', function () {
  this.timeout(60000);

  it('larger packets (within a page) amortise the per-buffer traps and misses: 1500 bytes beat 64', () => {
    const [small, frame] = steady(smallPackets(), 'workload.packet-bytes', ['64', '1500']);
    assert.ok(rel(frame) > rel(small), `${rel(frame)} vs ${rel(small)}`);
    assert.equal(frame.invalidationsPerPacket, small.invalidationsPerPacket, 'one mapping each');
  });

  it('a GSO packet maps its headers and each fragment on its own: more invalidations and misses per packet', () => {
    const [frame, gso] = steady(smallPackets(), 'workload.packet-bytes', ['1500', '65536']);
    assert.equal(frame.invalidationsPerPacket, 2);
    assert.equal(gso.invalidationsPerPacket, 6);
    assert.equal(gso.vhostMissesPerPacket, 17);
  });

  it('caching mode costs a trap per map: on is slower than off, with twice the invalidations', () => {
    const [on, off] = steady(smallPackets(), 'platform.caching-mode', ['on', 'off']);
    assert.equal(on.invalidationsPerPacket, 2 * off.invalidationsPerPacket);
    assert.ok(rel(on) < rel(off), `${rel(on)} vs ${rel(off)}`);
  });

  it('lazy invalidation (possible without caching mode) saves the traps: lazy beats strict where the traps are the bottleneck (QEMU doing the DMA)', () => {
    const text = builtinText('vhost-off-dynamic')!.replace('packet-bytes: 65536', 'packet-bytes: 64').replace('caching-mode: on', 'caching-mode: off');
    const [strict, lazy] = steady(text, 'guest.invalidation', ['strict', 'lazy']);
    assert.ok(lazy.invalidationsPerPacket < 0.05 && strict.invalidationsPerPacket === 1);
    assert.ok(rel(lazy) > rel(strict), `${rel(lazy)} vs ${rel(strict)}`);
  });

  it("but under vhost it saves nothing that matters: every buffer is a fresh IOVA vhost misses (the strict case's reasoning)", () => {
    const text = smallPackets().replace('caching-mode: on', 'caching-mode: off');
    const [strict, lazy] = steady(text, 'guest.invalidation', ['strict', 'lazy']);
    assert.ok(lazy.vhostMissesPerPacket >= 1 && strict.vhostMissesPerPacket >= 1);
    assert.ok(Math.abs(rel(lazy) - rel(strict)) / rel(strict) < 0.05, `${rel(lazy)} vs ${rel(strict)}`);
  });

  it('under caching mode, lazy asked is strict done (Linux forces it): the same figures', () => {
    const [strict, lazy] = steady(smallPackets(), 'guest.invalidation', ['strict', 'lazy']);
    assert.deepEqual(lazy, strict);
  });

  it("huge pages keep a large static working set inside vhost's IOTLB: 2 MiB beat 4 KiB once 4096 buffers outgrow its 2048 entries", () => {
    const text = builtinText('static-dpdk')!.replace('huge-pages: 2M', 'huge-pages: 2M\n  buffers: 4096');
    const [small, huge] = steady(text, 'guest.huge-pages', ['4K', '2M']);
    assert.ok(small.vhostMissesPerPacket > 0.5, String(small.vhostMissesPerPacket));
    assert.equal(huge.vhostMissesPerPacket, 0);
    assert.ok(rel(huge) > rel(small));
  });

  it('pass-through answers vhost one 4 KiB page at a time: a working set beyond its IOTLB keeps missing', () => {
    const [fits, beyond] = steady(builtinText('guest-passthrough')!, 'guest.buffers', ['256', '4096']);
    assert.equal(fits.vhostMissesPerPacket, 0);
    assert.ok(beyond.vhostMissesPerPacket > 0.9);
    assert.ok(rel(beyond) < rel(fits) / 2);
  });

  it('Linux 6.12 batches the IOTLB and device-TLB flush of one unmap into one submission (qi_batch): fewer traps than 6.1', () => {
    const text = smallPackets().replace('device-iotlb: off', 'device-iotlb: on').replace('kind: virtio-net }', 'kind: virtio-net, ats: on }');
    const [old, batched] = steady(text, 'guest.linux', ['6.1', '6.12']);
    assert.equal(old.invalidationsPerPacket, batched.invalidationsPerPacket);
    assert.ok(batched.qiSubmissionsPerPacket < old.qiSubmissionsPerPacket, `${batched.qiSubmissionsPerPacket} vs ${old.qiSubmissionsPerPacket}`);
    assert.ok(rel(batched) >= rel(old));
  });

  it("without vhost, QEMU's own virtio, its translations and the vCPU's trapped invalidations share QEMU's global lock", () => {
    const [m] = steady(builtinText('vhost-off-dynamic')!, 'workload.packet-bytes', ['65536']);
    assert.ok(m.nsPerPacket.bql >= m.nsPerPacket.backend);
    assert.ok(m.nsPerPacket.bql > 0.5 * m.nsPerPacket.vcpu);
  });

  it('the sensitivity report puts the vhost miss first for the TCP guest, and moves nothing a scenario does not use', () => {
    const s = sensitivity(builtinText('dynamic-strict')!);
    assert.ok(!('errors' in s));
    assert.equal(s.rows[0].key === 'devtlb-miss-ns' || s.rows[0].key === 'copy-ns-per-byte', true, s.rows[0].key);
    assert.ok(s.rows.find((r) => r.key === 'devtlb-miss-ns')!.spread > 1);
    assert.equal(s.rows.find((r) => r.key === 'vfio-map-ns')!.spread, 0);
  });
});
