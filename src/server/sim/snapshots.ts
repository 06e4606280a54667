// The simulation as it stands after k events, for the views: the replayed
// run (its world: guest memory, the IOMMU, the devices, the routes) and the
// state the views show. Every position is reached by deterministic replay of
// the scenario from its seed, as src/sim's SimulationSession does, so the
// same position always gives the same world and the same digest. A few
// recent positions are kept (the one shown and the one before the last step,
// which the views compare to mark what changed).

import type { Capture } from '../../model/types';
import { Simulation, type Scenario, type SimulationState } from '../../sim/index';
import { buildState } from '../../sim/state';

/** Events of the last step kept in a snapshot's state (a run to the end applies 100 000s). */
export const LAST_STEP_EVENTS = 200;

export interface SimSnapshot {
  position: number;
  sim: Simulation;
  finished: boolean;
  /** The state at `position`, with the last step's events from `lastFrom` (at most LAST_STEP_EVENTS). */
  state(lastFrom: number): SimulationState;
}

/** Replays a scenario to exactly `position` events (the whole run when position >= total). */
export function replayTo(scenario: Scenario, position: number, total: number, capture: Capture | undefined): Simulation {
  const whole = position >= total;
  const sim = new Simulation(scenario, { record: true, limit: whole ? undefined : position, capture });
  if (position > 0 || whole) sim.run();
  return sim;
}

function snapshotOf(scenario: Scenario, position: number, total: number, capture: Capture | undefined): SimSnapshot {
  const sim = replayTo(scenario, position, total, capture);
  const states = new Map<number, SimulationState>();
  return {
    position,
    sim,
    finished: sim.finished,
    state(lastFrom: number) {
      const from = Math.max(lastFrom, position - LAST_STEP_EVENTS, 0);
      let s = states.get(from);
      if (!s) {
        s = buildState(sim.world, position, sim.finished, Math.min(from, position), sim.metrics(), sim.state.kernelLog);
        states.set(from, s);
      }
      return s;
    },
  };
}

/** The snapshots of one session, most recently used kept. */
export class SnapshotCache {
  private readonly kept = new Map<number, SimSnapshot>();

  constructor(
    private readonly scenario: Scenario,
    private readonly total: number,
    private readonly capture: Capture | undefined,
    private readonly size = 3,
  ) {}

  at(position: number): SimSnapshot {
    const p = Math.max(0, Math.min(position, this.total));
    let s = this.kept.get(p);
    if (s) {
      this.kept.delete(p);
    } else {
      s = snapshotOf(this.scenario, p, this.total, this.capture);
    }
    this.kept.set(p, s);
    while (this.kept.size > this.size) this.kept.delete(this.kept.keys().next().value as number);
    return s;
  }
}
