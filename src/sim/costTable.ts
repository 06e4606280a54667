// The cost of each event kind for one scenario, from its cost constants and
// its platform: which lookups vhost pays, whether QEMU itself does the DMA,
// how expensive the guest's map/unmap is under strict or lazy flushing, and
// what share of each is spent holding QEMU's global lock. Costs that depend
// on the event (a packet's size) are computed where it is emitted
// (packetBackendCost).

import { K } from './events/kinds';
import type { Recorder } from './events/recorder';
import { QEMU_RX_ELEMENT, QEMU_TX_ELEMENT } from './devices/virtioRing';
import type { Scenario } from './scenario/types';

export function applyKindCosts(s: Scenario, rec: Recorder): void {
  const c = s.costs;
  const t = rec.kindCost;
  const bql = rec.bqlShare;
  const strict = s.guest.invalidation === 'strict' || s.platform.cachingMode;
  t[K.regWrite] = c['exit-user-ns'];
  t[K.packetGuest] = c['guest-packet-ns'];
  t[K.devtlbHit] = s.platform.vhostMetadataCache ? c['devtlb-hit-ns'] : c['devtlb-hit-no-metadata-cache-ns'];
  t[K.pageWalk] = c['qemu-walk-ns'];
  t[K.iotlbHit] = c['qemu-iotlb-hit-ns'];
  // Lookups and walks cost only when QEMU does the DMA itself: for vhost they are part of its miss (devtlb-miss-ns).
  rec.lookupKinds[K.iotlbHit] = 1;
  rec.lookupKinds[K.pageWalk] = 1;
  t[K.invDesc] = c['qi-emulation-ns'];
  rec.waitDescriptorCost = c['wait-descriptor-ns'];
  const dmaApi = strict ? c['guest-dma-api-strict-ns'] : c['guest-dma-api-lazy-ns'];
  t[K.guestMap] = dmaApi / 2;
  t[K.guestUnmap] = dmaApi / 2;
  t[K.routeDeliver] = c['irq-cached-route-ns'];
  t[K.routeStaleDeliver] = c['irq-cached-route-ns'];
  // QEMU translates the message itself; with kernel-irqchip=off its userspace APIC delivers it too.
  t[K.irqUncached] = c['msi-translate-ns'] + (s.platform.irqchip === 'off' ? c['apic-deliver-user-ns'] : 0);
  t[K.routeUpdateAll] = c['route-update-ns'];
  t[K.notifyUnmap] = c['notify-vhost-ns'];
  t[K.vfioMap] = c['vfio-map-ns'];
  t[K.vfioUnmap] = c['vfio-unmap-ns'];
  // Under QEMU's global lock: the IOMMU's MMIO emulation (the descriptors and the notifiers they fire),
  // QEMU's side of a vhost miss, QEMU's own MSI translation and route rebuilds, and, without vhost,
  // QEMU's virtio-net itself and the translations it asks for.
  bql[K.invDesc] = 1;
  bql[K.notifyUnmap] = 1;
  bql[K.vfioMap] = 1;
  bql[K.vfioUnmap] = 1;
  bql[K.devtlbRequest] = Math.min(1, c['qemu-miss-handling-ns'] / Math.max(c['devtlb-miss-ns'], 1));
  bql[K.irqUncached] = 1;
  bql[K.routeUpdateAll] = 1;
  if (!s.platform.vhost) {
    bql[K.packetBackend] = 1;
    bql[K.iotlbHit] = 1;
    bql[K.pageWalk] = 1;
  }
}

/**
 * The backend's work for one packet of `bytes` (and its answer, for an
 * echo): vhost's base cost, the copy of the data, and for QEMU's own virtio
 * its wake-up and the ring accesses it makes through the memory API. This is
 * also what the packet costs without a vIOMMU: the baseline.
 */
export function packetBackendCost(s: Scenario, bytes: number): number {
  const c = s.costs;
  const copies = s.workload.echo ? 2 : 1;
  const base = c['backend-packet-ns'] + c['copy-ns-per-byte'] * bytes * copies;
  if (s.platform.vhost) return base;
  const accesses = QEMU_TX_ELEMENT.length + (s.workload.echo ? QEMU_RX_ELEMENT.length : 0);
  return base + c['qemu-virtio-kick-ns'] + accesses * c['qemu-memory-access-ns'];
}
