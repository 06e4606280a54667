// Everything one simulation runs on, built from a scenario: guest memory, the
// emulated IOMMU, the guest driver, the devices (with vhost's device IOTLB or
// an ATS cache), KVM's MSI routes, and the recorder with the cost of each
// event kind. The IOMMU's invalidation hooks are wired to the devices and the
// routes here, the way QEMU's notifiers connect them.

import { applyKindCosts } from './costTable';
import { DeviceTlb } from './devices/deviceTlb';
import { K } from './events/kinds';
import { Recorder } from './events/recorder';
import { GuestDriver, type GuestDevice } from './guest/driver';
import { PageAllocator } from './guest/pageAllocator';
import { VtdIommu } from './iommu/vtdIommu';
import { KvmRoutes } from './interrupts/kvmRoutes';
import type { IoapicPin } from './interrupts/ioapic';
import { GuestMemory } from './memory';
import { platformRefusal } from './platform';
import { qemuBehaviour, VFIO_NEEDS_CACHING_MODE } from './qemuVersion';
import { syncShadow } from './devices/vfioShadow';
import { Rng } from './rng';
import type { DeviceSpec, Scenario } from './scenario/types';

/** How a device's DMA reaches memory; `vfio`: an assigned device, through the host IOMMU's shadow of the guest's table. */
type DmaPath = 'direct' | 'vhost' | 'qemu' | 'ats' | 'vfio';

export interface SimDevice {
  spec: DeviceSpec;
  sid: number;
  path: DmaPath;
  /** Thread code its DMA work runs on (2 backend, 3 device). */
  thread: number;
  /** vhost's device IOTLB or the device's ATC. */
  tlb?: DeviceTlb;
  /** vhost listens to device-TLB invalidations (ATS enabled) rather than IOTLB UNMAP notifications. */
  devIotlbMode: boolean;
  guest?: GuestDevice;
  /** An assigned device: the host IOMMU's mappings QEMU made for it (IOVA frame -> guest frame), from the MAP/UNMAP notifications. */
  shadow?: Map<number, number>;
}

export interface World {
  scenario: Scenario;
  refusal?: string;
  mem: GuestMemory;
  pages: PageAllocator;
  rec: Recorder;
  rng: Rng;
  iommu?: VtdIommu;
  driver?: GuestDriver;
  routes: KvmRoutes;
  devices: SimDevice[];
  bySid: Map<number, SimDevice>;
  /** IOAPIC pins the guest programmed. */
  pins: Map<number, IoapicPin>;
}

function dmaPath(spec: DeviceSpec, s: Scenario): DmaPath {
  if (!s.platform.iommu || !s.platform.dmaTranslation) return 'direct';
  if (spec.kind === 'vfio') return 'vfio';
  if (spec.kind === 'ats-nic') return s.platform.deviceIotlb && spec.ats ? 'ats' : 'qemu';
  if (spec.kind === 'virtio-net' && s.platform.vhost) return 'vhost';
  return 'qemu';
}

export function buildWorld(scenario: Scenario, record: boolean | number): World {
  const p = scenario.platform;
  const mem = new GuestMemory();
  const pages = new PageAllocator(0x1000);
  const rec = new Recorder(record);
  applyKindCosts(scenario, rec);
  const world: World = {
    scenario,
    mem,
    pages,
    rec,
    rng: new Rng(scenario.seed),
    routes: new KvmRoutes(undefined),
    devices: [],
    bySid: new Map(),
    pins: new Map(),
  };
  world.refusal = platformRefusal(p);
  // vtd_iommu_notify_flag_changed: a MAP notifier (VFIO) on a vIOMMU without caching mode.
  if (!world.refusal && p.iommu && p.dmaTranslation && !p.cachingMode && scenario.devices.some((d) => d.kind === 'vfio')) world.refusal = VFIO_NEEDS_CACHING_MODE;
  if (world.refusal) return world;
  if (p.iommu) {
    const iommu = new VtdIommu(mem, p, rec);
    world.iommu = iommu;
    world.routes = new KvmRoutes(iommu);
    world.driver = new GuestDriver(mem, pages, iommu, rec, p, scenario.guest);
    iommu.hooks = hooksFor(world);
  }
  for (const spec of scenario.devices) {
    const path = dmaPath(spec, scenario);
    const dev: SimDevice = {
      spec,
      sid: spec.sid,
      path,
      thread: spec.kind === 'virtio-net' ? 2 : 3,
      // vhost takes device-TLB invalidations instead of UNMAP notifications when the guest enabled ATS,
      // or, before QEMU 8.1, whenever device-iotlb is on (then it hears of no unmap at all).
      devIotlbMode: path === 'vhost' && p.deviceIotlb && (spec.ats || qemuBehaviour(p.qemu).vhostDevtlbWithoutAts),
    };
    if (path === 'vhost') dev.tlb = new DeviceTlb(p.vhostIotlbEntries);
    if (path === 'ats') dev.tlb = new DeviceTlb(64);
    if (path === 'vfio') dev.shadow = new Map();
    world.devices.push(dev);
    world.bySid.set(spec.sid, dev);
  }
  return world;
}

/** The IOMMU's notifiers: device-TLB and UNMAP invalidations to the device caches, IEC to the KVM routes. */
function hooksFor(w: World) {
  return {
    deviceTlbInvalidate(sid: number, _pasid: number, baseHi: number, baseLo: number, shift: number) {
      const dev = w.bySid.get(sid);
      if (!dev?.tlb || !(dev.path === 'ats' || dev.devIotlbMode)) return;
      const removed = dev.tlb.invalidate(baseHi, baseLo, shift);
      const c = w.scenario.costs;
      const cost = dev.path === 'ats' ? c['ats-invalidation-ns'] : c['notify-vhost-ns'];
      w.rec.emitCost(K.devtlbInvalidate, cost, sid, baseHi, baseLo, 0, 0, removed, shift);
      if (dev.path === 'ats') w.rec.emit(K.devtlbInvCompletion, sid, baseHi, baseLo, 0, 0, removed, shift);
    },
    unmapNotify(did: number, addrHi: number, addrLo: number, shift: number) {
      // MAP notifiers (an assigned device): the range is synced to the guest's table (vtd_sync_shadow_page_table_range).
      for (const dev of w.devices) if (dev.shadow && dev.guest && (did < 0 || dev.guest.did === did)) syncShadow(w, dev, addrHi, addrLo, shift);
      for (const dev of w.devices) {
        if (dev.path !== 'vhost' || dev.devIotlbMode || !dev.tlb || !dev.guest) continue;
        if (did >= 0 && dev.guest.did !== did) continue;
        const removed = dev.tlb.invalidate(addrHi, addrLo, shift);
        w.rec.emit(K.notifyUnmap, dev.sid, addrHi, addrLo, 0, 0, removed, shift);
      }
    },
    contextSync(sid: number, fm: number) {
      const mask = ~[0, 4, 6, 7][fm & 3] & 0xffff;
      for (const dev of w.devices) if (dev.shadow && dev.guest && (sid < 0 || (dev.sid & mask) === (sid & mask))) syncShadow(w, dev, 0, 0, 64);
    },
    iecInvalidate() {
      if (w.routes.routes.length === 0) return;
      const n = w.routes.updateAll();
      w.rec.emit(K.routeUpdateAll, -1, 0, 0, 0, 0, n, 0);
    },
    waitInterrupt() {},
  };
}
