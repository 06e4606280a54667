// The simulator's public surface: load a scenario (file text or built-in),
// run it for its figures and digest, or step through it in a session.

import type { Capture } from '../model/types';
import { Simulation } from './engine';
import { checkExpectation, type ExpectationCheck } from './expectations';
import type { SimMetrics } from './metrics';
import type { Scenario } from './scenario/types';

export { loadScenario, type LoadResult, type ScenarioError } from './scenario/load';
export { builtinNames, builtinText, loadBuiltin } from './scenario/builtins';
export { SCENARIO_SCHEMA, schemaAt } from './scenario/schema';
export type { SchemaNode } from './scenario/schemaTypes';
export { COST_CONSTANTS } from './costModel';
export { Simulation } from './engine';
export { SimulationSession, type BreakpointSpec, type StepResult } from './session';
export type { SimulationState } from './state';
export type { SimEventView } from './events/describe';
export type { SimMetrics } from './metrics';
export type { Scenario } from './scenario/types';
export { checkExpectation, type ExpectationCheck } from './expectations';

export interface RunResult {
  scenario: string;
  refused?: string;
  metrics: SimMetrics;
  events: number;
  digest: string;
  kernelLog: string[];
  check?: ExpectationCheck;
}

/** Runs a scenario to its end (events counted, not kept unless `record`). */
export function runScenario(scenario: Scenario, options: { record?: boolean | number; capture?: Capture } = {}): { sim: Simulation; result: RunResult } {
  const sim = new Simulation(scenario, { record: options.record ?? false, capture: options.capture }).run();
  const metrics = sim.metrics();
  const result: RunResult = {
    scenario: scenario.name,
    metrics,
    events: sim.world.rec.count,
    digest: sim.digest,
    kernelLog: sim.state.kernelLog,
  };
  if (sim.world.refusal) result.refused = sim.world.refusal;
  const check = checkExpectation(sim, metrics);
  if (check) result.check = check;
  return { sim, result };
}
