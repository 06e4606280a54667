// QEMU's IOAPIC (in QEMU with the split irqchip, or with kernel-irqchip=off):
// 24 pins whose redirection entries the guest programs in remappable format
// (Linux: IRTE index in the RTE, the pin number in the vector field, the IRTE
// carrying the real vector with source id ff:00.0, the IOAPIC's id in QEMU's
// DMAR table). With the split irqchip QEMU keeps one KVM route per pin
// (GSI = pin, no device: no source-id check) refreshed on IEC invalidations;
// with kernel-irqchip=off the IOAPIC's MSI write goes through the IOMMU's
// interrupt window with source id ff:00.0 (vtd_mem_ir_write).

import { encodeRemappableIoapicRte, ioapicRteToMsi } from '../../vtd/ioapic';
import { K } from '../events/kinds';
import { hiOf, loOf } from '../halves';
import { emptyRemapResult, remapMsi } from '../iommu/interruptRemap';
import type { World } from '../world';

/** Requester id QEMU gives the IOAPIC (Q35_PSEUDO_BUS_PLATFORM ff, devfn 0). */
const IOAPIC_SID = 0xff00;

export interface IoapicPin {
  pin: number;
  rte: bigint;
  irte: number;
  vector: number;
}

const rr = emptyRemapResult();

/** The guest programs a pin: an IRTE (source ff:00.0), its IEC flush, the RTE, and QEMU's KVM route for the pin. */
export function programPin(w: World, pins: Map<number, IoapicPin>, pin: number, level: boolean, vector: number): IoapicPin | undefined {
  const driver = w.driver;
  if (!driver?.irt || !w.iommu?.irEnabled) return undefined;
  const index = driver.irt.alloc(1);
  driver.writeIrteFor(IOAPIC_SID, index, vector, 1, level);
  driver.flushIec(index);
  const rte = encodeRemappableIoapicRte({ index, pin, level });
  w.rec.emit(K.ioapicRteWrite, IOAPIC_SID, hiOf(rte), loOf(rte), 0, 0, pin, index);
  const p: IoapicPin = { pin, rte, irte: index, vector };
  pins.set(pin, p);
  if (w.scenario.platform.irqchip === 'split') {
    const m = ioapicRteToMsi(rte);
    const r = w.routes.add(IOAPIC_SID, pin, hiOf(m.address), loOf(m.address), Number(m.data), 'ioapic');
    if (r.installed) w.rec.emit(K.routeAdd, IOAPIC_SID, r.routeAddrHi, r.routeAddrLo, hiOf(m.address), loOf(m.address), r.gsi, r.routeData);
    else w.rec.emit(K.routeFixupError, IOAPIC_SID, hiOf(m.address), loOf(m.address), 0, 0, r.gsi, r.fault);
  }
  return p;
}

/** A device asserts an IOAPIC pin. */
export function raisePin(w: World, p: IoapicPin): boolean {
  const rec = w.rec;
  rec.currentThread = 1;
  const m = ioapicRteToMsi(p.rte);
  rec.emit(K.msi, IOAPIC_SID, hiOf(m.address), loOf(m.address), 0, 0, Number(m.data), p.pin);
  const route = w.scenario.platform.irqchip === 'split' ? w.routes.find(IOAPIC_SID, p.pin, 'ioapic') : undefined;
  if (route?.installed) {
    const stale = w.routes.isStale(route);
    rec.emit(stale ? K.routeStaleDeliver : K.routeDeliver, IOAPIC_SID, route.routeAddrHi, route.routeAddrLo, 0, 0, route.gsi, route.routeData & 0xff);
    rec.emit(K.irqDelivered, IOAPIC_SID, route.routeAddrHi, route.routeAddrLo, 0, 0, route.routeData & 0xff, route.gsi);
    return true;
  }
  rec.emit(K.irqUncached, IOAPIC_SID, hiOf(m.address), loOf(m.address), 0, 0, Number(m.data), p.pin);
  if (!w.iommu) return false;
  const ok = remapMsi(w.iommu, hiOf(m.address), loOf(m.address), Number(m.data), IOAPIC_SID, true, rr);
  if (ok) rec.emit(K.irqDelivered, IOAPIC_SID, rr.addrHi, rr.addrLo, 0, 0, rr.vector, -1);
  return ok;
}

