// What each view says above its tree about a simulation when the tree alone
// would not: no vIOMMU, QEMU refusing the platform, DMA remapping off, the
// guest not yet at the point the view shows something, no device TLB, no
// KVM route; and the leaves a table view leaves out.

import type { SimulationState } from '../../../sim/index';
import type { ViewKey } from '../../../protocol';
import type { ServerSimulation } from '../../sim/serverSimulation';
import type { SimSnapshot } from '../../sim/snapshots';
import { simCaptureOf } from './simCapture';

export function simViewMessage(view: ViewKey | undefined, session: ServerSimulation, snap: SimSnapshot, st: SimulationState): string | undefined {
  const p = session.scenario.platform;
  const at = `at event ${session.position}`;
  if (st.refused) return `QEMU refuses to start with this platform: ${st.refused}`;
  const iommuViews: ViewKey[] = ['contextTables', 'secondLevelTables', 'iotlb', 'gsiRouting'];
  if (!p.iommu && view && iommuViews.includes(view)) return 'No vIOMMU in this scenario (iommu: none): devices use guest physical addresses and interrupts are not remapped.';
  const { entry, notes } = simCaptureOf(snap.sim);
  const c = entry.capture;
  switch (view) {
    case 'contextTables':
      if (!p.dmaTranslation) return 'DMA remapping is off in this scenario (dma-translation: off): the unit remaps interrupts only, it has no root table.';
      if (!c.files.some((f) => f.name === 'dmar_translation_struct')) return `The guest has not set a root table yet (${at}): step on through its IOMMU bring-up.`;
      return undefined;
    case 'secondLevelTables':
      if (!p.dmaTranslation) return 'DMA remapping is off in this scenario (dma-translation: off): no device has a page table.';
      if (notes.length) return notes.join(' ');
      if (c.domains.size === 0) return `No device is attached to a domain yet (${at}).`;
      return undefined;
    case 'iotlb':
      if (st.iotlb.entries.length === 0 && st.iotlb.counters.hits + st.iotlb.counters.misses === 0) return `No DMA has been translated yet (${at}): the IOTLB fills with the first translation.`;
      return undefined;
    case 'atsFlow':
      if (st.deviceTlbs.length === 0) {
        return 'No device of this scenario has a translation cache of its own: neither a vhost-net backend (vhost: on, with DMA remapping) nor an ATS device (ats-nic with device-iotlb: on).';
      }
      return undefined;
    case 'gsiRouting':
      if (st.routes.length === 0) {
        return p.irqchip === 'off' ? 'No KVM route (irqchip: off): QEMU remaps and delivers every interrupt itself.' : `No KVM MSI route yet (${at}): the guest sets up its devices' interrupts at boot.`;
      }
      return undefined;
    default:
      return undefined;
  }
}
