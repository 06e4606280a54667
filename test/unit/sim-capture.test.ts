import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCapture } from '../../src/model/buildCapture';
import { mappingsOf } from '../../src/model/mappings';
import { translate } from '../../src/model/walk';
import type { Capture } from '../../src/model/types';
import { loadScenario, Simulation } from '../../src/sim/index';
import { emptyTranslateResult, translateDma } from '../../src/sim/iommu/translate';
import { hiOf, joinHalves, loOf } from '../../src/sim/halves';
import { legacyCaptureDir } from '../helpers';

const SCENARIO = `name: seeded
platform: { aw-bits: 39, caching-mode: on, device-iotlb: on, intremap: on, irqchip: off }
devices:
  - { name: nic, bdf: "00:02.0", kind: emulated }
  - { name: edu, bdf: "00:05.0", kind: emulated }
workload:
  requests:
    - { type: dma, device: nic, iova: 0xffefd000 }
    - { type: dma, device: edu, iova: 0x2345000 }
    - { type: msi, device: nic, vector: 0 }
`;

describe('sim: a capture seeds the simulation', () => {
  let capture: Capture;
  let sim: Simulation;
  before(() => {
    const files = readdirSync(legacyCaptureDir)
      .filter((n) => statSync(join(legacyCaptureDir, n)).isFile())
      .map((n) => ({ name: n, text: readFileSync(join(legacyCaptureDir, n), 'utf8') }));
    capture = buildCapture(files);
    sim = new Simulation(loadScenario(SCENARIO).scenario!, { capture }).run();
  });

  function sim1(sid: number, iova: bigint, write = false) {
    const out = emptyTranslateResult();
    translateDma(sim.world.iommu!, sid, -1, hiOf(iova), loOf(iova), write, out);
    return { ...out, hpa: joinHalves(out.outHi, out.outLo) };
  }

  it('translates 00:02.0 IOVA 0xffefd000 to 0x268e000, as src/model/walk.ts does', () => {
    const t = sim1(0x0010, 0xffefd000n);
    assert.equal(t.ok, true);
    assert.equal(t.hpa, 0x268e000n);
    const model = translate(capture, { sid: 0x0010, iova: 0xffefd000n });
    assert.equal(model.hpa, t.hpa);
  });

  it('faults a read of 00:05.0 at 0x2345000 with 0x06, the fault the guest recorded', () => {
    const t = sim1(0x0028, 0x2345000n);
    assert.equal(t.ok, false);
    assert.equal(t.fault, 0x6);
    const log = sim.state.kernelLog.join('\n');
    assert.match(log, /\[DMA Read NO_PASID\] Request device \[00:05\.0\] fault addr 0x2345000 \[fault reason 0x06\] PTE Read access is not set/);
  });

  it('translates every mapping of every dumped domain to the host page the capture shows', () => {
    let checked = 0;
    for (const r of capture.requesters.values()) {
      for (const t of r.tables) {
        for (const m of mappingsOf(t.rows)) {
          const s = sim1(r.sid, m.iova + 0x123n);
          assert.equal(s.ok, true, `${r.bdf} ${m.iova.toString(16)}`);
          assert.equal(s.hpa, m.hpa + 0x123n, `${r.bdf} ${m.iova.toString(16)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `checked ${checked} mappings`);
  });

  it('remaps the NIC\'s MSI through the capture\'s IRTE 26 to vector 0x28', () => {
    assert.ok(sim.world.rec.kindCounts.length > 0);
    const delivered = [];
    const log = sim.world.rec.log!;
    for (let i = 0; i < log.count; i++) {
      const e = log.get(i);
      if (e.kind === 49 /* irq-delivered */) delivered.push(e.c);
    }
    assert.deepEqual(delivered, [0x28]);
  });
});
