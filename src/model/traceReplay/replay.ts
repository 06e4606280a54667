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
import { MAX_HISTORY, RouteTable } from './irRoutes';
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

/** Devices with a device TLB: a context entry enabling it, or a device-TLB invalidation naming them (one pass, event by event). */
export class AtsSidScan {
  readonly sids = new Set<number>();
  private scalable: boolean;

  constructor(scalableAtStart = false) {
    this.scalable = scalableAtStart;
  }

  push(e: TraceEvent): void {
    const a = e.args;
    if (e.name === 'vtd_reg_dmar_root') this.scalable = bool(a.scalable) || bool(a.extended);
    else if (e.name === 'vtd_iotlb_cc_update' || e.name === 'vtd_iotlb_cc_hit') {
      if (contextEnablesDeviceTlb(big(a.low), this.scalable)) this.sids.add((num(a.bus) << 8) | num(a.devfn));
    } else if (e.name === 'vtd_inv_desc' && (a.type === 'device' || a.type === 'device-piotlb')) {
      const lo = big(a.lo);
      this.sids.add(a.type === 'device' ? Number((lo >> 32n) & 0xffffn) : Number((lo >> 16n) & 0xffffn));
    }
  }
}

function atsSidsOf(events: readonly TraceEvent[], scalableAtStart: boolean): Set<number> {
  const scan = new AtsSidScan(scalableAtStart);
  for (const e of events) scan.push(e);
  return scan.sids;
}

function mismatches(m: IotlbModel): number {
  const c = m.counters.checks;
  return c.hitsNotHeld + c.fillsAlreadyHeld + c.unexpectedResets + c.missingResets;
}

/** The IOTLB model that agrees best with the trace (the current QEMU's on a tie). */
function pickModel(models: IotlbModel[]): IotlbModel {
  return models.reduce((best, m) => (mismatches(m) < mismatches(best) ? m : best));
}

/**
 * The replay, event by event: push each event of the trace in file order
 * (from an array or from a stream), then take the result. Its memory is the
 * models' state (the IOTLB holds at most what QEMU's does), not the trace.
 */
export class TraceReplayer {
  private readonly models: IotlbModel[];
  private readonly cc = new ContextCacheModel();
  private readonly routes = new RouteTable();
  private readonly ats: AtsFlowCollector;
  private scalable = false;
  private dmarEnabled: boolean | undefined;
  private irEnabled: boolean | undefined;
  private pushed = 0;
  private lastLine = -1;

  /** `atsSids`: the devices with a device TLB (AtsSidScan over the same events, a first pass). */
  constructor(
    private readonly options: ReplayOptions,
    atsSids: Set<number>,
  ) {
    this.models = options.psiMaskBits ? [new IotlbModel(options.psiMaskBits)] : [new IotlbModel(64), new IotlbModel(8)];
    this.ats = new AtsFlowCollector(atsSids, false);
  }

  private each(f: (m: IotlbModel) => void): void {
    this.models.forEach(f);
  }

  push(e: TraceEvent): void {
    const a = e.args;
    const line = e.line;
    this.pushed++;
    this.lastLine = line;
    switch (e.name) {
      case 'vtd_iotlb_page_hit':
        this.each((m) => m.hit(line, num(a.sid), big(a.iova), big(a.slpte), num(a.domain)));
        this.ats.lookup(num(a.sid), true);
        break;
      case 'vtd_iotlb_page_update':
        this.each((m) => m.fill(line, num(a.sid), big(a.iova), big(a.slpte), num(a.domain)));
        this.ats.lookup(num(a.sid), false);
        break;
      case 'vtd_iotlb_reset':
        this.each((m) => m.sizeLimitReset(line));
        break;
      case 'vtd_inv_desc_iotlb_global':
        this.each((m) => m.invalidateGlobal(line));
        this.ats.iotlbInvalidation(line, 'IOTLB global invalidation', undefined);
        break;
      case 'vtd_inv_desc_iotlb_domain':
        this.each((m) => m.invalidateDomain(line, num(a.domain)));
        this.ats.iotlbInvalidation(line, `IOTLB invalidation of domain ${num(a.domain)}`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pages':
        this.each((m) => m.invalidatePages(line, num(a.domain), big(a.addr), num(a.mask)));
        this.ats.iotlbInvalidation(line, `IOTLB invalidation ${hex(big(a.addr))} (${pagesText(num(a.mask))})`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pasid_pages':
        this.each((m) => m.invalidatePages(line, num(a.domain), big(a.addr), num(a.mask), 'pasid-page', num(a.pasid)));
        this.ats.iotlbInvalidation(line, `PASID IOTLB invalidation ${hex(big(a.addr))} (${pagesText(num(a.mask))})`, num(a.domain));
        break;
      case 'vtd_inv_desc_iotlb_pasid':
        this.each((m) => m.invalidatePasid(line, num(a.domain), num(a.pasid)));
        this.ats.iotlbInvalidation(line, `PASID IOTLB invalidation, PASID ${hex(num(a.pasid))}`, num(a.domain));
        break;
      case 'vtd_translate_pt':
        this.each((m) => m.counters.passThrough++);
        break;
      case 'vtd_dmar_fault':
        this.each((m) => m.counters.faults++);
        this.ats.fault(line, num(a.sid), num(a.fault), big(a.addr), bool(a.is_write));
        break;
      case 'vtd_dmar_translate':
        this.ats.translation(line, (num(a.bus) << 8) | (num(a.slot) << 3) | num(a.func), big(a.iova), big(a.gpa), big(a.mask));
        break;
      case 'vtd_iotlb_cc_hit':
        this.cc.hit(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), num(a.gen));
        this.ats.context(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), false);
        break;
      case 'vtd_iotlb_cc_update':
        this.cc.update(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), num(a.gen1), num(a.gen2));
        this.ats.context(line, num(a.bus), num(a.devfn), big(a.high), big(a.low), true);
        break;
      case 'vtd_inv_desc_cc_global':
        this.cc.globalInvalidate();
        break;
      case 'vtd_inv_desc_cc_domain':
        this.cc.domainInvalidate();
        break;
      case 'vtd_inv_desc_cc_device':
        this.cc.deviceInvalidate(line, num(a.bus), (num(a.dev) << 3) | num(a.fn));
        break;
      case 'vtd_context_cache_reset':
        if (this.cc.reset(line)) this.each((m) => m.cachesReset(line));
        break;
      case 'vtd_reg_dmar_root':
        this.scalable = bool(a.scalable);
        this.ats.setScalable(this.scalable);
        break;
      case 'vtd_dmar_enable':
        this.dmarEnabled = bool(a.en);
        break;
      case 'vtd_ir_enable':
        this.irEnabled = bool(a.en);
        break;
      case 'vtd_inv_qi_fetch':
        this.ats.fetch();
        break;
      case 'vtd_inv_desc': {
        const type = str(a.type);
        if (type === 'device' || type === 'device-piotlb') this.ats.deviceTlbDescriptor(line, type, big(a.hi), big(a.lo));
        else if (type === 'wait') this.ats.waitDescriptor(line, big(a.hi), big(a.lo));
        break;
      }
      case 'vtd_inv_desc_wait_sw':
        this.ats.waitStatus(line, big(a.addr), num(a.data));
        break;
      case 'vtd_inv_desc_wait_irq':
        this.ats.waitInterrupt(line, str(a.msg));
        break;
      case 'vtd_ir_remap_msi_req':
        this.routes.request(line, big(a.addr), big(a.data), a.sid !== undefined ? num(a.sid) : undefined);
        break;
      case 'vtd_ir_irte_get':
        this.routes.irteGet(line, num(a.index), big(a.hi), big(a.lo));
        break;
      case 'vtd_ir_remap':
        this.routes.remap(line, { trigger: num(a.tri), vector: num(a.vec), deliveryMode: num(a.deliver), dest: num(a.dest), destMode: num(a.dest_mode) });
        break;
      case 'vtd_ir_remap_type':
        this.routes.remapType(line, str(a.type));
        break;
      case 'vtd_warn_ir_vector':
      case 'vtd_warn_ir_trigger':
        this.routes.warning(line, num(a.sid));
        break;
      case 'vtd_ir_remap_msi':
        this.routes.remapped(line, { address: big(a.addr2), data: big(a.data2) });
        break;
      case 'x86_iommu_iec_notify':
        this.routes.iecNotify(line, bool(a.global), num(a.index), num(a.mask));
        break;
      case 'kvm_irqchip_add_msi_route':
        this.routes.kvmAdd(line, num(a.virq), str(a.name), num(a.vector));
        break;
      case 'kvm_irqchip_update_msi_route':
        this.routes.kvmUpdate(line, num(a.virq));
        break;
      case 'kvm_x86_fixup_msi_error':
        this.routes.kvmFixupError(line, num(a.gsi));
        break;
      case 'kvm_irqchip_release_virq':
        this.routes.kvmRelease(line, num(a.virq));
        break;
      default:
        if (e.name.startsWith('kvm_')) this.routes.otherKvmLine();
    }
  }

  result(lineCountGiven?: number): TraceReplay {
    const models = this.models;
    const options = this.options;
    const chosen = pickModel(models);
    const lineCount = lineCountGiven ?? options.lineCount ?? this.lastLine + 1;
    return {
      asOfLine: options.untilLine !== undefined ? Math.min(options.untilLine, Math.max(lineCount - 1, 0)) : Math.max(lineCount - 1, 0),
      lineCount,
      events: this.pushed,
      scalable: this.scalable,
      dmarEnabled: this.dmarEnabled,
      irEnabled: this.irEnabled,
      iotlb: {
        entries: chosen.entries(),
        counters: structuredClone(chosen.counters),
        lastReset: chosen.lastReset,
        lastInvalidation: chosen.lastInvalidation,
        psiMaskBits: chosen.maskBits,
        // Both widths agreeing with every hit and fill: the trace cannot tell which QEMU recorded it.
        psiMaskChoice: models.length === 1 ? 'given' : models.every((m) => mismatches(m) === mismatches(models[0])) ? 'either' : 'trace',
      },
      contextCache: this.cc.state(),
      ats: this.ats.result(),
      routes: this.routes.result(),
      iec: this.routes.iec.slice(-MAX_HISTORY),
      notes: [...TRACE_LIMITS],
    };
  }
}

export function replayTrace(all: readonly TraceEvent[], options: ReplayOptions = {}): TraceReplay {
  const events = eventsUpTo(all, options.untilLine);
  const replayer = new TraceReplayer(options, atsSidsOf(events, false));
  for (const e of events) replayer.push(e);
  const last = all.length ? all[all.length - 1].line : -1;
  return replayer.result(options.lineCount ?? last + 1);
}
