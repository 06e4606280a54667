// Stepping through a simulation: one event, N events, to a breakpoint, to the
// end, back, or reset. Every position is reached by deterministic replay from
// the scenario and its seed (a run stopped after exactly k events), so any
// step, forward or back, shows exactly the state after that event.

import type { Capture } from '../model/types';
import { parseBdf } from '../model/bdf';
import { Simulation } from './engine';
import { describeEvent, type SimEventView } from './events/describe';
import { K, kindCode } from './events/kinds';
import type { Breakpoint } from './events/recorder';
import type { Scenario } from './scenario/types';
import { buildState, type SimulationState } from './state';

export interface BreakpointSpec {
  /** An event kind name, e.g. "iotlb-reset", "dmar-fault". */
  kind?: string;
  /** A requester "BB:DD.F". */
  requester?: string;
  /** IOVA range [from, to] (inclusive). */
  iovaFrom?: bigint;
  iovaTo?: bigint;
  /** Stop on any fault (DMA or interrupt), or on one reason. */
  fault?: boolean | number;
}

export interface StepResult {
  position: number;
  finished: boolean;
  /** The breakpoint matched (runTo). */
  hit: boolean;
  events: SimEventView[];
}

/** A breakpoint predicate over the event columns; throws on an unknown kind or requester. */
export function breakpointOf(spec: BreakpointSpec, after: number): Breakpoint {
  const kind = spec.kind === undefined ? -1 : kindCode(spec.kind);
  if (kind === undefined) throw new Error(`unknown event kind "${spec.kind}"`);
  const sid = spec.requester === undefined ? -1 : parseBdf(spec.requester);
  if (sid === undefined) throw new Error(`requester "${spec.requester}" is not BB:DD.F`);
  const from = spec.iovaFrom;
  const to = spec.iovaTo;
  return (index, k, s, aHi, aLo, c) => {
    if (index < after) return false;
    if (kind >= 0 && k !== kind) return false;
    if (sid >= 0 && s !== sid) return false;
    if (from !== undefined || to !== undefined) {
      const iova = (BigInt(aHi >>> 0) << 32n) | BigInt(aLo >>> 0);
      if ((from !== undefined && iova < from) || (to !== undefined && iova > to)) return false;
    }
    if (spec.fault !== undefined && spec.fault !== false) {
      if (k !== K.dmarFault && k !== K.irFault) return false;
      if (typeof spec.fault === 'number' && c !== spec.fault) return false;
    }
    return true;
  };
}

export class SimulationSession {
  private sim: Simulation;
  private previous = 0;

  constructor(
    readonly scenario: Scenario,
    private readonly options: { capture?: Capture } = {},
  ) {
    this.sim = new Simulation(scenario, { record: true, limit: 0, capture: options.capture });
  }

  /** Events applied so far. */
  get position(): number {
    return this.sim.world.rec.count;
  }

  get finished(): boolean {
    return this.sim.finished;
  }

  private replay(limit: number | undefined, breakpoint?: Breakpoint): void {
    this.previous = this.position;
    this.sim = new Simulation(this.scenario, { record: true, limit, breakpoint, capture: this.options.capture });
    if (limit !== 0) this.sim.run();
  }

  private result(hit = false): StepResult {
    return { position: this.position, finished: this.finished, hit, events: this.events(this.previous, this.position - this.previous) };
  }

  /** Forward n events (or to the end). */
  step(n = 1): StepResult {
    if (this.finished) return this.result();
    this.replay(this.position + Math.max(1, Math.trunc(n)));
    return this.result();
  }

  /** Back n events (replaying from the seed). */
  stepBack(n = 1): StepResult {
    const target = Math.max(0, this.position - Math.max(1, Math.trunc(n)));
    this.replay(target);
    this.previous = target;
    return this.result();
  }

  /** Forward until the next event that matches (or the end). */
  runTo(spec: BreakpointSpec): StepResult {
    this.replay(undefined, breakpointOf(spec, this.position));
    return this.result(this.sim.halted);
  }

  runToEnd(): StepResult {
    this.replay(undefined);
    return this.result();
  }

  reset(): StepResult {
    this.replay(0);
    return this.result();
  }

  /** Events [from, from + count) of the current run. */
  events(from: number, count: number): SimEventView[] {
    const log = this.sim.world.rec.log;
    if (!log) return [];
    const out: SimEventView[] = [];
    for (let i = Math.max(0, from); i < Math.min(log.count, from + count); i++) out.push(describeEvent(log.get(i)));
    return out;
  }

  get digest(): string {
    return this.sim.digest;
  }

  state(): SimulationState {
    return buildState(this.sim.world, this.position, this.finished, this.previous, this.sim.metrics(), this.sim.state.kernelLog);
  }
}
