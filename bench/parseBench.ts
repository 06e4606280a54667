// Parse throughput of every dump format, each beside the time to merely split
// the same bytes into lines (the floor any line-oriented parser pays).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../src/dumps/registry';
import { splitLines } from '../src/dumps/types';
import type { FormatId } from '../src/dumps/types';

export interface ParseFigure {
  format: FormatId;
  megabytes: number;
  parseMBps: number;
  splitMBps: number;
  ratio: number;
  records: number;
  findings: number;
}

const SAMPLE_FILES: Record<FormatId, string> = {
  iommu_regset: 'iommu_regset',
  dmar_translation_struct: 'dmar_translation_struct',
  domain_translation_struct: 'domain_translation_struct',
  ir_translation_struct: 'ir_translation_struct',
  invalidation_queue: 'invalidation_queue',
  dmar_perf_latency: 'dmar_perf_latency',
  dmesg: 'dmesg',
  proc_interrupts: 'interrupts',
  qemu_trace: 'qemu-vtd.trace',
  iommu_groups: 'iommu_groups',
};

/** The real file repeated until it is about `targetBytes` long. */
function inflate(text: string, targetBytes: number): string {
  const unit = text.endsWith('\n') ? text : text + '\n';
  const copies = Math.max(1, Math.ceil(targetBytes / unit.length));
  return unit.repeat(copies);
}

function best(fn: () => void, runs: number): number {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < bestMs) bestMs = ms;
  }
  return bestMs;
}

export function parseBench(captureDir: string, targetBytes = 16 * 1024 * 1024): ParseFigure[] {
  const out: ParseFigure[] = [];
  for (const f of FORMATS) {
    const text = inflate(readFileSync(join(captureDir, SAMPLE_FILES[f.id]), 'utf8'), targetBytes);
    const mb = Buffer.byteLength(text) / (1024 * 1024);
    let records = 0;
    let findings = 0;
    const parseMs = best(() => {
      const r = f.parse(text, SAMPLE_FILES[f.id]);
      records = r.records.length;
      findings = r.findings.length;
    }, 3);
    const splitMs = best(() => splitLines(text), 3);
    out.push({ format: f.id, megabytes: mb, parseMBps: mb / (parseMs / 1000), splitMBps: mb / (splitMs / 1000), ratio: parseMs / splitMs, records, findings });
  }
  return out;
}

export function parseSection(captureDir: string): import('./report').BenchSection {
  const figures = parseBench(captureDir);
  return {
    title: 'Parse throughput: real capture files repeated to ~16 MB, best of 3, beside a plain line split of the same text (target: parse within 3x of the split)',
    columns: ['format', 'MB', 'parse MB/s', 'split MB/s', 'parse / split', 'findings'],
    rows: figures.map((f) => [f.format, f.megabytes.toFixed(1), f.parseMBps.toFixed(0), f.splitMBps.toFixed(0), `${f.ratio.toFixed(2)}x${f.ratio > 3 ? ' (over target)' : ''}`, String(f.findings)]),
    data: figures,
  };
}
