// The cost model: what each event costs, on which thread, and the constants
// behind it, each with where it comes from and the range it may plausibly
// take: [V] verified in a primary source, [D] derived from verified numbers,
// [E] an estimate from what the code does, to calibrate. `basis` says how a
// constant relates to the published figures the built-in scenarios are
// checked against: `independent` (it comes from elsewhere: another paper, the
// code, the VM lane), or `baseline` (a measurement's own no-IOMMU rate, which
// both sides of its ratio share). No constant is fitted to the figure its
// scenario is checked against. Every constant can be overridden in a
// scenario's `costs:` section under its key, and `viommu simulate
// --sensitivity` moves each one over its range.
//
// Per packet, each thread's time is the sum of its events' costs; work done
// under QEMU's global lock (the BQL) is summed too, since it serialises
// across threads. The throughput relative to the same platform without a
// vIOMMU is
//   baseline / max(vCPU, backend, device, BQL ns per packet)
// with baseline = max(guest ns per packet, backend base ns per packet).

interface CostConstant {
  key: string;
  /** Nanoseconds unless the unit says otherwise. */
  value: number;
  unit: string;
  tag: 'V' | 'D' | 'E';
  source: string;
  /** Plausible range, for the sensitivity report. */
  range: [number, number];
  basis: 'independent' | 'baseline';
}

const c = (key: string, value: number, range: [number, number], tag: CostConstant['tag'], source: string, basis: CostConstant['basis'] = 'independent', unit = 'ns'): CostConstant => ({ key, value, unit, tag, source, range, basis });

export const COST_CONSTANTS: readonly CostConstant[] = [
  c('backend-packet-ns', 758, [600, 900], 'D', 'vhost-net per small packet without an IOMMU: 1 / 1.32 Mpps (Linux f889491380, noiommu tx)', 'baseline'),
  c('copy-ns-per-byte', 0.1, [0.05, 0.3], 'E', 'the backend copies each byte of a packet (vhost-net and QEMU copy between guest buffers and the tap socket): memcpy at about 10 GB/s', 'independent', 'ns/byte'),
  c('qemu-virtio-kick-ns', 500, [200, 2000], 'E', "QEMU's own virtio-net (vhost=off) per packet beyond vhost's work: the ioeventfd wake-up of the main loop and the tx bottom half"),
  c('qemu-memory-access-ns', 30, [10, 100], 'E', "one guest-memory access of QEMU's virtio through the memory API (address_space_read/write of a ring field) when no IOMMU translates it"),
  c('guest-packet-ns', 300, [150, 600], 'E', 'guest driver work per packet on the vCPU (virtio-net xmit and completion); below the backend base, so the backend is the bottleneck without a vIOMMU'),
  c('devtlb-hit-ns', 2, [1, 10], 'E', "vhost's lookup with the O(1) virtqueue metadata cache: vhost_vq_meta_fetch is an array index and an offset, a few instructions"),
  c('devtlb-hit-no-metadata-cache-ns', 80, [30, 200], 'E', "vhost's interval-tree lookup (vhost_iotlb_itree_first) without the metadata cache: a walk of depth ~log2 of the entries, a few cache misses"),
  c('devtlb-miss-ns', 15000, [5000, 50000], 'E', "vhost IOTLB miss as vhost waits for it: VHOST_IOTLB_MISS -> QEMU's main loop -> translate -> VHOST_IOTLB_UPDATE -> vhost resumes (two wake-ups and syscalls)"),
  c('qemu-miss-handling-ns', 4000, [2000, 10000], 'E', "the part of a vhost miss QEMU's main loop spends holding the BQL: read the message, translate through the vIOMMU, write the update"),
  c('exit-user-ns', 1500, [1000, 3000], 'E', 'an MMIO exit to QEMU and back, before the device is emulated (every trapped IOMMU register write): at least the ~2.5 k cycles of a KVM_RUN round trip (lkml 2020)'),
  c('qi-emulation-ns', 5500, [3000, 9000], 'D', 'QEMU processes one queued-invalidation descriptor and updates its IOTLB: the vIOMMU paper\'s trap-and-emulate (un)map, 34969 - 6909 cycles = 9.4 us at 3 GHz, less the exit and the vhost notification (vIOMMU, USENIX ATC 2011)'),
  c('notify-vhost-ns', 1000, [500, 3000], 'E', 'IOMMU notifier -> VHOST_IOTLB_INVALIDATE to the vhost device IOTLB (a write to vhost\'s fd)'),
  c('wait-descriptor-ns', 100, [50, 500], 'E', 'QEMU handles a wait descriptor (the status write into guest memory)'),
  c('guest-dma-api-strict-ns', 2300, [1000, 3000], 'V', 'strict map + unmap of one page in the guest DMA API, 6909 cycles on bare metal (vIOMMU, USENIX ATC 2011)'),
  c('guest-dma-api-lazy-ns', 350, [200, 500], 'E', 'lazy (flush-queue) map + unmap: no invalidation wait'),
  c('qemu-walk-ns', 300, [150, 800], 'E', 'QEMU second-level page walk: one guest-memory read per level'),
  c('qemu-iotlb-hit-ns', 150, [80, 300], 'E', 'a translation QEMU serves from its IOTLB when it does the DMA itself (vtd_iommu_translate under the IOMMU lock, 1-3 hash lookups)'),
  c('irq-cached-route-ns', 0, [0, 0], 'V', 'split irqchip + irqfd + a KVM GSI route holding the translated MSI: no remapping work per interrupt (QEMU 8b5ed7dffa)'),
  c('msi-translate-ns', 300, [150, 800], 'E', "QEMU translates one MSI itself (vtd_mem_ir_write: read the 16-byte IRTE from guest memory, check and build the message)"),
  c('apic-deliver-user-ns', 2500, [1000, 5000], 'E', "QEMU's userspace APIC delivers an interrupt (kernel-irqchip=off): apic_send_msi, then the vCPU kick (a signal and its exit)"),
  c('route-update-ns', 100000, [10000, 20000000], 'E', 'IEC invalidation -> kvm_update_msi_routes_all -> KVM_SET_GSI_ROUTING (10 us - 20 ms; order of magnitude from KVM 719d93cd5f5c and lkml 2401.3/00508)'),
  c('ats-translation-ns', 750, [500, 1500], 'E', 'ATS translation request: one PCIe round trip plus an IOMMU walk'),
  c('ats-invalidation-ns', 750, [500, 1500], 'E', 'device-TLB invalidation request and its completion message'),
  c('vfio-map-ns', 10000, [3000, 30000], 'E', "QEMU's MAP notifier for an assigned device: VFIO_IOMMU_MAP_DMA (pin the page, map it in the host IOMMU) after walking the guest's table"),
  c('vfio-unmap-ns', 5000, [2000, 15000], 'E', "QEMU's UNMAP notifier for an assigned device: VFIO_IOMMU_UNMAP_DMA and the host IOTLB flush"),
];

export type Costs = Record<string, number>;

export function defaultCosts(): Costs {
  return Object.fromEntries(COST_CONSTANTS.map((k) => [k.key, k.value]));
}

