// Parse throughput of every dump format as the language server parses it (a
// whole text held as a string, every record an object the views use), each
// beside a loop over every byte of the same text as a Buffer: the floor of
// any parser in JavaScript. (String.split used to be the yardstick; it never
// reads the characters, so it measured nothing a parser can match.) The
// streamed parsers of traces and page-table dumps, which keep columns instead
// of objects, are measured against the byte loop and a C parser in the "Any
// size" section (largeFiles.ts).
//
// Each input is a valid file of about 16 MB built from the real capture file
// (see INFLATE): a whole file repeated where the format is a list of blocks,
// with fresh unit names, group numbers or IRQ numbers where a repeated name
// would be a finding. The number of findings is reported with each figure,
// so a fast figure cannot come from a parser that gave up on its input.
//
// What costs beyond the byte loop (`charLoopMBps` and `objectsPerLine`
// below measure it): reading a string's characters with charCodeAt runs at
// about 580 MB/s, and decoding hex digits into two 32-bit halves costs about
// as much again; each object a record keeps (its array or arguments, a
// bigint, a string) costs its allocation and the garbage collector's work
// (V8 decides per allocation site whether records go straight to the old
// generation, so figures of one build differ by up to a third from run to
// run). So the parsers read each row once, in place (src/dumps/fastScan.ts,
// and the byte scanners of traces and page tables), and keep little per row:
// a record holds its line, the line's length and a RowColumns shared by the
// rows printed in the same columns (src/dumps/rowColumns.ts); a bigint is
// made once per distinct recent value (U64Cache; none for 0).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../src/dumps/registry';
import type { FormatId } from '../src/dumps/types';
import { LEGACY_CAPTURE_FILE_OF_FORMAT } from '../test/helpers';

export interface ParseFigure {
  format: FormatId;
  megabytes: number;
  parseMBps: number;
  /** A loop over every byte of the same text as a Buffer. */
  byteLoopMBps: number;
  ratio: number;
  records: number;
  findings: number;
  lines: number;
  /** Reading every character once with charCodeAt (and nothing else), in MB/s. */
  charLoopMBps: number;
  /** Objects and arrays the records hold (each counted once), per line of the input. */
  objectsPerLine: number;
}

const SAMPLE_FILES = LEGACY_CAPTURE_FILE_OF_FORMAT;

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}

/** Copies of `unit` (made by `copy(k)`) until the text is about `targetBytes` long. */
function repeatUnits(unitBytes: number, targetBytes: number, copy: (k: number) => string): string {
  const copies = Math.max(1, Math.ceil(targetBytes / Math.max(1, unitBytes)));
  const parts: string[] = [];
  for (let k = 0; k < copies; k++) parts.push(copy(k));
  return parts.join('');
}

/** The whole file repeated: for formats whose blocks may repeat as they are. */
function repeatWhole(text: string, targetBytes: number): string {
  const unit = withNewline(text);
  return repeatUnits(unit.length, targetBytes, () => unit);
}

/** The whole file repeated with the IOMMU unit "dmar0" renamed "dmar<k>" in copy k. */
function repeatWithUnitNames(text: string, targetBytes: number): string {
  const unit = withNewline(text);
  if (!/\bdmar0\b/.test(unit)) throw new Error('no dmar0 unit in the sample');
  return repeatUnits(unit.length, targetBytes, (k) => unit.replace(/\bdmar0\b/g, `dmar${k}`));
}

/**
 * ir_translation_struct prints every unit's remapped entries, then "****",
 * then the posted ones: the units before the "****" line are repeated (with
 * fresh names) and the rest of the file follows once.
 */
function inflateIrTable(text: string, targetBytes: number): string {
  const unit = withNewline(text);
  const star = unit.indexOf('\n****\n');
  if (star < 0) throw new Error('no "****" line in the ir_translation_struct sample');
  const remapped = unit.slice(0, star + 1);
  const rest = unit.slice(star + 1);
  return repeatUnits(remapped.length, targetBytes, (k) => remapped.replace(/\bdmar0\b/g, `dmar${k}`)) + rest;
}

/**
 * /proc/interrupts of a machine with many devices: the header once, the
 * numbered IRQ rows repeated with fresh IRQ numbers, the x86 summary rows once.
 */
function inflateProcInterrupts(text: string, targetBytes: number): string {
  const lines = withNewline(text).split('\n');
  lines.pop();
  const header = lines[0];
  const numbered = lines.filter((l) => /^\s*\d+:/.test(l));
  const summary = lines.slice(1).filter((l) => !/^\s*\d+:/.test(l));
  const unitBytes = numbered.reduce((n, l) => n + l.length + 1, 0);
  let irq = 0;
  const body = repeatUnits(unitBytes, targetBytes, () =>
    numbered.map((l) => l.replace(/^\s*\d+:/, () => String(irq++).padStart(4) + ':') + '\n').join(''),
  );
  return header + '\n' + body + summary.map((l) => l + '\n').join('');
}

/** An `ls -l` of many groups: copy k renumbers group g as k * (groups in the file) + g. */
function inflateIommuGroups(text: string, targetBytes: number): string {
  const unit = withNewline(text);
  const numbers = [...unit.matchAll(/^\/sys\/kernel\/iommu_groups\/(\d+)\//gm)].map((m) => Number(m[1]));
  if (numbers.length === 0) throw new Error('no group header in the iommu_groups sample');
  const stride = Math.max(...numbers) + 1;
  return repeatUnits(unit.length, targetBytes, (k) => unit.replace(/^(\/sys\/kernel\/iommu_groups\/)(\d+)\//gm, (_m, root: string, g: string) => `${root}${k * stride + Number(g)}/`));
}

/** How each format's sample becomes a valid file of about `targetBytes`. */
const INFLATE: Record<FormatId, (text: string, targetBytes: number) => string> = {
  iommu_regset: repeatWithUnitNames,
  dmar_translation_struct: repeatWithUnitNames,
  domain_translation_struct: repeatWhole,
  ir_translation_struct: inflateIrTable,
  invalidation_queue: repeatWithUnitNames,
  dmar_perf_latency: repeatWithUnitNames,
  dmesg: repeatWhole,
  proc_interrupts: inflateProcInterrupts,
  qemu_trace: repeatWhole,
  iommu_groups: inflateIommuGroups,
};

/**
 * A flat copy of a string: text built by concatenation may be a tree of
 * pieces (a V8 cons string), while a file read from disk, or received by the
 * language server, is one flat string.
 */
function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** The bench input of one format, built from the capture's sample file. */
export function benchInput(captureDir: string, format: FormatId, targetBytes = 16 * 1024 * 1024): string {
  return flat(INFLATE[format](readFileSync(join(captureDir, SAMPLE_FILES[format]), 'utf8'), targetBytes));
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

/** Objects, arrays and typed arrays reachable from `root`, each counted once. */
function countObjects(root: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) continue;
    for (const value of Object.values(v)) if (value !== null && typeof value === 'object') stack.push(value);
  }
  return seen.size;
}

/** Where readEveryCharacter's result goes, so that no compiler can drop the loop. */
let characterSum = 0;

/** Reads every character of the text once: the least a parser that checks every digit does. */
function readEveryCharacter(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) | 0;
  return sum;
}

function readEveryByte(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]) | 0;
  return sum;
}

export function parseBench(captureDir: string, targetBytes = 16 * 1024 * 1024, formats: readonly FormatId[] = FORMATS.map((f) => f.id), runs = 3): ParseFigure[] {
  const out: ParseFigure[] = [];
  for (const f of FORMATS) {
    if (!formats.includes(f.id)) continue;
    const text = benchInput(captureDir, f.id, targetBytes);
    const mb = Buffer.byteLength(text) / (1024 * 1024);
    let last: ReturnType<typeof f.parse> | undefined;
    const parseMs = best(() => {
      last = f.parse(text, SAMPLE_FILES[f.id]);
    }, runs);
    const records = last?.records.length ?? 0;
    const findings = last?.findings.length ?? 0;
    const lines = last?.lineCount ?? 0;
    const objects = countObjects(last?.records);
    last = undefined;
    const bytes = Buffer.from(text, 'utf8');
    const byteLoopMs = best(() => {
      characterSum ^= readEveryByte(bytes);
    }, runs);
    const charLoopMs = best(() => {
      characterSum ^= readEveryCharacter(text);
    }, runs);
    out.push({
      format: f.id,
      megabytes: mb,
      parseMBps: mb / (parseMs / 1000),
      byteLoopMBps: mb / (byteLoopMs / 1000),
      ratio: parseMs / byteLoopMs,
      records,
      findings,
      lines,
      charLoopMBps: mb / (charLoopMs / 1000),
      objectsPerLine: objects / Math.max(1, lines),
    });
  }
  return out;
}
