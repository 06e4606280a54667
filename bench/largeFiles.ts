// The "any size" section of `npm run bench`: files far beyond what a string
// holds, through the real CLI and the streamed model.
//
// - Throughput of each streamed parser over the same bytes as two baselines
//   measured in the same run, interleaved, best of N: a JavaScript loop over
//   every byte of the Buffer (no parsing), and a minimal streaming C parser
//   (bench/c/lineScan.c, compiled here with cc; "no cc" otherwise); and the
//   peak RSS and page faults of one parse run alone in a child process.
// - `viommu check` of a generated 1 GiB trace, page-table dump and kernel
//   log, each in a capture folder with the real small files: time, peak RSS
//   (VmHWM) and page faults of the process.
// - A generated 10 GiB trace (VIOMMU_BENCH_HUGE_GIB) streamed to its replay
//   counters in a child process, never written to disk.
// Temporary files are removed at the end, whatever happens.

import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelLogChunks, pageTableChunks, traceChunks, traceSourceLines, writeChunks } from './generateLarge';
import { DomainTranslationParser } from '../src/dumps/debugfs/domainTranslation';
import { QemuTraceStream } from '../src/dumps/qemuTrace/index';
import { ByteLineChunker } from '../src/dumps/lineChunker';
import { openByteChunks } from '../src/io/streamFile';
import type { BenchSection } from './report';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

/** A loop over every byte of the file, read in 4 MiB chunks: the floor of any parser in JS. */
function byteLoop(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 * MiB);
  let lines = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/**
 * The streamed parser of `format` over the file (the CLI's reader and
 * chunker): a trace's events into their columns (no event object made), a
 * page-table dump's rows into each block's columns.
 */
function streamParse(path: string, format: 'trace' | 'pages'): number {
  const { chunks } = openByteChunks(path);
  if (format === 'trace') {
    let events = 0;
    const s = new QemuTraceStream((cols) => (events += cols.count));
    for (const { bytes } of chunks) s.push(bytes);
    s.end();
    return events;
  }
  let rows = 0;
  const chunker = new ByteLineChunker();
  const p = new DomainTranslationParser(undefined, (b) => (rows += b.rows.count), false);
  for (const { bytes } of chunks) chunker.push(bytes, (lines) => p.parseBytes(lines));
  p.parseBytes(chunker.end());
  p.end();
  return rows;
}

function compileC(root: string, dir: string): string | undefined {
  const exe = join(dir, 'lineScan');
  const r = spawnSync('cc', ['-O2', '-o', exe, join(root, 'bench', 'c', 'lineScan.c')], { encoding: 'utf8' });
  return r.status === 0 ? exe : undefined;
}

function timeC(exe: string, path: string): number {
  const fd = openSync(path, 'r');
  try {
    const t = performance.now();
    const r = spawnSync(exe, [], { stdio: [fd, 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error('lineScan failed');
    return performance.now() - t;
  } finally {
    closeSync(fd);
  }
}

/** Best of `n`, the measures interleaved (a, b, c, a, b, c, ...) so a busy moment hurts all alike. */
function bestOf(n: number, fns: (() => void)[]): number[] {
  const best = fns.map(() => Infinity);
  for (let k = 0; k < n; k++) {
    fns.forEach((f, i) => {
      const t = performance.now();
      f();
      best[i] = Math.min(best[i], performance.now() - t);
    });
  }
  return best;
}

interface CliRun {
  exit: number;
  ms: number;
  peakMiB: number;
  majorFaults: number;
  minorFaults: number;
  note: string;
}

function runCheck(root: string, dir: string, peakFile: string): CliRun {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--require', join(root, 'out', 'bench', 'peakProbe.js'), join(root, 'dist', 'cli.js'), 'check', dir, '--json-lines'], {
    env: { ...process.env, VIOMMU_PEAK_OUT: peakFile },
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const ms = performance.now() - t;
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssKiB: number; majorFaults?: number; minorFaults?: number };
  const note = r.stdout.split('\n').find((l) => l.includes('"code":"streamed"')) ?? '';
  return { exit: r.status ?? -1, ms, peakMiB: peak.maxRssKiB / 1024, majorFaults: peak.majorFaults ?? 0, minorFaults: peak.minorFaults ?? 0, note: note ? (JSON.parse(note) as { message: string }).message : '(no streamed note)' };
}

/** One streamed parse of `file` in a child process (with peakProbe): its peak RSS and page faults, the parse's memory alone. */
function parseMemory(root: string, file: string, kind: 'trace' | 'pages', peakFile: string): { peakMiB: number; minorFaults: number; majorFaults: number } {
  const r = spawnSync(process.execPath, ['--require', join(root, 'out', 'bench', 'peakProbe.js'), __filename, 'parse', file, kind], { env: { ...process.env, VIOMMU_PEAK_OUT: peakFile }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`parse probe: ${r.stderr}`);
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssKiB: number; majorFaults: number; minorFaults: number };
  return { peakMiB: peak.maxRssKiB / 1024, minorFaults: peak.minorFaults, majorFaults: peak.majorFaults };
}

export function largeFilesSection(root: string): BenchSection {
  const base = mkdtempSync(join(tmpdir(), 'viommu-large-'));
  const rows: string[][] = [];
  const notes: string[] = [];
  const data: Record<string, unknown> = {};
  try {
    const vm = join(root, 'test', 'fixtures', 'captures', 'linux-6.1-qemu-7.2-vm-legacy');
    const source = traceSourceLines(root);
    // 1. Throughput over 256 MiB of each format, beside the byte loop and C.
    const traceFile = join(base, 'trace-256m.trace');
    const pagesFile = join(base, 'pages-256m');
    writeChunks(traceFile, traceChunks(source, 256 * MiB));
    writeChunks(pagesFile, pageTableChunks(256 * MiB));
    const exe = compileC(root, base);
    for (const [name, file, kind] of [
      ['qemu_trace', traceFile, 'trace'],
      ['domain_translation_struct', pagesFile, 'pages'],
    ] as const) {
      const bytes = readFileSync(file).length;
      const fns = [() => void streamParse(file, kind), () => void byteLoop(file), ...(exe ? [() => void timeC(exe, file)] : [])];
      const [parseMs, loopMs, cMs] = bestOf(3, fns);
      const memory = parseMemory(root, file, kind, join(base, 'peak-parse.json'));
      const figure = { bytes, parseMBps: mbps(bytes, parseMs), byteLoopMBps: mbps(bytes, loopMs), cMBps: cMs !== undefined ? mbps(bytes, cMs) : undefined, ...memory };
      data[`${name}-throughput`] = figure;
      rows.push([
        `${name}: streamed parse of 256 MiB`,
        `${figure.parseMBps.toFixed(0)} MB/s`,
        `byte loop ${figure.byteLoopMBps.toFixed(0)} MB/s (x${(figure.byteLoopMBps / figure.parseMBps).toFixed(1)})`,
        figure.cMBps !== undefined ? `C ${figure.cMBps.toFixed(0)} MB/s (x${(figure.cMBps / figure.parseMBps).toFixed(1)})` : 'no cc',
        `alone: peak RSS ${memory.peakMiB.toFixed(0)} MiB, ${memory.minorFaults} minor / ${memory.majorFaults} major faults`,
      ]);
    }
    rmSync(traceFile);
    rmSync(pagesFile);
    // VIOMMU_BENCH_LARGE=throughput: the parsers' figures alone (a quick look while working on them).
    if (process.env.VIOMMU_BENCH_LARGE === 'throughput') return { title: 'Any size: streamed parse only', columns: ['what', 'speed', 'byte loop', 'C', 'alone'], rows, notes, data };

    // 2. viommu check of 1 GiB files in real capture folders.
    const peakFile = join(base, 'peak.json');
    const small = ['dmesg', 'dmar_translation_struct', 'iommu_regset', 'ir_translation_struct', 'interrupts', 'iommu_groups'];
    for (const [name, file, chunks] of [
      ['trace', 'qemu-vtd.trace', () => traceChunks(source, GiB)],
      ['page-table dump', 'domain_translation_struct', () => pageTableChunks(GiB)],
      ['kernel log', 'dmesg', () => kernelLogChunks(root, GiB)],
    ] as const) {
      const dir = join(base, name.replace(/\W+/g, '-'));
      mkdirSync(dir);
      for (const s of small) if (s !== file) copyFileSync(join(vm, s), join(dir, s));
      const size = writeChunks(join(dir, file), chunks());
      const run = runCheck(root, dir, peakFile);
      data[`check-1GiB-${name}`] = { size, ...run };
      rows.push([`viommu check, 1 GiB ${name}`, `${(run.ms / 1000).toFixed(1)} s (${mbps(size, run.ms).toFixed(0)} MB/s)`, `peak RSS ${run.peakMiB.toFixed(0)} MiB`, `${run.minorFaults} minor / ${run.majorFaults} major faults`, `exit ${run.exit}`]);
      notes.push(`1 GiB ${name}: ${run.note}`);
      rmSync(dir, { recursive: true, force: true });
    }

    // 3. A huge trace streamed to its replay counters, generated as it is read (never on disk).
    const gib = Number(process.env.VIOMMU_BENCH_HUGE_GIB ?? '10');
    if (gib > 0) {
      const r = spawnSync(process.execPath, ['--require', join(root, 'out', 'bench', 'peakProbe.js'), join(root, 'out', 'bench', 'hugeTraceProbe.js'), String(gib)], {
        env: { ...process.env, VIOMMU_PEAK_OUT: peakFile },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`hugeTraceProbe: ${r.stderr}`);
      const probe = JSON.parse(r.stdout) as { bytes: number; ms: number; summary: string };
      const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssKiB: number };
      data[`streamed-${gib}GiB-trace`] = { ...probe, peakMiB: peak.maxRssKiB / 1024 };
      rows.push([`${gib} GiB generated trace, streamed (2 passes) to its replay`, `${(probe.ms / 1000).toFixed(0)} s (${mbps(2 * probe.bytes, probe.ms).toFixed(0)} MB/s read)`, `peak RSS ${(peak.maxRssKiB / 1024).toFixed(0)} MiB`, '', '']);
      notes.push(`${gib} GiB trace: ${probe.summary}`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return {
    title: 'Any size: streamed files (targets: 1 GiB check under 256 MiB peak RSS; memory independent of the file size)',
    columns: ['what', 'time or speed', 'baseline / memory', 'C baseline / faults', 'exit, or a parse run alone'],
    rows,
    notes,
    data,
  };
}

if (require.main === module) {
  if (process.argv[2] === 'parse') streamParse(process.argv[3], process.argv[4] as 'trace' | 'pages');
  else {
    const { printSection } = require('./report') as typeof import('./report');
    printSection(largeFilesSection(join(__dirname, '..', '..')));
  }
}
