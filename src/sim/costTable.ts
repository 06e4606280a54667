// The cost of each event kind for one scenario, from its cost constants and
// its platform: which lookups vhost pays, whether QEMU itself does the DMA,
// how expensive the guest's map/unmap is under strict or lazy flushing.

import { K } from './events/kinds';
import type { Recorder } from './events/recorder';
import type { Scenario } from './scenario/types';

export function applyKindCosts(s: Scenario, rec: Recorder): void {
  const c = s.costs;
  const t = rec.kindCost;
  const strict = s.guest.invalidation === 'strict' || s.platform.cachingMode;
  t[K.regWrite] = c['register-write-ns'];
  t[K.packetGuest] = c['guest-packet-ns'];
  t[K.packetBackend] = s.platform.vhost ? c['backend-packet-ns'] : c['qemu-backend-packet-ns'];
  t[K.devtlbHit] = s.platform.vhostMetadataCache ? c['devtlb-hit-ns'] : c['devtlb-hit-no-metadata-cache-ns'];
  t[K.pageWalk] = c['qemu-walk-ns'];
  t[K.iotlbHit] = c['qemu-iotlb-hit-ns'];
  rec.lookupKinds[K.iotlbHit] = 1;
  t[K.invDesc] = c['qi-emulation-ns'];
  rec.waitDescriptorCost = c['wait-descriptor-ns'];
  const dmaApi = strict ? c['guest-dma-api-strict-ns'] : c['guest-dma-api-lazy-ns'];
  t[K.guestMap] = dmaApi / 2;
  t[K.guestUnmap] = dmaApi / 2;
  t[K.routeDeliver] = c['irq-cached-route-ns'];
  t[K.routeStaleDeliver] = c['irq-cached-route-ns'];
  t[K.irqUncached] = c['irq-uncached-ns'];
  t[K.routeUpdateAll] = c['route-update-ns'];
  t[K.notifyUnmap] = c['notify-vhost-ns'];
}
