// What the simulation views' builders are given: the session, the replayed
// run at the position shown with its state, and the view's number style,
// filter and mode; and the same run as a capture for the capture builders.

import type { SimulationState } from '../../../sim/index';
import type { ServerSimulation } from '../../sim/serverSimulation';
import type { SimSnapshot } from '../../sim/snapshots';
import type { TreeFilter } from '../filter';
import type { NumberStyle } from '../format';
import { simCaptureOf } from './simCapture';
import type { TreeContext } from '../treeContext';

export interface SimTreeContext {
  session: ServerSimulation;
  snapshot: SimSnapshot;
  state: SimulationState;
  style: NumberStyle;
  filter: TreeFilter | undefined;
  coalesce: boolean;
}

/** The run's guest tables as a capture, for the Context Tables and Second-Level Tables builders. */
export function captureContextOf(ctx: SimTreeContext): TreeContext {
  return { entry: simCaptureOf(ctx.snapshot.sim).entry, style: ctx.style, filter: ctx.filter, coalesce: ctx.coalesce };
}

/** "350 ns", "12.4 µs", "3.20 ms", "1.50 s". */
export function timeText(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function percentText(part: number | null): string {
  return part === null ? '—' : `${(100 * part).toFixed(1)} %`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
