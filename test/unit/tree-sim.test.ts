import { strict as assert } from 'node:assert';
import { loadBuiltin, loadScenario, type Scenario } from '../../src/sim/index';
import { specOf } from '../../src/server/sim/breakpoints';
import { ServerSimulation } from '../../src/server/sim/serverSimulation';
import { simulationChildren, simulationInfo } from '../../src/server/tree/sim/simTreeSource';
import type { TreeChildrenParams, TreeNodeDto, ViewKey } from '../../src/protocol';
import { child } from './tree-captureEntry';

const session = (s: Scenario | string) => new ServerSimulation('sim-t', typeof s === 'string' ? loadBuiltin(s).scenario! : s, 'test');

function kids(s: ServerSimulation, view: ViewKey, parentId?: string, options: Partial<TreeChildrenParams> = {}): TreeNodeDto[] {
  return simulationChildren(s, { view, source: { kind: 'simulation', uri: s.id }, parentId, ...options });
}

/** dynamic-strict at the IOTLB invalidation of the first unmap (event #250): the unmap of the first packet's headers. */
function atFirstUnmapInvalidation(): ServerSimulation {
  const s = session('dynamic-strict');
  s.runToBreakpoint(specOf({ kind: 'guest-unmap' }));
  s.runToBreakpoint(specOf({ kind: 'iotlb-invalidate' }));
  return s;
}

describe('simulation views: the Simulator view', () => {
  it('explains the current event with the chain that led to it and where its cost comes from', () => {
    const s = atFirstUnmapInvalidation();
    s.stepBack();
    const now = kids(s, 'simulator')[1];
    assert.equal(now.label, 'IOTLB page-selective DID=2 addr=0xffffc000 AM=0 (4K) DR DW');
    assert.equal(now.description, '#249 · vcpu · 5.5 µs');
    const words = (now.tooltip ?? '').replace(/\\(.)/g, '$1');
    assert.match(words, /guest unmaps IOVA 0xffffc000 \(1 page\(s\)\) \(1\.1 µs\) → guest queues 2 descriptors .* → exit to QEMU: IQT <- 0x1a0 \(1\.5 µs\) → IOTLB page-selective DID=2 addr=0xffffc000 AM=0 \(4K\) DR DW \(5\.5 µs\)/);
    const chain = kids(s, 'simulator', now.id);
    assert.deepEqual(chain.slice(0, -1).map((n) => n.description?.split(' · ')[0]), ['guest-unmap', 'qi-submit', 'reg-write', 'inv-desc']);
    assert.equal(chain[2].label, '#248 exit to QEMU: IQT <- 0x1a0');
    const cost = chain.at(-1)!;
    assert.equal(cost.label, 'Cost');
    assert.match(cost.description ?? '', /^qi-emulation-ns = 5500 ns \[D\]: QEMU processes one queued-invalidation descriptor/);
  });

  it('keeps time during the boot, decodes its registers (GSTS bits, FRCD0 by name) and shows the device-TLB hit rate of vhost', () => {
    const s = session('static-dpdk');
    s.step(60);
    const roots = kids(s, 'simulator');
    assert.doesNotMatch(roots[0].description ?? '', / · 0 ns/, 'the boot takes time, event by event');
    const regs = child(roots, 'Registers');
    assert.match(regs.description ?? '', /^GSTS 0x[0-9a-f]+ \(.*\bTES\b.*\)/, 'GSTS decoded in the header');
    const list = kids(s, 'simulator', regs.id);
    assert.ok(list.some((n) => n.label === 'FRCD0' && /:/.test(n.description ?? '')));
    assert.match(child(list, 'GSTS').tooltip ?? '', /TES/);
    s.step(3000);
    const figures = child(kids(s, 'simulator'), 'Figures');
    assert.match(figures.description ?? '', /device IOTLB \d+(\.\d+)? %/);
    assert.ok(kids(s, 'simulator', figures.id).some((n) => /device IOTLB hit rate$/.test(n.label)));
  });

  it('says a scenario without packets sends none, rather than "no packet yet", once it is finished', () => {
    const s = session('fault-unmapped-iova');
    s.runToEnd();
    const figures = child(kids(s, 'simulator'), 'Figures');
    assert.match(figures.description ?? '', /^the scenario sends no packet/);
  });

  it('says where the run is, what the last step did, and the figures once packets run', () => {
    const s = session('dynamic-strict');
    const start = kids(s, 'simulator');
    assert.equal(start[0].description, 'event 0 of 172284 · packet 0 of 1000 · 0 ns');
    assert.equal(start[1].label, 'Not started');
    assert.ok(!start.some((n) => n.label === 'Last step'), 'no step yet');
    s.step(2000);
    const roots = kids(s, 'simulator');
    assert.match(roots[0].description ?? '', /^event 2000 of 172284 · packet \d+ of 1000 · [\d.]+ ms$/);
    assert.equal(child(roots, 'Last step').description, '2000 events (#0–#1999)');
    const figures = kids(s, 'simulator', child(roots, 'Figures').id);
    // A 64 KiB GSO packet: three mappings (headers and two fragments), each flushed on map and unmap; its 17 pages missed by vhost.
    assert.match(child(figures, 'Exits to QEMU').description ?? '', /^6\.\d\d per packet/);
    assert.match(child(figures, 'Invalidations').description ?? '', /^6\.\d\d descriptors per packet · 6\.\d\d IQT writes per packet/);
    assert.match(child(figures, 'vhost IOTLB misses').description ?? '', /^17\.\d\d per packet/);
    assert.equal(child(figures, 'Expected').description, 'run to the end to check');
    s.runToEnd();
    const end = kids(s, 'simulator', 'fig:figures');
    assert.match(child(end, 'Expected').description ?? '', /^relative throughput 0\.01-0\.05 · got 0\.0\d\d · met$/);
    assert.match(child(end, 'Relative throughput').description ?? '', /bottleneck backend$/);
  });

  it('lists the breakpoints and says which one the run stopped at', () => {
    const s = session('fault-unmapped-iova');
    s.addBreakpoint(specOf({ fault: true }));
    s.addBreakpoint(specOf({ kind: 'iotlb-reset' }));
    s.runToBreakpoint();
    const roots = kids(s, 'simulator');
    assert.match(child(roots, 'Last step').description ?? '', /^stopped at breakpoint any fault \(#\d+\)/);
    const bps = kids(s, 'simulator', child(roots, 'Breakpoints').id);
    assert.deepEqual(bps.map((b) => [b.label, b.description, b.contextValue]), [
      ['any fault', `hit at #${s.lastHit!.index}`, 'simBreakpoint'],
      ['iotlb-reset', undefined, 'simBreakpoint'],
    ]);
    s.runToEnd();
    const log = kids(s, 'simulator', child(kids(s, 'simulator'), 'Kernel log').id);
    assert.equal(log.at(-1)?.label, 'DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x2345000 [fault reason 0x06] PTE Read access is not set');
  });

  it('escapes what the scenario file says in its tooltips', () => {
    const s = session(loadScenario('name: "*bold* [link](http://x)"\ndescription: "<img src=x onerror=alert(1)>"\n').scenario!);
    const run = kids(s, 'simulator')[0];
    assert.ok(!/(^|[^\\])<img/.test(run.tooltip ?? ''), run.tooltip);
    assert.match(run.tooltip ?? '', /\\\*bold\\\* \\\[link\\\]\\\(http\\:\\\/\\\/x\\\)/);
  });
});

describe('simulation views: what the last step changed', () => {
  it('marks the IOTLB nodes an invalidation changed, and nothing else', () => {
    const s = atFirstUnmapInvalidation();
    const roots = kids(s, 'iotlb');
    assert.equal(child(roots, 'Counters').changed, true, 'one entry invalidated');
    const domain = child(roots, 'Domain 0x2');
    assert.equal(domain.changed, true);
    // The three ring pages and the two 32 KiB fragments' 16 pages: the headers' page is the one just invalidated.
    assert.equal(domain.description, '19 entries · 00:03.0');
    const labels = kids(s, 'iotlb', domain.id).map((n) => n.label);
    assert.ok(!labels.includes('IOVA 0xffffc000'), labels.join(' '));
    assert.ok(['IOVA 0xffffd000', 'IOVA 0xffffe000', 'IOVA 0xfffff000'].every((l) => labels.includes(l)));
    assert.ok(kids(s, 'iotlb', domain.id).every((n) => !n.changed), 'the entries left are as they were');
    assert.equal(child(roots, 'Context cache').changed, undefined);
    // The next event (the UNMAP notification to vhost) leaves QEMU's IOTLB alone.
    s.step();
    assert.ok(kids(s, 'iotlb').every((n) => !n.changed));
  });

  it('marks a new page-table leaf and the table entries above it', () => {
    const s = session('dynamic-strict');
    s.runToBreakpoint(specOf({ kind: 'packet-guest' }));
    s.runToBreakpoint(specOf({ kind: 'guest-map' }));
    const domain = kids(s, 'secondLevelTables')[0];
    assert.equal(domain.label, 'DID 2');
    assert.equal(domain.changed, true);
    const pml4e = kids(s, 'secondLevelTables', domain.id)[0];
    const pdpe = kids(s, 'secondLevelTables', pml4e.id)[0];
    const pde = kids(s, 'secondLevelTables', pdpe.id)[0];
    assert.ok(pml4e.changed && pdpe.changed && pde.changed);
    const leaves = kids(s, 'secondLevelTables', pde.id);
    assert.deepEqual(leaves.filter((l) => l.changed).map((l) => l.description), ['0xffffc000–0xffffcfff → 0x40000000 · 4K · R']);
    assert.ok(leaves.every((l) => l.location === undefined), 'a simulation has no dump line to open');
  });

  it('gives a domain without leaves an id of its own, so the view shows it expandable once the guest maps a page', () => {
    const s = session('dynamic-strict');
    s.runToBreakpoint(specOf({ kind: 'context-write' }));
    assert.deepEqual(kids(s, 'secondLevelTables').map((d) => [d.id, d.collapsible]), [['d:2~empty', 'none']]);
    s.runToBreakpoint(specOf({ kind: 'guest-map' }));
    assert.deepEqual(kids(s, 'secondLevelTables').map((d) => [d.id, d.collapsible, d.changed]), [['d:2', 'collapsed', true]]);
  });

  it('steps back to nodes equal to those first seen at that position', () => {
    const s = session('dynamic-strict');
    s.step(400);
    const strip = (nodes: TreeNodeDto[]) => nodes.map(({ changed: _changed, ...n }) => n);
    const before = strip(kids(s, 'iotlb', 'd:2'));
    s.step(37);
    s.stepBack(37);
    assert.deepEqual(strip(kids(s, 'iotlb', 'd:2')), before);
  });
});

describe('simulation views: the guest tables, caches and routes', () => {
  it('shows the context and page tables the guest wrote, decoded as a capture\'s', () => {
    const s = session('fault-unmapped-iova');
    s.runToEnd();
    const [unit] = kids(s, 'contextTables');
    assert.equal(unit.label, 'dmar0');
    assert.equal(unit.description, 'legacy · DMA on · IR on · QI on · 1 device');
    const bus = child(kids(s, 'contextTables', unit.id), 'Bus 00');
    const dev = child(kids(s, 'contextTables', bus.id), '00:05.0');
    assert.equal(dev.description, 'DID 2 · second-level · 3-level · SLPTPTR 0x1200000');
    const fields = kids(s, 'contextTables', dev.id);
    assert.equal(child(fields, 'AW [66:64]').description, '0x1 · 39-bit, 3-level table');
    assert.deepEqual(child(fields, 'Domain 2').link, { view: 'secondLevelTables', id: 'd:2' });
    // The driver maps its rings; 0x2345000 is mapped by nobody, as the fault says.
    const [domain] = kids(s, 'secondLevelTables', undefined, { coalesce: true });
    assert.equal(domain.description, '00:05.0 · 3-level · 3 leaves · 12K');
    assert.ok(!kids(s, 'secondLevelTables', domain.id, { coalesce: true }).some((r) => /0x2345000/.test(r.label)));
  });

  it('shows vhost\'s device IOTLB and its flow in the ATS Flow view', () => {
    const s = session('static-dpdk');
    s.step(3000);
    const [dev] = kids(s, 'atsFlow');
    assert.equal(dev.label, '00:03.0 net0');
    assert.match(dev.description ?? '', /^vhost's device IOTLB · \d+ entries · \d+ hits · \d+ misses · invalidated by device-TLB descriptors$/);
    const [entries, flow] = kids(s, 'atsFlow', dev.id);
    assert.ok(kids(s, 'atsFlow', entries.id).every((e) => /^IOVA 0x8[0-9a-f]+$/.test(e.label)));
    // The flow drawn as a trace's: steps between the device, the IOMMU and the driver.
    assert.ok(kids(s, 'atsFlow', flow.id).some((e) => e.label === 'translation request' && /^device → IOMMU · event #\d+$/.test(e.description ?? '')));
    const none = session('fault-unmapped-iova');
    assert.match(simulationInfo(none, { source: { kind: 'simulation', uri: none.id }, view: 'atsFlow' }).message ?? '', /No device of this scenario has a translation cache/);
  });

  it('shows a KVM route going stale when the IRTE changes, and cached again after the IEC flush', () => {
    const s = session('ir-cached-routes');
    s.runToBreakpoint(specOf({ kind: 'route-stale-deliver' }));
    const route = kids(s, 'gsiRouting').find((r) => r.description?.endsWith('stale'));
    assert.ok(route, 'a stale route');
    assert.equal(route.icon, 'warning');
    assert.match(route.tooltip ?? '', /no interrupt entry cache invalidation followed yet/);
    assert.deepEqual(kids(s, 'gsiRouting', route.id).map((p) => p.label), ['Message sent', `IRTE ${route.description?.match(/IRTE (\d+)/)?.[1]}`, 'KVM route']);
    s.runToBreakpoint(specOf({ kind: 'route-update-all' }));
    assert.ok(kids(s, 'gsiRouting').every((r) => r.description?.endsWith('cached')));
  });

  it('says why a view is empty: no vIOMMU, QEMU refusing the platform, the guest not booted yet', () => {
    const info = (s: ServerSimulation, view: ViewKey) => simulationInfo(s, { source: { kind: 'simulation', uri: s.id }, view });
    assert.match(info(session('no-iommu'), 'contextTables').message ?? '', /No vIOMMU in this scenario/);
    const refused = session('ir-kernel-irqchip');
    refused.runToEnd();
    assert.match(info(refused, 'iotlb').message ?? '', /QEMU refuses to start with this platform: Interrupt Remapping cannot work with kernel-irqchip=on/);
    const fresh = session('dynamic-strict');
    assert.match(info(fresh, 'contextTables').message ?? '', /has not set a root table yet \(at event 0\)/);
    assert.deepEqual(kids(fresh, 'contextTables').map((u) => u.description), ['legacy · DMA off · IR off · QI off · 0 devices']);
    const i = info(fresh, 'simulator');
    assert.equal(i.name, 'dynamic-strict (simulation)');
    assert.equal(i.note, 'event 0 of 172284');
    assert.equal(i.fingerprint, `sim-t:0:${fresh.status().digest}`);
  });
});
