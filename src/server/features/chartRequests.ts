// The charts panel's data: a simulation's figures over its events, sweeps
// of built-in scenarios, and the histograms of a dmar_perf_latency dump.
// Columns and points only: the panel never gets events.

import type { Connection } from 'vscode-languageserver/node';
import { PerfLatencyChartsRequest, SimulationChartsRequest, SweepChartsRequest, type ChartSpec, type ChartsResult, type SweepChartParams } from '../../protocol';
import { simSeries } from '../../sim/series';
import { builtinText, builtinNames, loadScenario } from '../../sim/index';
import { sweep } from '../../sim/sensitivity';
import type { SimulationRegistry } from '../sim/simulationRegistry';
import type { CaptureWorkspace } from '../captureWorkspace';
import { onRequest } from '../onRequest';

/** Points a sweep runs at most (each is a whole run of the scenario). */
const MAX_SWEEP_RUNS = 40;

function simulationCharts(registry: SimulationRegistry, session: string): ChartsResult | null {
  const sim = registry.get(session);
  if (!sim) return null;
  const s = simSeries(sim.scenario, sim.position, sim.capture);
  const x = s.events;
  const charts: ChartSpec[] = [
    {
      id: 'throughput',
      title: 'Relative throughput (each window of packets)',
      kind: 'line',
      xLabel: 'event',
      x,
      series: [{ label: 'throughput / no vIOMMU', values: s.relativeThroughput }],
      bands: sim.scenario.expect?.relativeThroughput ? [{ label: `expected${sim.scenario.expect.prediction ? ' (prediction)' : ''}`, low: sim.scenario.expect.relativeThroughput[0], high: sim.scenario.expect.relativeThroughput[1] }] : undefined,
    },
    { id: 'exits', title: 'Exits to QEMU per packet', kind: 'line', xLabel: 'event', x, series: [{ label: 'exits / packet', values: s.exitsPerPacket }] },
    {
      id: 'hit-rates',
      title: 'Hit rates',
      kind: 'line',
      xLabel: 'event',
      x,
      series: [{ label: "QEMU's IOTLB", values: s.iotlbHitRate }, ...Object.entries(s.deviceTlbHitRate).map(([name, values]) => ({ label: `${name} device IOTLB`, values }))],
    },
    {
      id: 'cost',
      title: 'Cost per packet by thread',
      kind: 'line',
      xLabel: 'event',
      x,
      yLabel: 'ns',
      series: [
        { label: 'vCPU', values: s.nsPerPacket.vcpu, unit: 'ns' },
        { label: 'backend', values: s.nsPerPacket.backend, unit: 'ns' },
        { label: 'device', values: s.nsPerPacket.device, unit: 'ns' },
      ],
    },
  ];
  const notes = x.length === 0 ? ['No packet has run yet: step past the boot to see the figures.'] : [`${x.length} points up to event ${s.until}, each the figures of the packets since the one before.`];
  return { title: `${sim.scenario.name} at event ${sim.position}`, charts, notes };
}

export function sweepCharts(params: SweepChartParams): ChartsResult {
  const builtins = (Array.isArray(params?.builtins) ? params.builtins : []).filter((b) => typeof b === 'string' && builtinNames().includes(b));
  const values = (Array.isArray(params?.values) ? params.values : []).map(String).slice(0, MAX_SWEEP_RUNS);
  const key = typeof params?.key === 'string' ? params.key : '';
  if (builtins.length === 0 || values.length === 0 || key === '') return { title: 'Sweep', charts: [], notes: [], error: 'A sweep needs built-in scenarios, a key and values.' };
  const numeric = values.every((v) => Number.isFinite(Number(v)));
  const charts: ChartSpec[] = [];
  const throughput: ChartSpec = { id: 'throughput', title: `Relative throughput against ${key}`, kind: numeric ? 'line' : 'bars', xLabel: key, x: numeric ? values.map(Number) : values, series: [], bands: [] };
  const gbps: ChartSpec = { id: 'gbps', title: `Gbit/s against ${key}`, kind: numeric ? 'line' : 'bars', xLabel: key, x: throughput.x, series: [] };
  const notes: string[] = [];
  for (const name of builtins) {
    const text = builtinText(name) as string;
    const rows = sweep(text, key, values);
    const steady = rows.map((r) => r.metrics?.steadyState ?? r.metrics);
    throughput.series.push({ label: name, values: steady.map((m) => m?.relativeThroughput ?? null) });
    gbps.series.push({ label: name, values: steady.map((m) => m?.achievedGbps ?? null), unit: 'Gbit/s' });
    const e = loadScenario(text).scenario?.expect;
    if (e?.relativeThroughput) throughput.bands!.push({ label: `${name} published${e.prediction ? ' (prediction)' : ''}: ${e.anchor ?? ''}`.slice(0, 160), low: e.relativeThroughput[0], high: e.relativeThroughput[1] });
    for (const r of rows) if (r.errors) notes.push(`${name} ${key}=${r.value}: ${r.errors.join('; ')}`);
  }
  charts.push(throughput, gbps);
  return { title: `Sweep of ${key}: ${builtins.join(', ')}`, charts, notes };
}

export function perfLatencyCharts(workspace: CaptureWorkspace, uri: string): ChartsResult | null {
  const doc = workspace.document(uri);
  const p = doc?.parsed;
  if (p?.format !== 'dmar_perf_latency') return null;
  const charts: ChartSpec[] = [];
  for (const unit of p.records) {
    const buckets = unit.columns.slice(0, 7);
    if (unit.rows.length === 0 || buckets.length === 0) continue;
    charts.push({
      id: `latency-${unit.unit}`,
      title: `${unit.unit}: latency histogram`,
      kind: 'bars',
      xLabel: 'latency',
      x: [...buckets],
      yLabel: 'count',
      series: unit.rows.map((r) => ({ label: r.type, values: r.values.slice(0, 7) })),
    });
  }
  const notes = charts.length === 0 ? ['No latency type is enabled in this dump (echo inv_iotlb > dmar_perf_latency, as root, turns one on).'] : [];
  return { title: 'dmar_perf_latency', charts, notes };
}

export function registerChartRequests(connection: Connection, workspace: CaptureWorkspace, registry: SimulationRegistry): void {
  onRequest(connection, SimulationChartsRequest, (params) => simulationCharts(registry, String(params?.session ?? '')));
  onRequest(connection, SweepChartsRequest, (params) => sweepCharts(params));
  onRequest(connection, PerfLatencyChartsRequest, (params) => perfLatencyCharts(workspace, String(params?.uri ?? '')));
}
