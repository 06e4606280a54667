import { strict as assert } from 'node:assert';
import { buildCapture } from '../../src/model/buildCapture';
import { mappingsOf } from '../../src/model/mappings';
import { loadBuiltin, loadScenario, Simulation } from '../../src/sim/index';
import { simDebugfs } from '../../src/server/sim/debugfsText';
import { legacyEntry } from './tree-captureEntry';

const SEEDED = `name: seeded
platform: { aw-bits: 39, caching-mode: on, intremap: on, irqchip: split }
devices:
  - { name: edu, bdf: "00:05.0", kind: emulated }
workload:
  requests:
    - { type: dma, device: edu, iova: 0x2345000 }
`;

describe('simulation views: the guest\'s tables as debugfs prints them', () => {
  it('reprints a capture the simulation was seeded from: the same root and context entries, the same leaves', () => {
    const capture = legacyEntry().capture;
    const sim = new Simulation(loadScenario(SEEDED).scenario!, { capture }).run();
    const reread = buildCapture(simDebugfs(sim.world).files);
    for (const r of capture.requesters.values()) {
      const again = reread.requesters.get(r.key);
      assert.ok(again, `${r.bdf} is reprinted`);
      assert.deepEqual([again.root?.hi, again.root?.lo, again.context?.hi, again.context?.lo], [r.root?.hi, r.root?.lo, r.context?.hi, r.context?.lo], r.bdf);
    }
    for (const d of capture.domains.values()) {
      if (!d.table) continue;
      const mine = reread.domains.get(d.key);
      assert.ok(mine?.table, `domain ${d.did} has its table`);
      const leaves = (rows: Parameters<typeof mappingsOf>[0]) => [...mappingsOf(rows)].map(({ row: _row, ...m }) => m);
      assert.deepEqual(leaves(mine.table.rows), leaves(d.table.rows), `domain ${d.did}`);
    }
  });

  it('prints what a real kernel prints, so the parsers read it without a finding', () => {
    for (const name of ['dynamic-strict', 'static-dpdk', 'ir-cached-routes', 'guest-passthrough']) {
      const sim = new Simulation(loadBuiltin(name).scenario!, { limit: 2000 }).run();
      const { files } = simDebugfs(sim.world);
      const capture = buildCapture(files);
      const syntax = capture.findings.filter((f) => f.severity === 'error' || f.kind === 'syntax');
      assert.deepEqual(syntax, [], name);
      assert.ok(files.some((f) => f.name === 'iommu_regset'), name);
    }
  });

  it('prints the IRTEs the guest wrote, and nothing for a machine without a vIOMMU', () => {
    const sim = new Simulation(loadBuiltin('ir-cached-routes').scenario!, { limit: 200 }).run();
    const ir = simDebugfs(sim.world).files.find((f) => f.name === 'ir_translation_struct')!;
    assert.match(ir.text, /^Remapped Interrupt supported on IOMMU: dmar0\n IR table address:[0-9a-f]+\n Entry SrcID {3}DstID {4}Vct IRTE_high\t\tIRTE_low\n 0 {5}00:03\.0 00000000 22 {2}0000000000040018\t0000000000220009\n/);
    const none = new Simulation(loadBuiltin('no-iommu').scenario!, { limit: 200 }).run();
    assert.deepEqual(simDebugfs(none.world).files, []);
  });
});
