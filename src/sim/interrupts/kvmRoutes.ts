// KVM's GSI routing table as QEMU fills it with a vIOMMU and the split
// irqchip (accel/kvm/kvm-all.c, target/i386/kvm/kvm.c): each MSI route holds
// the message the device was programmed with, translated ONCE through the
// IOMMU by kvm_arch_fixup_msi_route() (vtd_int_remap, no fault recording).
// KVM then injects from the cached translation, with no per-interrupt cost.
// A failed translation leaves the route uninstalled (kvm_x86_fixup_msi_error).
// An IEC invalidation runs kvm_update_msi_routes_all(): every route is
// translated again, whatever index the invalidation named, and committed.
// Between a guest's IRTE change and its IEC invalidation a route is stale:
// KVM keeps delivering the old vector/destination.

import { emptyRemapResult, remapMsi, SID_NONE, type RemapResult } from '../iommu/interruptRemap';
import type { VtdIommu } from '../iommu/vtdIommu';

interface KvmRoute {
  gsi: number;
  /** Requester of the device, or 0xffff for the IOAPIC (QEMU passes no device). */
  sid: number;
  /** Vector number within the device, or the IOAPIC pin. */
  vector: number;
  origin: 'msi' | 'ioapic';
  /** The message as programmed by the guest. */
  addrHi: number;
  addrLo: number;
  data: number;
  /** The cached message KVM injects. */
  installed: boolean;
  routeAddrHi: number;
  routeAddrLo: number;
  routeData: number;
  /** IRTE index the translation used (-1 for compatibility format or remapping off). */
  irteIndex: number;
  fault: number;
  /** Times the route was (re)translated. */
  updates: number;
}

export class KvmRoutes {
  readonly routes: KvmRoute[] = [];
  private nextGsi = 24; // GSIs 0-23 belong to the IOAPIC pins
  updateAllCount = 0;
  private readonly scratch = emptyRemapResult();

  constructor(private readonly iommu: VtdIommu | undefined) {}

  /** Translates a message the way kvm_arch_fixup_msi_route() does (no fault recording). */
  private fixup(route: KvmRoute): void {
    route.updates++;
    if (!this.iommu || !this.iommu.options.intremap) {
      route.installed = true;
      route.routeAddrHi = route.addrHi;
      route.routeAddrLo = route.addrLo;
      route.routeData = route.data;
      route.irteIndex = -1;
      route.fault = 0;
      return;
    }
    const r = this.scratch;
    const ok = remapMsi(this.iommu, route.addrHi, route.addrLo, route.data, route.sid, false, r);
    route.installed = ok;
    route.fault = ok ? 0 : r.fault;
    route.irteIndex = ok && !r.compat && !r.bypass ? r.index : -1;
    if (ok) {
      route.routeAddrHi = r.addrHi;
      route.routeAddrLo = r.addrLo;
      route.routeData = r.data;
    }
  }

  /** kvm_irqchip_add_msi_route: a new GSI for a device vector (or an IOAPIC pin). */
  add(sid: number, vector: number, addrHi: number, addrLo: number, data: number, origin: 'msi' | 'ioapic' = 'msi'): KvmRoute {
    const gsi = origin === 'ioapic' ? vector : this.nextGsi++;
    const route: KvmRoute = {
      gsi,
      sid: origin === 'ioapic' ? SID_NONE : sid,
      vector,
      origin,
      addrHi,
      addrLo,
      data,
      installed: false,
      routeAddrHi: 0,
      routeAddrLo: 0,
      routeData: 0,
      irteIndex: -1,
      fault: 0,
      updates: 0,
    };
    this.fixup(route);
    this.routes.push(route);
    return route;
  }

  /** The guest reprogrammed a vector's message (MSI-X table write): kvm_irqchip_update_msi_route. */
  reprogram(route: KvmRoute, addrHi: number, addrLo: number, data: number): void {
    route.addrHi = addrHi;
    route.addrLo = addrLo;
    route.data = data;
    this.fixup(route);
  }

  /** kvm_update_msi_routes_all: every route translated again; returns how many. */
  updateAll(): number {
    this.updateAllCount++;
    for (const r of this.routes) this.fixup(r);
    return this.routes.length;
  }

  find(sid: number, vector: number, origin: 'msi' | 'ioapic' = 'msi'): KvmRoute | undefined {
    for (const r of this.routes) if (r.origin === origin && r.vector === vector && (origin === 'ioapic' || r.sid === sid)) return r;
    return undefined;
  }

  /**
   * What the route would hold if translated now (no side effects beyond the
   * remap itself, no fault recording): to tell a stale route from a fresh one.
   */
  freshTranslation(route: KvmRoute, out: RemapResult = emptyRemapResult()): RemapResult {
    if (!this.iommu || !this.iommu.options.intremap) {
      out.ok = true;
      out.addrHi = route.addrHi;
      out.addrLo = route.addrLo;
      out.data = route.data;
      return out;
    }
    const sink = this.iommu.sink;
    this.iommu.sink = { emit() {} };
    try {
      remapMsi(this.iommu, route.addrHi, route.addrLo, route.data, route.sid, false, out);
    } finally {
      this.iommu.sink = sink;
    }
    return out;
  }

  /** True when the cached message differs from a translation made now. */
  isStale(route: KvmRoute): boolean {
    const f = this.freshTranslation(route, this.scratch);
    if (!f.ok) return route.installed;
    return !route.installed || f.addrHi !== route.routeAddrHi || f.addrLo !== route.routeAddrLo || f.data !== route.routeData;
  }
}
