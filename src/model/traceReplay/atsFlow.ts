// The ATS flow of each device with a device TLB, from a QEMU trace: what the
// guest driver queued (IOTLB and device-TLB invalidations, wait descriptors),
// what QEMU did with it (the DEVIOTLB_UNMAP notification a device-TLB
// invalidation becomes, the wait's status write or completion interrupt) and
// the translations QEMU made for the device. QEMU (7.2 and later, as read)
// has no trace event for a PCIe ATS translation request or for a device's
// invalidation completion: the events say so rather than invent them.

import { invDescriptorInfo } from '../../vtd/invalidation';
import { sidName } from '../../vtd/source-id';
import { bitsOf, hex, sizeName } from '../../vtd/u64';
import type { AtsDevice, AtsEvent, SeenContext } from './types';

/** Events kept per device; later ones are counted, not kept. */
export const MAX_ATS_EVENTS_PER_DEVICE = 20000;

/** Whether a context entry (its first 128 bits) enables the device TLB: legacy TT = 01, scalable DTE = 1. */
export function contextEnablesDeviceTlb(lo: bigint, scalable: boolean): boolean {
  return scalable ? ((lo >> 2n) & 1n) === 1n : bitsOf(lo, 3, 2) === 1n;
}

/** Domain of a legacy context entry (scalable entries keep it in the PASID entry). */
function contextDomain(hi: bigint, scalable: boolean): number | undefined {
  return scalable ? undefined : Number(bitsOf(hi, 23, 8));
}

function rangeText(r: { base: bigint; size: bigint; all: boolean }): string {
  return r.all ? 'all addresses' : `${hex(r.base)} (${sizeName(r.size)})`;
}

export const NO_TRANSLATION_REQUEST_EVENT =
  'QEMU has no trace event for a PCIe ATS translation request or completion: a translation QEMU made for this device may answer a device-IOTLB miss (vhost asks through its device IOTLB) or a DMA by QEMU\'s own device model; the trace does not say which.';

export const NO_COMPLETION_EVENT =
  'QEMU carries a device-TLB invalidation out at once (an IOMMU_NOTIFIER_DEVIOTLB_UNMAP notification, which vhost turns into VHOST_IOTLB_INVALIDATE): there is no invalidation-completion message from the device and no trace line for one. The guest learns of completion from the wait descriptor that follows.';

export class AtsFlowCollector {
  private readonly devices = new Map<number, AtsDevice>();
  private readonly contexts = new Map<number, SeenContext>();
  /** Devices touched by the descriptors of the current queue fetch (their waits belong to them). */
  private batch = new Set<number>();
  /** Per source id: whether its last IOTLB line was a hit (true) or a fill (false). */
  private readonly lastLookup = new Map<number, boolean>();
  devtlbDescriptors = 0;

  /**
   * @param atsSids devices known (from a first look at the same lines) to have a
   *   device TLB, so their earlier translations are kept too.
   */
  constructor(
    private readonly atsSids: ReadonlySet<number>,
    private scalable: boolean,
  ) {}

  setScalable(scalable: boolean): void {
    this.scalable = scalable;
  }

  result(): { devices: AtsDevice[]; contexts: SeenContext[]; devtlbDescriptors: number } {
    const devices = [...this.devices.values()].sort((a, b) => a.sid - b.sid).map((d) => ({ ...d, events: [...d.events], counts: { ...d.counts } }));
    const contexts = [...this.contexts.values()].sort((a, b) => a.sid - b.sid);
    return { devices, contexts, devtlbDescriptors: this.devtlbDescriptors };
  }

  private device(sid: number): AtsDevice {
    let d = this.devices.get(sid);
    if (!d) {
      const ctx = this.contexts.get(sid);
      d = {
        sid,
        domain: ctx ? contextDomain(ctx.hi, this.scalable) : undefined,
        deviceTlbEnabled: ctx?.deviceTlbEnabled ?? false,
        contextLine: ctx?.line,
        events: [],
        omitted: 0,
        counts: { translations: 0, devtlbInvalidations: 0, waits: 0 },
      };
      this.devices.set(sid, d);
    }
    return d;
  }

  private push(d: AtsDevice, e: AtsEvent): void {
    if (d.events.length < MAX_ATS_EVENTS_PER_DEVICE) d.events.push(e);
    else d.omitted++;
  }

  /** vtd_iotlb_cc_update / vtd_iotlb_cc_hit: the device's context entry. */
  context(line: number, bus: number, devfn: number, hi: bigint, lo: bigint, loaded: boolean): void {
    const sid = (bus << 8) | devfn;
    const enabled = contextEnablesDeviceTlb(lo, this.scalable);
    const known = this.contexts.get(sid);
    if (known && known.hi === hi && known.lo === lo) return;
    this.contexts.set(sid, { sid, hi, lo, line, deviceTlbEnabled: enabled });
    if (!enabled && !this.devices.has(sid)) return;
    const d = this.device(sid);
    d.deviceTlbEnabled = enabled;
    d.contextLine = line;
    d.domain = contextDomain(hi, this.scalable);
    const what = this.scalable ? `DTE=${enabled ? 1 : 0}` : `TT=${bitsOf(lo, 3, 2).toString(2).padStart(2, '0')}`;
    this.push(d, {
      line,
      kind: 'context',
      from: 'iommu',
      to: 'iommu',
      label: `context entry ${loaded ? 'loaded' : 'seen'}: ${what}${d.domain !== undefined ? `, DID ${d.domain}` : ''}`,
      detail: enabled
        ? 'The context entry lets the device send ATS translation requests and cache translations in its device TLB.'
        : 'The context entry no longer enables the device TLB: ATS translation requests would be blocked.',
      shown: 'traced',
    });
  }

  /** vtd_inv_qi_fetch: the unit starts on newly queued descriptors. */
  fetch(): void {
    this.batch = new Set();
  }

  /** vtd_inv_desc of type "device" or "device-piotlb". */
  deviceTlbDescriptor(line: number, type: string, hi: bigint, lo: bigint): void {
    this.devtlbDescriptors++;
    const info = invDescriptorInfo([lo, hi]);
    const sid = info.sid ?? 0;
    const d = this.device(sid);
    this.batch.add(sid);
    d.counts.devtlbInvalidations++;
    const range = { base: info.addr ?? 0n, size: info.size ?? 4096n, all: info.all ?? false };
    const pasid = type === 'device-piotlb' ? (info.granularity === 'device' ? ', all PASIDs' : `, PASID ${hex(info.pasid ?? 0)}`) : '';
    this.push(d, {
      line,
      kind: 'devtlb-invalidation',
      from: 'driver',
      to: 'iommu',
      label: `device-TLB invalidation ${rangeText(range)}${pasid}`,
      detail: `${type === 'device-piotlb' ? 'PASID-based device-TLB' : 'Device-TLB'} invalidate descriptor for ${sidName(sid)}: S=${info.s ? 1 : 0}, ADDR ${hex(hi & ~0xfffn)}; the size encoding (trailing one bits of ADDR[63:12] when S=1) gives ${rangeText(range)}.`,
      shown: 'traced',
      qwords: [lo, hi],
      range,
    });
    this.push(d, {
      line,
      kind: 'devtlb-unmap',
      from: 'iommu',
      to: 'device',
      label: `invalidate ${rangeText(range)} (DEVIOTLB_UNMAP)`,
      detail: NO_COMPLETION_EVENT,
      shown: 'implied',
      range,
    });
  }

  /** vtd_inv_desc_iotlb_*: an IOTLB invalidation, shown in the flow of every device of the domain. */
  iotlbInvalidation(line: number, label: string, domain: number | undefined): void {
    for (const d of this.devices.values()) {
      if (domain !== undefined && d.domain !== domain) continue;
      this.batch.add(d.sid);
      this.push(d, {
        line,
        kind: 'iotlb-invalidation',
        from: 'driver',
        to: 'iommu',
        label,
        detail: 'The IOMMU\'s own IOTLB is invalidated first; the device TLB keeps its translations until a device-TLB invalidation reaches it.',
        shown: 'traced',
      });
    }
  }

  /** vtd_inv_desc of type "wait". */
  waitDescriptor(line: number, hi: bigint, lo: bigint): void {
    const info = invDescriptorInfo([lo, hi]);
    const flags = [info.ifFlag ? 'IF' : '', info.sw ? 'SW' : '', info.fn ? 'FN' : ''].filter(Boolean).join(' ') || 'no flags';
    for (const sid of this.batch) {
      const d = this.device(sid);
      d.counts.waits++;
      this.push(d, {
        line,
        kind: 'wait',
        from: 'driver',
        to: 'iommu',
        label: `wait descriptor (${flags})`,
        detail: 'The driver waits until the invalidations queued before this descriptor are done.',
        shown: 'traced',
        qwords: [lo, hi],
      });
    }
  }

  /** vtd_inv_desc_wait_sw: the status write that tells the driver its invalidations are complete. */
  waitStatus(line: number, addr: bigint, data: number): void {
    for (const sid of this.batch) {
      this.push(this.device(sid), {
        line,
        kind: 'wait-status',
        from: 'iommu',
        to: 'driver',
        label: `status write ${hex(data)} → ${hex(addr)} (complete)`,
        detail: 'QEMU writes the wait descriptor\'s status data: the driver, polling that address, sees the invalidations complete.',
        shown: 'traced',
      });
    }
  }

  /** vtd_inv_desc_wait_irq: the completion interrupt (or why none was sent). */
  waitInterrupt(line: number, msg: string): void {
    for (const sid of this.batch) {
      this.push(this.device(sid), {
        line,
        kind: 'wait-interrupt',
        from: 'iommu',
        to: 'driver',
        label: `completion: ${msg}`,
        detail: 'The wait descriptor asked for an invalidation-completion interrupt (IF).',
        shown: 'traced',
      });
    }
  }

  /** vtd_iotlb_page_hit / vtd_iotlb_page_update: remembered for the translation line that follows. */
  lookup(sid: number, hit: boolean): void {
    if (this.atsSids.has(sid)) this.lastLookup.set(sid, hit);
  }

  /** vtd_dmar_translate: a translation QEMU made for the device. */
  translation(line: number, sid: number, iova: bigint, gpa: bigint, mask: bigint): void {
    if (!this.atsSids.has(sid)) return;
    const d = this.device(sid);
    d.counts.translations++;
    const cached = this.lastLookup.get(sid);
    this.lastLookup.delete(sid);
    const how = cached === undefined ? '' : cached ? ' (IOTLB hit)' : ' (page walk, IOTLB fill)';
    this.push(d, {
      line,
      kind: 'translation',
      from: 'iommu',
      to: 'device',
      label: `translation ${hex(iova)} → ${hex(gpa)}${how}`,
      detail: `${sizeName(mask + 1n)} page. ${NO_TRANSLATION_REQUEST_EVENT}`,
      shown: 'traced',
      iova,
      gpa,
      cached,
    });
  }

  /** vtd_dmar_fault for a device with a device TLB. */
  fault(line: number, sid: number, reason: number, addr: bigint, write: boolean): void {
    if (!this.atsSids.has(sid)) return;
    this.push(this.device(sid), {
      line,
      kind: 'fault',
      from: 'iommu',
      to: 'device',
      label: `fault ${hex(reason, 2)} on ${write ? 'write' : 'read'} of ${hex(addr)}`,
      detail: 'The translation failed: QEMU records a DMA remapping fault.',
      shown: 'traced',
      iova: addr,
    });
  }
}
