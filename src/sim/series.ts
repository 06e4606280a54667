// A simulation's figures over its run, for charts: the run is replayed (no
// events kept) and its counters read every few packets, each point the
// figures of the packets since the previous one (a window, so a change shows
// where it happens rather than averaged away). At most MAX_POINTS points.

import { Simulation } from './engine';
import { computeMetrics, snapshotCounters, type CounterSnapshot } from './metrics';
import type { Scenario } from './scenario/types';
import type { Capture } from '../model/types';

const MAX_POINTS = 400;

interface SimSeries {
  /** The event count at each point (the x of the charts), and the packet. */
  events: number[];
  packets: number[];
  relativeThroughput: (number | null)[];
  exitsPerPacket: number[];
  iotlbHitRate: (number | null)[];
  /** Device TLBs (vhost's IOTLB, ATS devices'): hits over lookups in the window, by device name. */
  deviceTlbHitRate: Record<string, (number | null)[]>;
  /** Each thread's ns per packet in the window. */
  nsPerPacket: { vcpu: number[]; backend: number[]; device: number[] };
  /** The event the series stop at (the session's position, or the end). */
  until: number;
}

/** The series of `scenario` up to `untilEvents` events (undefined: the whole run). */
export function simSeries(scenario: Scenario, untilEvents?: number, capture?: Capture): SimSeries {
  const packets = scenario.workload.packets;
  const every = Math.max(1, Math.ceil(packets / MAX_POINTS));
  const out: SimSeries = { events: [], packets: [], relativeThroughput: [], exitsPerPacket: [], iotlbHitRate: [], deviceTlbHitRate: {}, nsPerPacket: { vcpu: [], backend: [], device: [] }, until: 0 };
  let prev: CounterSnapshot | undefined;
  let prevPacket = 0;
  let prevTlb = new Map<string, { hits: number; misses: number }>();
  const sample = (p: number, sim: Simulation) => {
    const w = sim.world;
    if (!prev) {
      prev = snapshotCounters(w);
      prevPacket = p + 1;
      prevTlb = new Map(w.devices.filter((d) => d.tlb).map((d) => [d.spec.name, { hits: d.tlb!.hits, misses: d.tlb!.misses }]));
      return;
    }
    if ((p + 1) % every !== 0 && p + 1 !== packets) return;
    const m = computeMetrics(w, prev, p + 1 - prevPacket);
    out.events.push(w.rec.count);
    out.packets.push(p + 1);
    out.relativeThroughput.push(m.relativeThroughput);
    out.exitsPerPacket.push(m.exitsPerPacket);
    out.iotlbHitRate.push(m.iotlbHitRate);
    out.nsPerPacket.vcpu.push(m.nsPerPacket.vcpu);
    out.nsPerPacket.backend.push(m.nsPerPacket.backend);
    out.nsPerPacket.device.push(m.nsPerPacket.device);
    for (const d of w.devices) {
      if (!d.tlb) continue;
      const before = prevTlb.get(d.spec.name) ?? { hits: 0, misses: 0 };
      const hits = d.tlb.hits - before.hits;
      const misses = d.tlb.misses - before.misses;
      (out.deviceTlbHitRate[d.spec.name] ??= []).push(hits + misses > 0 ? hits / (hits + misses) : null);
      prevTlb.set(d.spec.name, { hits: d.tlb.hits, misses: d.tlb.misses });
    }
    prev = snapshotCounters(w);
    prevPacket = p + 1;
  };
  const sim = new Simulation(scenario, { record: false, limit: untilEvents, capture, onPacket: sample }).run();
  out.until = sim.world.rec.count;
  return out;
}
