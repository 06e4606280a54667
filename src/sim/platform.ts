// The emulated platform of a scenario: QEMU's intel-iommu properties (by the
// names QEMU gives them), the KVM irqchip mode, vhost, and the few knobs that
// are the simulator's own. Also the configurations QEMU refuses to start.

import { KERNEL_IRQCHIP_REFUSAL, NEWEST_QEMU, qemuBehaviour, SNOOP_CONTROL_REFUSAL, type QemuVersion } from './qemuVersion';

export { KERNEL_IRQCHIP_REFUSAL } from './qemuVersion';

type IrqchipMode = 'on' | 'split' | 'off';
export type IotlbPolicy = 'qemu' | 'lru';

export interface PlatformOptions {
  /** The QEMU version whose behaviour is modelled (qemuVersion.ts). */
  qemu: QemuVersion;
  /** An intel-iommu device at all (false: no vIOMMU, DMA uses guest physical addresses). */
  iommu: boolean;
  intremap: boolean;
  cachingMode: boolean;
  deviceIotlb: boolean;
  /** 39 or 48 as QEMU accepts; 57 (5-level) is the simulator's extension, as hardware would do it. */
  awBits: number;
  scalableMode: boolean;
  /** x-flts (QEMU 10): first-stage translation instead of second-stage (ECAP.FSTS, no SLTS). */
  xFlts: boolean;
  dmaTranslation: boolean;
  /** ECAP.PT (QEMU property `pt`, default on). */
  pt: boolean;
  /** undefined = auto: on when interrupt remapping is on with the split irqchip. */
  eim: boolean | undefined;
  snoopControl: boolean;
  staleTm: boolean;
  irqchip: IrqchipMode;
  vhost: boolean;
  /** vhost's O(1) virtqueue metadata cache (Linux f889491380). */
  vhostMetadataCache: boolean;
  /** vhost device-IOTLB capacity (module parameter max_iotlb_entries). */
  vhostIotlbEntries: number;
  iotlbPolicy: IotlbPolicy;
  iotlbSize: number;
  /**
   * Compatibility-format MSIs while remapping is on and GSTS.CFIS is clear:
   * 'block' records fault 0x25 as hardware does; 'pass' delivers them
   * unchanged, as QEMU up to 10.1 does (the default: the simulator models QEMU).
   */
  compatInterrupts: 'block' | 'pass';
}

export const DEFAULT_PLATFORM: PlatformOptions = {
  qemu: NEWEST_QEMU,
  iommu: true,
  intremap: true,
  cachingMode: false,
  deviceIotlb: false,
  awBits: 48,
  scalableMode: false,
  xFlts: false,
  dmaTranslation: true,
  pt: true,
  eim: undefined,
  snoopControl: false,
  staleTm: false,
  irqchip: 'split',
  vhost: true,
  vhostMetadataCache: true,
  vhostIotlbEntries: 2048,
  iotlbPolicy: 'qemu',
  iotlbSize: 1024,
  compatInterrupts: 'pass',
};


/** EIM as QEMU decides it: `auto` is on iff remapping is on with the split (KVM) irqchip. */
export function eimEnabled(p: PlatformOptions): boolean {
  if (p.eim !== undefined) return p.eim && p.intremap;
  return p.intremap && p.irqchip === 'split';
}

/** The message QEMU prints when it refuses to start with these options, if it does. */
export function platformRefusal(p: PlatformOptions): string | undefined {
  if (!p.iommu) return undefined;
  if (p.intremap && p.irqchip === 'on') return KERNEL_IRQCHIP_REFUSAL;
  if (p.eim === true && !p.intremap) return 'eim=on cannot be selected without intremap=on';
  if (p.eim === true && p.irqchip !== 'split') return 'eim=on requires accel=kvm,kernel-irqchip=split';
  if (p.snoopControl && p.vhost) return SNOOP_CONTROL_REFUSAL;
  if (p.xFlts && !qemuBehaviour(p.qemu).firstStage) return "Property 'intel-iommu.x-flts' not found";
  if (p.xFlts && !p.scalableMode) return 'x-flts is only available in scalable mode';
  return undefined;
}
