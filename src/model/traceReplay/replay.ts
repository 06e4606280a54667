// Replays a parsed QEMU trace into the state of QEMU's intel-iommu model as
// of any line: each trace event is handed to the model it concerns (IOTLB,
// context cache, ATS flow, interrupt routes), in file order, up to and
// including the line asked for.

import type { TraceEvent } from '../../dumps/qemuTrace/index';
import type { ArgValue } from '../../dumps/qemuTrace/template';
import { hex } from '../../vtd/u64';
import { AtsFlowCollector, contextEnablesDeviceTlb } from './atsFlow';
import { ContextCacheModel } from './contextCache';
import { IotlbModel, type PsiMaskBits } from './iotlb';
import { RouteTable } from './irRoutes';
import type { TraceReplay } from './types';

export interface ReplayOptions {
  /** Replay up to and including this 0-based line; undefined: the whole trace. */
  untilLine?: number;
  /** The trace's line count (for "as of line N of M"); defaults to the last event's line + 1. */
  lineCount?: number;
  /**
   * How wide QEMU kept the page-selective invalidation mask (8 before QEMU
   * 9.1). Undefined: both are replayed and the one that agrees with the
   * trace's hits and fills wins (64 on a tie).
   */
  psiMaskBits?: PsiMaskBits;
}

function big(v: ArgValue | undefined): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  return 0n;
}

function num(v: ArgValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

function bool(v: ArgValue | undefined): boolean {
  return v === true || v === 1 || v === 1n;
}

function pagesText(am: number): string {
  const n = 2 ** am;
  return n === 1 ? '1 page' : `${n} pages`;
}

function str(v: ArgValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** What a replay cannot show, whatever the trace. */
export const TRACE_LIMITS: readonly string[] = [
  'The trace does not print an IOTLB entry\'s page level or PASID: the level is read from the leaf entry (PS bit and address alignment).',
  'The IOTLB reset QEMU does with every context-cache reset (vtd_reset_caches: translation enabled or disabled, root table set, machine reset) has no trace line of its own: the replay does it on the vtd_context_cache_reset line.',
  'QEMU has no trace event for PCIe ATS translation requests or invalidation completions from a device.',
];

function eventsUpTo(events: readonly TraceEvent[], untilLine: number | undefined): readonly TraceEvent[] {
  if (untilLine === undefined) return events;
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].line <= untilLine) lo = mid + 1;
    else hi = mid;
  }
  return events.slice(0, lo);
}

/** Devices with a device TLB: a context entry enabling it, or a device-TLB invalidation naming them. */
function atsSidsOf(events: readonly TraceEvent[], scalableAtStart: boolean): Set<number> {
  const out = new Set<number>();
  let scalable = scalableAtStart;
  for (const e of events) {
    const a = e.args;
    if (e.name === 'vtd_reg_dmar_root') scalable = bool(a.scalable) || bool(a.extended);
    else if (e.name === 'vtd_iotlb_cc_update' || e.name === 'vtd_iotlb_cc_hit') {
      if (contextEnablesDeviceTlb(big(a.low), scalable)) out.add((num(a.bus) << 8) | num(a.devfn));
    } else if (e.name === 'vtd_inv_desc' && (a.type === 'device' || a.type === 'device-piotlb')) {
      const lo = big(a.lo);
      out.add(a.type === 'device' ? Number((lo >> 32n) & 0xffffn) : Number((lo >> 16n) & 0xffffn));
    }
  }
  return out;
}

function mismatches(m: IotlbModel): number {
  const c = m.counters.checks;
  return c.hitsNotHeld + c.fillsAlreadyHeld + c.unexpectedResets + c.missingResets;
}

/** The IOTLB model that agrees best with the trace (the current QEMU's on a tie). */
function pickModel(models: IotlbModel[]): IotlbModel {
  return models.reduce((best, m) => (mismatches(m) < mismatches(best) ? m : best));
}

export function replayTrace(all: readonly TraceEvent[], options: ReplayOptions = {}): TraceReplay {
  const events = eventsUpTo(all, options.untilLine);
  const models = options.psiMaskBits ? [new IotlbModel(options.psiMaskBits)] : [new IotlbModel(64), new IotlbModel(8)];
  const iotlb = {
    each: (f: (m: IotlbModel) => void) => models.forEach(f),
  };
  const cc = new ContextCacheModel();
  const routes = new RouteTable();
  let scalable = false;
  const ats = new AtsFlowCollector(atsSidsOf(events, scalable), scalable);
  let dmarEnabled: boolean | undefined;
  let irEnabled: boolean | undefined;

  for (const e of events) {
    const a = e.args;
    const line = e.line;
    switch (e.name) {
      case 'vtd_iotlb_page_hit':
        iotlb.each((m) => m.hit(line, num(a.sid), big(a.iova), big(a.slpte), num(a.domain)));
        ats.lookup(num(a.sid), true);
        break;
      case 'vtd_iotlb_page_update':
        iotlb.each((m) => m.fill(line, num(a.sid), big(a.iova), big(a.slpte), num(a.domain)));
        ats.lookup(num(a.sid), false);
        break;
      case 'vtd_iotlb_reset':
        iotlb.each((m) => m.sizeLimitReset(line));
        break;
      case 'vtd_inv_desc_iotlb_global':
        iotlb.each((m) => m.invalidateGlobal(line));
        ats.iotlbInvalidation(line, 'IOTLB global invalidation', undefined);
        break;
      case 'vtd_inv_desc_iotlb_domain':
        iotlb.each((m) => m.invalidateDomain(line, num(a.domain)));
        ats.iotlbInvalidation(line, `IOTLB invalidation of domain ${num(a.domain)}`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pages':
        iotlb.each((m) => m.invalidatePages(line, num(a.domain), big(a.addr), num(a.mask)));
        ats.iotlbInvalidation(line, `IOTLB invalidation ${hex(big(a.addr))} (${pagesText(num(a.mask))})`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pasid_pages':
        iotlb.each((m) => m.invalidatePages(line, num(a.domain), big(a.addr), num(a.mask), 'pasid-page', num(a.pasid)));
        ats.iotlbInvalidation(line, `PASID IOTLB invalidation ${hex(big(a.addr))} (${pagesText(num(a.mask))})`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pasid':
        iotlb.each((m) => m.invalidatePasid(line, num(a.domain), num(a.pasid)));
        ats.iotlbInvalidation(line, `PASID IOTLB invalidation, PASID ${hex(num(a.pasid))}`, num(a.domain));
        break;
      case 'vtd_translate_pt':
        iotlb.each((m) => m.counters.passThrough++);
        break;
      case 'vtd_dmar_fault':
        iotlb.each((m) => m.counters.faults++);
        ats.fault(line, num(a.sid), num(a.fault), big(a.addr), bool(a.is_write));
        break;
      case 'vtd_dmar_translate':
        ats.translation(line, (num(a.bus) << 8) | (num(a.slot) << 3) | num(a.func), big(a.iova), big(a.gpa), big(a.mask));
        break;
      case 'vtd_iotlb_cc_hit':
        cc.hit(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), num(a.gen));
        ats.context(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), false);
        break;
      case 'vtd_iotlb_cc_update':
        cc.update(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), num(a.gen1), num(a.gen2));
        ats.context(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), true);
        break;
      case 'vtd_inv_desc_cc_global':
        cc.globalInvalidate();
        break;
      case 'vtd_inv_desc_cc_domain':
        cc.domainInvalidate();
        break;
      case 'vtd_inv_desc_cc_device':
        cc.deviceInvalidate(line, num(a.bus), (num(a.dev) << 3) | num(a.fn));
        break;
      case 'vtd_context_cache_reset':
        if (cc.reset(line)) iotlb.each((m) => m.cachesReset(line));
        break;
      case 'vtd_reg_dmar_root':
        scalable = bool(a.scalable);
        ats.setScalable(scalable);
        break;
      case 'vtd_dmar_enable':
        dmarEnabled = bool(a.en);
        break;
      case 'vtd_ir_enable':
        irEnabled = bool(a.en);
        break;
      case 'vtd_inv_qi_fetch':
        ats.fetch();
        break;
      case 'vtd_inv_desc': {
        const type = str(a.type);
        if (type === 'device' || type === 'device-piotlb') ats.deviceTlbDescriptor(line, type, big(a.hi), big(a.lo));
        else if (type === 'wait') ats.waitDescriptor(line, big(a.hi), big(a.lo));
        break;
      }
      case 'vtd_inv_desc_wait_sw':
        ats.waitStatus(line, big(a.addr), num(a.data));
        break;
      case 'vtd_inv_desc_wait_irq':
        ats.waitInterrupt(line, str(a.msg));
        break;
      case 'vtd_ir_remap_msi_req':
        routes.request(line, big(a.addr), big(a.data), a.sid !== undefined ? num(a.sid) : undefined);
        break;
      case 'vtd_ir_irte_get':
        routes.irteGet(line, num(a.index), big(a.hi), big(a.lo));
        break;
      case 'vtd_ir_remap':
        routes.remap(line, { trigger: num(a.tri), vector: num(a.vec), deliveryMode: num(a.deliver), dest: num(a.dest), destMode: num(a.dest_mode) });
        break;
      case 'vtd_ir_remap_type':
        routes.remapType(line, str(a.type));
        break;
      case 'vtd_warn_ir_vector':
      case 'vtd_warn_ir_trigger':
        routes.warning(line, num(a.sid));
        break;
      case 'vtd_ir_remap_msi':
        routes.remapped(line, { address: big(a.addr2), data: big(a.data2) });
        break;
      case 'x86_iommu_iec_notify':
        routes.iecNotify(line, bool(a.global), num(a.index), num(a.mask));
        break;
      case 'kvm_irqchip_add_msi_route':
        routes.kvmAdd(line, num(a.virq), str(a.name), num(a.vector));
        break;
      case 'kvm_irqchip_update_msi_route':
        routes.kvmUpdate(line, num(a.virq));
        break;
      case 'kvm_x86_fixup_msi_error':
        routes.kvmFixupError(line, num(a.gsi));
        break;
      case 'kvm_irqchip_release_virq':
        routes.kvmRelease(line, num(a.virq));
        break;
      default:
        if (e.name.startsWith('kvm_')) routes.otherKvmLine();
    }
  }

  const chosen = pickModel(models);
  const last = all.length ? all[all.length - 1].line : -1;
  const lineCount = options.lineCount ?? last + 1;
  return {
    asOfLine: options.untilLine !== undefined ? Math.min(options.untilLine, Math.max(lineCount - 1, 0)) : Math.max(lineCount - 1, 0),
    lineCount,
    events: events.length,
    scalable,
    dmarEnabled,
    irEnabled,
    iotlb: {
      entries: chosen.entries(),
      counters: structuredClone(chosen.counters),
      lastReset: chosen.lastReset,
      lastInvalidation: chosen.lastInvalidation,
      psiMaskBits: chosen.maskBits,
      // Both widths agreeing with every hit and fill: the trace cannot tell which QEMU recorded it.
      psiMaskChoice: models.length === 1 ? 'given' : models.every((m) => mismatches(m) === mismatches(models[0])) ? 'either' : 'trace',
    },
    contextCache: cc.state(),
    ats: ats.result(),
    routes: routes.result(),
    iec: [...routes.iec],
    notes: [...TRACE_LIMITS],
  };
}
