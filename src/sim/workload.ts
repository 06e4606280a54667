// The workload: packets through the network device (vhost-net style small
// packet forwarding: one buffer per packet, read by the device), each with
// the guest's map and unmap under the scenario's DMA model, the ring
// accesses, the interrupts, and the explicit requests of the scenario (DMAs,
// mappings, interrupts, IRTE changes) at their packet.

import { K } from './events/kinds';
import { deviceAccess, raiseMsi } from './deviceDma';
import { handleFaults } from './guest/faultHandler';
import { raisePin } from './interrupts/ioapic';
import { frameHi, frameLo } from './guest/pageAllocator';
import { hiOf, loOf } from './halves';
import type { RequestSpec } from './scenario/types';
import { RX_GPA_PFN, type DeviceLayout } from './setup';
import { packetBackendCost } from './costTable';
import { QEMU_RX_ELEMENT, QEMU_TX_ELEMENT, type RingAccess } from './devices/virtioRing';
import type { SimDevice, World } from './world';

export interface WorkloadState {
  packet: number;
  /** IEC flushes the guest will issue later: [packet, device sid, IRTE index]. */
  pendingIec: [number, number, number][];
  nextInterrupt: number;
  kernelLog: string[];
}

export function newWorkloadState(): WorkloadState {
  return { packet: 0, pendingIec: [], nextInterrupt: 0, kernelLog: [] };
}

function deviceByName(w: World, name: string): SimDevice | undefined {
  return w.devices.find((d) => d.spec.name === name);
}

export function packetDevice(w: World): SimDevice | undefined {
  const name = w.scenario.workload.device;
  if (name) return deviceByName(w, name);
  return w.devices.find((d) => d.spec.kind === 'virtio-net' || d.spec.kind === 'ats-nic') ?? w.devices[0];
}

function runRequest(w: World, s: WorkloadState, r: RequestSpec): void {
  if (r.type === 'ioapic') {
    const pin = w.pins.get(r.pin);
    for (let i = 0; pin && i < r.count; i++) raisePin(w, pin);
    if (w.iommu) s.kernelLog.push(...handleFaults(w.iommu));
    return;
  }
  const dev = deviceByName(w, r.device);
  if (!dev) return;
  const driver = w.driver;
  const gd = dev.guest;
  switch (r.type) {
    case 'dma':
      for (let i = 0; i < r.count; i++) deviceAccess(w, dev, hiOf(r.iova), loOf(r.iova), r.write);
      break;
    case 'map':
      if (driver && gd) driver.mapRange(gd, Number(r.iova >> 12n), Number(r.gpa >> 12n), 1, r.pageShift, r.read, r.write);
      break;
    case 'unmap':
      if (driver && gd) driver.unmapBuffer(gd, Number(r.iova >> 12n), 1, w.rec.clock);
      break;
    case 'msi':
      for (let i = 0; i < r.count; i++) raiseMsi(w, dev, r.vector);
      break;
    case 'irte-update': {
      const m = gd?.msi[r.vector];
      if (!driver || !gd || !m || m.irte < 0) break;
      driver.writeIrte(gd, m.irte, r.newVector, r.destination ?? 1);
      if (r.iecAfterPackets === 0) driver.flushIec(m.irte);
      else if (r.iecAfterPackets > 0) s.pendingIec.push([s.packet + r.iecAfterPackets, dev.sid, m.irte]);
      break;
    }
  }
  w.rec.currentThread = 1;
  if (w.iommu) s.kernelLog.push(...handleFaults(w.iommu));
}

/** Runs the requests due at the current packet, in scenario order. */
export function runRequestsAt(w: World, s: WorkloadState, packet: number): void {
  for (const r of w.scenario.workload.requests) if (r.atPacket === packet) runRequest(w, s, r);
  for (const p of s.pendingIec) {
    if (p[0] === packet && w.driver) {
      w.rec.currentThread = 1;
      w.driver.flushIec(p[2]);
    }
  }
}

/** One packet: guest work and map, the device's ring and buffer accesses, an interrupt when due, the unmap. */
export function runPacket(w: World, s: WorkloadState, dev: SimDevice, layout: DeviceLayout): void {
  const rec = w.rec;
  const wl = w.scenario.workload;
  const g = w.scenario.guest;
  const bytes = wl.packetBytes.length === 1 ? wl.packetBytes[0] : w.rng.pick(wl.packetBytes);
  const segments = packetSegments(bytes, wl.fragBytes);
  const buffer = s.packet % g.buffers;
  rec.currentThread = 1;
  rec.emit(K.packetGuest, dev.sid, 0, 0, 0, 0, s.packet, bytes);
  const gd = dev.guest!;
  const dynamic = g.dma === 'dynamic' && !!gd.tables && !!w.driver;
  // The flush queue's timer fires 10 ms after it was armed, between packets when they are further apart than that.
  if (dynamic && w.driver!.fq.timerDue(rec.clock)) w.driver!.flushQueue(gd, true);
  // Each segment of the packet (the linear part, then each fragment) is mapped on its own, as
  // virtio-net maps each entry of its scatterlist (vring_map_one_sg): one IOVA range and, under
  // strict invalidation, one flush each.
  let gpa = layout.bufferBase + buffer * layout.bufferStride;
  const mapped: [number, number][] = segments.map((pages) => {
    const at = dynamic ? w.driver!.mapBuffer(gd, gpa, pages, false) : gpa;
    gpa += pages;
    return [at, pages];
  });
  const iovaPfn = mapped[0][0];
  const v = layout.virtio;
  if (v) {
    // QEMU's own virtio: its accesses element by element (devices/virtioRing.ts).
    ringElement(w, dev, QEMU_TX_ELEMENT, v.tx, mapped);
    if (wl.echo && v.rxBuffers.length > 0) ringElement(w, dev, QEMU_RX_ELEMENT, v.rx, [[v.rxBuffers[buffer % v.rxBuffers.length], 1]]);
  } else {
    // The backend reads the descriptor and the available ring, the buffer, and writes the used ring.
    deviceAccess(w, dev, frameHi(layout.rings[0]), frameLo(layout.rings[0]), false);
    deviceAccess(w, dev, frameHi(layout.rings[1]), frameLo(layout.rings[1]), false);
    for (const [at, pages] of mapped) for (let i = 0; i < pages; i++) deviceAccess(w, dev, frameHi(at + i), frameLo(at + i), false);
    deviceAccess(w, dev, frameHi(layout.rings[2]), frameLo(layout.rings[2]), true);
  }
  rec.currentThread = dev.thread;
  rec.emitCost(K.packetBackend, packetBackendCost(w.scenario, bytes), dev.sid, frameHi(iovaPfn), frameLo(iovaPfn), 0, 0, s.packet, bytes);
  if (wl.interruptEvery > 0 && s.packet >= s.nextInterrupt) {
    raiseMsi(w, dev, 0);
    s.nextInterrupt = s.packet + wl.interruptEvery + (wl.interruptJitter > 0 ? w.rng.below(wl.interruptJitter + 1) : 0);
  }
  rec.currentThread = 1;
  if (dynamic) {
    for (const [at, pages] of mapped) w.driver!.unmapBuffer(gd, at, pages, rec.clock);
    // The answer's receive buffer: unmapped, and its slot refilled with a newly mapped one.
    if (v && wl.echo && v.rxBuffers.length > 0) {
      const slot = buffer % v.rxBuffers.length;
      w.driver!.unmapBuffer(gd, v.rxBuffers[slot], 1, rec.clock);
      v.rxBuffers[slot] = w.driver!.mapBuffer(gd, RX_GPA_PFN + slot, 1, true);
    }
    if (w.driver!.fq.timerDue(rec.clock)) w.driver!.flushQueue(gd, true);
  }
  if (w.iommu) s.kernelLog.push(...handleFaults(w.iommu));
}

/** One element through a queue of QEMU's virtio: its ring accesses (a descriptor per segment) and the segments' pages. */
function ringElement(w: World, dev: SimDevice, accesses: readonly RingAccess[], queue: [number, number], segments: readonly [number, number][]): void {
  for (const a of accesses) {
    if (a.part === 'data') {
      for (const [at, pages] of segments) for (let i = 0; i < pages; i++) deviceAccess(w, dev, frameHi(at + i), frameLo(at + i), a.write);
      continue;
    }
    const times = a.part === 'desc' ? segments.length : 1;
    const pfn = a.part === 'desc' ? queue[0] : queue[1];
    for (let k = 0; k < times; k++) deviceAccess(w, dev, frameHi(pfn), frameLo(pfn), a.write);
  }
}

/** Largest packet held in the linear part of an skb (a full Ethernet frame); larger ones are GSO packets with fragments. */
const LINEAR_BYTES = 1536;
/** The headers of a GSO packet, in its linear part. */
const GSO_HEADER_BYTES = 256;

/** Pages of each scatterlist entry of a packet: one entry up to a frame, else the headers and then fragments of `fragBytes`. */
function packetSegments(bytes: number, fragBytes: number): number[] {
  if (bytes <= LINEAR_BYTES) return [Math.max(1, Math.ceil(bytes / 4096))];
  const out = [1];
  for (let left = bytes - GSO_HEADER_BYTES; left > 0; left -= fragBytes) out.push(Math.ceil(Math.min(left, fragBytes) / 4096));
  return out;
}
