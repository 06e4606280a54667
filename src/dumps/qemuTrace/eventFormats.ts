// The trace events vIOMMU Inspector understands: every event of QEMU's
// hw/i386/trace-events (VT-d, x86-iommu, AMD-Vi and the PC board's interrupt
// events; the newest file read is the one of QEMU's development tree in
// p-b-o/qemu-ci @0692950b, 2025, with the PASID-cache, iommufd and PRI
// events; QEMU 7.2's and the 2017-era error events are here too), and the KVM
// MSI-route events that show interrupt remapping reaching KVM (accel/kvm,
// target/i386/kvm). First-stage translation (x-flts) has no events of its own:
// it traces through the same IOTLB and fault events. Each entry gives the
// message templates (see template.ts), newest first; older QEMU versions
// printed some events differently and those shapes follow.
//
// Argument names are the names of the trace-events prototype, except where
// the printed label is clearer: `iova` for the IOTLB page events (prototype
// `addr`), `tail` for vtd_inv_qi_tail (prototype `head`), and the true `hi` /
// `lo` qwords of vtd_ir_irte_get, whose format prints the high qword after
// the word "low" and the low qword after "high".

export interface TraceEventVariant {
  template: string;
  /** What this shape of the message is, when it is not the current one. */
  note?: string;
}

export interface TraceEventFormat {
  /** The QEMU trace-events file declaring the event. */
  file: string;
  variants: readonly TraceEventVariant[];
}

const HW = 'hw/i386/trace-events';
const KVM = 'accel/kvm/trace-events';
const KVM_X86 = 'target/i386/kvm/trace-events';

function ev(file: string, template: string, ...older: TraceEventVariant[]): TraceEventFormat {
  return { file, variants: [{ template }, ...older] };
}

const BDF = '{bus:x}:{dev:x}.{fn:x}';

export const TRACE_EVENT_FORMATS: Readonly<Record<string, TraceEventFormat>> = {
  // x86-iommu.c
  x86_iommu_iec_notify: ev(HW, 'Notify IEC invalidation: global={global:b} index={index:u} mask={mask:u}'),

  // Queued invalidation and the descriptors it carries.
  vtd_inv_desc: ev(HW, 'invalidate desc type {type:s} high 0x{hi:X} low 0x{lo:X}'),
  vtd_inv_desc_cc_domain: ev(HW, 'context invalidate domain 0x{domain:x}'),
  vtd_inv_desc_cc_global: ev(HW, 'context invalidate globally'),
  vtd_inv_desc_cc_device: ev(HW, `context invalidate device ${BDF}`),
  vtd_inv_desc_cc_devices: ev(HW, 'context invalidate devices sid 0x{sid:x} fmask 0x{fmask:x}'),
  vtd_inv_desc_iotlb_global: ev(HW, 'iotlb invalidate global'),
  vtd_inv_desc_iotlb_domain: ev(HW, 'iotlb invalidate whole domain 0x{domain:x}'),
  vtd_inv_desc_iotlb_pages: ev(HW, 'iotlb invalidate domain 0x{domain:x} addr 0x{addr:X} mask 0x{mask:x}'),
  vtd_inv_desc_iotlb_pasid_pages: ev(HW, 'iotlb invalidate domain 0x{domain:x} addr 0x{addr:X} mask 0x{mask:x} pasid 0x{pasid:x}'),
  vtd_inv_desc_iotlb_pasid: ev(HW, 'iotlb invalidate domain 0x{domain:x} pasid 0x{pasid:x}'),
  vtd_inv_desc_wait_sw: ev(HW, 'wait invalidate status write addr 0x{addr:X} data 0x{data:x}'),
  vtd_inv_desc_wait_irq: ev(HW, '{msg:s}'),
  vtd_inv_desc_wait_write_fail: ev(HW, 'write fail for wait desc hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_inv_desc_iec: ev(HW, 'granularity 0x{granularity:x} index 0x{index:x} mask 0x{mask:x}'),
  vtd_inv_qi_enable: ev(HW, 'enabled {enable:b}'),
  vtd_inv_qi_setup: ev(HW, 'addr 0x{addr:X} size {size:d}'),
  vtd_inv_qi_head: ev(HW, 'read head {head:d}'),
  vtd_inv_qi_tail: ev(HW, 'write tail {tail:d}'),
  vtd_inv_qi_fetch: ev(HW, ''),
  vtd_warn_invalid_qi_tail: ev(HW, 'tail 0x{tail:x}'),

  // Context cache and IOTLB.
  vtd_context_cache_reset: ev(HW, ''),
  vtd_re_not_present: ev(HW, 'Root entry bus {bus:u} not present'),
  vtd_ce_not_present: ev(HW, 'Context entry bus {bus:u} devfn {devfn:u} not present'),
  vtd_iotlb_page_hit: ev(HW, 'IOTLB page hit sid 0x{sid:x} iova 0x{iova:X} slpte 0x{slpte:X} domain 0x{domain:x}'),
  vtd_iotlb_page_update: ev(HW, 'IOTLB page update sid 0x{sid:x} iova 0x{iova:X} slpte 0x{slpte:X} domain 0x{domain:x}'),
  vtd_iotlb_cc_hit: ev(HW, 'IOTLB context hit bus 0x{bus:x} devfn 0x{devfn:x} high 0x{high:X} low 0x{low:X} gen {gen:u}'),
  vtd_iotlb_cc_update: ev(HW, 'IOTLB context update bus 0x{bus:x} devfn 0x{devfn:x} high 0x{high:X} low 0x{low:X} gen {gen1:u} -> gen {gen2:u}'),
  vtd_iotlb_reset: ev(HW, 'IOTLB reset (reason: {reason:s})'),
  vtd_fault_disabled: ev(HW, 'Fault processing disabled for context entry'),

  // Replay and page walks (VFIO / vhost notifiers).
  vtd_replay_ce_valid: ev(
    HW,
    `{mode:s}: replay valid context device ${BDF} domain 0x{domain:x} hi 0x{hi:X} lo 0x{lo:X}`,
    { template: `replay valid context device ${BDF} domain 0x{domain:x} hi 0x{hi:X} lo 0x{lo:X}`, note: 'vtd_replay_ce_valid without the mode prefix (older QEMU)' },
  ),
  vtd_replay_ce_invalid: ev(HW, `replay invalid context device ${BDF}`),
  vtd_page_walk_level: ev(HW, 'walk (base=0x{addr:X}, level={level:u}) iova range 0x{start:X} - 0x{end:X}'),
  vtd_page_walk_one: ev(
    HW,
    'domain 0x{domain:x} iova 0x{iova:X} -> gpa 0x{gpa:X} mask 0x{mask:X} perm {perm:d}',
    { template: 'detected page level 0x{level:x} iova 0x{iova:X} -> gpa 0x{gpa:X} mask 0x{mask:X} perm {perm:d}', note: 'vtd_page_walk_one with page level (older QEMU)' },
  ),
  vtd_page_walk_one_skip_map: ev(HW, 'iova 0x{iova:X} mask 0x{mask:X} translated 0x{translated:X}'),
  vtd_page_walk_one_skip_unmap: ev(HW, 'iova 0x{iova:X} mask 0x{mask:X}'),
  vtd_page_walk_skip_read: ev(HW, 'Page walk skip iova 0x{iova:X} - 0x{next:X} due to unable to read'),
  vtd_page_walk_skip_reserve: ev(HW, 'Page walk skip iova 0x{iova:X} - 0x{next:X} due to rsrv set'),
  vtd_page_walk_skip_perm: ev(HW, 'Page walk skip iova 0x{iova:X} - 0x{next:X} due to perm empty'),
  vtd_switch_address_space: ev(HW, 'Device {bus:x}:{slot:x}.{fn:x} switching address space (iommu enabled={on:b})'),
  vtd_as_unmap_whole: ev(HW, 'Device {bus:x}:{slot:x}.{fn:x} start 0x{iova:X} size 0x{size:X}'),
  // Older QEMU printed the sid of these two with PRIu16 after "0x"; the text
  // cannot tell which, so the current (hex) reading is used.
  vtd_translate_pt: ev(HW, 'source id 0x{sid:x}, iova 0x{addr:X}'),
  vtd_pt_enable_fast_path: ev(HW, 'sid 0x{sid:x} {success:b}'),

  // Registers.
  vtd_irq_generate: ev(HW, 'addr 0x{addr:X} data 0x{data:X}'),
  vtd_reg_read: ev(HW, 'addr 0x{addr:X} size 0x{size:X}'),
  vtd_reg_write: ev(HW, 'addr 0x{addr:X} size 0x{size:X} value 0x{val:X}'),
  vtd_reg_dmar_root: ev(HW, 'addr 0x{addr:X} scalable {scalable:b}', { template: 'addr 0x{addr:X} extended {extended:b}', note: 'vtd_reg_dmar_root "extended" (QEMU before scalable mode)' }),
  vtd_reg_ir_root: ev(HW, 'addr 0x{addr:X} size 0x{size:x}'),
  vtd_reg_write_gcmd: ev(HW, 'status 0x{status:x} value 0x{val:x}'),
  vtd_reg_write_fectl: ev(HW, 'value 0x{value:x}'),
  vtd_reg_write_iectl: ev(HW, 'value 0x{value:x}'),
  vtd_reg_ics_clear_ip: ev(HW, ''),
  vtd_reset_exit: ev(HW, ''),

  // DMA translation and faults.
  vtd_dmar_translate: ev(HW, 'dev {bus:x}:{slot:x}.{func:x} iova 0x{iova:X} -> gpa 0x{gpa:X} mask 0x{mask:X}'),
  vtd_dmar_enable: ev(HW, 'enable {en:b}'),
  // The fault reason is printed in decimal ("fault 6").
  vtd_dmar_fault: ev(HW, 'sid 0x{sid:x} fault {fault:d} addr 0x{addr:X} write {is_write:b}'),
  vtd_fsts_ppf: ev(HW, 'FSTS PPF bit set to {set:b}'),
  vtd_fsts_clear_ip: ev(HW, ''),
  vtd_frr_new: ev(HW, 'index {index:d} high 0x{hi:X} low 0x{lo:X}'),

  // Interrupt remapping.
  vtd_ir_enable: ev(HW, 'enable {en:b}'),
  vtd_ir_irte_get: ev(HW, 'index {index:d} low 0x{hi:X} high 0x{lo:X}'),
  vtd_ir_remap: ev(HW, 'index {index:d} trigger {tri:d} vector {vec:d} deliver {deliver:d} dest 0x{dest:x} mode {dest_mode:d}'),
  vtd_ir_remap_type: ev(HW, '{type:s}'),
  vtd_ir_remap_msi: ev(HW, '(addr 0x{addr:X}, data 0x{data:X}) -> (addr 0x{addr2:X}, data 0x{data2:X})'),
  vtd_ir_remap_msi_req: ev(HW, 'addr 0x{addr:X} data 0x{data:X}', {
    template: 'addr 0x{addr:X} data 0x{data:X} sid 0x{sid:x} do_fault {do_fault:b}',
    note: 'vtd_ir_remap_msi_req with sid and do_fault (a patched QEMU)',
  }),
  vtd_warn_ir_vector: ev(HW, 'sid 0x{sid:x} index {index:d} vec {vec:d} (should be: {target:d})'),
  vtd_warn_ir_trigger: ev(HW, 'sid 0x{sid:x} index {index:d} trigger {trig:d} (should be: {target:d})'),

  // PASID cache (scalable mode). The merged form (QEMU 10.2 on) traces the
  // descriptors as vtd_inv_desc_pasid_cache_*; the series before it named them
  // vtd_pasid_cache_gsi/dsi/psi (with "slective", or in its first version
  // "Domian slective"), and its device-selective event printed a source id.
  vtd_inv_desc_pasid_cache_gsi: ev(HW, ''),
  vtd_inv_desc_pasid_cache_dsi: ev(HW, 'Domain selective PC invalidation domain 0x{domain:x}'),
  vtd_inv_desc_pasid_cache_psi: ev(HW, 'PASID selective PC invalidation domain 0x{domain:x} pasid 0x{pasid:x}'),
  vtd_pasid_cache_reset: ev(HW, ''),
  vtd_pasid_cache_devsi: ev(HW, `Dev selective PC invalidation dev: ${BDF}`, {
    template: 'Dev selective PC invalidation dev: 0x{dev:x}',
    note: 'vtd_pasid_cache_devsi with a source id (the PASID-cache series before it was merged)',
  }),
  vtd_pasid_cache_gsi: ev(HW, ''),
  vtd_pasid_cache_dsi: ev(
    HW,
    'Domain selective PC invalidation domain 0x{domain:x}',
    { template: 'Domain slective PC invalidation domain 0x{domain:x}', note: 'vtd_pasid_cache_dsi misspelt "slective" (the PASID-cache series)' },
    { template: 'Domian slective PC invalidation domain 0x{domain:x}', note: 'vtd_pasid_cache_dsi misspelt (an early version of the series)' },
  ),
  vtd_pasid_cache_psi: ev(HW, 'PASID selective PC invalidation domain 0x{domain:x} pasid 0x{pasid:x}', {
    template: 'PASID slective PC invalidation domain 0x{domain:x} pasid 0x{pasid:x}',
    note: 'vtd_pasid_cache_psi misspelt "slective" (the PASID-cache series)',
  }),

  // iommufd: a passthrough device's hardware page tables (nesting).
  vtd_device_attach_hwpt: ev(HW, 'dev_id {dev_id:d} pasid {pasid:d} hwpt_id {hwpt_id:d}, ret: {ret:d}'),
  vtd_device_detach_hwpt: ev(HW, 'dev_id {dev_id:d} pasid {pasid:d} ret: {ret:d}'),
  vtd_device_reattach_def_hwpt: ev(HW, 'dev_id {dev_id:d} pasid {pasid:d} hwpt_id {hwpt_id:d}, ret: {ret:d}'),
  vtd_device_fail_attach_existing_hwpt: ev(HW, ' {msg:s}'),
  vtd_device_attach_container: ev(HW, 'iommufd {iommufd:d} dev_id {dev_id:d} pasid {pasid:d} ioas_id {ioas_id:d} hwpt_id {hwpt_id:d}'),
  vtd_device_detach_container: ev(HW, 'iommufd {iommufd:d} dev_id {dev_id:d} pasid {pasid:d}'),
  vtd_device_fail_attach_existing_container: ev(HW, ' {msg:s}'),
  vtd_device_alloc_ioas: ev(HW, 'iommufd {iommufd:d} ioas_id {ioas_id:d}'),
  // Page requests (PRI) of a passthrough device, read from the host's fault queue.
  vtd_prq_read_fault: ev(HW, 'fault_id {fault_id:d} fault_fd {fault_fd:d} ret: {ret:d}'),

  // QEMU before 2018 (replaced by error_report_once messages): errors as events.
  vtd_inv_desc_invalid: ev(HW, 'invalid inv desc hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_inv_desc_cc_invalid: ev(HW, 'invalid context-cache desc hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_inv_desc_iotlb_invalid: ev(HW, 'invalid iotlb desc hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_inv_desc_wait_invalid: ev(HW, 'invalid wait desc hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_re_invalid: ev(HW, 'invalid root entry hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_ce_invalid: ev(HW, 'invalid context entry hi 0x{hi:X} lo 0x{lo:X}'),
  vtd_err: ev(HW, '{str:s}'),
  vtd_err_dmar_iova_overflow: ev(HW, 'iova 0x{iova:X}'),
  vtd_err_dmar_slpte_read_error: ev(HW, 'iova 0x{iova:X} level {level:d}'),
  vtd_err_dmar_slpte_perm_error: ev(HW, 'iova 0x{iova:X} level {level:d} slpte 0x{slpte:X} write {is_write:b}'),
  vtd_err_dmar_slpte_resv_error: ev(HW, 'iova 0x{iova:X} level {level:d} slpte 0x{slpte:X}'),
  vtd_err_dmar_translate: ev(HW, 'dev {bus:x}:{slot:x}.{func:x} iova 0x{iova:X}'),
  vtd_err_qi_disable: ev(HW, 'head 0x{head:x} tail 0x{tail:x} last_desc_type {type:d}'),
  vtd_err_qi_tail: ev(HW, 'tail 0x{tail:x} size 0x{size:x}'),
  vtd_err_irte: ev(HW, 'index {index:d} low 0x{hi:X} high 0x{lo:X}'),
  vtd_err_irte_sid: ev(HW, 'index {index:d} SVT_ALL sid 0x{req:x} (should be: 0x{target:x})'),
  vtd_err_irte_sid_bus: ev(HW, 'index {index:d} SVT_BUS bus 0x{bus:x} (should be: 0x{min:x}-0x{max:x})'),
  vtd_err_irte_svt: ev(HW, 'index {index:d} SVT type {type:d}'),
  vtd_err_ir_msi_invalid: ev(HW, 'sid 0x{sid:x} addr 0x{addr:X} data 0x{data:X}'),

  // AMD-Vi (hw/i386/amd_iommu.c), in the same trace-events file.
  amdvi_evntlog_fail: ev(HW, 'error: fail to write at addr 0x{addr:X} +  offset 0x{head:x}'),
  amdvi_cache_update: ev(HW, ' update iotlb domid 0x{domid:x} devid: {bus:x}:{slot:x}.{func:x} gpa 0x{gpa:X} hpa 0x{txaddr:X}'),
  amdvi_completion_wait_fail: ev(HW, 'error: fail to write at address 0x{addr:X}'),
  amdvi_mmio_write: ev(HW, '{reg:s} write addr 0x{addr:X}, size {size:u}, val 0x{val:X}, offset 0x{offset:X}'),
  amdvi_mmio_read: ev(HW, '{reg:s} read addr 0x{addr:X}, size {size:u} offset 0x{offset:X}'),
  amdvi_mmio_read_invalid: ev(HW, 'error: addr outside region (max 0x{max:x}): read addr 0x{addr:X}, size {size:u}'),
  amdvi_command_error: ev(HW, 'error: Executing commands with command buffer disabled 0x{status:X}'),
  amdvi_command_read_fail: ev(HW, 'error: fail to access memory at 0x{addr:X} + 0x{head:x}'),
  amdvi_command_exec: ev(HW, 'command buffer head at 0x{head:x} command buffer tail at 0x{tail:x} command buffer base at 0x{buf:X}'),
  amdvi_unhandled_command: ev(HW, 'unhandled command 0x{type:x}'),
  amdvi_intr_inval: ev(HW, 'Interrupt table invalidated'),
  amdvi_iotlb_inval: ev(HW, 'IOTLB pages invalidated'),
  amdvi_prefetch_pages: ev(HW, 'Pre-fetch of AMD-Vi pages requested'),
  amdvi_pages_inval: ev(HW, 'AMD-Vi pages for domain 0x{domid:x} invalidated'),
  amdvi_all_inval: ev(HW, 'Invalidation of all AMD-Vi cache requested'),
  amdvi_ppr_exec: ev(HW, 'Execution of PPR queue requested'),
  amdvi_devtab_inval: ev(HW, 'device table entry for devid: {bus:x}:{slot:x}.{func:x} invalidated'),
  amdvi_completion_wait: ev(HW, 'completion wait requested with store address 0x{addr:X} and store data 0x{data:X}'),
  amdvi_control_status: ev(HW, 'MMIO_STATUS state 0x{val:X}'),
  amdvi_iotlb_reset: ev(HW, 'IOTLB exceed size limit - reset'),
  amdvi_dte_get_fail: ev(HW, 'error: failed to access Device Entry devtab 0x{addr:X} offset 0x{offset:x}'),
  amdvi_invalid_dte: ev(HW, 'PTE entry at 0x{addr:X} is invalid'),
  amdvi_get_pte_hwerror: ev(HW, 'hardware error eccessing PTE at addr 0x{addr:X}'),
  amdvi_mode_invalid: ev(HW, 'error: translation level 0x{level:x} translating addr 0x{addr:X}'),
  amdvi_page_fault: ev(HW, 'error: page fault accessing guest physical address 0x{addr:X}'),
  amdvi_iotlb_hit: ev(HW, 'hit iotlb devid {bus:x}:{slot:x}.{func:x} gpa 0x{addr:X} hpa 0x{txaddr:X}'),
  amdvi_translation_result: ev(HW, 'devid: {bus:x}:{slot:x}.{func:x} gpa 0x{addr:X} hpa 0x{txaddr:X}'),
  amdvi_mem_ir_write_req: ev(HW, 'addr 0x{addr:X} data 0x{val:X} size 0x{size:x}'),
  amdvi_mem_ir_write: ev(HW, 'addr 0x{addr:X} data 0x{val:X}'),
  amdvi_ir_remap_msi_req: ev(HW, 'addr 0x{addr:X} data 0x{data:X} devid 0x{devid:x}'),
  amdvi_ir_remap_msi: ev(HW, '(addr 0x{addr:X}, data 0x{data:X}) -> (addr 0x{addr2:X}, data 0x{data2:X})'),
  amdvi_err: ev(HW, '{str:s}'),
  amdvi_ir_irte: ev(HW, 'addr 0x{addr:X} offset 0x{data:X}'),
  amdvi_ir_irte_val: ev(HW, 'data 0x{data:x}'),
  amdvi_ir_err: ev(HW, '{str:s}'),
  amdvi_ir_intctl: ev(HW, 'int_ctl 0x{val:x}'),
  amdvi_ir_target_abort: ev(HW, '{str:s}'),
  amdvi_ir_delivery_mode: ev(HW, '{str:s}'),
  amdvi_ir_irte_ga_val: ev(HW, 'hi 0x{hi:X} lo 0x{lo:X}'),
  amdvi_generate_msi_interrupt: ev(HW, 'Mode: {str:s}'),

  // Interrupts of the PC board (hw/i386/x86.c).
  x86_gsi_interrupt: ev(HW, 'GSI interrupt #{irqn:d} level:{level:d}'),
  x86_pic_interrupt: ev(HW, 'PIC interrupt #{irqn:d} level:{level:d}'),

  // KVM GSI routes: how remapped MSIs reach KVM with a split irqchip.
  kvm_irqchip_commit_routes: ev(KVM, ''),
  kvm_irqchip_add_msi_route: ev(KVM, 'dev {name:s} vector {vector:d} virq {virq:d}'),
  kvm_irqchip_update_msi_route: ev(KVM, 'Updating MSI route virq={virq:d}'),
  kvm_irqchip_release_virq: ev(KVM, 'virq {virq:d}'),
  kvm_resample_fd_notify: ev(KVM, 'gsi {gsi:d}'),
  kvm_x86_fixup_msi_error: ev(KVM_X86, 'VT-d failed to remap interrupt for GSI {gsi:u}'),
  kvm_x86_add_msi_route: ev(KVM_X86, 'Adding route entry for virq {virq:d}'),
  kvm_x86_remove_msi_route: ev(KVM_X86, 'Removing route entry for virq {virq:d}'),
  kvm_x86_update_msi_routes: ev(KVM_X86, 'Updated {num:d} MSI routes'),
};

/** Event name prefixes of the families this table covers. */
export const TRACED_FAMILIES = ['vtd_', 'x86_iommu_', 'kvm_', 'amdvi_', 'x86_'] as const;
