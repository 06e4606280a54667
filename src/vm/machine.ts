// The VM guest's machine: the options a user (or the lane's matrix) picks,
// and the QEMU command line and kernel command line they make. Pure: no
// process is started here.
//
// The devices sit where they sit in the bundled captures: 00:01.0 VGA,
// 00:02.0 e1000e, 00:03.0 virtio-net, 00:04.0 virtio-blk, 00:05.0 edu. With
// ATS, virtio-net moves behind a PCIe root port to 01:00.0: QEMU gives a
// virtio-pci device an ATS capability only when it is a PCIe endpoint, and
// on the root bus it is an integrated endpoint without one (ats=on there is
// silently nothing).

export interface VmOptions {
  /** Translation mode: legacy root/context entries, or scalable mode (QEMU x-scalable-mode, Linux sm_on). */
  mode: 'legacy' | 'scalable';
  /** CAP.CM: the guest invalidates after making entries present too (QEMU caching-mode). */
  cachingMode: boolean;
  /** iommu.strict=1 (an invalidation per unmap) or 0 (lazy: batched by the flush queue). */
  strict: boolean;
  /** ATS: the IOMMU's device-iotlb=on, and virtio-net with ats=on behind a PCIe root port (01:00.0). */
  ats: boolean;
  /** Interrupt remapping in x2APIC mode (EIM, a CPU with x2APIC). */
  x2apic: boolean;
  /** MiB the guest reads from its virtio disk. */
  readMiB: number;
  /** Read it with O_DIRECT in 4 MiB blocks (large requests: many pages mapped at once). */
  directRead: boolean;
  cpus: number;
  memoryMiB: number;
  /** KVM when /dev/kvm can be used, else TCG. */
  accel: 'tcg' | 'kvm';
}

/** The twin phase: echoes over virtio-net alone, this far apart (vm/guest/init's viommu.echoes). */
export const TWIN_ECHOES = 100;
export const TWIN_INTERVAL_MS = 50;

export const DEFAULT_VM: VmOptions = {
  mode: 'legacy',
  cachingMode: true,
  strict: true,
  ats: false,
  x2apic: false,
  readMiB: 4,
  directRead: false,
  cpus: 2,
  memoryMiB: 512,
  accel: 'tcg',
};

interface VmFiles {
  kernel: string;
  initrd: string;
  /** The raw disk image the guest reads, and writes its capture to. */
  disk: string;
  /** Where QEMU writes its trace. */
  trace: string;
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** The intel-iommu device's properties. */
export function iommuProperties(o: VmOptions): string {
  const props = ['intel-iommu', 'intremap=on', `caching-mode=${onOff(o.cachingMode)}`, `device-iotlb=${onOff(o.ats)}`];
  if (o.mode === 'scalable') props.push('x-scalable-mode=on');
  // QEMU 7.2 allows eim=on only with KVM's split irqchip; under TCG x-buggy-eim lets it be set.
  if (o.x2apic) props.push('eim=on', ...(o.accel === 'tcg' ? ['x-buggy-eim=on'] : []));
  return props.join(',');
}

export function kernelCommandLine(o: VmOptions): string {
  return [
    'console=ttyS0',
    o.mode === 'scalable' ? 'intel_iommu=on,sm_on' : 'intel_iommu=on',
    `iommu.strict=${o.strict ? 1 : 0}`,
    'quiet',
    'panic=-1',
    `viommu.read_mib=${o.readMiB}`,
    `viommu.echoes=${TWIN_ECHOES}`,
    ...(o.directRead ? ['viommu.direct=1'] : []),
  ].join(' ');
}

/** The traced events: every VT-d and x86 IOMMU event, and KVM's MSI routes. */
const TRACE_PATTERNS = ['vtd_*', 'x86_iommu_*', 'kvm_irqchip_*'];

export function qemuArgs(o: VmOptions, f: VmFiles): string[] {
  const net = o.ats ? ['-device', 'pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=06.0'] : [];
  const virtioNet = ['virtio-net-pci', 'netdev=n1', o.ats ? 'bus=rp0,addr=00.0,ats=on' : 'addr=03.0', 'iommu_platform=on', 'disable-legacy=on'].join(',');
  return [
    '-machine', o.accel === 'kvm' ? 'q35,accel=kvm,kernel-irqchip=split' : 'q35,accel=tcg',
    '-cpu', o.accel === 'kvm' ? 'host' : o.x2apic ? 'qemu64,+x2apic' : 'qemu64',
    '-smp', String(o.cpus),
    '-m', `${o.memoryMiB}M`,
    '-display', 'none',
    '-serial', 'stdio',
    '-monitor', 'none',
    '-no-reboot',
    '-msg', 'timestamp=on',
    // The "log" trace backend writes to QEMU's log, which -D sends to a file.
    '-D', f.trace,
    ...TRACE_PATTERNS.flatMap((p) => ['-trace', `enable=${p}`]),
    '-kernel', f.kernel,
    '-initrd', f.initrd,
    '-append', kernelCommandLine(o),
    // The IOMMU comes before the devices it translates for.
    '-device', iommuProperties(o),
    '-netdev', 'user,id=n0,net=10.0.2.0/24',
    '-device', 'e1000e,netdev=n0,addr=02.0',
    ...net,
    '-netdev', 'user,id=n1,net=10.0.3.0/24',
    '-device', virtioNet,
    '-drive', `file=${f.disk},if=none,id=d0,format=raw`,
    '-device', 'virtio-blk-pci,drive=d0,addr=04.0,iommu_platform=on,disable-legacy=on',
    '-device', 'edu,addr=05.0',
  ];
}

/** What a variant is, in a few words ("scalable, caching-mode off, lazy, no ATS"). */
export function describeVm(o: VmOptions): string {
  return [
    o.mode,
    `caching-mode ${onOff(o.cachingMode)}`,
    o.strict ? 'strict' : 'lazy',
    o.ats ? 'ATS (virtio-net at 01:00.0)' : 'no ATS',
    o.x2apic ? 'EIM (x2APIC)' : 'xAPIC',
    `${o.readMiB} MiB read${o.directRead ? ' (direct)' : ''}`,
  ].join(', ');
}
