// viommu simulate SCENARIO.viommu.yaml | --builtin NAME [--json] [--steps N] [--capture DIR]
//                 [--sensitivity] [--sweep KEY=V1,V2,...]
// viommu simulate --list | --table

import { readFileSync } from 'node:fs';
import { builtinNames, builtinText, loadScenario, runScenario, Simulation, type RunResult, type Scenario } from '../../sim/index';
import { describeEvent } from '../../sim/events/describe';
import { whatDrivesIt } from '../../sim/drivers';
import { sensitivity, sweep } from '../../sim/sensitivity';
import { hex } from '../../vtd/u64';
import { loadOneCapture } from '../loadCapture';
import { flagString, parseArgs, UsageError } from '../args';
import { toJson } from '../json';
import { renderTable } from '../table';
import type { CommandIO } from './io';

function load(text: string, label: string, io: CommandIO): Scenario | undefined {
  const r = loadScenario(text);
  for (const e of r.errors) io.err(`${label}:${e.line}:${e.column}: ${e.message}`);
  return r.scenario;
}

function firstLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().split(/(?<=\.) /)[0] ?? '';
}

export function runSimulate(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, ['builtin', 'steps', 'capture', 'sweep'], ['json', 'list', 'table', 'sensitivity']);
  if (args.flags.has('list')) return list(io);
  if (args.flags.has('table')) return table(io, args.flags.has('json'));
  const builtin = flagString(args, 'builtin');
  if ((builtin === undefined) === (args.positional.length !== 1)) throw new UsageError('simulate takes one SCENARIO.viommu.yaml file or --builtin NAME');
  let text: string;
  let label: string;
  if (builtin !== undefined) {
    const t = builtinText(builtin);
    if (t === undefined) throw new UsageError(`no built-in scenario "${builtin}" (see viommu simulate --list)`);
    text = t;
    label = `builtin:${builtin}`;
  } else {
    label = args.positional[0];
    try {
      text = readFileSync(label, 'utf8');
    } catch (err) {
      io.err(`viommu simulate: cannot read ${label}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return 2;
    }
  }
  if (args.flags.has('sensitivity')) return sensitivityReport(text, label, args.flags.has('json'), io);
  const sweepText = flagString(args, 'sweep');
  if (sweepText !== undefined) return sweepReport(text, label, sweepText, args.flags.has('json'), io);
  const stepsText = flagString(args, 'steps');
  const steps = stepsText === undefined ? undefined : Number(stepsText);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0)) throw new UsageError(`--steps ${stepsText}: expected a count of events`);
  const scenario = load(text, label, io);
  if (!scenario) return 1;
  const captureDir = flagString(args, 'capture');
  let capture;
  if (captureDir !== undefined) {
    capture = loadOneCapture(captureDir, io).capture;
  }
  const { sim, result } = runScenario(scenario, { record: steps ?? false, capture });
  const events = steps === undefined ? result.events : firstEvents(sim, steps);
  const drivers = whatDrivesIt(sim, result.metrics);
  if (args.flags.has('json')) {
    io.out(toJson({ scenario: result.scenario, ...(result.refused ? { refused: result.refused } : {}), metrics: result.metrics, events, digest: result.digest, kernelLog: result.kernelLog, check: result.check, drivers }));
  } else {
    io.out(summary(scenario, result));
    if (drivers) io.out(`what drives it: ${drivers}`);
    if (Array.isArray(events)) io.out(renderEvents(events, io.width));
  }
  // A run outside the range its scenario expects is a failure (CI runs scenarios as checks).
  return result.check && !result.check.inside ? 1 : 0;
}

function firstEvents(sim: Simulation, n: number) {
  const log = sim.world.rec.log;
  const out = [];
  if (log) for (let i = 0; i < Math.min(n, log.count); i++) out.push(describeEvent(log.get(i)));
  return out;
}

function renderEvents(events: ReturnType<typeof firstEvents>, width?: number): string {
  return renderTable(
    ['#', 'time ns', 'thread', 'event', 'requester', 'what'],
    events.map((e) => [String(e.index), e.time.toFixed(0), e.thread, e.kind, e.requester ?? '', e.text]),
    width,
  );
}

const n2 = (v: number) => v.toFixed(2);
const rate = (pps: number) => (pps >= 1e6 ? `${(pps / 1e6).toFixed(2)} M` : pps >= 1e3 ? `${(pps / 1e3).toFixed(1)} k` : pps.toFixed(0));
const gbps = (nsPerPacket: number, bytes: number) => ((1e9 / nsPerPacket) * bytes * 8 / 1e9).toFixed(2);

/** The figure of a run as the table shows it: the steady-state figure and, for throughput, the absolute rate. */
function simulatedText(r: RunResult): string {
  const st = r.metrics.steadyState ?? r.metrics;
  if (r.check?.actual && st.relativeThroughput === null) return r.check.actual;
  const abs = st.relativeThroughput !== null ? ` (${st.achievedGbps.toFixed(2)} of ${gbps(st.baselineNsPerPacket, st.meanPacketBytes)} Gbit/s)` : '';
  return `${r.check?.actual ?? ''}${abs}`;
}

function platformLine(s: Scenario): string {
  const p = s.platform;
  if (!p.iommu) return `no vIOMMU, irqchip=${p.irqchip}, vhost=${p.vhost ? 'on' : 'off'}`;
  const on = (b: boolean) => (b ? 'on' : 'off');
  return `intel-iommu intremap=${on(p.intremap)},caching-mode=${on(p.cachingMode)},device-iotlb=${on(p.deviceIotlb)},aw-bits=${p.awBits}${p.scalableMode ? ',x-scalable-mode=on' : ''}; irqchip=${p.irqchip}; vhost=${on(p.vhost)}; guest DMA ${s.guest.dma}${s.guest.dma === 'dynamic' ? ` (${s.guest.invalidation})` : ''}`;
}

export function summary(s: Scenario, r: RunResult): string {
  const m = r.metrics;
  const lines = [`scenario ${s.name}: ${firstLine(s.description)}`, `platform: ${platformLine(s)}`];
  if (r.refused) {
    lines.push(`qemu-system-x86_64: -device intel-iommu,intremap=on: ${r.refused}`);
  } else {
    lines.push(`${m.packets} packets, ${r.events} events, digest ${r.digest}`);
    const st = m.steadyState;
    if (m.relativeThroughput !== null) {
      if (st && st.relativeThroughput !== null) {
        lines.push(`steady state (after ${m.warmupPackets} warm-up packets): relative throughput ${st.relativeThroughput.toFixed(3)}, ${rate(st.achievedPps)} packets/s, ${st.achievedGbps.toFixed(2)} Gbit/s of ${gbps(st.baselineNsPerPacket, st.meanPacketBytes)} Gbit/s without the vIOMMU`);
      }
      lines.push(
        `whole run: relative throughput ${m.relativeThroughput.toFixed(3)} (baseline ${m.baselineNsPerPacket.toFixed(0)} ns/packet; per packet: vCPU ${m.nsPerPacket.vcpu.toFixed(0)} ns, backend ${m.nsPerPacket.backend.toFixed(0)} ns, device ${m.nsPerPacket.device.toFixed(0)} ns, under QEMU's lock ${m.nsPerPacket.bql.toFixed(0)} ns; bottleneck ${m.bottleneck})`,
        `invalidations/packet ${n2(m.invalidationsPerPacket)} (qi_submit batches ${n2(m.qiSubmissionsPerPacket)}), vIOMMU exits/s ${Math.round(m.exitsPerSecond)}, QEMU IOTLB hit rate ${m.iotlbHitRate === null ? 'n/a' : m.iotlbHitRate.toFixed(3)}, vhost misses/packet ${n2(m.vhostMissesPerPacket)}`,
      );
    }
    if (m.interrupts > 0) lines.push(`interrupts ${m.interrupts}, remapping cost ${m.perInterruptCostNs?.toFixed(0)} ns/interrupt, stale-route deliveries ${m.staleDeliveries}, route rebuilds ${m.routeUpdates}`);
    for (const f of m.faults) lines.push(`fault ${hex(f.reason, 2)} ${f.interrupt ? '(interrupt) ' : ''}${f.outcome}`);
    lines.push(...r.kernelLog.map((l) => `  guest: ${l}`));
  }
  if (r.check) lines.push(`expected ${r.check.expected}${r.check.prediction ? ' (model prediction)' : ''}: ${r.check.inside ? 'inside' : 'OUTSIDE'} (${r.check.anchor})`);
  return lines.join('\n');
}

function list(io: CommandIO): number {
  const rows = builtinNames().map((n) => {
    const r = loadScenario(builtinText(n) as string);
    return [n, r.scenario ? firstLine(r.scenario.description) : 'invalid'];
  });
  io.out(renderTable(['built-in', 'what it shows'], rows, io.width));
  return 0;
}

function table(io: CommandIO, json: boolean): number {
  const runs = builtinNames().map((n) => {
    const s = loadScenario(builtinText(n) as string).scenario as Scenario;
    const { sim, result } = runScenario(s);
    return { result, drivers: whatDrivesIt(sim, result.metrics) };
  });
  if (json) {
    io.out(toJson(runs.map(({ result: r, drivers }) => ({ scenario: r.scenario, check: r.check, metrics: r.metrics, digest: r.digest, drivers }))));
  } else {
    io.out(
      renderTable(
        ['scenario', 'published / expected', 'simulated (steady state)', 'inside', 'independent anchor', 'what drives it'],
        runs.map(({ result: r, drivers }) => [r.scenario, (r.check?.expected ?? '') + (r.check?.prediction ? ' (prediction)' : ''), simulatedText(r), r.check ? (r.check.inside ? 'yes' : 'NO') : '-', r.check?.anchor ?? '', drivers]),
        io.width,
      ),
    );
  }
  return runs.every(({ result: r }) => !r.check || r.check.inside) ? 0 : 1;
}

function fmtFigure(v: number | null, unit: string): string {
  return v === null ? 'n/a' : unit ? `${v.toFixed(0)} ${unit}` : v.toFixed(3);
}

/** --sensitivity: each constant over its range, the figure at each end, the widest first. */
function sensitivityReport(text: string, label: string, json: boolean, io: CommandIO): number {
  const s = sensitivity(text);
  if ('errors' in s) {
    for (const e of s.errors) io.err(`${label}:${e}`);
    return 1;
  }
  if (json) {
    io.out(toJson({ scenario: s.scenario, figure: s.figure.name, base: s.base, rows: s.rows }));
    return 0;
  }
  io.out(`${s.scenario}: ${s.figure.name} ${fmtFigure(s.base, s.figure.unit)} with every constant at its default; each constant moved over its range (costModel.ts), the widest swing first:`);
  io.out(
    renderTable(
      ['constant', 'range', `${s.figure.name} at low`, 'at high', 'swing', ''],
      s.rows.map((r) => [r.key, `${r.low} - ${r.high}`, fmtFigure(r.atLow, s.figure.unit), fmtFigure(r.atHigh, s.figure.unit), `${(r.spread * 100).toFixed(1)} %`, '#'.repeat(Math.min(40, Math.round(r.spread * 40)))]),
      io.width,
    ),
  );
  return 0;
}

/** --sweep KEY=V1,V2,...: the scenario once per value. */
function sweepReport(text: string, label: string, spec: string, json: boolean, io: CommandIO): number {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--sweep ${spec}: expected KEY=V1,V2,... (e.g. workload.packet-bytes=64,1500,65536)`);
  const path = spec.slice(0, eq);
  const values = spec.slice(eq + 1).split(',').filter((v) => v !== '');
  if (values.length === 0) throw new UsageError(`--sweep ${spec}: no values`);
  const rows = sweep(text, path, values);
  if (json) {
    io.out(toJson(rows.map((r) => ({ value: r.value, metrics: r.metrics, errors: r.errors }))));
    return rows.some((r) => r.errors) ? 1 : 0;
  }
  io.out(
    renderTable(
      [path, 'relative throughput', 'Gbit/s', 'invalidations/packet', 'vhost misses/packet', 'QEMU IOTLB hit rate', 'bottleneck'],
      rows.map((r) => {
        if (!r.metrics) return [r.value, `invalid: ${(r.errors ?? []).join('; ')}`, '', '', '', '', ''];
        const m = r.metrics.steadyState ?? r.metrics;
        return [r.value, m.relativeThroughput === null ? 'n/a' : m.relativeThroughput.toFixed(3), m.achievedGbps.toFixed(2), n2(m.invalidationsPerPacket), n2(m.vhostMissesPerPacket), m.iotlbHitRate === null ? 'n/a' : m.iotlbHitRate.toFixed(3), m.bottleneck];
      }),
      io.width,
    ),
  );
  for (const r of rows) if (r.errors) io.err(`${label}: ${path}=${r.value}: ${r.errors.join('; ')}`);
  return rows.some((r) => r.errors) ? 1 : 0;
}
