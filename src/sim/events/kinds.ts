// Every kind of event the simulator records: what it is called, which thread
// pays for it, whether it changes state, and the QEMU trace event it mirrors
// (so a simulated run reads like `-trace "vtd_*"`).

type ThreadName = 'none' | 'vcpu' | 'backend' | 'device' | 'current';

interface EventKindSpec {
  name: string;
  thread: ThreadName;
  /** The event changes simulator state (caches, tables, registers, routes). */
  mutates: boolean;
  /** QEMU / KVM trace event with the same meaning, when there is one. */
  trace?: string;
}

/** Kind codes, in the order of KIND_SPECS. */
export const K = {
  regWrite: 0,
  rootWrite: 1,
  contextWrite: 2,
  pteWrite: 3,
  irteWrite: 4,
  ccHit: 5,
  ccUpdate: 6,
  iotlbHit: 7,
  iotlbHitDenied: 8,
  pageWalk: 9,
  iotlbUpdate: 10,
  iotlbReset: 11,
  translatePt: 12,
  dmarTranslate: 13,
  dmarFault: 14,
  faultDisabled: 15,
  faultRecorded: 16,
  faultOverflow: 17,
  faultCompressed: 18,
  faultEvent: 19,
  qiSubmit: 20,
  invDesc: 21,
  ccInvalidate: 22,
  iotlbInvalidate: 23,
  iqe: 24,
  waitStatus: 25,
  waitInterrupt: 26,
  notifyUnmap: 27,
  notifyDevIotlb: 28,
  iecNotify: 29,
  devtlbHit: 30,
  devtlbRequest: 31,
  devtlbCompletion: 32,
  devtlbFill: 33,
  devtlbInvalidate: 34,
  devtlbInvCompletion: 35,
  guestMap: 36,
  guestUnmap: 37,
  fqQueue: 38,
  fqFlush: 39,
  msi: 40,
  irRemap: 41,
  irFault: 42,
  routeAdd: 43,
  routeFixupError: 44,
  routeDeliver: 45,
  routeStaleDeliver: 46,
  routeUpdateAll: 47,
  irqUncached: 48,
  irqDelivered: 49,
  packetGuest: 50,
  packetBackend: 51,
  refused: 52,
  dmaDone: 53,
  dmaAborted: 54,
  ioapicRteWrite: 55,
  msiProgram: 56,
  note: 57,
  vfioMap: 58,
  vfioUnmap: 59,
} as const;


const spec = (name: string, thread: ThreadName, mutates: boolean, trace?: string): EventKindSpec => ({ name, thread, mutates, trace });

/** Indexed by kind code. */
export const KIND_SPECS: readonly EventKindSpec[] = [
  spec('reg-write', 'vcpu', true, 'vtd_reg_write'),
  spec('root-write', 'vcpu', true),
  spec('context-write', 'vcpu', true),
  spec('pte-write', 'vcpu', true),
  spec('irte-write', 'vcpu', true),
  spec('cc-hit', 'current', false, 'vtd_iotlb_cc_hit'),
  spec('cc-update', 'current', true, 'vtd_iotlb_cc_update'),
  spec('iotlb-hit', 'current', false, 'vtd_iotlb_page_hit'),
  spec('iotlb-hit-denied', 'current', false),
  spec('page-walk', 'current', false, 'vtd_page_walk_level'),
  spec('iotlb-update', 'current', true, 'vtd_iotlb_page_update'),
  spec('iotlb-reset', 'current', true, 'vtd_iotlb_reset'),
  spec('translate-pt', 'current', false, 'vtd_translate_pt'),
  spec('dmar-translate', 'current', false, 'vtd_dmar_translate'),
  spec('dmar-fault', 'current', false, 'vtd_dmar_fault'),
  spec('fault-disabled', 'current', false, 'vtd_fault_disabled'),
  spec('fault-recorded', 'current', true, 'vtd_frr_new'),
  spec('fault-overflow', 'current', true),
  spec('fault-compressed', 'current', false),
  spec('fault-event', 'current', true, 'vtd_irq_generate'),
  spec('qi-submit', 'vcpu', true, 'vtd_inv_qi_tail'),
  spec('inv-desc', 'vcpu', false, 'vtd_inv_desc'),
  spec('cc-invalidate', 'vcpu', true, 'vtd_inv_desc_cc_global'),
  spec('iotlb-invalidate', 'vcpu', true, 'vtd_inv_desc_iotlb_pages'),
  spec('iqe', 'vcpu', true),
  spec('wait-status-write', 'vcpu', true, 'vtd_inv_desc_wait_sw'),
  spec('wait-interrupt', 'vcpu', true, 'vtd_inv_desc_wait_irq'),
  spec('notify-unmap', 'vcpu', false),
  spec('notify-deviotlb', 'vcpu', false),
  spec('iec-notify', 'vcpu', false, 'x86_iommu_iec_notify'),
  spec('devtlb-hit', 'current', false),
  spec('devtlb-request', 'current', false),
  spec('devtlb-completion', 'current', false),
  spec('devtlb-fill', 'current', true),
  spec('devtlb-invalidate', 'current', true),
  spec('devtlb-inv-completion', 'current', false),
  spec('guest-map', 'vcpu', true),
  spec('guest-unmap', 'vcpu', true),
  spec('fq-queue', 'vcpu', true),
  spec('fq-flush', 'vcpu', true),
  spec('msi', 'current', false),
  spec('ir-remap', 'current', false, 'vtd_ir_remap_msi'),
  spec('ir-fault', 'current', false),
  spec('route-add', 'vcpu', true, 'kvm_irqchip_add_msi_route'),
  spec('route-fixup-error', 'vcpu', false, 'kvm_x86_fixup_msi_error'),
  spec('route-deliver', 'current', false),
  spec('route-stale-deliver', 'current', false),
  spec('route-update-all', 'vcpu', true, 'kvm_x86_update_msi_routes'),
  spec('irq-uncached', 'vcpu', false),
  spec('irq-delivered', 'none', false),
  spec('packet-guest', 'vcpu', false),
  spec('packet-backend', 'backend', false),
  spec('refused', 'none', false),
  spec('dma-done', 'current', false),
  spec('dma-aborted', 'current', false),
  spec('ioapic-rte-write', 'vcpu', true),
  spec('msi-program', 'vcpu', true),
  spec('note', 'none', false),
  spec('vfio-map', 'vcpu', true, 'vfio_iommu_map_notify'),
  spec('vfio-unmap', 'vcpu', true, 'vfio_iommu_map_notify'),
];

const BY_NAME = new Map(KIND_SPECS.map((s, i) => [s.name, i]));

/** Kind code of a kind name, or undefined. */
export function kindCode(name: string): number | undefined {
  return BY_NAME.get(name);
}

export function kindName(code: number): string {
  return KIND_SPECS[code]?.name ?? `kind-${code}`;
}

export const THREAD_CODES: Record<ThreadName, number> = { none: 0, vcpu: 1, backend: 2, device: 3, current: -1 };
export const THREAD_NAMES = ['none', 'vcpu', 'backend', 'device'] as const;
