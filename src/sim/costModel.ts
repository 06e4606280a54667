// The cost model: what each event costs, on which thread, and the constants
// behind it, with where each default comes from (perf-anchors.md §4.3):
// [V] verified in a primary source, [D] derived from verified numbers,
// [E] an estimate to calibrate. Every constant can be overridden in a
// scenario's `costs:` section under its key.
//
// Per packet, each thread's time is the sum of its events' costs; the
// throughput relative to the same platform without a vIOMMU is
//   baseline / max(vCPU ns per packet, backend ns per packet, device ns per packet)
// with baseline = max(guest ns per packet, backend base ns per packet).

export interface CostConstant {
  key: string;
  /** Nanoseconds unless the unit says otherwise. */
  value: number;
  unit: string;
  tag: 'V' | 'D' | 'E';
  source: string;
}

export const COST_CONSTANTS: readonly CostConstant[] = [
  { key: 'backend-packet-ns', value: 758, unit: 'ns', tag: 'D', source: 'vhost-net tx base cost per small packet: 1 / 1.32 Mpps without IOMMU (Linux f889491380)' },
  { key: 'qemu-backend-packet-ns', value: 1250, unit: 'ns', tag: 'D', source: 'QEMU userspace virtio-net (vhost=off) per packet: 758 ns x 50323/30504 Mbps, vhost on/off without IOMMU (asterinas PR #1482)' },
  { key: 'guest-packet-ns', value: 300, unit: 'ns', tag: 'E', source: 'guest driver work per packet on the vCPU; unpublished, below the backend base so vhost is the bottleneck without a vIOMMU' },
  { key: 'devtlb-hit-ns', value: 4, unit: 'ns', tag: 'D', source: 'vhost device-IOTLB lookup with the O(1) vq metadata cache: +11.7 ns/pkt tx (Linux f889491380 after vs noiommu)' },
  { key: 'devtlb-hit-no-metadata-cache-ns', value: 62, unit: 'ns', tag: 'D', source: 'vhost interval-tree lookup without the metadata cache: +186..256 ns/pkt (Linux f889491380 before vs noiommu)' },
  { key: 'devtlb-miss-ns', value: 15000, unit: 'ns', tag: 'E', source: 'vhost IOTLB miss round trip: vhost -> QEMU main loop -> translate -> VHOST_IOTLB_UPDATE -> vhost (range 5-50 us; calibrate with QEMU ffcbbe722f trace points)' },
  { key: 'exit-light-ns', value: 700, unit: 'ns', tag: 'V', source: 'VM exit handled in KVM, ~2000 cycles (SplitX)' },
  { key: 'exit-user-ns', value: 1500, unit: 'ns', tag: 'E', source: 'MMIO exit to QEMU and back before emulation (1-3 us; lower bound ~2.5k cycles, lkml 2020 KVM_RUN trace)' },
  { key: 'qi-emulation-ns', value: 5500, unit: 'ns', tag: 'D', source: 'QEMU parses a queued-invalidation descriptor and invalidates its IOTLB; with exit-user and notify-vhost 8 us per invalidation (vIOMMU ATC 2011: 34969 - 6909 cycles); the split is [E]' },
  { key: 'notify-vhost-ns', value: 1000, unit: 'ns', tag: 'E', source: 'IOMMU notifier -> VHOST_IOTLB_INVALIDATE to the vhost device IOTLB (part of the 8 us above)' },
  { key: 'wait-descriptor-ns', value: 100, unit: 'ns', tag: 'E', source: 'QEMU handles a wait descriptor (status write into guest memory)' },
  { key: 'guest-dma-api-strict-ns', value: 2300, unit: 'ns', tag: 'V', source: 'strict map + unmap of one page in the guest DMA API, 6909 cycles on bare metal (vIOMMU ATC 2011)' },
  { key: 'guest-dma-api-lazy-ns', value: 350, unit: 'ns', tag: 'E', source: 'lazy (flush-queue) map + unmap, 0.2-0.5 us' },
  { key: 'qemu-walk-ns', value: 300, unit: 'ns', tag: 'E', source: 'QEMU second-level page walk, 4 guest-memory reads' },
  { key: 'qemu-iotlb-hit-ns', value: 150, unit: 'ns', tag: 'E', source: 'QEMU IOTLB hit through the memory API when QEMU itself does the DMA (100-300 ns)' },
  { key: 'irq-cached-route-ns', value: 0, unit: 'ns', tag: 'V', source: 'split irqchip + irqfd + KVM GSI route holding the translated MSI: no remapping cost per interrupt (QEMU 8b5ed7dffa)' },
  { key: 'irq-uncached-ns', value: 3000, unit: 'ns', tag: 'E', source: 'QEMU translates each MSI (vtd_mem_ir_write -> IRTE read -> apic send_msi)' },
  { key: 'route-update-ns', value: 100000, unit: 'ns', tag: 'E', source: 'IEC invalidation -> kvm_update_msi_routes_all -> KVM_SET_GSI_ROUTING (10 us - 20 ms; order of magnitude from KVM 719d93cd5f5c and lkml 2401.3/00508)' },
  { key: 'ats-translation-ns', value: 750, unit: 'ns', tag: 'E', source: 'ATS translation request: one PCIe round trip plus an IOMMU walk (0.5-1 us)' },
  { key: 'ats-invalidation-ns', value: 750, unit: 'ns', tag: 'E', source: 'device-TLB invalidation request and its completion message' },
  { key: 'register-write-ns', value: 1500, unit: 'ns', tag: 'E', source: 'any other trapped IOMMU register write: an MMIO exit to QEMU' },
];

export type Costs = Record<string, number>;

export function defaultCosts(): Costs {
  return Object.fromEntries(COST_CONSTANTS.map((c) => [c.key, c.value]));
}

export function costConstant(key: string): CostConstant | undefined {
  return COST_CONSTANTS.find((c) => c.key === key);
}
