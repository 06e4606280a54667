// What differs between the QEMU versions a user runs, as far as the
// simulator's figures and faults are concerned. A scenario picks one with
// `platform.qemu` (the newest by default); the VM lane's guests run 7.2.

const QEMU_VERSIONS = ['7.2', '8.2', '9.1', '10.1'] as const;
export type QemuVersion = (typeof QEMU_VERSIONS)[number];
export const NEWEST_QEMU: QemuVersion = '10.1';

export interface QemuBehaviour {
  version: QemuVersion;
  /**
   * A page-selective IOTLB invalidation compares the gfn under the address
   * mask cut to 8 bits before 9.1 (vtd_hash_remove_by_page), so it drops
   * entries outside the range it names; 9.1 compares the whole gfn.
   */
  psiMaskBits: 8 | 64;
  /** Interrupt-remapping faults reach the fault-recording register from 8.2 on; before, QEMU only reports them on its own stderr. */
  recordsIrFaults: boolean;
  /**
   * vhost listens to device-TLB invalidations whenever device-iotlb=on before
   * 8.1, whether or not the guest enabled ATS on the device (then no UNMAP
   * notifier reaches vhost at all); from 8.1 only when ATS is enabled.
   */
  vhostDevtlbWithoutAts: boolean;
  /** PASID-based IOTLB and PASID-cache descriptors are accepted and do nothing in 7.2. */
  pasidDescriptorsNoop: boolean;
  /** First-stage translation (x-flts) exists from 10.0. */
  firstStage: boolean;
}

const order = (v: QemuVersion) => QEMU_VERSIONS.indexOf(v);

export function qemuBehaviour(version: QemuVersion = NEWEST_QEMU): QemuBehaviour {
  const atLeast = (v: QemuVersion) => order(version) >= order(v);
  return {
    version,
    psiMaskBits: atLeast('9.1') ? 64 : 8,
    recordsIrFaults: atLeast('8.2'),
    vhostDevtlbWithoutAts: !atLeast('8.2'),
    pasidDescriptorsNoop: version === '7.2',
    firstStage: atLeast('10.1'),
  };
}

/**
 * QEMU's refusal of interrupt remapping with KVM's full in-kernel irqchip, as
 * every version modelled prints it (hw/i386/x86-iommu.c; releases before the
 * check moved there printed "Intel Interrupt Remapping ..." from intel_iommu.c).
 */
export const KERNEL_IRQCHIP_REFUSAL = "Interrupt Remapping cannot work with kernel-irqchip=on, please use 'split|off'.";
/** vtd_iommu_notify_flag_changed: an assigned device (a MAP notifier) behind a vIOMMU without caching mode (QEMU exits). */
export const VFIO_NEEDS_CACHING_MODE = 'We need to set caching-mode=on for intel-iommu to enable device assignment with IOMMU protection.';
/** vtd_decide_config: snoop control with vhost (or VFIO) attached. */
export const SNOOP_CONTROL_REFUSAL = 'Snoop Control with vhost or VFIO is not supported';
