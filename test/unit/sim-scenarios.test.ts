import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinNames, builtinText, loadBuiltin, loadScenario, runScenario, SCENARIO_SCHEMA, schemaAt } from '../../src/sim/index';
import { KERNEL_IRQCHIP_REFUSAL } from '../../src/sim/platform';
import { K } from '../../src/sim/events/kinds';
import { defaultCosts } from '../../src/sim/costModel';

const COST_DEFAULTS = defaultCosts();
import { repoRoot } from '../helpers';

const REQUIRED = [
  'no-iommu',
  'static-dpdk',
  'static-dpdk-no-metadata-cache',
  'dynamic-strict',
  'dynamic-lazy',
  'guest-passthrough',
  'vhost-off-dynamic',
  'ir-cached-routes',
  'ir-uncached',
  'ir-kernel-irqchip',
  'fault-unmapped-iova',
  'fault-write-readonly',
  'fault-compat-interrupt-blocked',
  'vfio-dynamic',
  'vfio-static',
];

function run(name: string) {
  const r = loadBuiltin(name);
  assert.deepEqual(r.errors, [], `${name} loads`);
  return runScenario(r.scenario!).result;
}

describe('sim: built-in scenarios reproduce the published ranges (each citing its source)', () => {
  it('lists exactly the built-ins by name', () => {
    assert.deepEqual(builtinNames(), REQUIRED);
  });

  it('the embedded texts are the sample files, byte for byte (run scripts/embed-scenarios.mjs after editing one)', () => {
    const dir = join(repoRoot, 'samples', 'scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.viommu.yaml'));
    assert.equal(files.length, REQUIRED.length);
    for (const f of files) assert.equal(builtinText(f.replace('.viommu.yaml', '')), readFileSync(join(dir, f), 'utf8'), f);
  });

  for (const name of REQUIRED) {
    it(`${name} lands inside its expected range`, () => {
      const r = run(name);
      assert.ok(r.check, `${name} declares an expectation`);
      assert.equal(r.check!.inside, true, `${name}: expected ${r.check!.expected}, simulated ${r.check!.actual}`);
    });
  }

  it('the ranges themselves are the published ones', () => {
    const range = (n: string) => loadBuiltin(n).scenario!.expect!.relativeThroughput;
    assert.deepEqual(range('static-dpdk'), [0.95, 0.99]);
    assert.deepEqual(range('static-dpdk-no-metadata-cache'), [0.63, 0.82]);
    assert.deepEqual(range('dynamic-strict'), [0.01, 0.05]);
    assert.deepEqual(range('no-iommu'), [1, 1]);
    assert.equal(loadBuiltin('dynamic-lazy').scenario!.expect!.prediction, true, 'dynamic-lazy is stated as a prediction');
  });

  it('ir-kernel-irqchip is refused with the exact message of the QEMU the machine has (Debian\'s 7.2 binary holds this string)', () => {
    const r = run('ir-kernel-irqchip');
    assert.equal(r.refused, "Interrupt Remapping cannot work with kernel-irqchip=on, please use 'split|off'.");
    assert.equal(r.refused, KERNEL_IRQCHIP_REFUSAL);
    assert.equal(r.metrics.relativeThroughput, null);
  });

  it('dynamic-strict: a 64 KiB GSO packet is three mappings (headers, two 32 KiB fragments), so 6 invalidations; its 17 pages are fresh IOVAs vhost misses; vhost is the bottleneck', () => {
    const m = run('dynamic-strict').metrics.steadyState!;
    assert.equal(m.invalidationsPerPacket, 6);
    assert.equal(m.qiSubmissionsPerPacket, 6);
    assert.ok(Math.abs(m.vhostMissesPerPacket - 17) < 0.01, String(m.vhostMissesPerPacket));
    assert.equal(m.bottleneck, 'backend');
    assert.ok(m.exitsPerSecond > 1000);
  });

  it('dynamic-lazy: about 3/256 invalidation per packet (a domain flush per 256 unmaps), still 17 vhost misses per packet', () => {
    const m = run('dynamic-lazy').metrics.steadyState!;
    assert.ok(m.invalidationsPerPacket > 0 && m.invalidationsPerPacket < 0.05, String(m.invalidationsPerPacket));
    assert.ok(m.vhostMissesPerPacket > 16.9, String(m.vhostMissesPerPacket));
  });

  it('vhost-off-dynamic: the same guest with QEMU doing the DMA: no vhost miss, the vCPU traps into QEMU under its lock', () => {
    const m = run('vhost-off-dynamic').metrics.steadyState!;
    assert.equal(m.vhostMissesPerPacket, 0);
    assert.equal(m.invalidationsPerPacket, 6);
    assert.ok(m.nsPerPacket.bql > m.nsPerPacket.backend, 'QEMU\'s virtio-net and the trapped invalidations share the lock');
  });

  it('ir-cached-routes: interrupts cost nothing, the IRTE change leaves a stale route until its IEC flush rebuilds all routes', () => {
    const m = run('ir-cached-routes').metrics;
    assert.equal(m.perInterruptCostNs, 0);
    assert.equal(m.staleDeliveries, 100);
    assert.equal(m.routeUpdates, 1);
  });

  it('ir-uncached: one QEMU translation per interrupt, its cost the sum of the translation and the userspace APIC\'s delivery', () => {
    const m = run('ir-uncached').metrics;
    assert.equal(m.perInterruptCostNs, COST_DEFAULTS['msi-translate-ns'] + COST_DEFAULTS['apic-deliver-user-ns']);
    assert.equal(m.exitsPerPacket, 1);
  });

  it('vfio-dynamic: every map and unmap traps, and QEMU mirrors it into the host IOMMU; the device\'s DMA never misses there', () => {
    const m = run('vfio-dynamic').metrics.steadyState!;
    assert.equal(m.invalidationsPerPacket, 2);
    assert.equal(m.bottleneck, 'vcpu');
    const sim = runScenario(loadBuiltin('vfio-dynamic').scenario!, { record: true }).sim;
    const counts = sim.world.rec.kindCounts;
    assert.ok(counts[K.vfioMap] >= 2000 && counts[K.vfioUnmap] >= 2000, `${counts[K.vfioMap]} maps, ${counts[K.vfioUnmap]} unmaps`);
    assert.equal(counts[K.dmaAborted], 0, 'every buffer was in the host IOMMU when the device used it');
    const dev = sim.world.devices[0];
    assert.equal(dev.shadow!.size, 3, 'only the rings stay mapped between packets');
  });

  it('an assigned device needs caching mode: QEMU stops with its message without it', () => {
    const text = builtinText('vfio-dynamic')!.replace('caching-mode: on', 'caching-mode: off');
    assert.equal(runScenario(loadScenario(text).scenario!).result.refused, 'We need to set caching-mode=on for intel-iommu to enable device assignment with IOMMU protection.');
  });

  it('cost constants can be overridden in the scenario', () => {
    const text = builtinText('dynamic-strict')!.replace('expect:', 'costs:\n  devtlb-miss-ns: 45000\n  exit-user-ns: 3000\nexpect:');
    const s = loadScenario(text).scenario!;
    assert.equal(s.costs['devtlb-miss-ns'], 45000);
    const m = runScenario(s).result.metrics;
    assert.ok(m.nsPerPacket.backend > 45000);
  });
});

describe('sim: scenario files are validated with positions', () => {
  function errors(text: string) {
    return loadScenario(text).errors.map((e) => `${e.line}:${e.column} ${e.message}`);
  }

  it('reports YAML syntax errors with line and column', () => {
    const e = loadScenario('name: x\nplatform:\n  intremap: [on\n').errors;
    assert.ok(e.length > 0);
    assert.ok(e[0].line >= 3, JSON.stringify(e[0]));
  });

  it('refuses YAML aliases with their position, never expanding them (a "billion laughs" file stays small)', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    const text = ['name: bomb', ...levels, 'devices: *l8', ''].join('\n');
    const e = errors(text);
    assert.equal(e[0], '3:10 a YAML alias (*a): scenarios do not use anchors and aliases, write the value out');
    // 73 aliases: the first 50 are listed, then how many more.
    assert.equal(e.length, 51);
    assert.match(e[50], /^8:30 23 more errors not listed \(the first of them is here\)$/);
    assert.equal(loadScenario(text).scenario, undefined);
  });

  it('refuses nesting deeper than a scenario needs with one error, before the YAML parser recurses', () => {
    assert.deepEqual(errors('['.repeat(200000)), ['1:65 nested more than 64 levels deep: a scenario is a few levels of maps and lists']);
    // Brackets in quotes and comments do not count.
    const text = 'name: x # [[[[[[[[\nnotes: "' + '['.repeat(100) + '"\nnote2: \'{{{{\'\ndevices: ' + '['.repeat(70);
    assert.deepEqual(errors(text), ['4:74 nested more than 64 levels deep: a scenario is a few levels of maps and lists']);
    // Nesting by indentation alone: the parser's own stack overflow, in words.
    const block = Array.from({ length: 6000 }, (_, i) => ' '.repeat(i) + 'a:').join('\n');
    const e = errors(block);
    assert.ok(e.length >= 1 && e.length <= 51, String(e.length));
    assert.ok(e.every((m) => !m.includes('Maximum call stack')), e[0]);
    assert.ok(e.some((m) => m.includes('nested too deeply')), e[0]);
  });

  it('lists at most 50 errors of a garbled file, then how many more', () => {
    let seed = 1;
    const bytes = Array.from({ length: 20000 }, () => String.fromCharCode(32 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 95)) + (seed % 7 === 0 ? '\n' : ''));
    const e = errors(bytes.join(''));
    assert.ok(e.length <= 51, String(e.length));
    assert.ok(e.length > 0);
  });

  it('names the key, the line and the column of a bad value, an unknown key and a missing key', () => {
    const text = ['name: t', 'platform:', '  aw-bits: 40', '  irqchip: kernel', '  cachingmode: on', 'devices:', '  - { bdf: "00:03.0" }', ''].join('\n');
    const e = errors(text);
    assert.ok(e.includes('3:12 platform.aw-bits: expected one of 39, 48, 57, got 40'), e.join('\n'));
    assert.ok(e.includes('4:12 platform.irqchip: expected one of split, on, off, got "kernel"'), e.join('\n'));
    assert.ok(e.some((x) => x.startsWith('5:3 platform.cachingmode: unknown key "cachingmode"')), e.join('\n'));
    assert.ok(e.some((x) => x.startsWith('7:5 devices[0]: missing required key "name"')), e.join('\n'));
  });

  it('checks across keys: a request naming an unknown device, a vector the device lacks', () => {
    const text = [
      'name: t',
      'devices:',
      '  - { name: nic, bdf: "00:03.0" }',
      'workload:',
      '  requests:',
      '    - { type: dma, device: nope, iova: 0x1000 }',
      '    - { type: msi, device: nic, vector: 3 }',
      '    - { type: teleport, device: nic }',
    ].join('\n');
    const e = errors(text);
    assert.ok(e.some((x) => x.startsWith('8:15 workload.requests[2].type: "teleport" is not one of dma, map, unmap, msi, ioapic, irte-update')), e.join('\n'));
    // Cross-key checks run once the schema checks pass.
    const e2 = errors(text.split('\n').slice(0, 7).join('\n'));
    assert.ok(e2.some((x) => x.startsWith('6:28 workload.requests[0].device: no device named "nope"')), e2.join('\n'));
    assert.ok(e2.some((x) => x.startsWith('7:41 workload.requests[1].vector: device "nic" has 1 vector(s)')), e2.join('\n'));
  });

  it('never throws on garbage', () => {
    for (const t of ['', '---', '[1, 2]', 'name: [', '\u0000\u0001', 'name: x\nseed: -4', 'name: x\nworkload: { packets: 1e99 }']) {
      const r = loadScenario(t);
      assert.ok(r.errors.length > 0 || r.scenario, JSON.stringify(t));
    }
  });

  it('names of Object.prototype ("constructor", "__proto__", "toString") are unknown keys and types, never its members', () => {
    const text = [
      'name: t',
      'constructor: 1',
      'platform: { toString: on }',
      'devices: [{ name: d, bdf: "00:01.0" }]',
      'workload:',
      '  requests: [{ type: constructor, device: d }, { type: __proto__, device: d }]',
      '',
    ].join('\n');
    const e = errors(text);
    assert.ok(e.some((x) => x.startsWith('2:1 constructor: unknown key "constructor"')), e.join('\n'));
    assert.ok(e.some((x) => x.startsWith('3:13 platform.toString: unknown key "toString"')), e.join('\n'));
    assert.ok(e.some((x) => x.includes('workload.requests[0].type: "constructor" is not one of')), e.join('\n'));
    assert.ok(e.some((x) => x.includes('workload.requests[1].type: "__proto__" is not one of')), e.join('\n'));
    assert.equal(schemaAt(['constructor']), undefined);
    assert.equal(schemaAt(['workload', 'requests', 0, 'device'], SCENARIO_SCHEMA, 'toString'), undefined);
  });

  it('keeps 64-bit addresses exact', () => {
    const s = loadScenario('name: t\ndevices: [{ name: d, bdf: "00:01.0", kind: emulated }]\nworkload:\n  requests: [{ type: dma, device: d, iova: 0xfedcba9876543000 }]\n').scenario!;
    assert.equal((s.workload.requests[0] as { iova: bigint }).iova, 0xfedcba9876543000n);
  });

  it('exports one schema with documentation for every key', () => {
    const node = schemaAt(['platform', 'caching-mode']);
    assert.equal(node?.kind, 'onoff');
    assert.match(node!.description, /CAP\.CM/);
    assert.equal(schemaAt(['workload', 'requests', 0, 'iova'], SCENARIO_SCHEMA, 'dma')?.kind, 'address');
    assert.match(schemaAt(['costs', 'devtlb-miss-ns'])!.description, /\[E\]/);
  });
});
