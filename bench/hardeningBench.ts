// The hardening section of `npm run bench`: hostile and unlucky inputs given
// to the CLI (as a process: its answer time and peak memory) and to the
// language server (over stdio: the longest answer and its memory), and
// whether anything was lost: every entry of each folder is read, or named
// with the reason it was left out.

import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaptureSummaryRequest, ServerStatsRequest } from '../src/protocol';
import { NOT_DUMPS, readCapture } from '../src/io/captureReader';
import { parseQemuTrace, parseQemuTraceAppended } from '../src/dumps/qemuTrace/index';
import { TestLspClient } from '../test/lsp/lspClient';
import type { BenchSection } from './report';

const MiB = 1024 * 1024;

interface Case {
  name: string;
  what: string;
  /** The CLI's arguments (the folder or file is the last). */
  args: string[];
  /** A folder whose entries must all be accounted for. */
  folder?: string;
  /** A file the language server opens (with its language), when it is meant for the editor too. */
  open?: { path: string; language: string };
}

interface Figure {
  name: string;
  what: string;
  exit: number;
  cliMs: number;
  cliPeakMiB: number;
  /** Entries of the folder: read, named as left out (or another capture), and neither. */
  read?: number;
  leftOut?: number;
  lost?: string[];
  serverMs?: number;
  serverRssMiB?: number;
}

function legacy(root: string): string {
  return join(root, 'test', 'fixtures', 'captures', 'linux-6.1-qemu-7.2-legacy');
}

function buildCases(root: string, base: string): Case[] {
  const cap = legacy(root);
  const cases: Case[] = [];

  const traps = join(base, 'traps', 'capture');
  mkdirSync(join(traps, '0000:00:02.0'), { recursive: true });
  for (const n of ['dmar_translation_struct', 'iommu_regset', 'ir_translation_struct', 'dmesg']) copyFileSync(join(cap, n), join(traps, n));
  symlinkSync('.', join(traps, '0000:00:03.0'));
  symlinkSync('..', join(traps, '0000:00:04.0'));
  symlinkSync('/proc/kmsg', join(traps, 'kmsg'));
  symlinkSync('/dev/zero', join(traps, 'interrupts'));
  symlinkSync(join(traps, 'gone'), join(traps, 'dangling'));
  spawnSync('mkfifo', [join(traps, 'fifo')]);
  writeFileSync(join(traps, 'domain_translation_struct'), '');
  truncateSync(join(traps, 'domain_translation_struct'), 64 * 1024 * MiB);
  linkSync(join(traps, 'dmesg'), join(traps, 'kernel.log'));
  for (let i = 0; i < 3000; i++) writeFileSync(join(traps, `note-${i}`), `${i}\n`);
  cases.push({ name: 'folder traps', what: 'links to ., .., /proc/kmsg and /dev/zero; a FIFO; a dangling link; a 64 GiB sparse dump; a hard link; 3000 notes', args: ['check', traps], folder: traps });

  const garbage = join(base, 'garbage');
  mkdirSync(garbage);
  copyFileSync(join(cap, 'dmar_translation_struct'), join(garbage, 'dmar_translation_struct'));
  writeFileSync(join(garbage, 'interrupts'), '           CPU0       CPU1\n' + 'x'.repeat(39).concat('\n').repeat(512 * 1024));
  cases.push({ name: '/proc/interrupts garbage', what: '20 MiB of lines that are not IRQs (one finding each, uncapped, used to exhaust memory)', args: ['check', garbage], folder: garbage, open: { path: join(garbage, 'interrupts'), language: 'viommu-interrupts' } });

  const longLine = join(base, 'long-line');
  mkdirSync(longLine);
  writeFileSync(join(longLine, 'qemu-vtd.trace'), 'vtd_ir_enable enable 1\nvtd_ir_enable ' + '1'.repeat(100 * MiB) + '\nvtd_ir_enable enable 0\n');
  cases.push({ name: 'a 100 MiB line', what: 'one trace line of 100 MiB between two events', args: ['check', longLine], folder: longLine });

  const utf16 = join(base, 'utf16');
  mkdirSync(utf16);
  for (const n of readdirSync(cap)) {
    const text = readFileSync(join(cap, n), 'utf8').replace(/\n/g, '\r\n');
    writeFileSync(join(utf16, n), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  }
  cases.push({ name: 'UTF-16 with CRLF', what: "the sample capture as Windows PowerShell's > writes it", args: ['check', utf16], folder: utf16 });

  const two = join(base, 'two');
  for (const side of ['before', 'after']) {
    mkdirSync(join(two, side), { recursive: true });
    for (const n of ['dmar_translation_struct', 'domain_translation_struct']) copyFileSync(join(cap, n), join(two, side, n));
  }
  cases.push({ name: 'two captures', what: 'before/ and after/ in one folder', args: ['check', two], folder: two });

  const empty = join(base, 'empty');
  mkdirSync(empty);
  cases.push({ name: 'empty folder', what: 'no file at all', args: ['check', empty], folder: empty });

  const bomb = join(base, 'bomb.viommu.yaml');
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
  writeFileSync(bomb, ['name: bomb', ...levels, 'devices: *l8', ''].join('\n'));
  cases.push({ name: 'YAML alias bomb', what: 'a scenario of 9^9 values by aliases', args: ['simulate', bomb] });
  return cases;
}

/** Entries of a folder as a plain walk sees them (links not followed; per-device folders one level down). */
function entriesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const n of readdirSync(d)) {
      if (NOT_DUMPS.test(n)) continue;
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory() && depth < 2) walk(p, depth + 1);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir, 0);
  return out;
}

function accounted(dir: string): { read: number; leftOut: number; lost: string[] } {
  const r = readCapture(dir);
  // Read: held whole, or too large to hold and streamed (r.large).
  const named = new Set([...r.files.map((f) => f.name), ...r.large.map((f) => f.name), ...r.leftOut.map((l) => l.name)]);
  const nested = r.nested.map((n) => relative(dir, n).split(sep).join('/'));
  const notListed = r.leftOut.reduce((n, l) => n + (l.notListed ?? 0), 0);
  const unnamed = entriesOf(dir).filter((e) => !named.has(e) && !nested.some((n) => e === n || e.startsWith(n + '/')));
  // Entries past the file count limit are counted, not named.
  return { read: r.files.length + r.large.length, leftOut: r.leftOut.length - (notListed > 0 ? 1 : 0) + notListed, lost: unnamed.slice(notListed) };
}

/** Parsing what was appended to a large trace against parsing the whole trace again (the best of 3 each). */
function growingTrace(root: string): { totalMiB: number; appendedMiB: number; appendMs: number; fullMs: number } {
  const one = readFileSync(join(legacy(root), 'qemu-vtd.trace'), 'utf8');
  const text = one.repeat(Math.ceil((48 * MiB) / one.length));
  const appended = 1;
  const cut = text.lastIndexOf('\n', text.length - appended * MiB) + 1;
  let appendMs = Infinity;
  let fullMs = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = parseQemuTrace(text.slice(0, cut));
    const t0 = performance.now();
    parseQemuTraceAppended(before, text);
    appendMs = Math.min(appendMs, performance.now() - t0);
    const t1 = performance.now();
    parseQemuTrace(text);
    fullMs = Math.min(fullMs, performance.now() - t1);
  }
  return { totalMiB: text.length / MiB, appendedMiB: appended, appendMs, fullMs };
}

function runCli(root: string, args: string[]): { exit: number; ms: number; peakMiB: number } {
  const peakFile = join(mkdtempSync(join(tmpdir(), 'viommu-peak-')), 'peak.json');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', join(root, 'out', 'bench', 'peakProbe.js'), join(root, 'dist', 'cli.js'), ...args], {
    env: { ...process.env, VIOMMU_PEAK_OUT: peakFile },
    stdio: ['ignore', 'ignore', 'ignore'],
    timeout: 300000,
  });
  const ms = performance.now() - t0;
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssKiB: number };
  return { exit: r.status ?? -1, ms, peakMiB: peak.maxRssKiB / 1024 };
}

export async function hardeningSection(root: string): Promise<BenchSection> {
  const base = mkdtempSync(join(tmpdir(), 'viommu-hardening-'));
  const figures: Figure[] = [];
  // The baseline: a check of the sample capture, as a user runs it.
  const baseline = runCli(root, ['check', legacy(root)]);
  const client = new TestLspClient(undefined, ['--expose-gc']);
  await client.initialize(base);
  try {
    for (const c of buildCases(root, base)) {
      const cli = runCli(root, c.args);
      const f: Figure = { name: c.name, what: c.what, exit: cli.exit, cliMs: cli.ms, cliPeakMiB: cli.peakMiB };
      if (c.folder) Object.assign(f, accounted(c.folder));
      // The server: a file of the folder opened (or, for a folder, its capture asked for), the answer timed.
      const target = c.open?.path ?? (c.folder ? join(c.folder, readdirSync(c.folder).find((n) => !NOT_DUMPS.test(n)) ?? '.') : c.args[c.args.length - 1]);
      const t0 = performance.now();
      if (c.open) await client.open(c.open.path, c.open.language);
      await client.request(CaptureSummaryRequest, { uri: pathToFileURL(target).toString() });
      f.serverMs = performance.now() - t0;
      f.serverRssMiB = (await client.request(ServerStatsRequest, {})).rssBytes / MiB;
      figures.push(f);
    }
  } finally {
    await client.stop();
    rmSync(base, { recursive: true, force: true });
  }
  const growing = growingTrace(root);
  const longest = figures.reduce((a, b) => (b.cliMs > a.cliMs ? b : a));
  const peak = figures.reduce((a, b) => (b.cliPeakMiB > a.cliPeakMiB ? b : a));
  const lost = figures.flatMap((f) => f.lost ?? []);
  return {
    title: 'Hardening: hostile and unlucky input to the CLI (a process each) and to the language server (one, over stdio)',
    columns: ['input', 'what', 'CLI exit', 'CLI ms', 'x sample check', 'CLI peak MiB', 'read / named left out / lost', 'server answer ms', 'server RSS MiB'],
    rows: figures.map((f) => [
      f.name,
      f.what,
      String(f.exit),
      f.cliMs.toFixed(0),
      `${(f.cliMs / baseline.ms).toFixed(1)}x`,
      f.cliPeakMiB.toFixed(0),
      f.read === undefined ? '-' : `${f.read} / ${f.leftOut} / ${f.lost?.length ?? 0}`,
      (f.serverMs ?? 0).toFixed(0),
      (f.serverRssMiB ?? 0).toFixed(0),
    ]),
    notes: [
      `Longest CLI answer: ${longest.name}, ${longest.cliMs.toFixed(0)} ms; highest CLI peak memory: ${peak.name}, ${peak.cliPeakMiB.toFixed(0)} MiB; entries neither read nor named: ${lost.length}${lost.length ? ` (${lost.slice(0, 5).join(', ')})` : ''}.`,
      `A trace still being written: ${growing.appendedMiB} MiB appended to ${growing.totalMiB.toFixed(0)} MiB parsed in ${growing.appendMs.toFixed(0)} ms, ${(growing.fullMs / growing.appendMs).toFixed(0)}x less than parsing it whole (${growing.fullMs.toFixed(0)} ms).`,
      `Baseline: \`viommu check\` of the sample capture, ${baseline.ms.toFixed(0)} ms and ${baseline.peakMiB.toFixed(0)} MiB in the same run.`,
      'Exit codes: 0 clean, 1 an error finding (not a capture), 3 a file left out. The server RSS is of one server that received every input in turn.',
    ],
    data: { baseline, figures, growing },
  };
}
