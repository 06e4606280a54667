// viommu simulate SCENARIO.viommu.yaml | --builtin NAME [--json] [--steps N] [--capture DIR]
// viommu simulate --list | --table

import { readFileSync } from 'node:fs';
import { builtinNames, builtinText, loadScenario, runScenario, Simulation, type RunResult, type Scenario } from '../../sim/index';
import { describeEvent } from '../../sim/events/describe';
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
  const args = parseArgs(argv, ['builtin', 'steps', 'capture'], ['json', 'list', 'table']);
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
  if (args.flags.has('json')) {
    io.out(toJson({ scenario: result.scenario, ...(result.refused ? { refused: result.refused } : {}), metrics: result.metrics, events, digest: result.digest, kernelLog: result.kernelLog, check: result.check }));
  } else {
    io.out(summary(scenario, result));
    if (Array.isArray(events)) io.out(renderEvents(events));
  }
  return 0;
}

function firstEvents(sim: Simulation, n: number) {
  const log = sim.world.rec.log;
  const out = [];
  if (log) for (let i = 0; i < Math.min(n, log.count); i++) out.push(describeEvent(log.get(i)));
  return out;
}

function renderEvents(events: ReturnType<typeof firstEvents>): string {
  return renderTable(
    ['#', 'time ns', 'thread', 'event', 'requester', 'what'],
    events.map((e) => [String(e.index), e.time.toFixed(0), e.thread, e.kind, e.requester ?? '', e.text]),
  );
}

const n2 = (v: number) => v.toFixed(2);

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
    if (m.relativeThroughput !== null) {
      lines.push(
        `relative throughput ${m.relativeThroughput.toFixed(3)} (baseline ${m.baselineNsPerPacket.toFixed(0)} ns/packet; per packet: vCPU ${m.nsPerPacket.vcpu.toFixed(0)} ns, backend ${m.nsPerPacket.backend.toFixed(0)} ns, device ${m.nsPerPacket.device.toFixed(0)} ns; bottleneck ${m.bottleneck})`,
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
  io.out(renderTable(['built-in', 'what it shows'], rows));
  return 0;
}

function table(io: CommandIO, json: boolean): number {
  const results = builtinNames().map((n) => {
    const s = loadScenario(builtinText(n) as string).scenario as Scenario;
    return runScenario(s).result;
  });
  if (json) {
    io.out(toJson(results.map((r) => ({ scenario: r.scenario, check: r.check, metrics: r.metrics, digest: r.digest }))));
  } else {
    io.out(
      renderTable(
        ['scenario', 'published / expected', 'simulated', 'inside', 'anchor'],
        results.map((r) => [r.scenario, (r.check?.expected ?? '') + (r.check?.prediction ? ' (prediction)' : ''), r.check?.actual ?? '', r.check ? (r.check.inside ? 'yes' : 'NO') : '-', r.check?.anchor ?? '']),
      ),
    );
  }
  return results.every((r) => !r.check || r.check.inside) ? 0 : 1;
}
