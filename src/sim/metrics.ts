// The figures of a run, over the measured part (the packets, not the boot):
// time per packet on each thread, the throughput relative to the same
// machine without a vIOMMU, invalidations and VM exits per packet, cache hit
// rates, vhost misses, interrupt costs and the faults recorded.

import { K } from './events/kinds';
import type { World } from './world';

export interface CounterSnapshot {
  kinds: Float64Array;
  /** Thread and kind time (ns) spent until the snapshot. */
  threadNs: Float64Array;
  kindNs: Float64Array;
  bqlNs: number;
  qiSubmissions: number;
  qiDescriptors: number;
  iotlbHits: number;
  iotlbMisses: number;
  faults: number;
}

export function snapshotCounters(w: World): CounterSnapshot {
  return {
    kinds: w.rec.kindCounts.slice(),
    threadNs: w.rec.threadNs.slice(),
    kindNs: w.rec.kindNs.slice(),
    bqlNs: w.rec.bqlNs,
    qiSubmissions: w.driver?.qi.submissions ?? 0,
    qiDescriptors: w.driver?.qi.descriptors ?? 0,
    iotlbHits: w.iommu?.iotlb.hits ?? 0,
    iotlbMisses: w.iommu?.iotlb.misses ?? 0,
    faults: w.iommu?.faults.history.length ?? 0,
  };
}

export interface SimMetrics {
  packets: number;
  /** Throughput relative to the same platform without a vIOMMU; null when no packets ran. */
  relativeThroughput: number | null;
  baselineNsPerPacket: number;
  /** Each thread's time per packet, and the time spent holding QEMU's global lock (which serialises work of several threads). */
  nsPerPacket: { vcpu: number; backend: number; device: number; bql: number };
  bottleneck: 'vcpu' | 'backend' | 'device' | 'bql';
  achievedPps: number;
  /** The achieved rate in bits of packet data per second (packets/s x mean packet bytes x 8). */
  achievedGbps: number;
  meanPacketBytes: number;
  /** Invalidation descriptors (waits not counted) the guest queued per packet. */
  invalidationsPerPacket: number;
  /** qi_submit batches per packet: each is one IQT write, one exit to QEMU. */
  qiSubmissionsPerPacket: number;
  /** VM exits to QEMU caused by the vIOMMU (IOMMU register writes, interrupts QEMU translates). */
  exitsPerPacket: number;
  exitsPerSecond: number;
  /** QEMU IOTLB hits / lookups; null without lookups. */
  iotlbHitRate: number | null;
  vhostMissesPerPacket: number;
  interrupts: number;
  /** Remapping cost per interrupt (ns); null without interrupts. */
  perInterruptCostNs: number | null;
  staleDeliveries: number;
  routeUpdates: number;
  faults: { reason: number; sid: number; outcome: string; interrupt: boolean }[];
  events: number;
  /** The same figures without the warm-up packets (caches filling), when there were any. */
  steadyState?: SimMetrics;
  /** Packets counted as warm-up (excluded from steadyState). */
  warmupPackets?: number;
}

const diff = (a: Float64Array, b: Float64Array, k: number) => a[k] - b[k];
const kNsOf = (rec: World['rec'], start: CounterSnapshot, kind: number) => rec.kindNs[kind] - start.kindNs[kind];

export function computeMetrics(w: World, start: CounterSnapshot, packets: number): SimMetrics {
  const rec = w.rec;
  const c = w.scenario.costs;
  const n = Math.max(packets, 1);
  const t = (i: number) => rec.threadNs[i] - start.threadNs[i];
  const ns = { vcpu: t(1) / n, backend: t(2) / n, device: t(3) / n, bql: (rec.bqlNs - start.bqlNs) / n };
  const worst = Math.max(ns.vcpu, ns.backend, ns.device, ns.bql);
  // Ties go to the thread: the lock only bounds when it is busier than every thread holding it.
  const bottleneck = worst === ns.vcpu ? 'vcpu' : worst === ns.backend ? 'backend' : worst === ns.device ? 'device' : 'bql';
  // What each packet costs without a vIOMMU: the guest's and the backend's base work (size-dependent), whichever is larger.
  const baseline = Math.max(kNsOf(rec, start, K.packetGuest), kNsOf(rec, start, K.packetBackend)) / n || Math.max(c['guest-packet-ns'], c['backend-packet-ns']);
  const rate = w.scenario.workload.ratePps;
  const achieved = worst > 0 ? Math.min(1e9 / worst, rate > 0 ? rate : Infinity) : 0;
  const k = rec.kindCounts;
  const exits = diff(k, start.kinds, K.regWrite) + diff(k, start.kinds, K.irqUncached);
  const hits = (w.iommu?.iotlb.hits ?? 0) - start.iotlbHits;
  const misses = (w.iommu?.iotlb.misses ?? 0) - start.iotlbMisses;
  const interrupts = diff(k, start.kinds, K.msi);
  const kNs = (kind: number) => rec.kindNs[kind] - start.kindNs[kind];
  const irqNs = kNs(K.routeDeliver) + kNs(K.routeStaleDeliver) + kNs(K.irqUncached);
  const sizes = w.scenario.workload.packetBytes;
  const meanPacketBytes = sizes.reduce((a, b) => a + b, 0) / Math.max(sizes.length, 1);
  const vhostMisses = w.devices.some((d) => d.path === 'vhost') ? diff(k, start.kinds, K.devtlbRequest) : 0;
  return {
    packets,
    relativeThroughput: packets > 0 && worst > 0 ? baseline / worst : null,
    baselineNsPerPacket: baseline,
    nsPerPacket: ns,
    bottleneck,
    achievedPps: achieved,
    achievedGbps: (achieved * meanPacketBytes * 8) / 1e9,
    meanPacketBytes,
    invalidationsPerPacket: ((w.driver?.qi.descriptors ?? 0) - start.qiDescriptors) / n,
    qiSubmissionsPerPacket: ((w.driver?.qi.submissions ?? 0) - start.qiSubmissions) / n,
    exitsPerPacket: exits / n,
    exitsPerSecond: packets > 0 ? (exits / n) * achieved : exits,
    iotlbHitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    vhostMissesPerPacket: vhostMisses / n,
    interrupts,
    perInterruptCostNs: interrupts > 0 ? irqNs / interrupts : null,
    staleDeliveries: diff(k, start.kinds, K.routeStaleDeliver),
    routeUpdates: diff(k, start.kinds, K.routeUpdateAll),
    faults: (w.iommu?.faults.history ?? []).map((f) => ({ reason: f.reason, sid: f.sid, outcome: f.outcome, interrupt: f.interrupt })),
    events: rec.count,
  };
}
