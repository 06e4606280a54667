// One simulation session of the language server: a scenario, the number of
// events applied so far, the breakpoints, and where the last step started.
// Forward, back, to a breakpoint, to the end or to the start, every position
// is a replay of the scenario from its seed stopped after exactly that many
// events (src/sim's SimulationSession does the same; the server keeps its own
// position so that it can hand the replayed world to the table views and
// describe only the events a view shows, not every event of a long step).

import type { Capture } from '../../model/types';
import { Simulation, type BreakpointSpec, type Scenario } from '../../sim/index';
import { describeEvent } from '../../sim/events/describe';
import type { SimulationStatus, WireSimEvent } from '../../protocol';
import { breakpointText, firstHit, wireOf, type SessionBreakpoint } from './breakpoints';
import { LAST_STEP_EVENTS, SnapshotCache, type SimSnapshot } from './snapshots';

/**
 * The most events a session steps through. Each position is a recorded
 * replay (about 90 bytes an event, and the cache keeps two), so a 2.8-billion
 * event scenario (100 M packets) would take the server down; the CLI runs
 * such a scenario whole without recording it.
 */
export const MAX_SESSION_EVENTS = 2_000_000;

/** A scenario too long to step through in the sidebar. */
export class TooManyEventsError extends Error {}

export interface StepOutcome {
  /** A breakpoint matched. */
  hit: boolean;
  hitBreakpoint?: string;
  /** The events the step applied: the last LAST_STEP_EVENTS of them, and how many. */
  events: WireSimEvent[];
  eventCount: number;
}

export class ServerSimulation {
  /** Events in the whole run. */
  readonly total: number;
  position = 0;
  /** The position before the last move (the views mark what changed since); undefined before the first. */
  previous: number | undefined;
  /** First event of the last forward step (= position after a move back or a reset). */
  lastFrom = 0;
  /** The breakpoint the last run stopped at. */
  lastHit: { index: number; text: string } | undefined;
  readonly breakpoints: SessionBreakpoint[] = [];
  /** Bumped by every change of the session (a move, a breakpoint added or removed). */
  revision = 0;
  private nextBreakpointId = 1;
  private readonly snapshots: SnapshotCache;

  constructor(
    readonly id: string,
    readonly scenario: Scenario,
    /** What it runs, in words: "built-in dynamic-strict", "fault.viommu.yaml seeded from capture-x". */
    readonly origin: string,
    readonly capture?: Capture,
  ) {
    // Counted without recording, and no further than the limit: a huge scenario is refused in about a second.
    this.total = new Simulation(scenario, { record: false, capture, limit: MAX_SESSION_EVENTS + 1 }).run().world.rec.count;
    if (this.total > MAX_SESSION_EVENTS) {
      throw new TooManyEventsError(
        `it makes more than ${MAX_SESSION_EVENTS.toLocaleString('en-US')} events, too many to step through (each step keeps a replay of them): lower workload.packets, or run it whole with "viommu simulate"`,
      );
    }
    this.snapshots = new SnapshotCache(scenario, this.total, capture);
  }

  get finished(): boolean {
    return this.position >= this.total;
  }

  /** The run after `position` events (the current position by default). */
  snapshot(position = this.position): SimSnapshot {
    return this.snapshots.at(position);
  }

  /** The run before the last move, if there was one. */
  previousSnapshot(): SimSnapshot | undefined {
    return this.previous === undefined ? undefined : this.snapshots.at(this.previous);
  }

  step(count = 1): StepOutcome {
    return this.moveTo(this.position + Math.max(1, Math.trunc(count) || 1));
  }

  stepBack(count = 1): StepOutcome {
    return this.moveTo(this.position - Math.max(1, Math.trunc(count) || 1));
  }

  runToEnd(): StepOutcome {
    return this.moveTo(this.total);
  }

  reset(): StepOutcome {
    return this.moveTo(0);
  }

  /** Forward to the first event (after the current one) that `only`, or any of the session's breakpoints, matches; else to the end. */
  runToBreakpoint(only?: BreakpointSpec): StepOutcome {
    const list = only ? [{ id: 0, spec: only }] : this.breakpoints;
    const hit = firstHit(this.scenario, this.capture, this.position, list);
    if (!hit) return this.moveTo(this.total);
    const text = breakpointText(hit.breakpoint.spec);
    const out = this.moveTo(hit.index + 1);
    this.lastHit = { index: hit.index, text };
    return { ...out, hit: true, hitBreakpoint: text };
  }

  addBreakpoint(spec: BreakpointSpec): SessionBreakpoint {
    const b = { id: this.nextBreakpointId++, spec };
    this.breakpoints.push(b);
    this.revision++;
    return b;
  }

  removeBreakpoint(id: number): boolean {
    const i = this.breakpoints.findIndex((b) => b.id === id);
    if (i >= 0) this.breakpoints.splice(i, 1);
    this.revision++;
    return i >= 0;
  }

  private moveTo(target: number): StepOutcome {
    const to = Math.max(0, Math.min(target, this.total));
    this.previous = this.position;
    this.lastFrom = to > this.position ? this.position : to;
    this.position = to;
    this.lastHit = undefined;
    this.revision++;
    return { hit: false, events: this.lastStepEvents(LAST_STEP_EVENTS), eventCount: to - this.lastFrom };
  }

  /** Events [from, to) of a run (the current one by default), described: at most `limit`, the last ones. */
  eventsBetween(from: number, to: number, limit = LAST_STEP_EVENTS, snapshot = this.snapshot()): WireSimEvent[] {
    const log = snapshot.sim.world.rec.log;
    if (!log) return [];
    const out: WireSimEvent[] = [];
    for (let i = Math.max(from, to - limit, 0); i < Math.min(to, log.count); i++) out.push(wireEvent(describeEvent(log.get(i))));
    return out;
  }

  lastStepEvents(limit = LAST_STEP_EVENTS): WireSimEvent[] {
    return this.eventsBetween(this.lastFrom, this.position, limit);
  }

  status(): SimulationStatus {
    const snap = this.snapshot();
    const w = snap.sim.world;
    const status: SimulationStatus = {
      session: this.id,
      scenario: this.scenario.name,
      origin: this.origin,
      position: this.position,
      total: this.total,
      finished: this.finished,
      digest: snap.sim.digest,
      timeNs: w.rec.clock,
      breakpoints: this.breakpoints.map((b) => ({ id: b.id, text: breakpointText(b.spec), ...wireOf(b.spec) })),
    };
    if (w.refusal) status.refused = w.refusal;
    return status;
  }
}

/** An event as it crosses the wire. */
function wireEvent(e: ReturnType<typeof describeEvent>): WireSimEvent {
  const out: WireSimEvent = { index: e.index, time: e.time, kind: e.kind, thread: e.thread, costNs: e.costNs, text: e.text };
  if (e.requester !== undefined) out.requester = e.requester;
  if (e.address !== undefined) out.address = e.address;
  if (e.trace !== undefined) out.trace = e.trace;
  return out;
}
