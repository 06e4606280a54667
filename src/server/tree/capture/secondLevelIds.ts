// Node ids of the Second-Level Tables view. A domain is "d:<DID>" ("d:<DID>@<unit>"
// when several units have domains, as DIDs are per unit); in the
// levels mode an entry is its domain's id and one "e:<index>" per level from
// the top table down (d:4/e:3/e:511/e:253 is PTE 253 of PDE 511 of PDPE 3);
// in the coalesced mode a run is "r:<first IOVA>", a slice of a long run
// "c:<first>-<end>" (leaves of the run, end exclusive; slices nest so no node has more
// than RUN_SLICE children), and a leaf "l:<IOVA>".

import type { Capture, Domain } from '../../../model/types';
import { multiUnit } from '../../../model/keys';
import { hex } from '../../../vtd/u64';
import { childId, segment } from '../nodeIds';
import { indexAt, leafRunsOf, runAt, sortedRowsOf, type LeafRun } from './pageTableSpans';

/** The most children a run or a slice of it has in the coalesced mode. */
const RUN_SLICE = 256;

/** How many leaves each child slice of a stretch of `count` leaves holds (a power of RUN_SLICE). */
function sliceSize(count: number): number {
  let size = RUN_SLICE;
  while (size * RUN_SLICE < count) size *= RUN_SLICE;
  return size;
}

/** The child slices of the leaves [offset, offset + count) of a run: empty when they are few enough to list. */
export function childSlices(offset: number, count: number): { offset: number; count: number }[] {
  if (count <= RUN_SLICE) return [];
  const size = sliceSize(count);
  const out: { offset: number; count: number }[] = [];
  for (let o = offset; o < offset + count; o += size) out.push({ offset: o, count: Math.min(size, offset + count - o) });
  return out;
}

export function sliceSegmentValue(slice: { offset: number; count: number }): string {
  return `${slice.offset}-${slice.offset + slice.count}`;
}

export function parseSliceSegment(value: string): { offset: number; count: number } | undefined {
  const m = /^(\d+)-(\d+)$/.exec(value);
  if (!m) return undefined;
  const offset = Number(m[1]);
  const end = Number(m[2]);
  return end > offset ? { offset, count: end - offset } : undefined;
}

/** The value of a domain's "d:" segment: its DID, with its unit when several units have domains. */
export function domainNodeValue(capture: Pick<Capture, 'domains'>, d: Pick<Domain, 'did' | 'unit'>): string {
  return multiUnit(capture) && d.unit !== undefined ? `${d.did}@${d.unit}` : String(d.did);
}

/** The domain a "d:" segment value names. */
export function domainOfNodeValue(capture: Pick<Capture, 'domains'>, value: string): Domain | undefined {
  for (const d of capture.domains.values()) if (domainNodeValue(capture, d) === value) return d;
  return undefined;
}

export function domainNodeId(capture: Pick<Capture, 'domains'>, d: Pick<Domain, 'did' | 'unit'>): string {
  return segment('d', domainNodeValue(capture, d));
}

export function entryNodeId(capture: Pick<Capture, 'domains'>, d: Pick<Domain, 'did' | 'unit'>, path: readonly number[]): string {
  let id = domainNodeId(capture, d);
  for (const index of path) id = childId(id, 'e', index);
  return id;
}

export function runNodeId(capture: Pick<Capture, 'domains'>, d: Pick<Domain, 'did' | 'unit'>, run: LeafRun): string {
  return childId(domainNodeId(capture, d), 'r', hex(run.iova));
}


/** The top level of a domain's table: from its AW, else from the highest entry its first row prints. */
export function topLevelOf(d: Domain): number {
  if (d.levels !== undefined && d.levels >= 1 && d.levels <= 5) return d.levels;
  const rows = d.table?.rows;
  if (rows && rows.count > 0) for (let level = 5; level >= 1; level--) if (rows.hasEntry(0, level)) return level;
  return 4;
}

/** The id of the leaf at position k (IOVA order) of the domain's table, in the view's mode. */
export function leafNodeId(capture: Pick<Capture, 'domains'>, d: Domain, k: number, coalesce: boolean): string | undefined {
  const rows = d.table?.rows;
  if (!rows) return undefined;
  const s = sortedRowsOf(rows);
  if (k < 0 || k >= s.count) return undefined;
  const row = s.at(k);
  if (coalesce) {
    const run = runAt(leafRunsOf(s), k);
    if (!run) return undefined;
    let id = runNodeId(capture, d, run);
    if (run.leaves === 1) return id;
    // Down the nested slices to the one that lists the leaf.
    let stretch = { offset: 0, count: run.leaves };
    for (let slices = childSlices(stretch.offset, stretch.count); slices.length; slices = childSlices(stretch.offset, stretch.count)) {
      stretch = slices.find((x) => k - run.first < x.offset + x.count) ?? slices[slices.length - 1];
      id = childId(id, 'c', sliceSegmentValue(stretch));
    }
    return childId(id, 'l', hex(rows.iova(row)));
  }
  const top = topLevelOf(d);
  const leafLevel = rows.leafLevel(row);
  const pfn = rows.pfnNumber(row);
  const path: number[] = [];
  for (let level = top; level >= leafLevel; level--) path.push(indexAt(pfn, level));
  return entryNodeId(capture, d, path);
}
