// First-stage translation in the simulator, as QEMU 10 does it with x-flts
// (vtd_iova_to_flpte) and as Linux uses it: x86-format tables through a
// PASID entry with PGTT = 001, its own fault reasons, the Accessed and Dirty
// bits set by the IOMMU, PASID-based invalidations, and no caching-mode
// flush on map (so no forced strict mode).

import { strict as assert } from 'node:assert';
import { loadScenario, runScenario, Simulation } from '../../src/sim/index';
import { FR } from '../../src/vtd/faultReasons';

const platform = (extra = '') => ['platform:', '  qemu: "10.1"', '  intremap: on', '  caching-mode: on', '  aw-bits: 48', '  irqchip: split', '  x-scalable-mode: on', '  x-flts: on', extra].join('\n');

function edu(requests: string[], extra = ''): string {
  const workload = requests.length ? ['workload:', '  requests:', ...requests.map((r) => `    - ${r}`)] : [];
  return ['name: fs', platform(extra), 'devices:', '  - { name: edu, bdf: "00:05.0", kind: emulated }', ...workload, ''].join('\n');
}

function run(text: string) {
  const r = loadScenario(text);
  assert.deepEqual(r.errors, []);
  return runScenario(r.scenario!, { record: true });
}

describe('simulator: first-stage translation (QEMU 10 x-flts)', () => {
  it('is refused by QEMU before 10 and outside scalable mode, in QEMU\'s words', () => {
    assert.equal(run(edu([]).replace('qemu: "10.1"', 'qemu: "9.1"')).result.refused, "Property 'intel-iommu.x-flts' not found");
    assert.equal(run(edu([]).replace('x-scalable-mode: on', 'x-scalable-mode: off')).result.refused, 'x-flts is only available in scalable mode');
  });

  it('faults as QEMU records it: not present 0x71, a write through a read-only leaf 0x85, a non-canonical IOVA 0x80, each with the RID_PASID', () => {
    const { result } = run(
      edu([
        '{ type: map, device: edu, iova: 0x10000, gpa: 0x3000000, access: read }',
        '{ type: dma, device: edu, iova: 0x20000, access: read }',
        // A write before any read: the walk sees the read-only leaf (after a read, QEMU's IOTLB hit would refuse it with no fault).
        '{ type: dma, device: edu, iova: 0x10000, access: write }',
        '{ type: dma, device: edu, iova: 0x800000000000, access: read }',
      ]),
    );
    assert.deepEqual(result.metrics.faults.map((f) => f.reason), [FR.FS_PAGING_ENTRY_P, FR.SM_WRITE, FR.FS_NON_CANONICAL]);
    assert.match(result.kernelLog.join('\n'), /\[DMA Write PASID 0x0\] .*fault addr 0x10000 \[fault reason 0x85\]/);
  });

  it('sets the Accessed bit of each entry it walks, and Dirty in the leaf of a write, in the guest\'s table', () => {
    const text = edu(['{ type: map, device: edu, iova: 0x10000, gpa: 0x3000000, access: read-write }', '{ type: dma, device: edu, iova: 0x10000, access: write }']);
    const sim = new Simulation(loadScenario(text).scenario!, { record: false }).run();
    const dev = sim.world.devices[0].guest!;
    const tables = dev.tables!;
    assert.equal(tables.firstStage, true);
    // Walk the guest's table by hand: PML4 -> PDPT -> PD -> PT for IOVA 0x10000.
    let pfn = tables.rootPfn;
    const idx = [0, 0, 0, 0x10];
    let leaf = 0;
    for (let level = 4; level >= 1; level--) {
      const page = sim.world.mem.page(pfn)!;
      const lo = page[idx[4 - level] << 1];
      const hi = page[(idx[4 - level] << 1) + 1];
      assert.ok(lo & 0x20, `A set at level ${level}`);
      assert.ok((hi >>> 31) === 1, 'XD as Linux writes it');
      if (level === 1) leaf = lo;
      pfn = (hi & 0xfffff) * 1048576 + (lo >>> 12);
    }
    assert.ok(leaf & 0x40, 'D set in the written leaf');
  });

  it("skips the caching-mode flush on map and keeps lazy invalidation under caching mode (Linux's rule for first-stage domains)", () => {
    const packets = (fs: boolean, invalidation: string) => {
      const text = [
        'name: tcp',
        platform().replace('x-flts: on', `x-flts: ${fs ? 'on' : 'off'}`),
        '  vhost: on',
        'devices:',
        '  - { name: net0, bdf: "00:03.0", kind: virtio-net }',
        'guest:',
        '  dma: dynamic',
        `  invalidation: ${invalidation}`,
        'workload:',
        '  packets: 600',
        '  packet-bytes: 64',
        '',
      ].join('\n');
      return runScenario(loadScenario(text).scenario!).result.metrics.steadyState!;
    };
    assert.equal(packets(false, 'strict').invalidationsPerPacket, 2, 'second stage: a PSI on map and on unmap');
    assert.equal(packets(true, 'strict').invalidationsPerPacket, 1, 'first stage: on unmap only');
    assert.equal(packets(false, 'lazy').invalidationsPerPacket, 2, 'second stage: caching mode forces strict');
    assert.ok(packets(true, 'lazy').invalidationsPerPacket < 0.05, 'first stage: the flush queue works');
  });
});
