import { strict as assert } from 'node:assert';
import { GuestMemory } from '../../src/sim/memory';
import { DEFAULT_PLATFORM, type PlatformOptions } from '../../src/sim/platform';
import { VtdIommu } from '../../src/sim/iommu/vtdIommu';
import { GCMD_IRE, GCMD_SIRTP, REG } from '../../src/sim/iommu/registerFile';
import { emptyRemapResult, remapMsi, SID_NONE } from '../../src/sim/iommu/interruptRemap';
import { KvmRoutes } from '../../src/sim/interrupts/kvmRoutes';
import { IrqRemapTable } from '../../src/sim/guest/irqRemapTable';
import { PageAllocator } from '../../src/sim/guest/pageAllocator';
import { encodeCompatMsi, encodeRemappableMsi } from '../../src/vtd/msi';
import { decodeIrte } from '../../src/vtd/irte';
import { hiOf, loOf } from '../../src/sim/halves';
import { loadScenario, SimulationSession } from '../../src/sim/index';

interface Rig {
  iommu: VtdIommu;
  irt: IrqRemapTable;
  recorded: () => number[];
}

function rig(opts: Partial<PlatformOptions> = {}, x2apic = false): Rig {
  const mem = new GuestMemory();
  const iommu = new VtdIommu(mem, { ...DEFAULT_PLATFORM, ...opts }, { emit() {} });
  const irt = new IrqRemapTable(mem, new PageAllocator(0x100));
  iommu.writeReg64(REG.IRTA, irt.base | (x2apic ? 0x800n : 0n) | 0xfn);
  iommu.write32(REG.GCMD, GCMD_SIRTP);
  iommu.write32(REG.GCMD, GCMD_IRE);
  return { iommu, irt, recorded: () => iommu.faults.history.filter((f) => f.outcome === 'recorded').map((f) => f.reason) };
}

function remap(r: Rig, msg: { address: bigint; data: bigint }, sid = 0x18, doFault = true) {
  const out = emptyRemapResult();
  remapMsi(r.iommu, hiOf(msg.address), loOf(msg.address), Number(msg.data), sid, doFault, out);
  return out;
}

describe('sim: interrupt remapping as QEMU does it', () => {
  it('remaps a remappable MSI through its IRTE into the compatibility message QEMU builds', () => {
    const r = rig({ irqchip: 'off' });
    r.irt.write(5, { vector: 0x41, destination: 2, x2apic: false, logical: true, sid: 0x18 });
    const out = remap(r, encodeRemappableMsi(5));
    assert.equal(out.ok, true);
    assert.equal(out.index, 5);
    assert.equal(out.vector, 0x41);
    assert.equal(out.destination, 2);
    // DM logical, RH (Linux sets it), dest 2 in address bits 19:12; data = vector | level assert.
    assert.equal(out.addrLo, 0xfee0200c);
    assert.equal(out.data, 0x4041);
  });

  it('records the interrupt remapping faults: 0x20 0x22 0x24 0x25 (blocking compatibility format, as hardware does) 0x26', () => {
    const r = rig({ irqchip: 'off', compatInterrupts: 'block' });
    r.irt.write(1, { vector: 0x30, destination: 1, x2apic: false, logical: true, sid: 0x18 });
    const clear = () => r.iommu.faults.clearRecord();
    assert.equal(remap(r, { address: 0xfed00010n, data: 0n }).fault, 0x20);
    clear();
    assert.equal(remap(r, encodeRemappableMsi(1, 0), 0x18).ok, true);
    assert.equal(remap(r, { address: encodeRemappableMsi(1).address, data: 0x10000n }).fault, 0x20, 'SHV with data 31:16 set');
    clear();
    assert.equal(remap(r, encodeRemappableMsi(2)).fault, 0x22, 'not present');
    clear();
    r.irt.writeRaw(3, 0n, 0x0030_0001n | (1n << 12n)); // reserved bit 12
    assert.equal(remap(r, encodeRemappableMsi(3)).fault, 0x24);
    clear();
    assert.equal(remap(r, encodeCompatMsi({ destination: 0, vector: 0x30 })).fault, 0x25, 'compatibility format with CFI off');
    clear();
    assert.equal(remap(r, encodeRemappableMsi(1), 0x20).fault, 0x26, 'source id 00:04.0 against SID 00:03.0');
    assert.deepEqual(r.recorded(), [0x20, 0x20, 0x22, 0x24, 0x25, 0x26]);
  });

  it('passes a compatibility-format MSI unchanged as QEMU does (the default), and before QEMU 8.2 records no IR fault at all', () => {
    const q = rig({ irqchip: 'off' });
    const out = remap(q, encodeCompatMsi({ destination: 0, vector: 0x30 }));
    assert.equal(out.ok, true);
    assert.equal(out.vector, 0x30);
    assert.deepEqual(q.recorded(), []);
    const old = rig({ irqchip: 'off', qemu: '7.2' });
    assert.equal(remap(old, encodeRemappableMsi(2)).fault, 0x22, 'refused');
    assert.deepEqual(old.recorded(), [], 'but not recorded before 8.2');
    const newer = rig({ irqchip: 'off', qemu: '8.2' });
    assert.equal(remap(newer, encodeRemappableMsi(2)).fault, 0x22);
    assert.deepEqual(newer.recorded(), [0x22]);
  });

  it('an index beyond the table size (IRTA.S) faults 0x21', () => {
    const mem = new GuestMemory();
    const iommu = new VtdIommu(mem, { ...DEFAULT_PLATFORM, irqchip: 'off' }, { emit() {} });
    iommu.writeReg64(REG.IRTA, 0x100000n | 0x3n); // 16 entries
    iommu.write32(REG.GCMD, GCMD_SIRTP);
    iommu.write32(REG.GCMD, GCMD_IRE);
    const out = emptyRemapResult();
    const m = encodeRemappableMsi(16);
    remapMsi(iommu, hiOf(m.address), loOf(m.address), 0, 0x18, true, out);
    assert.equal(out.fault, 0x21);
  });

  it("compat-interrupts: pass delivers compatibility messages unchanged (QEMU up to 10.1); requests without a source id skip the SID check", () => {
    const r = rig({ compatInterrupts: 'pass', irqchip: 'off' });
    const compat = remap(r, encodeCompatMsi({ destination: 3, vector: 0x31 }));
    assert.equal(compat.ok, true);
    assert.equal(compat.compat, true);
    assert.equal(compat.vector, 0x31);
    r.irt.write(1, { vector: 0x30, destination: 1, x2apic: false, logical: true, sid: 0x18 });
    assert.equal(remap(r, encodeRemappableMsi(1), SID_NONE).ok, true);
  });

  it('posted IRTEs: QEMU ignores IM and remaps them as remapped entries; URG falls in its reserved bits (0x24)', () => {
    const r = rig({ irqchip: 'off' });
    // Linux's posted entry: P, IM, VV = 0x55, PDA 0x12345640, SVT 01 SID 00:03.0.
    const pda = 0x12345640n;
    const lo = 1n | (1n << 15n) | (0x55n << 16n) | (((pda >> 6n) & 0x3ffffffn) << 38n);
    const hi = 0x18n | (1n << 18n);
    r.irt.writeRaw(7, hi, lo);
    assert.equal(decodeIrte(hi, lo).type, 'irte-posted');
    const out = remap(r, encodeRemappableMsi(7));
    assert.equal(out.ok, true);
    assert.equal(out.posted, true);
    assert.equal(out.vector, 0x55, 'the virtual vector is delivered as an ordinary vector');
    r.irt.writeRaw(8, hi, lo | (1n << 14n));
    assert.equal(remap(r, encodeRemappableMsi(8)).fault, 0x24);
  });

  it('KVM routes cache the translation; an IRTE change makes them stale until updateAll (the IEC path)', () => {
    const r = rig({ irqchip: 'split' });
    r.irt.write(4, { vector: 0x40, destination: 1, x2apic: false, logical: true, sid: 0x18 });
    const routes = new KvmRoutes(r.iommu);
    const m = encodeRemappableMsi(4);
    const route = routes.add(0x18, 0, hiOf(m.address), loOf(m.address), 0);
    assert.equal(route.installed, true);
    assert.equal(route.routeData & 0xff, 0x40);
    assert.equal(routes.isStale(route), false);
    r.irt.write(4, { vector: 0x42, destination: 1, x2apic: false, logical: true, sid: 0x18 });
    assert.equal(routes.isStale(route), true);
    assert.equal(route.routeData & 0xff, 0x40, 'KVM still injects the old vector');
    assert.equal(routes.updateAll(), 1);
    assert.equal(route.routeData & 0xff, 0x42);
    assert.equal(routes.isStale(route), false);
    // A compatibility-format message: QEMU passes it as it is, so its route holds it unchanged.
    const compat = routes.add(0x18, 1, 0, 0xfee00000, 0x31);
    assert.equal(compat.installed, true);
    assert.equal(compat.routeData & 0xff, 0x31);
    // Where it is blocked (hardware's rule), the route is not installed, and nothing is recorded.
    const hw = rig({ irqchip: 'split', compatInterrupts: 'block' });
    const bad = new KvmRoutes(hw.iommu).add(0x18, 1, 0, 0xfee00000, 0x31);
    assert.equal(bad.installed, false);
    assert.equal(bad.fault, 0x25);
    assert.deepEqual(hw.recorded(), []);
  });
});

describe('sim: ATS flow of a device with its own translation cache', () => {
  const text = [
    'name: ats',
    'platform: { caching-mode: off, device-iotlb: on, irqchip: split }',
    'devices: [{ name: nic, bdf: "00:04.0", kind: ats-nic, ats: on }]',
    'guest: { dma: dynamic, invalidation: strict }',
    'workload: { packets: 20, packet-bytes: 6000 }',
  ].join('\n');

  it('translation request, completion, fill; on unmap a device-TLB invalidation with its decoded size and a wait', () => {
    const s = new SimulationSession(loadScenario(text).scenario!);
    s.runToEnd();
    const st = s.state();
    const dev = st.deviceTlbs[0];
    assert.equal(dev.kind, 'ats');
    assert.equal(dev.invalidatedBy, 'device-TLB descriptors');
    const flow = dev.flow.map((f) => f.kind);
    const i = flow.indexOf('devtlb-request');
    assert.deepEqual(flow.slice(i, i + 3), ['devtlb-request', 'devtlb-completion', 'devtlb-fill']);
    // A 6000-byte packet is a GSO packet: its headers (one page) and one 5744-byte fragment (two pages),
    // each mapped and flushed on its own: qi_flush_dev_iotlb of 4 KiB, then with mask 1 = 8 KiB.
    const sizes = dev.flow.filter((f) => f.kind === 'devtlb-invalidate').map((f) => /\+ (\d+K)/.exec(f.text)?.[1]);
    assert.deepEqual(sizes.slice(0, 2), ['4K', '8K']);
    assert.ok(flow.includes('wait-status-write'));
    assert.equal(dev.counters.invalidations, 40);
    assert.equal(st.metrics.invalidationsPerPacket, 4, 'a PSI and a device-TLB descriptor per segment, two segments per packet');
  });
});

describe('sim: the IOAPIC in QEMU (split irqchip or kernel-irqchip=off)', () => {
  const text = (irqchip: string) =>
    [
      'name: ioapic',
      `platform: { intremap: on, irqchip: ${irqchip} }`,
      'devices: [{ name: edu, bdf: "00:05.0", kind: emulated }]',
      'workload:',
      '  requests: [{ type: ioapic, pin: 4, level: on, count: 2 }]',
    ].join('\n');

  it('split: the pin has a KVM route (GSI 4, no source check) holding the IRTE\'s vector', () => {
    const s = new SimulationSession(loadScenario(text('split')).scenario!);
    s.runToEnd();
    const st = s.state();
    const route = st.routes.find((r) => r.source === 'IOAPIC pin 4')!;
    assert.equal(route.gsi, 4);
    assert.equal(route.status, 'cached');
    const rte = s.events(0, s.position).find((e) => e.kind === 'ioapic-rte-write')!;
    assert.equal(rte.requester, 'ff:00.0');
    const delivered = s.events(0, s.position).filter((e) => e.kind === 'route-deliver');
    assert.equal(delivered.length, 2);
    assert.equal(st.metrics.perInterruptCostNs, null, 'no packets measured');
  });

  it('kernel-irqchip=off: QEMU remaps the IOAPIC\'s write itself, source ff:00.0 verified against the IRTE', () => {
    const s = new SimulationSession(loadScenario(text('off')).scenario!);
    s.runToEnd();
    const ev = s.events(0, s.position);
    assert.equal(ev.filter((e) => e.kind === 'irq-uncached').length, 2);
    assert.equal(ev.filter((e) => e.kind === 'irq-delivered').length, 2);
    assert.deepEqual(s.state().faults.history, []);
  });
});
