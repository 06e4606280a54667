// Parse throughput of every dump format, each beside the time to merely split
// the same bytes into lines (the floor any line-oriented parser pays).
//
// Each input is a valid file of about 16 MB built from the real capture file
// (see INFLATE): a whole file repeated where the format is a list of blocks,
// with fresh unit names, group numbers or IRQ numbers where a repeated name
// would be a finding. The number of findings is reported with each figure,
// so a fast figure cannot come from a parser that gave up on its input.
//
// Why the formats stay above 3x the split (Node 20 on the 2-vCPU bench VM;
// `charLoopMBps` and `objectsPerLine` below measure both causes):
// - Splitting finds each '\n' with a native memchr and makes each line a
//   slice of the text: its cost is about 25 ns per line whatever the line
//   holds, 900 to 4,400 MB/s on these files. A JS loop that does nothing but
//   read every character once with charCodeAt runs at about 580 MB/s, so
//   merely looking at each character is 1.5x (short lines) to 7x (the
//   147-character rows of dmar_translation_struct) the split; decoding hex
//   digits into two 32-bit halves costs about as much again. A parser has to
//   look at every digit (a value is valid only if each digit is).
// - The API returns one record per row, and each object a record keeps costs
//   about what the split pays for a whole line: its allocation, the write
//   barrier when a young bigint or string goes into a record V8 allocated
//   straight in the old generation, or the garbage collector copying it out
//   of the young generation when V8 did not (V8 decides that per allocation
//   site from what survived earlier collections, so figures of the same
//   build differ by up to a third from run to run).
// So the parsers read each row once, in place (src/dumps/fastScan.ts), and
// keep little per row: a record holds its line, the line's length and a
// RowColumns shared by the rows printed in the same columns, and spanOf()
// makes the Span of a field only when asked (src/dumps/rowColumns.ts); a
// bigint is made once per distinct recent value (U64Cache; none for 0); text
// equal to the previous row's (a root entry, a zero PASID entry, a repeated
// header line) is compared natively instead of decoded again. That leaves
// 1 to 2 objects per line, the record and its array or argument object
// (qwords, counts, trace arguments), besides the bigints and strings of its
// values.
// proc_interrupts, qemu_trace and dmar_translation_struct stay furthest from
// the split: the first two keep a record, an array or object and one to
// three strings or bigints for a line of 55 to 60 characters, and the rows of
// the third take the split 30 ns while their 32 hex digits of context entry
// take longer than that to read. domain_translation_struct, the one format
// kept in typed-array columns instead of objects, runs at about the speed of
// the plain character loop, as it compares the unchanged middle of each row
// natively.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../src/dumps/registry';
import { splitLines } from '../src/dumps/types';
import type { FormatId } from '../src/dumps/types';
import { LEGACY_CAPTURE_FILE_OF_FORMAT } from '../test/helpers';

export interface ParseFigure {
  format: FormatId;
  megabytes: number;
  parseMBps: number;
  splitMBps: number;
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
    const splitMs = best(() => splitLines(text), runs);
    const charLoopMs = best(() => {
      characterSum ^= readEveryCharacter(text);
    }, runs);
    out.push({
      format: f.id,
      megabytes: mb,
      parseMBps: mb / (parseMs / 1000),
      splitMBps: mb / (splitMs / 1000),
      ratio: parseMs / splitMs,
      records,
      findings,
      lines,
      charLoopMBps: mb / (charLoopMs / 1000),
      objectsPerLine: objects / Math.max(1, lines),
    });
  }
  return out;
}
