// The language server's simulation sessions, by id ("sim-1", "sim-2", …):
// started from a scenario (optionally seeded from a capture), looked up by
// the views' SourceRef, stopped. The oldest sessions are dropped past a few.

import type { Capture } from '../../model/types';
import type { Scenario } from '../../sim/index';
import { ServerSimulation } from './serverSimulation';

export const MAX_SESSIONS = 8;

export class SimulationRegistry {
  private readonly sessions = new Map<string, ServerSimulation>();
  private next = 1;

  start(scenario: Scenario, origin: string, capture?: Capture): ServerSimulation {
    const id = `sim-${this.next++}`;
    const s = new ServerSimulation(id, scenario, origin, capture);
    this.sessions.set(id, s);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    return s;
  }

  get(id: string | undefined): ServerSimulation | undefined {
    return id === undefined ? undefined : this.sessions.get(id);
  }

  stop(id: string): boolean {
    return this.sessions.delete(id);
  }

  all(): ServerSimulation[] {
    return [...this.sessions.values()];
  }
}

