// What drives a simulated figure, in words: the bottleneck (a thread, or
// QEMU's global lock), and the event kinds that take most of its time per
// packet.

import type { Simulation } from './engine';
import { KIND_SPECS } from './events/kinds';
import type { SimMetrics } from './metrics';

const BOTTLENECK_WORDS: Record<SimMetrics['bottleneck'], string> = {
  vcpu: 'the vCPU',
  backend: 'the backend thread',
  device: 'the device',
  bql: "QEMU's global lock",
};

function us(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(ns >= 10000 ? 0 : 1)} us` : `${ns.toFixed(0)} ns`;
}

/** "the backend thread: devtlb-request 255 us, packet-backend 7.3 us" (per packet, steady state). */
export function whatDrivesIt(sim: Simulation, metrics: SimMetrics): string {
  const m = metrics.steadyState ?? metrics;
  if (m.relativeThroughput === null) return '';
  const byKind = sim.timeByKind();
  const top = m.bottleneck === 'bql' ? byKind.filter((k) => k.bqlNsPerPacket > 0).sort((a, b) => b.bqlNsPerPacket - a.bqlNsPerPacket) : byKind;
  const parts = top.slice(0, 3).map((k) => `${KIND_SPECS[k.kind].name} ${us(m.bottleneck === 'bql' ? k.bqlNsPerPacket : k.nsPerPacket)}`);
  return `${BOTTLENECK_WORDS[m.bottleneck]} (${us(m.nsPerPacket[m.bottleneck])}/packet): ${parts.join(', ')}`;
}
