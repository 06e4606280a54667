// The state the sidebar views show, as plain serialisable data (64-bit values
// as 0x-hex strings): the IOTLB, the context cache, each device's IOTLB/ATC
// and its ATS flow, KVM's MSI routes (cached or stale), faults, registers,
// the figures, and what the last step changed.

import { decodeContextEntryFor } from '../vtd/contextEntry';
import { decodeFrcd } from '../vtd/faultReasons';
import { decodeSlEntry } from '../vtd/paging';
import { sidName } from '../vtd/source-id';
import { hex, sizeName } from '../vtd/u64';
import { describeEvent, type SimEventView } from './events/describe';
import { K } from './events/kinds';
import { hexHalves, joinHalves } from './halves';
import { REG } from './iommu/registerFile';
import type { SimMetrics } from './metrics';
import type { World } from './world';

export interface IotlbEntryState {
  did: number;
  requester: string;
  pasid: number;
  iovaPage: string;
  level: number;
  pageSize: string;
  entry: string;
  permissions: string;
  summary: string;
}

export interface ContextCacheEntryState {
  requester: string;
  valid: boolean;
  generation: number;
  did: number;
  levels: number;
  mode: 'translate' | 'pass-through';
  ats: boolean;
  fpd: boolean;
  entry: string;
  summary: string;
}

export interface DeviceTlbState {
  device: string;
  requester: string;
  kind: 'vhost' | 'ats';
  /** How invalidations reach it. */
  invalidatedBy: 'device-TLB descriptors' | 'IOTLB UNMAP notifications';
  counters: { hits: number; misses: number; fills: number; invalidations: number; invalidated: number; evictions: number };
  entries: { iova: string; size: string; translated: string; permissions: string }[];
  /** Requests, completions, fills, invalidations and waits, oldest first (the last 64). */
  flow: SimEventView[];
}

export interface RouteState {
  gsi: number;
  source: string;
  requester: string;
  vectorIndex: number;
  msiAddress: string;
  msiData: string;
  irteIndex: number | null;
  routeAddress: string;
  routeData: string;
  vector: number;
  destination: number;
  status: 'cached' | 'stale' | 'failed' | 'not remapped';
  fault?: number;
}

export interface SimulationState {
  scenario: string;
  position: number;
  finished: boolean;
  refused?: string;
  timeNs: number;
  digest: string;
  lastStep: { events: SimEventView[]; changes: string[] };
  iotlb: { policy: string; capacity: number; size: number; counters: { hits: number; misses: number; inserts: number; resets: number; invalidated: number }; entries: IotlbEntryState[] };
  contextCache: { generation: number; counters: { hits: number; misses: number; invalidations: number }; entries: ContextCacheEntryState[] };
  deviceTlbs: DeviceTlbState[];
  routes: RouteState[];
  faults: { fsts: string; frcd: { hi: string; lo: string; summary: string }; history: { requester: string; reason: number; outcome: string; interrupt: boolean }[]; kernelLog: string[] };
  registers: Record<string, string>;
  metrics: SimMetrics;
}

const FLOW_KINDS = new Set<number>([K.devtlbRequest, K.devtlbCompletion, K.devtlbFill, K.devtlbInvalidate, K.devtlbInvCompletion, K.notifyUnmap, K.notifyDevIotlb, K.waitStatus]);
const rights = (r: boolean, w: boolean) => (r ? 'R' : '') + (w ? 'W' : '') || '-';

function deviceFlow(w: World, sid: number, limit = 64): SimEventView[] {
  const log = w.rec.log;
  if (!log) return [];
  const out: SimEventView[] = [];
  for (let i = log.count - 1; i >= 0 && out.length < limit; i--) {
    const k = log.kindAt(i);
    if (!FLOW_KINDS.has(k)) continue;
    const e = log.get(i);
    if (e.sid === sid || k === K.waitStatus) out.push(describeEvent(e));
  }
  return out.reverse();
}

export function buildState(w: World, position: number, finished: boolean, lastFrom: number, metrics: SimMetrics, kernelLog: string[]): SimulationState {
  const iommu = w.iommu;
  const log = w.rec.log;
  const lastEvents: SimEventView[] = [];
  if (log) for (let i = Math.max(0, lastFrom); i < log.count; i++) lastEvents.push(describeEvent(log.get(i)));
  const iotlb = iommu?.iotlb;
  const cc = iommu?.cc;
  const frcd = iommu?.faults.frcd() ?? { hi: 0n, lo: 0n };
  return {
    scenario: w.scenario.name,
    position,
    finished,
    refused: w.refusal,
    timeNs: w.rec.now(),
    digest: w.rec.digest.text(),
    lastStep: { events: lastEvents, changes: lastEvents.filter((e) => e.mutates).map((e) => `${e.kind}: ${e.text}`) },
    iotlb: {
      policy: iotlb?.policy ?? 'qemu',
      capacity: iotlb?.capacity ?? 0,
      size: iotlb?.size ?? 0,
      counters: { hits: iotlb?.hits ?? 0, misses: iotlb?.misses ?? 0, inserts: iotlb?.inserts ?? 0, resets: iotlb?.resets ?? 0, invalidated: iotlb?.invalidated ?? 0 },
      entries: (iotlb?.entries() ?? []).map((e) => {
        const pte = joinHalves(e.pteHi, e.pteLo);
        return {
          did: e.did,
          requester: sidName(e.sid),
          pasid: e.pasid,
          iovaPage: hexHalves(e.iovaHi, e.iovaLo),
          level: e.level,
          pageSize: sizeName(1n << BigInt(3 + 9 * e.level)),
          entry: hex(pte),
          permissions: rights(e.read, e.write),
          summary: decodeSlEntry(pte, e.level).summary,
        };
      }),
    },
    contextCache: {
      generation: cc?.generation ?? 0,
      counters: { hits: cc?.hits ?? 0, misses: cc?.misses ?? 0, invalidations: cc?.invalidations ?? 0 },
      entries: (cc?.entries() ?? []).map((e) => {
        const lo = joinHalves(e.raw[1], e.raw[0]);
        const hi = joinHalves(e.raw[3], e.raw[2]);
        return {
          requester: sidName(e.sid),
          valid: e.valid,
          generation: e.generation,
          did: e.did,
          levels: e.levels,
          mode: e.mode === 2 ? 'pass-through' : 'translate',
          ats: e.ats,
          fpd: e.fpd,
          entry: `${hex(hi, 16)}:${hex(lo, 16)}`,
          summary: decodeContextEntryFor(iommu?.shape.scalable ? 'scalable' : 'legacy', hi, lo).summary,
        };
      }),
    },
    deviceTlbs: w.devices
      .filter((d) => d.tlb)
      .map((d) => {
        const t = d.tlb!;
        return {
          device: d.spec.name,
          requester: sidName(d.sid),
          kind: d.path === 'ats' ? ('ats' as const) : ('vhost' as const),
          invalidatedBy: d.path === 'ats' || d.devIotlbMode ? ('device-TLB descriptors' as const) : ('IOTLB UNMAP notifications' as const),
          counters: { hits: t.hits, misses: t.misses, fills: t.fills, invalidations: t.invalidations, invalidated: t.invalidated, evictions: t.evictions },
          entries: t.entries().map((e) => ({ iova: hex(e.iova), size: sizeName(e.size), translated: hex(e.translated), permissions: rights(e.read, e.write) })),
          flow: deviceFlow(w, d.sid),
        };
      }),
    routes: w.routes.routes.map((r) => {
      const stale = r.installed && w.routes.isStale(r);
      const remapped = r.irteIndex >= 0;
      return {
        gsi: r.gsi,
        source: r.origin === 'ioapic' ? `IOAPIC pin ${r.vector}` : `MSI vector ${r.vector}`,
        requester: r.origin === 'ioapic' ? 'IOAPIC' : sidName(r.sid),
        vectorIndex: r.vector,
        msiAddress: hexHalves(r.addrHi, r.addrLo),
        msiData: hex(r.data),
        irteIndex: remapped ? r.irteIndex : null,
        routeAddress: hexHalves(r.routeAddrHi, r.routeAddrLo),
        routeData: hex(r.routeData),
        vector: r.routeData & 0xff,
        destination: ((r.routeAddrLo >>> 12) & 0xff) | (r.routeAddrHi & 0xffffff00),
        status: !r.installed ? 'failed' : stale ? 'stale' : remapped ? 'cached' : 'not remapped',
        ...(r.installed ? {} : { fault: r.fault }),
      };
    }),
    faults: {
      fsts: hex(iommu?.readReg32(REG.FSTS) ?? 0),
      frcd: { hi: hex(frcd.hi, 16), lo: hex(frcd.lo, 16), summary: decodeFrcd(frcd.hi, frcd.lo).summary },
      history: (iommu?.faults.history ?? []).map((f) => ({ requester: sidName(f.sid), reason: f.reason, outcome: f.outcome, interrupt: f.interrupt })),
      kernelLog,
    },
    registers: Object.fromEntries((iommu?.regs.named() ?? []).map((r) => [r.name, hex(r.value)])),
    metrics,
  };
}
