// The entries of one page-table level, derived from the dump rows. The rows
// are the present leaves in IOVA order, each with the entries of the path
// above it; the entries of a level under one parent are the distinct indices
// at that level among the rows of the parent's IOVA span. Each group of rows
// is found by binary search, so a level of 512 entries over a million rows
// costs 512 searches, not a pass over the rows.

import type { PageTableRows } from '../../../dumps/debugfs/domainTranslation';
import { mappingOfRow } from '../../../model/mappings';
import type { Mapping } from '../../../model/types';

/** The rows in IOVA order (the kernel prints them so; a permutation otherwise). */
export interface SortedRows {
  rows: PageTableRows;
  count: number;
  /** Row index of the k-th row in IOVA order. */
  at(k: number): number;
  pfn(k: number): number;
}

const sortedCache = new WeakMap<PageTableRows, SortedRows>();

export function sortedRowsOf(rows: PageTableRows): SortedRows {
  let s = sortedCache.get(rows);
  if (s) return s;
  if (rows.ascending) {
    s = { rows, count: rows.count, at: (k) => k, pfn: (k) => rows.pfnNumber(k) };
  } else {
    const order = Array.from({ length: rows.count }, (_, i) => i).sort((a, b) => rows.pfnNumber(a) - rows.pfnNumber(b));
    s = { rows, count: rows.count, at: (k) => order[k], pfn: (k) => rows.pfnNumber(order[k]) };
  }
  sortedCache.set(rows, s);
  return s;
}

/** First position (in IOVA order) whose PFN is at or above `pfn`. */
function lowerBound(s: SortedRows, pfn: number, from = 0, to = s.count): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.pfn(mid) < pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** PFNs one entry of `level` covers: 1 (PTE), 512 (PDE), 512² (PDPE)… */
export function pfnsPerEntry(level: number): number {
  return 2 ** (9 * (level - 1));
}

/** The index at `level` of the table entry that maps `pfn`. */
export function indexAt(pfn: number, level: number): number {
  return Math.floor(pfn / pfnsPerEntry(level)) % 512;
}

export interface EntryGroup {
  /** Index of the entry in its table. */
  index: number;
  /** Positions [first, end) of its rows in IOVA order. */
  first: number;
  end: number;
}

/** The entries of `level` among the rows at positions [from, to): one group per index. */
export function groupsAt(s: SortedRows, from: number, to: number, level: number): EntryGroup[] {
  const out: EntryGroup[] = [];
  const per = pfnsPerEntry(level);
  let k = from;
  while (k < to) {
    const pfn = s.pfn(k);
    const next = (Math.floor(pfn / per) + 1) * per;
    const end = lowerBound(s, next, k + 1, to);
    out.push({ index: indexAt(pfn, level), first: k, end });
    k = end;
  }
  return out;
}

/** Positions [first, end) of the rows whose PFN lies in [startPfn, startPfn + pfns). */
export function rowsInSpan(s: SortedRows, startPfn: number, pfns: number): { first: number; end: number } {
  const first = lowerBound(s, startPfn);
  return { first, end: lowerBound(s, startPfn + pfns, first) };
}

/** The position of the row whose leaf maps `iova`, or -1. */
export function positionOfIova(s: SortedRows, iova: bigint): number {
  const pfn = Number(iova >> 12n);
  // The covering row starts at or below the IOVA: the last row at or below it.
  const k = lowerBound(s, pfn + 1) - 1;
  if (k < 0) return -1;
  const m = mappingOfRow(s.rows, s.at(k));
  return m && iova >= m.iova && iova < m.iova + m.size ? k : -1;
}

// ---- coalesced runs ------------------------------------------------------------

/** Contiguous leaves merged: IOVA and host address both contiguous, same permissions. */
export interface LeafRun {
  iova: bigint;
  hpa: bigint;
  size: bigint;
  read: boolean;
  write: boolean;
  /** Positions [first, end) of its rows in IOVA order. */
  first: number;
  end: number;
  leaves: number;
}

const runCache = new WeakMap<PageTableRows, LeafRun[]>();

export function leafRunsOf(s: SortedRows): LeafRun[] {
  let runs = runCache.get(s.rows);
  if (runs) return runs;
  runs = [];
  let cur: LeafRun | undefined;
  for (let k = 0; k < s.count; k++) {
    const m: Mapping | undefined = mappingOfRow(s.rows, s.at(k));
    if (!m) continue;
    if (cur && m.iova === cur.iova + cur.size && m.hpa === cur.hpa + cur.size && m.read === cur.read && m.write === cur.write) {
      cur.size += m.size;
      cur.end = k + 1;
      cur.leaves++;
      continue;
    }
    cur = { iova: m.iova, hpa: m.hpa, size: m.size, read: m.read, write: m.write, first: k, end: k + 1, leaves: 1 };
    runs.push(cur);
  }
  runCache.set(s.rows, runs);
  return runs;
}

/** The run that holds the row at position k. */
export function runAt(runs: readonly LeafRun[], k: number): LeafRun | undefined {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = runs[mid];
    if (k < r.first) hi = mid - 1;
    else if (k >= r.end) lo = mid + 1;
    else return r;
  }
  return undefined;
}

const totalsCache = new WeakMap<PageTableRows, { leaves: number; bytes: bigint }>();

/** Leaves and bytes mapped (from the runs, so the pass is shared). */
export function leafTotals(s: SortedRows): { leaves: number; bytes: bigint } {
  let t = totalsCache.get(s.rows);
  if (!t) {
    t = { leaves: 0, bytes: 0n };
    for (const r of leafRunsOf(s)) {
      t.leaves += r.leaves;
      t.bytes += r.size;
    }
    totalsCache.set(s.rows, t);
  }
  return t;
}
