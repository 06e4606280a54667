// Outline of a QEMU vtd trace. A trace interleaves its events tightly (a
// register write, the queued invalidation it starts, a DMA translation in
// between), so runs of one event name are mostly one event long. The
// outline groups events into phases instead: stretches where one family of
// events (invalidation, translation, interrupt remapping, ...) dominates,
// with short bursts of another family absorbed, and register accesses
// joining whatever they drive. Faults, resets and enables are their own
// symbols, inside the phase they happen in.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { TraceEvent } from '../../../dumps/qemuTrace/index';
import { formatBdf } from '../../../model/bdf';
import { hex } from '../../../vtd/u64';
import { spanOf } from '../../../dumps/rowColumns';
import { lineRange, plural, spanRange, symbol, type OutlineInput } from './symbolBuild';

/** A burst of another family shorter than this joins the phase around it. */
const MIN_PHASE_EVENTS = 16;

type TraceFamily = 'registers' | 'invalidation' | 'translation' | 'interrupt remapping' | 'faults' | 'other';

/** Families by event-name prefix, first match wins. */
const FAMILY_PREFIXES: readonly [string, TraceFamily][] = [
  ['vtd_reg_', 'registers'],
  ['vtd_inv_', 'invalidation'],
  ['vtd_warn_invalid_qi', 'invalidation'],
  ['x86_iommu_iec', 'invalidation'],
  ['vtd_pasid_cache', 'invalidation'],
  ['vtd_context_cache', 'invalidation'],
  ['vtd_iotlb_reset', 'invalidation'],
  ['vtd_dmar_fault', 'faults'],
  ['vtd_frr_', 'faults'],
  ['vtd_fsts_', 'faults'],
  ['vtd_fault', 'faults'],
  ['vtd_irq_generate', 'faults'],
  ['vtd_ir_', 'interrupt remapping'],
  ['vtd_warn_ir', 'interrupt remapping'],
  ['kvm_', 'interrupt remapping'],
  ['vtd_dmar_translate', 'translation'],
  ['vtd_iotlb_', 'translation'],
  ['vtd_switch_address_space', 'translation'],
  ['vtd_ce_', 'translation'],
  ['vtd_re_', 'translation'],
  ['vtd_page_walk', 'translation'],
  ['vtd_translate', 'translation'],
  ['vtd_pt_', 'translation'],
  ['vtd_as_', 'translation'],
  ['vtd_replay', 'translation'],
];

export function familyOf(name: string): TraceFamily {
  for (const [prefix, family] of FAMILY_PREFIXES) if (name.startsWith(prefix)) return family;
  return 'other';
}

/** Events that are landmarks of a trace: each gets its own symbol. */
const LANDMARKS = new Set([
  'vtd_dmar_fault',
  'vtd_frr_new',
  'vtd_fault_disabled',
  'vtd_iotlb_reset',
  'vtd_context_cache_reset',
  'vtd_pasid_cache_reset',
  'vtd_inv_desc_iotlb_global',
  'vtd_inv_desc_cc_global',
  'vtd_dmar_enable',
  'vtd_ir_enable',
  'vtd_inv_qi_enable',
  'vtd_reset_exit',
  'vtd_warn_invalid_qi_tail',
  'vtd_inv_desc_wait_write_fail',
  'kvm_x86_fixup_msi_error',
]);

/** Landmark symbols in one document at most. */
const MAX_LANDMARKS = 2000;

/** Events grouped into a phase, as the outline shows it. */
interface TracePhase {
  first: number;
  last: number;
  /** Events per family and per name. */
  families: Map<TraceFamily, number>;
  names: Map<string, number>;
  events: number;
}

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** The family a phase is named after: the one with most events (registers only when alone). */
function dominantFamily(p: TracePhase): TraceFamily {
  let best: TraceFamily = 'registers';
  let count = -1;
  for (const [f, n] of p.families) {
    if (f === 'registers' && p.families.size > 1) continue;
    if (n > count) {
      best = f;
      count = n;
    }
  }
  return best;
}

/** Splits events into phases (see the file comment). */
function tracePhases(events: readonly TraceEvent[], poll?: () => void): TracePhase[] {
  // Runs of one family, register accesses joining the run they are in.
  const runs: { family: TraceFamily; from: number; to: number }[] = [];
  for (let i = 0; i < events.length; i++) {
    if ((i & 1023) === 0 && poll) poll();
    const f = familyOf(events[i].name);
    const run = runs[runs.length - 1];
    if (run && (run.family === f || f === 'registers')) run.to = i;
    else if (run && run.family === 'registers') {
      run.family = f;
      run.to = i;
    } else runs.push({ family: f, from: i, to: i });
  }
  const phases: TracePhase[] = [];
  let current: TracePhase | undefined;
  let currentFamily: TraceFamily | undefined;
  for (const run of runs) {
    const size = run.to - run.from + 1;
    if (!current || (run.family !== currentFamily && size >= MIN_PHASE_EVENTS)) {
      current = { first: run.from, last: run.to, families: new Map(), names: new Map(), events: 0 };
      currentFamily = run.family;
      phases.push(current);
    }
    current.last = run.to;
    for (let i = run.from; i <= run.to; i++) {
      const name = events[i].name;
      bump(current.families, familyOf(name));
      bump(current.names, name);
    }
    current.events += size;
  }
  return phases;
}

function topNames(p: TracePhase, n: number): [string, number][] {
  return [...p.names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** The most frequent event of a family in a phase (the phase is named after it). */
function leadEvent(p: TracePhase, family: TraceFamily): [string, number] | undefined {
  let lead: [string, number] | undefined;
  for (const [n, c] of p.names) {
    if (familyOf(n) !== family) continue;
    if (!lead || c > lead[1] || (c === lead[1] && n < lead[0])) lead = [n, c];
  }
  return lead;
}

function phaseSymbol(input: OutlineInput, events: readonly TraceEvent[], p: TracePhase, children: DocumentSymbol[]): DocumentSymbol {
  const family = dominantFamily(p);
  const top = topNames(p, 3);
  const lead = leadEvent(p, family) ?? top[0];
  const name = `${family}: ${lead[0]} ×${lead[1]}`;
  const detail = `${plural(p.events, 'event')}; ${top.map(([n, c]) => `${n} ×${c}`).join(', ')}`;
  const first = events[p.first].line;
  const range = lineRange(input.doc.lines, first, events[p.last].line);
  return symbol(name, SymbolKind.Namespace, range, lineRange(input.doc.lines, first), detail, children);
}

function argNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

function landmarkSymbol(input: OutlineInput, e: TraceEvent): DocumentSymbol {
  const a = e.args;
  const line = input.doc.lines.line(e.line) ?? '';
  let name = e.name;
  let detail = line.slice(e.columns.end('name')).trim();
  if (e.name === 'vtd_dmar_fault') {
    const sid = argNumber(a.sid);
    const reason = argNumber(a.fault);
    const addr = typeof a.addr === 'bigint' ? hex(a.addr) : '?';
    name = `vtd_dmar_fault ${sid !== undefined ? formatBdf(sid) : '?'} ${addr}`;
    detail = `${a.is_write === true ? 'write' : 'read'}, reason ${reason !== undefined ? hex(reason, 2) : '?'}`;
  } else if (e.name === 'vtd_frr_new') {
    name = `vtd_frr_new index ${String(a.index ?? '?')}`;
  }
  if (detail.length > 120) detail = detail.slice(0, 117) + '...';
  return symbol(name, SymbolKind.Event, lineRange(input.doc.lines, e.line), spanRange(spanOf(e, 'name')), detail);
}

export function traceOutline(input: OutlineInput, events: readonly TraceEvent[]): DocumentSymbol[] {
  const { budget } = input;
  const out: DocumentSymbol[] = [];
  let landmarks = 0;
  for (const p of tracePhases(events, () => budget.check())) {
    if (!budget.take()) break;
    const children: DocumentSymbol[] = [];
    for (let i = p.first; i <= p.last; i++) {
      const e = events[i];
      if (!LANDMARKS.has(e.name) || landmarks >= MAX_LANDMARKS || !budget.take()) continue;
      landmarks++;
      children.push(landmarkSymbol(input, e));
    }
    out.push(phaseSymbol(input, events, p, children));
  }
  return out;
}
