// The VM lane's matrix: one boot per variant, each a configuration users
// run. Names are folder names under test-results/qemu/.

import { DEFAULT_VM, type VmOptions } from './machine';

interface Variant {
  name: string;
  /** What it shows, beyond its options. */
  why: string;
  options: VmOptions;
}

const v = (name: string, why: string, options: Partial<VmOptions>): Variant => ({ name, why, options: { ...DEFAULT_VM, ...options } });

export const VARIANTS: Variant[] = [
  v('legacy', 'legacy mode, caching mode, strict invalidation: the configuration of the bundled capture', {}),
  v('legacy-cm-off', 'no caching mode: the guest invalidates on unmap only', { cachingMode: false }),
  v('legacy-lazy', "lazy invalidation (the flush queue; caching mode off, since Linux forces strict under it) and 4 MiB direct reads: QEMU's 1024-entry IOTLB overflows (vtd_iotlb_reset)", { cachingMode: false, strict: false, readMiB: 48, directRead: true }),
  v('legacy-lazy-cm', 'lazy asked with caching mode on: Linux forces strict ("IOMMU batching disallowed due to virtualization"), so the invalidations are strict ones', { strict: false }),
  v('legacy-ats', 'ATS: virtio-net behind a PCIe root port (bus 01) with a device IOTLB, invalidated by device-TLB descriptors', { ats: true }),
  v('legacy-eim', 'extended interrupt mode offered (eim=on); the guest uses x2APIC mode only if its CPU has x2APIC, which QEMU 7.2 TCG does not give', { x2apic: true }),
  v('scalable', 'scalable mode: PASID directory and tables, second-level translation through PASID 0', { mode: 'scalable' }),
  v('scalable-ats', 'scalable mode with ATS: device-TLB invalidations through the PASID-granular path', { mode: 'scalable', ats: true }),
  v('scalable-lazy', 'scalable mode without caching mode, lazy invalidation', { mode: 'scalable', cachingMode: false, strict: false }),
];
