// Whether a run reproduces what its scenario expects (the published anchor
// published ranges for the built-ins, each citing its source): a throughput range, a
// per-interrupt cost, faults that must be recorded, or QEMU's refusal.

import { hex } from '../vtd/u64';
import type { Simulation } from './engine';
import type { SimMetrics } from './metrics';

export interface ExpectationCheck {
  scenario: string;
  anchor: string;
  expected: string;
  actual: string;
  inside: boolean;
  /** The expected range is the model's own prediction. */
  prediction: boolean;
}

const within = (v: number | null, r: [number, number]) => v !== null && v >= r[0] - 1e-9 && v <= r[1] + 1e-9;
const rangeText = (r: [number, number], digits = 2) => (r[0] === r[1] ? r[0].toFixed(digits) : `${r[0].toFixed(digits)}-${r[1].toFixed(digits)}`);

export function checkExpectation(sim: Simulation, all: SimMetrics = sim.metrics()): ExpectationCheck | undefined {
  const e = sim.scenario.expect;
  // Published figures are steady-state measurements: the warm-up is left out when the run had one.
  const metrics = all.steadyState ?? all;
  if (!e) return undefined;
  const expected: string[] = [];
  const actual: string[] = [];
  let inside = true;
  const refusal = sim.world.refusal;
  if (e.refused !== undefined) {
    expected.push(`refused: ${e.refused}`);
    actual.push(refusal ? `refused: ${refusal}` : 'started');
    inside &&= refusal === e.refused;
  } else if (refusal) {
    actual.push(`refused: ${refusal}`);
    inside = false;
  }
  if (e.relativeThroughput) {
    expected.push(`relative throughput ${rangeText(e.relativeThroughput)}`);
    actual.push(`${metrics.relativeThroughput === null ? 'n/a' : metrics.relativeThroughput.toFixed(3)}`);
    inside &&= within(metrics.relativeThroughput, e.relativeThroughput);
  }
  if (e.perInterruptCostNs) {
    expected.push(`per-interrupt cost ${rangeText(e.perInterruptCostNs, 0)} ns`);
    actual.push(`${metrics.perInterruptCostNs === null ? 'n/a' : metrics.perInterruptCostNs.toFixed(0)} ns/interrupt`);
    inside &&= within(metrics.perInterruptCostNs, e.perInterruptCostNs);
  }
  if (e.faults) {
    const recorded = all.faults.filter((f) => f.outcome === 'recorded').map((f) => f.reason);
    expected.push(`fault ${e.faults.map((f) => hex(f, 2)).join(', ')} recorded`);
    actual.push(recorded.length ? `faults ${recorded.map((f) => hex(f, 2)).join(', ')}` : 'no fault');
    inside &&= e.faults.every((f) => recorded.includes(f));
  }
  return { scenario: sim.scenario.name, anchor: e.anchor ?? '', expected: expected.join('; '), actual: actual.join('; '), inside, prediction: e.prediction };
}
