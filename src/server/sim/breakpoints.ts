// Breakpoints of a server session: the wire form (IOVAs as 0x-hex strings)
// read into src/sim's BreakpointSpec, checked (an unknown event kind or a
// requester that is not B:D.F is an error, said at once), written as text,
// and the search for the first event at or after a position that any of
// them matches.

import type { Capture } from '../../model/types';
import { Simulation, type BreakpointSpec, type Scenario } from '../../sim/index';
import { breakpointOf } from '../../sim/session';
import { hex, parseNumber } from '../../vtd/u64';
import type { WireBreakpoint } from '../../protocol';

export interface SessionBreakpoint {
  id: number;
  spec: BreakpointSpec;
}

function iovaOf(text: string | undefined, what: string): bigint | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const v = parseNumber(text.trim());
  if (v === undefined) throw new Error(`${what} "${text}" is not a number`);
  return v;
}

/** The wire breakpoint as a spec; throws with a message when a field is wrong. */
export function specOf(w: WireBreakpoint): BreakpointSpec {
  const spec: BreakpointSpec = {};
  if (w.kind !== undefined && w.kind !== '') spec.kind = w.kind;
  if (w.requester !== undefined && w.requester !== '') spec.requester = w.requester;
  spec.iovaFrom = iovaOf(w.iovaFrom, 'IOVA from');
  spec.iovaTo = iovaOf(w.iovaTo, 'IOVA to');
  if (spec.iovaFrom === undefined) delete spec.iovaFrom;
  if (spec.iovaTo === undefined) delete spec.iovaTo;
  if (spec.iovaFrom !== undefined && spec.iovaTo !== undefined && spec.iovaFrom > spec.iovaTo) throw new Error(`IOVA range ${hex(spec.iovaFrom)}–${hex(spec.iovaTo)} is empty`);
  if (w.fault !== undefined && w.fault !== false) spec.fault = w.fault;
  if (Object.keys(spec).length === 0) throw new Error('a breakpoint needs an event kind, a requester, an IOVA range or a fault');
  breakpointOf(spec, 0); // throws on an unknown kind or a requester that is not B:D.F
  return spec;
}

export function wireOf(spec: BreakpointSpec): WireBreakpoint {
  const w: WireBreakpoint = {};
  if (spec.kind !== undefined) w.kind = spec.kind;
  if (spec.requester !== undefined) w.requester = spec.requester;
  if (spec.iovaFrom !== undefined) w.iovaFrom = hex(spec.iovaFrom);
  if (spec.iovaTo !== undefined) w.iovaTo = hex(spec.iovaTo);
  if (spec.fault !== undefined) w.fault = spec.fault;
  return w;
}

/** "dmar-fault · 00:05.0 · IOVA 0x1000–0x1fff · fault 0x06". */
export function breakpointText(spec: BreakpointSpec): string {
  const parts: string[] = [];
  if (spec.fault !== undefined && spec.fault !== false) parts.push(typeof spec.fault === 'number' ? `fault ${hex(spec.fault, 2)}` : 'any fault');
  if (spec.kind !== undefined) parts.push(spec.kind);
  if (spec.requester !== undefined) parts.push(spec.requester);
  if (spec.iovaFrom !== undefined || spec.iovaTo !== undefined) {
    parts.push(`IOVA ${spec.iovaFrom !== undefined ? hex(spec.iovaFrom) : '0x0'}–${spec.iovaTo !== undefined ? hex(spec.iovaTo) : 'end'}`);
  }
  return parts.join(' · ');
}

interface BreakpointHit {
  /** Index of the matching event: the run stops after it. */
  index: number;
  breakpoint: SessionBreakpoint;
}

/** The first event with index >= `from` that one of the breakpoints matches, found by a replay without recording. */
export function firstHit(scenario: Scenario, capture: Capture | undefined, from: number, breakpoints: readonly SessionBreakpoint[]): BreakpointHit | undefined {
  if (breakpoints.length === 0) return undefined;
  const predicates = breakpoints.map((b) => breakpointOf(b.spec, from));
  let matched = -1;
  const sim = new Simulation(scenario, {
    record: false,
    capture,
    breakpoint: (index, kind, sid, aHi, aLo, c) => {
      for (let i = 0; i < predicates.length; i++) {
        if (predicates[i](index, kind, sid, aHi, aLo, c)) {
          matched = i;
          return true;
        }
      }
      return false;
    },
  }).run();
  return sim.halted && matched >= 0 ? { index: sim.world.rec.haltedAt, breakpoint: breakpoints[matched] } : undefined;
}
