// Interrupt routes from a QEMU trace: GSI → MSI → IRTE index → remapped
// message. Each remap QEMU does prints vtd_ir_remap_msi_req, then (when the
// message is in remappable format and remapping is on) vtd_ir_irte_get,
// vtd_ir_remap and vtd_ir_remap_type, and on success vtd_ir_remap_msi with
// the message it made. With a split irqchip the remap is done to build a KVM
// MSI route and kvm_irqchip_add_msi_route / kvm_irqchip_update_msi_route
// follow; without KVM routes (TCG, kernel-irqchip=off) it is done as each
// interrupt arrives. An IEC invalidation (x86_iommu_iec_notify) makes every
// message computed from an invalidated IRTE stale until QEMU computes it again.

import type { IecInvalidation, MsiMessage, RemapFields, TraceRoute } from './types';

interface PendingRemap {
  line: number;
  lastLine: number;
  /** Undefined when the trace starts in the middle of a remap. */
  request?: MsiMessage;
  sid?: number;
  index?: number;
  irte?: { hi: bigint; lo: bigint };
  remap?: RemapFields;
  type?: string;
  message?: MsiMessage;
}

/** The source id QEMU uses when it does not know the requester (the IOAPIC, an interrupt without requester id). */
const SID_INVALID = 0xffff;

/** History kept per list (IEC invalidations, a route's IRTE changes): the latest, so a trace of any length replays in bounded memory. */
export const MAX_HISTORY = 1000;

/** Appends to a history list, dropping the oldest entries beyond MAX_HISTORY (in batches: amortised O(1)). */
function pushRecent<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length >= 2 * MAX_HISTORY) list.splice(0, list.length - MAX_HISTORY);
}

export class RouteTable {
  private readonly routes = new Map<string, TraceRoute>();
  readonly iec: IecInvalidation[] = [];
  private pending?: PendingRemap;

  result(): TraceRoute[] {
    this.commitPending();
    const order = (r: TraceRoute) => (r.kind === 'kvm' ? 0 : r.index !== undefined ? 1 : 2);
    return [...this.routes.values()]
      .map((r) => ({ ...r, irteChanges: r.irteChanges.slice(-MAX_HISTORY) }))
      .sort((a, b) => order(a) - order(b) || (a.gsi ?? a.index ?? 0) - (b.gsi ?? b.index ?? 0) || a.firstLine - b.firstLine);
  }

  /** vtd_ir_remap_msi_req: a remap starts. */
  request(line: number, address: bigint, data: bigint, sid?: number): void {
    this.commitPending();
    this.pending = { line, lastLine: line, request: { address, data }, sid: sid !== undefined && sid !== SID_INVALID ? sid : undefined };
  }

  /** The remap under way; a remap line without its vtd_ir_remap_msi_req (a cut trace) starts one. */
  private current(line: number): PendingRemap {
    this.pending ??= { line, lastLine: line };
    return this.pending;
  }

  irteGet(line: number, index: number, hi: bigint, lo: bigint): void {
    const p = this.current(line);
    p.index = index;
    p.irte = { hi, lo };
    p.lastLine = line;
  }

  remap(line: number, fields: RemapFields): void {
    const p = this.current(line);
    p.remap = fields;
    p.lastLine = line;
  }

  remapType(line: number, type: string): void {
    const p = this.current(line);
    p.type = type;
    p.lastLine = line;
  }

  /** vtd_warn_ir_vector / vtd_warn_ir_trigger carry the requester id. */
  warning(line: number, sid: number): void {
    if (!this.pending) return;
    if (sid !== SID_INVALID) this.pending.sid = sid;
    this.pending.lastLine = line;
  }

  /** vtd_ir_remap_msi: the remap is done. */
  remapped(line: number, message: MsiMessage): void {
    const p = this.current(line);
    p.message = message;
    p.lastLine = line;
  }

  /** x86_iommu_iec_notify: messages computed from the invalidated entries are stale. */
  iecNotify(line: number, global: boolean, index: number, mask: number): void {
    this.commitPending();
    pushRecent(this.iec, { line, global, index, mask });
    const end = index + 2 ** mask;
    for (const r of this.routes.values()) {
      if (r.state !== 'cached' || r.index === undefined) continue;
      if (global || (r.index >= index && r.index < end)) {
        r.state = 'stale';
        r.staleSince = line;
      }
    }
  }

  /** kvm_irqchip_add_msi_route: a GSI gets a route, computed by the remap just printed. */
  kvmAdd(line: number, gsi: number, device: string, vector: number): void {
    const r = this.kvmRoute(line, gsi);
    r.device = device;
    r.deviceVector = vector;
    this.applyTo(r, line, this.takePending());
  }

  /** kvm_irqchip_update_msi_route: the GSI's route recomputed. */
  kvmUpdate(line: number, gsi: number): void {
    this.applyTo(this.kvmRoute(line, gsi), line, this.takePending());
  }

  /** kvm_x86_fixup_msi_error: the remap failed; KVM gets no route for the GSI. */
  kvmFixupError(line: number, gsi: number): void {
    const p = this.takePending();
    const r = this.kvmRoute(line, gsi);
    if (p) this.fill(r, p);
    r.state = 'failed';
    r.lastLine = line;
  }

  kvmRelease(line: number, gsi: number): void {
    this.commitPending();
    const r = this.routes.get(`gsi:${gsi}`);
    if (!r) return;
    if (r.state !== 'failed') r.state = 'released';
    r.lastLine = line;
  }

  /** Any other KVM line ends a remap that no route took: it was an interrupt being delivered. */
  otherKvmLine(): void {
    this.commitPending();
  }

  private kvmRoute(line: number, gsi: number): TraceRoute {
    const key = `gsi:${gsi}`;
    let r = this.routes.get(key);
    if (!r || r.state === 'released' || r.state === 'failed') {
      r = { key, kind: 'kvm', gsi, passthrough: false, state: 'cached', computedLine: line, firstLine: line, lastLine: line, count: 0, irteChanges: [] };
      this.routes.set(key, r);
    }
    return r;
  }

  private takePending(): PendingRemap | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  private fill(r: TraceRoute, p: PendingRemap): void {
    if (p.irte && r.irte && (p.irte.hi !== r.irte.hi || p.irte.lo !== r.irte.lo) && (p.index === r.index)) {
      pushRecent(r.irteChanges, { line: p.line, before: r.irte, after: p.irte, iecLine: r.state === 'stale' ? r.staleSince : undefined });
    }
    if (p.request) r.request = p.request;
    if (p.sid !== undefined) r.sid = p.sid;
    r.index = p.index;
    r.irte = p.irte;
    r.remap = p.remap;
    r.type = p.type;
    r.message = p.message;
    r.passthrough = p.irte === undefined && p.remap === undefined && p.message !== undefined;
  }

  private applyTo(r: TraceRoute, line: number, p: PendingRemap | undefined): void {
    if (p) this.fill(r, p);
    r.count++;
    r.state = 'cached';
    r.staleSince = undefined;
    r.computedLine = p?.line ?? line;
    r.lastLine = line;
  }

  /** A remap no KVM route took: an interrupt QEMU remapped on delivery. */
  private commitPending(): void {
    const p = this.takePending();
    if (!p) return;
    const req = p.request ?? p.message;
    const key = p.index !== undefined ? `irte:${p.index}` : req ? `compat:${req.address.toString(16)}:${req.data.toString(16)}` : `line:${p.line}`;
    let r = this.routes.get(key);
    if (!r) {
      r = { key, kind: 'delivery', passthrough: false, state: 'cached', computedLine: p.line, firstLine: p.line, lastLine: p.lastLine, count: 0, irteChanges: [] };
      this.routes.set(key, r);
    }
    this.fill(r, p);
    r.count++;
    r.lastLine = p.lastLine;
    r.computedLine = p.line;
    r.staleSince = undefined;
    // Neither a remap line nor a message: QEMU stopped (a remapping fault).
    r.state = p.remap || p.message ? 'cached' : 'failed';
  }
}
