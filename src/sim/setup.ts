// The guest's boot as far as the simulation cares: the IOMMU driver's
// bring-up, each device attached (its own domain, or the identity domain with
// iommu=pt), its interrupts set up and routed by KVM, its rings mapped, and
// the static model's one-time mapping of huge pages.

import { encodeCompatMsi } from '../vtd/msi';
import { K } from './events/kinds';
import { IovaAllocator } from './guest/iovaAllocator';
import { hiOf, loOf } from './halves';
import { programPin } from './interrupts/ioapic';
import type { SimDevice, World } from './world';

/** Where a device's rings and buffers live (page numbers). */
export interface DeviceLayout {
  /** IOVA page of the descriptor table, available ring and used ring. */
  rings: number[];
  /** IOVA (static, pass-through, direct) or guest-physical (dynamic) page of buffer 0; buffers are 4 pages apart. */
  bufferBase: number;
  bufferStride: number;
  /** QEMU's own virtio (vhost off): each queue's descriptor page and ring page, and the receive buffers' IOVA pages (echo). */
  virtio?: { tx: [number, number]; rx: [number, number]; rxBuffers: number[] };
}

const BUFFER_GPA_PFN = 0x40000; // 1 GiB
const STATIC_GPA_PFN = 0x80000; // 2 GiB
/** Receive buffers (echo) and QEMU virtio's queue pages. */
export const RX_GPA_PFN = 0x60000; // 1.5 GiB

export function setupWorld(w: World): Map<number, DeviceLayout> {
  const layouts = new Map<number, DeviceLayout>();
  const p = w.scenario.platform;
  const g = w.scenario.guest;
  if (w.refusal) {
    w.rec.emit(K.refused, -1, 0, 0, 0, 0, 0, 0);
    return layouts;
  }
  w.rec.currentThread = 1;
  const translate = p.iommu && p.dmaTranslation;
  w.driver?.init(translate);
  for (const dev of w.devices) {
    if (w.driver && translate) dev.guest = w.driver.attach(dev.spec, g.dma === 'passthrough');
    else dev.guest = { spec: dev.spec, did: 0, passThrough: true, ats: false, iova: new IovaAllocator(), msi: [] };
    if (w.driver) w.driver.setupInterrupts(dev.guest);
    else compatMessages(dev);
    if (p.irqchip !== 'off') routeVectors(w, dev);
    layouts.set(dev.sid, layoutFor(w, dev));
  }
  // IOAPIC pins the workload uses, programmed at boot in remappable format.
  for (const r of w.scenario.workload.requests) {
    if (r.type === 'ioapic' && !w.pins.has(r.pin) && w.driver) programPin(w, w.pins, r.pin, r.level, w.driver.allocVector());
  }
  return layouts;
}

function compatMessages(dev: SimDevice): void {
  for (let v = 0; v < dev.spec.vectors; v++) {
    const m = encodeCompatMsi({ destination: 0, vector: 0x22 + v, level: false });
    dev.guest!.msi.push({ addrHi: hiOf(m.address), addrLo: loOf(m.address), data: Number(m.data), irte: -1, vector: 0x22 + v });
  }
}

/** kvm_irqchip_add_msi_route for each vector (virtio-pci's irqfd setup). */
function routeVectors(w: World, dev: SimDevice): void {
  for (let v = 0; v < dev.guest!.msi.length; v++) {
    const m = dev.guest!.msi[v];
    const r = w.routes.add(dev.sid, v, m.addrHi, m.addrLo, m.data);
    if (r.installed) w.rec.emit(K.routeAdd, dev.sid, r.routeAddrHi, r.routeAddrLo, m.addrHi, m.addrLo, r.gsi, r.routeData);
    else w.rec.emit(K.routeFixupError, dev.sid, m.addrHi, m.addrLo, 0, 0, r.gsi, r.fault);
  }
}

function layoutFor(w: World, dev: SimDevice): DeviceLayout {
  const g = w.scenario.guest;
  const gd = dev.guest!;
  const driver = w.driver;
  if (!driver || gd.passThrough || !gd.tables) {
    // IOVA = guest physical address.
    return { rings: [BUFFER_GPA_PFN - 3, BUFFER_GPA_PFN - 2, BUFFER_GPA_PFN - 1], bufferBase: BUFFER_GPA_PFN, bufferStride: 4 };
  }
  if (g.dma === 'static') {
    // DPDK with IOVA-as-PA: the huge pages are mapped once, IOVA = guest physical.
    const shift = g.hugePageShift;
    const step = 2 ** (shift - 12);
    const count = Math.max(1, Math.ceil(g.staticBytes / 2 ** shift));
    driver.mapRange(gd, STATIC_GPA_PFN, STATIC_GPA_PFN, count, shift, true, true);
    return { rings: [STATIC_GPA_PFN, STATIC_GPA_PFN + 1, STATIC_GPA_PFN + 2], bufferBase: STATIC_GPA_PFN + 4, bufferStride: Math.min(4, step * count) };
  }
  // Dynamic: the rings come from dma_alloc_coherent, mapped once for the device's life.
  const rings = [0, 1, 2].map((k) => driver.mapBuffer(gd, BUFFER_GPA_PFN - 3 + k, 1, true));
  const layout: DeviceLayout = { rings, bufferBase: BUFFER_GPA_PFN, bufferStride: 4 };
  if (dev.path === 'qemu' && dev.spec.kind === 'virtio-net') layout.virtio = virtioQueues(w, dev);
  return layout;
}

/** QEMU virtio's two queues (each a descriptor page and a ring page, coherent) and, for echoes, the receive ring's buffers, mapped as virtio-net fills it at open. */
function virtioQueues(w: World, dev: SimDevice): NonNullable<DeviceLayout['virtio']> {
  const driver = w.driver!;
  const gd = dev.guest!;
  const page = (k: number) => driver.mapBuffer(gd, RX_GPA_PFN - 8 + k, 1, true);
  const tx: [number, number] = [page(0), page(1)];
  const rx: [number, number] = [page(2), page(3)];
  const rxBuffers = w.scenario.workload.echo ? Array.from({ length: w.scenario.guest.buffers }, (_, i) => driver.mapBuffer(gd, RX_GPA_PFN + i, 1, true)) : [];
  return { tx, rx, rxBuffers };
}
