// The twin of a real guest: the VM lane's capture (a fixture here) counted in
// its trace's twin window, and the simulator's scenario of it, which must
// agree on what the simulator models: invalidation submissions and
// descriptors, PSIs and DSIs, IOTLB fills and hits. Also the mechanisms
// themselves, one knob at a time.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/io/captureReader';
import { buildCapture } from '../../src/model/buildCapture';
import { windowFigures } from '../../src/model/traceReplay/windowFigures';
import { loadScenario, Simulation } from '../../src/sim/index';
import { K } from '../../src/sim/events/kinds';
import { simWindowFigures } from '../../src/sim/windowFigures';
import { computeTwin } from '../../src/vm/twin';
import { twinScenarioText } from '../../src/vm/twinScenario';
import { DEFAULT_VM, type VmOptions } from '../../src/vm/machine';
import type { VmManifest } from '../../src/vm/index';
import { VARIANTS } from '../../src/vm/variants';
import { fixturesDir } from '../helpers';

const dir = join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy');

function simulate(o: VmOptions) {
  const loaded = loadScenario(twinScenarioText(o, 'test'));
  assert.deepEqual(loaded.errors, []);
  const sim = new Simulation(loaded.scenario!, { record: true }).run();
  const log = sim.world.rec.log!;
  let first = 0;
  while (log.kindAt(first) !== K.packetGuest) first++;
  return simWindowFigures(log, { sid: 0x18, fromIndex: first });
}

describe('twin: a real guest against the simulator', () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as VmManifest;
  const capture = buildCapture(readCapture(dir).files);

  it("counts the real twin window: 100 echoes, 4 PSIs and 4 submissions each (caching mode maps and strict unmaps, TX and RX), 19 ring accesses", () => {
    const trace = capture.files.find((f) => f.parsed?.format === 'qemu_trace');
    assert.ok(trace?.parsed?.format === 'qemu_trace');
    const f = windowFigures(trace.parsed.records, { from: manifest.stages['twin-begin'], to: manifest.stages['twin-end'], sid: 0x18, did: 5 });
    assert.ok(f.psi >= 395 && f.psi <= 405, String(f.psi));
    assert.equal(f.submissions, f.descriptors.wait);
    assert.equal(f.dsi, 0);
    assert.ok(f.hits >= 1880 && f.hits <= 1920, String(f.hits));
    assert.equal(f.resets, 0);
  });

  it('agrees with the scenario its options give within ±10 % on every count', () => {
    const twin = computeTwin({ capture, options: manifest.options, from: manifest.stages['twin-begin'], to: manifest.stages['twin-end'] });
    assert.ok(!('problem' in twin));
    const counts = twin.rows.filter((r) => !r.figure.startsWith('PSI address mask'));
    assert.deepEqual(counts.filter((r) => !r.within).map((r) => `${r.figure}: ${r.simulated} vs ${r.real}`), []);
  });

  it('writes a scenario that loads for every variant of the lane', () => {
    for (const v of VARIANTS) assert.deepEqual(loadScenario(twinScenarioText(v.options, v.name)).errors, [], v.name);
  });
});

describe('simulator: the echo mechanisms, one knob at a time (100 echoes, 20 per second)', () => {
  it('caching mode adds a PSI per map: 4 per echo with it, 2 without', () => {
    assert.equal(simulate(DEFAULT_VM).psi, 400);
    assert.equal(simulate({ ...DEFAULT_VM, cachingMode: false }).psi, 200);
  });

  it('lazy invalidation (without caching mode) flushes the domain on the 10 ms timer, between echoes 50 ms apart: one DSI per echo, then the ring pages fill again', () => {
    const lazy = simulate({ ...DEFAULT_VM, cachingMode: false, strict: false });
    assert.equal(lazy.psi, 0);
    assert.ok(lazy.dsi >= 98 && lazy.dsi <= 100, String(lazy.dsi));
    assert.ok(lazy.fills >= 590 && lazy.fills <= 600, `${lazy.fills}: 2 buffers and 4 ring pages per echo`);
  });

  it('caching mode forces strict: lazy asked with it invalidates as strict does', () => {
    assert.deepEqual(simulate({ ...DEFAULT_VM, strict: false }), simulate(DEFAULT_VM));
  });

  it('ATS adds a device-TLB descriptor per unmap, in a submission of its own', () => {
    const ats = simulate({ ...DEFAULT_VM, ats: true });
    assert.equal(ats.descriptors['device-tlb'], 200);
    assert.equal(ats.submissions, 600);
  });
});

describe('interrupts of the VM guest', () => {
  it("links the IOAPIC pin that never fired (ACPI's SCI, IRQ 9) to the one IOAPIC entry the trace left, by elimination", () => {
    const capture = buildCapture(readCapture(dir).files);
    const acpi = capture.irtes.find((e) => e.irqs.some((q) => q.irq === '9'));
    assert.ok(acpi, 'IRQ 9 has an IRTE');
    assert.equal(acpi.linkedBy, 'elimination');
    assert.equal(acpi.info.sid, 0xff00, 'the IOAPIC\'s source id, ff:00.0');
    const remapped = capture.irqs.filter((q) => q.remapped);
    const linked = new Set(capture.irtes.flatMap((e) => e.irqs));
    assert.deepEqual(remapped.filter((q) => !linked.has(q)).map((q) => q.irq), []);
  });
});
