// Leaf mappings of a page-table dump: which IOVA range maps which host page,
// how big, with which permissions. The dump rows are the present leaves in
// ascending IOVA order, each with the entries of the path above it.

import type { PageTableRows } from '../dumps/debugfs/domainTranslation';
import { slEntryInfo } from '../vtd/paging';
import type { Mapping } from './types';

/** The mapping a row stands for, or undefined when the row has no leaf. */
export function mappingOfRow(rows: PageTableRows, i: number): Mapping | undefined {
  const level = rows.leafLevel(i);
  const entry = rows.entry(i, level);
  if (entry === undefined || entry === 0n) return undefined;
  const info = slEntryInfo(entry, level);
  const size = 1n << BigInt(12 + 9 * (level - 1));
  return {
    iova: rows.iova(i) & ~(size - 1n),
    size,
    hpa: info.address,
    read: info.read,
    write: info.write,
    level,
    row: i,
  };
}

/** Every mapping of a dump block, in IOVA order. */
export function* mappingsOf(rows: PageTableRows): Generator<Mapping> {
  for (let i = 0; i < rows.count; i++) {
    const m = mappingOfRow(rows, i);
    if (m) yield m;
  }
}

/** Index of the last row whose IOVA is at or below `iova` (-1 when none). */
export function floorRow(rows: PageTableRows, iova: bigint): number {
  let lo = 0;
  let hi = rows.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows.iova(mid) <= iova) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The mapping that covers `iova`, if the dump has one. */
export function findMapping(rows: PageTableRows, iova: bigint): Mapping | undefined {
  const i = floorRow(rows, iova);
  if (i < 0) return undefined;
  const m = mappingOfRow(rows, i);
  return m && iova >= m.iova && iova < m.iova + m.size ? m : undefined;
}

/** Total bytes mapped and the number of leaves. */
export function mappingTotals(rows: PageTableRows): { leaves: number; bytes: bigint } {
  let leaves = 0;
  let bytes = 0n;
  for (const m of mappingsOf(rows)) {
    leaves++;
    bytes += m.size;
  }
  return { leaves, bytes };
}

/** Index of the row printed on `line` (-1 when none): rows are in line order. */
export function rowAtLine(rows: PageTableRows, line: number): number {
  let lo = 0;
  let hi = rows.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = rows.line(mid);
    if (l === line) return mid;
    if (l < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
