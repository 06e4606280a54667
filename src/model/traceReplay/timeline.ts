// A QEMU trace as a timeline: events counted in buckets of trace time (the
// time stamps of the log backend, when the trace has them; else line
// numbers), one lane per requester and one per event family, and the rates
// above them (IOTLB hit rate, invalidations per second, faults).
//
// Built event by event in bounded memory whatever the trace's length: the
// bucket width starts small and doubles (neighbouring buckets merged) each
// time the buckets would exceed MAX_BUCKETS, so a whole-boot trace of
// millions of events, streamed or held, ends as at most MAX_BUCKETS columns.
// The picture is drawn from these columns, never from the events.

import type { TraceEvent } from '../../dumps/qemuTrace/traceEvent';

/** Columns kept while building (the result can be fewer). */
export const MAX_BUCKETS = 2048;

type TimelineFamily =
  | 'translation-hit'
  | 'iotlb-fill'
  | 'iotlb-reset'
  | 'invalidation'
  | 'wait'
  | 'device-tlb'
  | 'context-cache'
  | 'interrupt-remap'
  | 'kvm-route'
  | 'fault';

const FAMILY_LABELS: Readonly<Record<TimelineFamily, string>> = {
  'translation-hit': 'IOTLB hits',
  'iotlb-fill': 'IOTLB fills (misses)',
  'iotlb-reset': 'IOTLB resets',
  invalidation: 'invalidation descriptors',
  wait: 'invalidation waits',
  'device-tlb': 'device-TLB invalidations',
  'context-cache': 'context cache',
  'interrupt-remap': 'interrupt remapping',
  'kvm-route': 'KVM route updates',
  fault: 'faults',
};

const FAMILIES = Object.keys(FAMILY_LABELS) as TimelineFamily[];

/** The family of an event, or undefined for one the timeline does not draw. */
export function familyOf(e: TraceEvent): TimelineFamily | undefined {
  const n = e.name;
  if (n === 'vtd_iotlb_page_hit') return 'translation-hit';
  if (n === 'vtd_iotlb_page_update') return 'iotlb-fill';
  if (n === 'vtd_iotlb_reset' || n === 'vtd_context_cache_reset') return 'iotlb-reset';
  if (n === 'vtd_inv_desc') {
    const t = e.args.type;
    if (t === 'wait') return 'wait';
    if (t === 'device' || t === 'device-piotlb') return 'device-tlb';
    return 'invalidation';
  }
  if (n.startsWith('vtd_inv_desc_wait')) return undefined; // its vtd_inv_desc counts it
  if (n === 'vtd_iotlb_cc_update' || n === 'vtd_iotlb_cc_hit') return 'context-cache';
  if (n.startsWith('vtd_ir_') || n === 'x86_iommu_iec_notify') return 'interrupt-remap';
  if (n.startsWith('kvm_irqchip') || n.startsWith('kvm_set_irq')) return 'kvm-route';
  if (n === 'vtd_dmar_fault' || n === 'vtd_fault_disabled' || n === 'vtd_frr_new' || n === 'qemu_message' || n.startsWith('vtd_err')) return 'fault';
  return undefined;
}

/** The requester an event is about, when its arguments say. */
function sidOf(e: TraceEvent): number | undefined {
  const a = e.args;
  if (typeof a.sid === 'number' && a.sid !== 0xffff) return a.sid;
  if (typeof a.sid === 'bigint' && a.sid !== 0xffffn) return Number(a.sid);
  if (typeof a.bus === 'number' && typeof a.devfn === 'number') return (a.bus << 8) | a.devfn;
  return undefined;
}

interface TimelineLane {
  id: string;
  label: string;
  kind: 'device' | 'family';
  /** Events per column. */
  counts: number[];
}

export interface TraceTimeline {
  /** 'time': x in seconds since the first event; 'line': x in line numbers. */
  axis: 'time' | 'line';
  /** Each column's start on the axis. */
  x: number[];
  /** Its width on the axis. */
  width: number;
  /** The first and last 0-based trace line in each column (-1 when empty). */
  firstLine: number[];
  lastLine: number[];
  lanes: TimelineLane[];
  rates: {
    /** IOTLB hits / (hits + fills) per column; null without translations. */
    hitRate: (number | null)[];
    /** Invalidation descriptors per second (per 1000 lines on the line axis). */
    invalidationRate: number[];
    faults: number[];
  };
  events: number;
  /** Events the timeline draws (of a known family). */
  drawn: number;
  /** The wall-clock second of x = 0, when the axis is time. */
  startTime?: number;
}

/** Builds a timeline event by event (see the file comment). */
export class TimelineBuilder {
  private axis: 'time' | 'line' | undefined;
  private start = 0;
  private width: number;
  private readonly family = new Map<TimelineFamily, number[]>();
  private readonly devices = new Map<number, number[]>();
  private first: number[] = [];
  private last: number[] = [];
  private columns = 0;
  private events = 0;
  private drawn = 0;
  private lastTime: number | undefined;

  /** `timeWidth`: first column width in seconds (time axis); `lineWidth` in lines. */
  constructor(
    private readonly timeWidth = 1e-4,
    private readonly lineWidth = 16,
  ) {
    this.width = 0;
  }

  private column(x: number): number {
    let k = Math.floor((x - this.start) / this.width);
    if (k < 0) k = 0;
    while (k >= MAX_BUCKETS) {
      this.halve();
      k = Math.floor((x - this.start) / this.width);
    }
    return k;
  }

  /** Doubles the column width: each pair of columns becomes one. */
  private halve(): void {
    const merge = (a: number[]) => {
      const out: number[] = [];
      for (let i = 0; i < a.length; i += 2) out.push((a[i] ?? 0) + (a[i + 1] ?? 0));
      return out;
    };
    for (const [k, v] of this.family) this.family.set(k, merge(v));
    for (const [k, v] of this.devices) this.devices.set(k, merge(v));
    const f: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < this.first.length; i += 2) {
      const a = this.first[i] ?? -1;
      const b = this.first[i + 1] ?? -1;
      f.push(a >= 0 ? a : b);
      l.push((this.last[i + 1] ?? -1) >= 0 ? this.last[i + 1] : (this.last[i] ?? -1));
    }
    this.first = f;
    this.last = l;
    this.columns = Math.ceil(this.columns / 2);
    this.width *= 2;
  }

  private bump(list: number[], k: number): void {
    while (list.length <= k) list.push(0);
    list[k]++;
  }

  push(e: TraceEvent): void {
    this.events++;
    const fam = familyOf(e);
    if (!fam) return;
    if (this.axis === undefined) {
      this.axis = e.time !== undefined ? 'time' : 'line';
      this.start = this.axis === 'time' ? e.time! : e.line;
      this.width = this.axis === 'time' ? this.timeWidth : this.lineWidth;
    }
    if (e.time !== undefined) this.lastTime = e.time;
    const x = this.axis === 'time' ? (e.time ?? this.lastTime ?? this.start) : e.line;
    const k = this.column(x);
    this.drawn++;
    this.bump(this.family.get(fam) ?? (this.family.set(fam, []), this.family.get(fam)!), k);
    const sid = sidOf(e);
    if (sid !== undefined && (fam === 'translation-hit' || fam === 'iotlb-fill' || fam === 'fault' || fam === 'context-cache')) {
      this.bump(this.devices.get(sid) ?? (this.devices.set(sid, []), this.devices.get(sid)!), k);
    }
    while (this.first.length <= k) {
      this.first.push(-1);
      this.last.push(-1);
    }
    if (this.first[k] < 0) this.first[k] = e.line;
    this.last[k] = e.line;
    if (k + 1 > this.columns) this.columns = k + 1;
  }

  result(): TraceTimeline {
    const n = this.columns;
    const pad = (a: number[] | undefined) => {
      const out = (a ?? []).slice(0, n);
      while (out.length < n) out.push(0);
      return out;
    };
    const fam = (f: TimelineFamily) => pad(this.family.get(f));
    const hits = fam('translation-hit');
    const fills = fam('iotlb-fill');
    const devtlb = fam('device-tlb');
    const inv = fam('invalidation').map((v, i) => v + devtlb[i]);
    const perUnit = this.axis === 'time' ? this.width : this.width / 1000;
    const lanes: TimelineLane[] = [];
    for (const sid of [...this.devices.keys()].sort((a, b) => a - b)) {
      lanes.push({ id: `device:${sid}`, label: bdf(sid), kind: 'device', counts: pad(this.devices.get(sid)) });
    }
    for (const f of FAMILIES) if (this.family.has(f)) lanes.push({ id: `family:${f}`, label: FAMILY_LABELS[f], kind: 'family', counts: fam(f) });
    const first = this.first.slice(0, n);
    const last = this.last.slice(0, n);
    while (first.length < n) first.push(-1);
    while (last.length < n) last.push(-1);
    const out: TraceTimeline = {
      axis: this.axis ?? 'line',
      x: Array.from({ length: n }, (_, i) => (this.axis === 'time' ? i * this.width : this.start + i * this.width)),
      width: this.width,
      firstLine: first,
      lastLine: last,
      lanes,
      rates: {
        hitRate: hits.map((h, i) => (h + fills[i] > 0 ? h / (h + fills[i]) : null)),
        invalidationRate: inv.map((v) => (perUnit > 0 ? v / perUnit : 0)),
        faults: fam('fault'),
      },
      events: this.events,
      drawn: this.drawn,
    };
    if (this.axis === 'time') out.startTime = this.start;
    return out;
  }
}

function bdf(sid: number): string {
  const h = (v: number, w: number) => v.toString(16).padStart(w, '0');
  return `${h(sid >> 8, 2)}:${h((sid >> 3) & 0x1f, 2)}.${sid & 7}`;
}

/** The timeline of a parsed trace. */
export function traceTimeline(events: readonly TraceEvent[]): TraceTimeline {
  const b = new TimelineBuilder();
  for (const e of events) b.push(e);
  return b.result();
}

/** The column that holds a trace line (for the editor's cursor), or -1. */
export function columnOfLine(t: TraceTimeline, line: number): number {
  let lo = 0;
  let hi = t.firstLine.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = t.firstLine[mid];
    if (f < 0) {
      // An empty column: look left for the last non-empty one.
      let j = mid - 1;
      while (j >= lo && t.firstLine[j] < 0) j--;
      if (j < lo) {
        lo = mid + 1;
        continue;
      }
      if (t.firstLine[j] <= line) {
        found = j;
        lo = mid + 1;
      } else hi = j - 1;
      continue;
    }
    if (f <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
