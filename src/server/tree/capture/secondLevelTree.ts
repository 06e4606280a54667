// The Second-Level Tables view: domain (DID, devices, depth) → the present
// entries of each table level with their index and IOVA span, derived lazily
// from the dump rows → leaves: IOVA range → host address, page size, R/W and
// aliases (other IOVAs of the same host page, from the reverse map), with the
// entry's fields below. In the coalesced mode a domain lists contiguous runs
// of leaves as ranges instead of levels. One builder per level.

import type { TreeNodeDto } from '../../../protocol';
import type { Domain, Mapping } from '../../../model/types';
import { mappingOfRow } from '../../../model/mappings';
import { decodeScopeOf } from '../../../model/decodeScope';
import { decodePageTableEntry } from '../../../model/decodeFile';
import { decodeSlEntry, LEVEL_NAMES, levelShift, slEntryInfo } from '../../../vtd/paging';
import type { Structure } from '../../../vtd/layout';
import { hex, sizeName } from '../../../vtd/u64';
import { pageTableRowTokenColumns } from '../../../dumps/debugfs/domainTranslation';
import { mdEscape } from '../../markdown';
import { reverseMapOf } from '../../captureWorkspace';
import { domainScope, scopeTouches, type DomainScope } from './domainFilter';
import { entryTooltip, fieldNodes } from '../fieldNodes';
import { formatAddress, formatRange, HOST_ADDRESS_BITS } from '../format';
import { childId, parseId } from '../nodeIds';
import { groupsAt, leafRunsOf, leafTotals, pfnsPerEntry, positionOfIova, rowsInSpan, sortedRowsOf, type EntryGroup, type LeafRun, type SortedRows } from './pageTableSpans';
import { childSlices, domainNodeId, domainNodeValue, domainOfNodeValue, entryNodeId, leafNodeId, parseSliceSegment, runNodeId, sliceSegmentValue, topLevelOf } from './secondLevelIds';
import { domainName, multiUnit, requesterName } from '../../../model/keys';
import { entryIcon, lineText, structureJson, wireLocation, type TreeContext } from '../treeContext';
import type { WireLocation } from '../../../protocol';

interface DomainView {
  d: Domain;
  scope: DomainScope;
  s: SortedRows;
  top: number;
  /** IOVA bits of the table (for padding). */
  iovaBits: number;
  file: string;
}

function bdfsOf(ctx: TreeContext, d: Domain): string[] {
  return d.requesters.map((r) => requesterName(ctx.entry.capture, r));
}

function multiUnitOf(ctx: TreeContext): boolean {
  return multiUnit(ctx.entry.capture);
}

function permText(read: boolean, write: boolean): string {
  return read && write ? 'RW' : read ? 'R' : write ? 'W' : 'no access';
}

/** An entry in the format of its table's stage (first-stage for a PGTT 001 table), with its unit's context (decodeScope). */
function decodeEntry(ctx: TreeContext, d: Domain, value: bigint, level: number): Structure {
  const t = d.table;
  if (!t) return decodeSlEntry(value, level, {});
  const how = decodeScopeOf(ctx.entry.capture).pageTable({ pgd: t.pgd, bus: t.sid >> 8, dev: (t.sid >> 3) & 0x1f, fn: t.sid & 7, rows: t.rows });
  return decodePageTableEntry(how.stage, value, level, how.ctx);
}

/** Where an entry of `level` of row `row` is on its dump line. */
function entryLocation(ctx: TreeContext, v: DomainView, row: number, level: number): WireLocation | undefined {
  const line = v.s.rows.line(row);
  const text = lineText(ctx, v.file, line) ?? '';
  const col = pageTableRowTokenColumns(text)[1 + (5 - level)];
  return wireLocation(ctx, v.file, { line, start: col?.start ?? 0, end: col?.end ?? text.length });
}

function entryText(ctx: TreeContext, v: DomainView, row: number, level: number): string | undefined {
  const loc = entryLocation(ctx, v, row, level);
  return loc ? lineText(ctx, v.file, loc.line)?.slice(loc.character, loc.endCharacter) : undefined;
}

// ---- aliases ----------------------------------------------------------------------

interface Alias {
  domain: Domain;
  iova: bigint;
  file: string;
  line: number;
}

/** Other IOVAs (in any domain) whose leaf maps the same host page. */
function aliasesOf(ctx: TreeContext, d: Domain, m: Mapping): Alias[] {
  return reverseMapOf(ctx.entry)
    .lookup(m.hpa)
    .filter(({ hit }) => !(hit.domain === d && hit.iova === m.iova))
    .map(({ hit }) => ({ domain: hit.domain, iova: hit.iova, file: hit.file, line: hit.line }));
}

function aliasNode(ctx: TreeContext, parentId: string, a: Alias): TreeNodeDto {
  const capture = ctx.entry.capture;
  const d = a.domain;
  const k = d.table ? positionOfIova(sortedRowsOf(d.table.rows), a.iova) : -1;
  const target = k >= 0 ? leafNodeId(capture, d, k, ctx.coalesce) : undefined;
  const text = lineText(ctx, a.file, a.line) ?? '';
  const name = domainName(capture, d);
  return {
    id: childId(parentId, 'a', `${domainNodeValue(capture, d)}@${hex(a.iova)}`),
    label: `alias ${formatAddress(a.iova, ctx.style, iovaBitsOf(d))}`,
    description: `${name} · ${bdfsOf(ctx, d).join(', ')}`,
    tooltip: `The host page is mapped again at IOVA \`${hex(a.iova)}\` in domain ${mdEscape(name)} (line ${a.line + 1} of ${mdEscape(a.file)}).`,
    collapsible: 'none',
    contextValue: 'alias',
    icon: 'references',
    location: wireLocation(ctx, a.file, { line: a.line, start: 0, end: text.length }),
    link: target ? { view: 'secondLevelTables', id: target } : undefined,
    copy: { value: hex(a.iova), raw: text.trim() || undefined, json: { did: d.did, unit: d.unit, iova: hex(a.iova) } },
  };
}

// ---- builders, one per level ---------------------------------------------------------

function domainNode(ctx: TreeContext, d: Domain, scope: DomainScope): TreeNodeDto {
  const bdfs = bdfsOf(ctx, d);
  const t = d.table;
  const totals = t ? leafTotals(sortedRowsOf(t.rows)) : { leaves: 0, bytes: 0n };
  const levels = d.levels !== undefined ? `${d.levels}-level` : 'depth unknown';
  const what = !t
    ? d.pgd === undefined
      ? 'no table (pass-through)'
      : 'no page-table dump'
    : totals.leaves === 0
      ? 'no present leaf'
      : `${totals.leaves} lea${totals.leaves === 1 ? 'f' : 'ves'} · ${sizeName(totals.bytes)}`;
  const rows: [string, string][] = [
    ['devices', bdfs.join(', ') || '—'],
    ['unit', mdEscape(d.unit ?? '—')],
    ['table depth', levels],
  ];
  if (d.pgd !== undefined) rows.push(['page-table root', `\`${hex(d.pgd)}\``]);
  if (t) rows.push(['leaves', String(totals.leaves)], ['bytes mapped', `${sizeName(totals.bytes)} (\`${hex(totals.bytes)}\`)`], ['dump', `${mdEscape(t.file)} line ${t.location.span.line + 1}`]);
  const tooltip = [`**Domain ${d.did}**${d.unit && multiUnitOf(ctx) ? ` of ${mdEscape(d.unit)}` : ''}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  if (d.duplicateTables.length) {
    tooltip.push('', `The same table is dumped ${d.duplicateTables.length} more time(s) (kernels 6.0–6.6 print a group's table once per device), at line(s) ${d.duplicateTables.map((x) => x.location.span.line + 1).join(', ')}.`);
  }
  if (t && totals.leaves === 0) tooltip.push('', 'The table has no present leaf: every DMA of these devices faults.');
  const faults = d.requesters.reduce((n, r) => n + r.faults.length, 0);
  if (faults) tooltip.push('', `${faults} DMA fault(s) of its devices in the kernel log.`);
  return {
    id: domainNodeId(ctx.entry.capture, d),
    label: domainName(ctx.entry.capture, d),
    description: [faults ? `${faults} fault${faults === 1 ? '' : 's'}` : '', bdfs.join(', '), levels, what].filter((x) => x !== '').join(' · '),
    tooltip: tooltip.join('\n'),
    collapsible: t && t.rows.count > 0 ? (scope.all ? 'collapsed' : 'expanded') : 'none',
    contextValue: 'domain',
    icon: faults ? 'warning' : 'symbol-namespace',
    location: t ? wireLocation(ctx, t.file, t.location.span) : undefined,
    copy: {
      value: String(d.did),
      raw: t ? lineText(ctx, t.file, t.location.span.line)?.trim() : undefined,
      json: { did: d.did, devices: bdfs, levels: d.levels, pgd: d.pgd !== undefined ? hex(d.pgd) : undefined, leaves: totals.leaves, bytes: hex(totals.bytes) },
    },
  };
}

function spanOfPath(v: DomainView, path: readonly number[]): { startPfn: number; level: number } {
  let startPfn = 0;
  path.forEach((index, i) => (startPfn += index * pfnsPerEntry(v.top - i)));
  return { startPfn, level: v.top - path.length + 1 };
}

function tableEntryNode(ctx: TreeContext, v: DomainView, path: number[], level: number, g: EntryGroup): TreeNodeDto {
  const row = v.s.at(g.first);
  const value = v.s.rows.entry(row, level) ?? 0n;
  const info = slEntryInfo(value, level);
  const { startPfn } = spanOfPath(v, path);
  const start = BigInt(startPfn) << 12n;
  const end = start + (1n << BigInt(levelShift(level)));
  const decoded = decodeEntry(ctx, v.d, value, level);
  const label = `${LEVEL_NAMES[level]} ${g.index}`;
  const leaves = g.end - g.first;
  return {
    id: entryNodeId(ctx.entry.capture, v.d, path),
    label,
    description: `${formatRange(start, end, ctx.style, v.iovaBits)} → table ${formatAddress(info.address, ctx.style, HOST_ADDRESS_BITS)} · ${leaves} lea${leaves === 1 ? 'f' : 'ves'}`,
    tooltip: entryTooltip(decoded, label, [`IOVA \`${hex(start)}\`–\`${hex(end - 1n)}\` (IOVA bits ${levelShift(level) + 8}:${levelShift(level)} = ${g.index}).`]),
    collapsible: v.scope.all ? 'collapsed' : 'expanded',
    contextValue: 'entry',
    icon: entryIcon(decoded, 'symbol-array'),
    location: entryLocation(ctx, v, row, level),
    copy: { value: hex(value), raw: entryText(ctx, v, row, level), json: { level: LEVEL_NAMES[level], index: g.index, iova: hex(start), next: hex(info.address), entry: structureJson(decoded) } },
  };
}

function leafNode(ctx: TreeContext, v: DomainView, id: string, label: string, row: number): TreeNodeDto {
  const rows = v.s.rows;
  const level = rows.leafLevel(row);
  const value = rows.entry(row, level) ?? 0n;
  const decoded = decodeEntry(ctx, v.d, value, level);
  const m = mappingOfRow(rows, row);
  const base = { id, label, contextValue: 'leaf', location: entryLocation(ctx, v, row, level) };
  if (!m) {
    return { ...base, description: 'not present', tooltip: entryTooltip(decoded, label), collapsible: 'collapsed', icon: 'circle-slash', copy: { value: hex(value), raw: entryText(ctx, v, row, level), json: structureJson(decoded) } };
  }
  const aliases = aliasesOf(ctx, v.d, m);
  const aliasText = aliases.length ? ` · alias ${formatAddress(aliases[0].iova, ctx.style, v.iovaBits)}${aliases.length > 1 ? ` +${aliases.length - 1}` : ''}` : '';
  const extra = [`IOVA \`${hex(m.iova)}\`–\`${hex(m.iova + m.size - 1n)}\` → host \`${hex(m.hpa)}\`–\`${hex(m.hpa + m.size - 1n)}\` (${sizeName(m.size)}, ${permText(m.read, m.write)})`];
  if (aliases.length) extra.push('', `Also mapped at: ${aliases.map((a) => `\`${hex(a.iova)}\` (${domainName(ctx.entry.capture, a.domain)})`).join(', ')}`);
  return {
    ...base,
    description: `${formatRange(m.iova, m.iova + m.size, ctx.style, v.iovaBits)} → ${formatAddress(m.hpa, ctx.style, HOST_ADDRESS_BITS)} · ${sizeName(m.size)} · ${permText(m.read, m.write)}${aliasText}`,
    tooltip: entryTooltip(decoded, label, extra),
    collapsible: 'collapsed',
    icon: entryIcon(decoded, aliases.length ? 'files' : 'file-binary'),
    copy: {
      value: hex(m.hpa),
      raw: entryText(ctx, v, row, level),
      json: { did: v.d.did, iova: hex(m.iova), size: hex(m.size), hpa: hex(m.hpa), read: m.read, write: m.write, level: LEVEL_NAMES[level], aliases: aliases.map((a) => ({ did: a.domain.did, unit: a.domain.unit, iova: hex(a.iova) })), entry: structureJson(decoded) },
    },
  };
}

function leafChildren(ctx: TreeContext, v: DomainView, id: string, row: number): TreeNodeDto[] {
  const rows = v.s.rows;
  const level = rows.leafLevel(row);
  const m = mappingOfRow(rows, row);
  const out = m ? aliasesOf(ctx, v.d, m).map((a) => aliasNode(ctx, id, a)) : [];
  out.push(...fieldNodes(id, decodeEntry(ctx, v.d, rows.entry(row, level) ?? 0n, level), ctx.style, entryLocation(ctx, v, row, level)));
  return out;
}

function runNode(ctx: TreeContext, v: DomainView, run: LeafRun): TreeNodeDto {
  const id = runNodeId(ctx.entry.capture, v.d, run);
  if (run.leaves === 1) return leafNode(ctx, v, id, formatAddress(run.iova, ctx.style, v.iovaBits), v.s.at(run.first));
  const first = v.s.at(run.first);
  return {
    id,
    label: formatRange(run.iova, run.iova + run.size, ctx.style, v.iovaBits),
    description: `→ ${formatRange(run.hpa, run.hpa + run.size, ctx.style, HOST_ADDRESS_BITS)} · ${sizeName(run.size)} in ${run.leaves} leaves · ${permText(run.read, run.write)}`,
    tooltip: `**${run.leaves} contiguous leaves**: IOVA \`${hex(run.iova)}\`–\`${hex(run.iova + run.size - 1n)}\` map host \`${hex(run.hpa)}\`–\`${hex(run.hpa + run.size - 1n)}\` (${sizeName(run.size)}, ${permText(run.read, run.write)}).`,
    collapsible: v.scope.all ? 'collapsed' : 'expanded',
    contextValue: 'range',
    icon: 'arrow-both',
    location: entryLocation(ctx, v, first, v.s.rows.leafLevel(first)),
    copy: { value: `${hex(run.iova)}-${hex(run.iova + run.size - 1n)}`, json: { did: v.d.did, iova: hex(run.iova), hpa: hex(run.hpa), size: hex(run.size), leaves: run.leaves, read: run.read, write: run.write } },
  };
}

function runLeafNodes(ctx: TreeContext, v: DomainView, parentId: string, first: number, end: number): TreeNodeDto[] {
  const out: TreeNodeDto[] = [];
  for (let k = first; k < end; k++) {
    const row = v.s.at(k);
    const iova = v.s.rows.iova(row);
    if (!v.scope.all && !scopeTouches(v.scope, iova, iova + (1n << BigInt(levelShift(v.s.rows.leafLevel(row)))))) continue;
    out.push(leafNode(ctx, v, childId(parentId, 'l', hex(iova)), formatAddress(iova, ctx.style, v.iovaBits), row));
  }
  return out;
}

/** The leaves [offset, offset + count) of a run: listed, or in slices when there are many. */
function stretchChildren(ctx: TreeContext, v: DomainView, run: LeafRun, parentId: string, offset: number, count: number): TreeNodeDto[] {
  const slices = childSlices(offset, count);
  if (slices.length === 0) return runLeafNodes(ctx, v, parentId, run.first + offset, run.first + offset + count);
  const out: TreeNodeDto[] = [];
  for (const slice of slices) {
    const first = run.first + slice.offset;
    const end = first + slice.count;
    const start = v.s.rows.iova(v.s.at(first));
    const lastRow = v.s.at(end - 1);
    const stop = v.s.rows.iova(lastRow) + (1n << BigInt(levelShift(v.s.rows.leafLevel(lastRow))));
    if (!scopeTouches(v.scope, start, stop)) continue;
    out.push({
      id: childId(parentId, 'c', sliceSegmentValue(slice)),
      label: formatRange(start, stop, ctx.style, v.iovaBits),
      description: `leaves ${slice.offset + 1}–${slice.offset + slice.count} of ${run.leaves}`,
      collapsible: v.scope.all ? 'collapsed' : 'expanded',
      contextValue: 'slice',
      icon: 'ellipsis',
      location: entryLocation(ctx, v, v.s.at(first), v.s.rows.leafLevel(v.s.at(first))),
      copy: { value: `${hex(start)}-${hex(stop - 1n)}` },
    });
  }
  return out;
}

// ---- children --------------------------------------------------------------------------

function levelChildren(ctx: TreeContext, v: DomainView, path: number[], first: number, end: number): TreeNodeDto[] {
  const level = v.top - path.length;
  const out: TreeNodeDto[] = [];
  const { startPfn } = spanOfPath(v, path);
  for (const g of groupsAt(v.s, first, end, level)) {
    const childPath = [...path, g.index];
    const start = BigInt(startPfn + g.index * pfnsPerEntry(level)) << 12n;
    if (!scopeTouches(v.scope, start, start + (1n << BigInt(levelShift(level))))) continue;
    const row = v.s.at(g.first);
    if (v.s.rows.leafLevel(row) === level) out.push(leafNode(ctx, v, entryNodeId(ctx.entry.capture, v.d, childPath), `${LEVEL_NAMES[level]} ${g.index}`, row));
    else out.push(tableEntryNode(ctx, v, childPath, level, g));
  }
  return out;
}

/** IOVA bits a domain's table translates (39 for 3 levels, 48 for 4). */
function iovaBitsOf(d: Domain): number {
  return levelShift(topLevelOf(d)) + 9;
}

function domainView(ctx: TreeContext, value: string): DomainView | undefined {
  const d = domainOfNodeValue(ctx.entry.capture, value);
  const scope = d ? domainScope(ctx, d) : undefined;
  if (!d || !scope || !d.table) return undefined;
  return { d, scope, s: sortedRowsOf(d.table.rows), top: topLevelOf(d), iovaBits: iovaBitsOf(d), file: d.table.file };
}

export function secondLevelChildren(ctx: TreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) {
    const out: TreeNodeDto[] = [];
    for (const d of ctx.entry.capture.domains.values()) {
      const scope = domainScope(ctx, d);
      if (scope) out.push(domainNode(ctx, d, scope));
    }
    return out;
  }
  const segs = parseId(parentId);
  if (!segs || segs[0].kind !== 'd') return [];
  const v = domainView(ctx, segs[0].value);
  if (!v) return [];
  const rest = segs.slice(1);
  if (rest.length === 0) {
    if (!ctx.coalesce) return levelChildren(ctx, v, [], 0, v.s.count);
    return leafRunsOf(v.s)
      .filter((r) => scopeTouches(v.scope, r.iova, r.iova + r.size))
      .map((r) => runNode(ctx, v, r));
  }
  if (rest.every((x) => x.kind === 'e')) {
    const path = rest.map((x) => Number(x.value));
    const { startPfn, level } = spanOfPath(v, path);
    const { first, end } = rowsInSpan(v.s, startPfn, pfnsPerEntry(level));
    if (first >= end) return [];
    const row = v.s.at(first);
    if (v.s.rows.leafLevel(row) === level) return leafChildren(ctx, v, parentId, row);
    return levelChildren(ctx, v, path, first, end);
  }
  if (rest[0].kind !== 'r') return [];
  const run = leafRunsOf(v.s).find((r) => hex(r.iova) === rest[0].value);
  if (!run) return [];
  const last = rest[rest.length - 1];
  if (rest.length === 1) {
    if (run.leaves === 1) return leafChildren(ctx, v, parentId, v.s.at(run.first));
    return stretchChildren(ctx, v, run, parentId, 0, run.leaves);
  }
  if (last.kind === 'c') {
    const slice = parseSliceSegment(last.value);
    return slice && slice.offset + slice.count <= run.leaves ? stretchChildren(ctx, v, run, parentId, slice.offset, slice.count) : [];
  }
  if (last.kind === 'l') {
    const k = positionOfIova(v.s, BigInt(last.value));
    return k >= run.first && k < run.end ? leafChildren(ctx, v, parentId, v.s.at(k)) : [];
  }
  return [];
}
