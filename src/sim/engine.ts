// One simulation run: build the world, boot the guest, run the requests and
// packets, and stop at the end, at a step limit or at a breakpoint. A run
// always starts from the scenario and its seed, so running again to the same
// point gives the same state (how sessions step back and forth).

import type { Capture } from '../model/types';
import { HALT, type Breakpoint } from './events/recorder';
import { seedFromCapture } from './fromCapture';
import { computeMetrics, snapshotCounters, type CounterSnapshot, type SimMetrics } from './metrics';
import type { Scenario } from './scenario/types';
import { setupWorld } from './setup';
import { buildWorld, type World } from './world';
import { newWorkloadState, packetDevice, runPacket, runRequestsAt, type WorkloadState } from './workload';

interface RunOptions {
  /** Keep every event (for stepping and listings); false keeps only counters and the digest; a number keeps that many first events. */
  record?: boolean | number;
  /** Stop after this many events. */
  limit?: number;
  breakpoint?: Breakpoint;
  /** Seed guest memory and the IOMMU from a capture instead of booting the guest driver. */
  capture?: Capture;
  /** Called after each packet (its number, 0-based) with the run: figures over time are sampled here. */
  onPacket?: (packet: number, sim: Simulation) => void;
}

export class Simulation {
  readonly world: World;
  readonly state: WorkloadState = newWorkloadState();
  /** True once the whole scenario ran. */
  finished = false;
  /** True when a limit or breakpoint stopped the run. */
  halted = false;
  private start: CounterSnapshot | undefined;
  /** Counters at the end of the warm-up (the first packets, while caches fill). */
  private steady: CounterSnapshot | undefined;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions = {},
  ) {
    this.world = buildWorld(scenario, options.record ?? true);
    this.world.rec.limit = options.limit ?? Infinity;
    this.world.rec.breakpoint = options.breakpoint;
  }

  /** Runs until the end, the limit or a breakpoint. */
  run(): this {
    try {
      this.body();
      this.finished = true;
    } catch (e) {
      if (e !== HALT) throw e;
      this.halted = true;
    }
    return this;
  }

  private body(): void {
    const w = this.world;
    const layouts = this.options.capture ? seedFromCapture(w, this.options.capture) : setupWorld(w);
    if (w.refusal) return;
    w.rec.advance();
    runRequestsAt(w, this.state, 0);
    const wl = this.scenario.workload;
    const dev = packetDevice(w);
    const layout = dev ? layouts.get(dev.sid) : undefined;
    this.start = snapshotCounters(w);
    w.rec.measuring = true;
    const interval = wl.ratePps > 0 ? 1e9 / wl.ratePps : 0;
    if (!dev || !layout) return;
    const warmup = this.warmupPackets();
    for (let p = 0; p < wl.packets; p++) {
      if (p === warmup && warmup > 0) this.steady = snapshotCounters(w);
      this.state.packet = p;
      if (p > 0) runRequestsAt(w, this.state, p);
      runPacket(w, this.state, dev, layout);
      w.rec.advance(interval);
      this.options.onPacket?.(p, this);
    }
    this.state.packet = wl.packets;
  }

  /** Packets counted as warm-up: the scenario's, else one turn of the driver's buffer ring (at most a quarter of the run). */
  warmupPackets(): number {
    const wl = this.scenario.workload;
    if (wl.warmupPackets !== undefined) return Math.min(wl.warmupPackets, wl.packets);
    return Math.min(this.scenario.guest.buffers, Math.floor(wl.packets / 4));
  }

  /** Figures over the packets run so far, and over those after the warm-up (steadyState). */
  metrics(): SimMetrics {
    const start = this.start ?? snapshotCounters(this.world);
    const packets = this.finished ? this.scenario.workload.packets : this.state.packet;
    const all = computeMetrics(this.world, start, this.start ? packets : 0);
    const warmup = this.warmupPackets();
    if (this.steady && packets > warmup) {
      all.steadyState = computeMetrics(this.world, this.steady, packets - warmup);
      all.warmupPackets = warmup;
    }
    return all;
  }

  /**
   * Where each packet's time goes in the steady state (the whole run when it
   * had no warm-up): ns per packet by event kind, the largest first, and the
   * share of it under QEMU's global lock.
   */
  timeByKind(): { kind: number; nsPerPacket: number; bqlNsPerPacket: number }[] {
    const rec = this.world.rec;
    const from = this.steady ?? this.start;
    if (!from) return [];
    const packets = (this.finished ? this.scenario.workload.packets : this.state.packet) - (this.steady ? this.warmupPackets() : 0);
    const n = Math.max(packets, 1);
    const out = [];
    for (let k = 0; k < rec.kindNs.length; k++) {
      const ns = rec.kindNs[k] - from.kindNs[k];
      if (ns > 0) out.push({ kind: k, nsPerPacket: ns / n, bqlNsPerPacket: (ns * rec.bqlShare[k]) / n });
    }
    return out.sort((a, b) => b.nsPerPacket - a.nsPerPacket);
  }

  get digest(): string {
    return this.world.rec.digest.text();
  }
}
