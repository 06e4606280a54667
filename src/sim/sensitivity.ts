// What a result rests on: the sensitivity report moves each cost constant
// over its stated range (costModel.ts) and shows how far the scenario's
// figure moves (a tornado table, the widest first); a sweep runs the scenario
// once per value of one key (packet size, strict or lazy, caching mode, ring
// size...) and gives the figures of each.

import { COST_CONSTANTS } from './costModel';
import { runScenario } from './index';
import type { SimMetrics } from './metrics';
import { loadScenario, type ScenarioOverride } from './scenario/load';
import type { Scenario } from './scenario/types';

/** The figure a scenario is about: its steady-state relative throughput, or its per-interrupt cost when it has no packets. */
interface FigureOf {
  name: string;
  unit: string;
  value(m: SimMetrics): number | null;
}

function figureOf(s: Scenario): FigureOf {
  if (s.workload.packets > 0 && !s.expect?.perInterruptCostNs) {
    return { name: 'relative throughput', unit: '', value: (m) => (m.steadyState ?? m).relativeThroughput };
  }
  return { name: 'per-interrupt cost', unit: 'ns', value: (m) => (m.steadyState ?? m).perInterruptCostNs };
}

interface SensitivityRow {
  key: string;
  low: number;
  high: number;
  /** The figure with the constant at its low and its high end. */
  atLow: number | null;
  atHigh: number | null;
  /** |atHigh - atLow| relative to the base figure. */
  spread: number;
}

interface Sensitivity {
  scenario: string;
  figure: FigureOf;
  base: number | null;
  rows: SensitivityRow[];
}

function run(text: string, overrides: ScenarioOverride[]): SimMetrics | undefined {
  const s = loadScenario(text, overrides).scenario;
  return s ? runScenario(s).result.metrics : undefined;
}

export function sensitivity(text: string): Sensitivity | { errors: string[] } {
  const loaded = loadScenario(text);
  if (!loaded.scenario) return { errors: loaded.errors.map((e) => `${e.line}:${e.column}: ${e.message}`) };
  const figure = figureOf(loaded.scenario);
  const baseMetrics = runScenario(loaded.scenario).result.metrics;
  const base = figure.value(baseMetrics);
  const rows: SensitivityRow[] = [];
  for (const c of COST_CONSTANTS) {
    const [low, high] = c.range;
    if (low === high) continue;
    const at = (v: number) => {
      const m = run(text, [{ path: `costs.${c.key}`, value: String(v) }]);
      return m ? figure.value(m) : null;
    };
    const atLow = at(low);
    const atHigh = at(high);
    const spread = atLow !== null && atHigh !== null && base ? Math.abs(atHigh - atLow) / Math.abs(base) : 0;
    rows.push({ key: c.key, low, high, atLow, atHigh, spread });
  }
  rows.sort((a, b) => b.spread - a.spread);
  return { scenario: loaded.scenario.name, figure, base, rows };
}

interface SweepRow {
  value: string;
  metrics?: SimMetrics;
  errors?: string[];
}

/** Runs the scenario once per value of `path` ("workload.packet-bytes", "guest.invalidation", "platform.caching-mode"...). */
export function sweep(text: string, path: string, values: readonly string[]): SweepRow[] {
  return values.map((value) => {
    const r = loadScenario(text, [{ path, value }]);
    if (!r.scenario) return { value, errors: r.errors.map((e) => e.message) };
    return { value, metrics: runScenario(r.scenario).result.metrics };
  });
}
