// Domains compared by what they are, their page table: matched by unit and
// page-table root (SLPTPTR), so a DID renumbering shows once, on the context
// entries, and not again as a domain removed and one added. For a domain both
// captures have: its requesters and levels, then its mappings leaf by leaf in
// IOVA order, contiguous runs of the same change reported as one range.

import { mappingsOf } from '../mappings';
import type { Capture, Domain, Location, Mapping, PageTableView } from '../types';
import { hex, sizeName } from '../../vtd/u64';
import { multiUnit } from '../keys';
import { valueChange } from './fieldDiff';
import type { Difference, FieldChange } from './types';

function keyOf(d: Domain): string {
  return d.pgd !== undefined ? `${d.unit ?? ''}:${d.pgd.toString(16)}` : `${d.unit ?? ''}:did${d.did}`;
}

function bdfs(d: Domain): string {
  return d.requesters.map((r) => r.bdf).join(', ');
}

/** "domain 4 at 0x1a9a000 (00:02.0)", with the unit ("domain dmar1 4 ...") when either capture has several. */
function domainName(d: Domain, withUnit: boolean): string {
  const who = bdfs(d);
  return `domain ${withUnit && d.unit ? `${d.unit} ` : ''}${d.did}${d.pgd !== undefined ? ` at ${hex(d.pgd)}` : ''}${who ? ` (${who})` : ''}`;
}

function tableLocation(t: PageTableView | undefined): Location | undefined {
  return t?.location;
}

function rowLocation(t: PageTableView, row: number): Location {
  return { file: t.file, span: { line: t.rows.line(row), start: 0, end: 0 } };
}

function byKey(c: Capture): Map<string, Domain> {
  const out = new Map<string, Domain>();
  for (const d of c.domains.values()) if (!out.has(keyOf(d))) out.set(keyOf(d), d);
  return out;
}

function perm(m: Mapping): string {
  return `${m.read ? 'R' : '-'}${m.write ? 'W' : '-'}`;
}

function leafText(m: Mapping): string {
  return `→ ${hex(m.hpa)} ${perm(m)}`;
}

function leafChanges(a: Mapping, b: Mapping): FieldChange[] {
  return [
    ...valueChange('ADDR', 'Host address', hex(a.hpa), hex(b.hpa)),
    ...valueChange('size', 'Page size', sizeName(a.size), sizeName(b.size)),
    ...valueChange('R', 'Read', a.read ? '1' : '0', b.read ? '1' : '0'),
    ...valueChange('W', 'Write', a.write ? '1' : '0', b.write ? '1' : '0'),
  ];
}

interface Run {
  change: Difference['change'];
  start: bigint;
  end: bigint;
  first: { a?: Mapping; b?: Mapping };
  last: { a?: Mapping; b?: Mapping };
  /** Whether each side's host pages follow one another (each leaf's host address right after the previous one's). */
  contiguous: { a: boolean; b: boolean };
  leaves: number;
  fieldNames: string;
  fields: FieldChange[];
}

/** Leaf-by-leaf differences of two tables, as runs of contiguous IOVA ranges with the same change. */
function mappingRuns(ta: PageTableView, tb: PageTableView): Run[] {
  const la = [...mappingsOf(ta.rows)];
  const lb = [...mappingsOf(tb.rows)];
  const runs: Run[] = [];
  const push = (change: Run['change'], m: Mapping, pair: { a?: Mapping; b?: Mapping }, fields: FieldChange[] = []) => {
    const names = fields.map((f) => f.field).join(',');
    const last = runs[runs.length - 1];
    if (last && last.change === change && last.end === m.iova && last.fieldNames === names) {
      const follows = (p?: Mapping, q?: Mapping) => p === undefined || q === undefined || p.hpa + p.size === q.hpa;
      last.contiguous = { a: last.contiguous.a && follows(last.last.a, pair.a), b: last.contiguous.b && follows(last.last.b, pair.b) };
      last.end = m.iova + m.size;
      last.leaves++;
      last.last = pair;
      return;
    }
    runs.push({ change, start: m.iova, end: m.iova + m.size, first: pair, last: pair, contiguous: { a: true, b: true }, leaves: 1, fieldNames: names, fields });
  };
  let i = 0;
  let j = 0;
  while (i < la.length || j < lb.length) {
    const a = la[i];
    const b = lb[j];
    if (a && (!b || a.iova < b.iova)) {
      push('removed', a, { a });
      i++;
    } else if (b && (!a || b.iova < a.iova)) {
      push('added', b, { b });
      j++;
    } else if (a && b) {
      const fields = leafChanges(a, b);
      if (fields.length) push('changed', a, { a, b }, fields);
      i++;
      j++;
    }
  }
  return runs;
}

/** Where a run of leaves pointed: one host range when its pages follow one another, else its first and last page. */
function runTarget(first: Mapping, last: Mapping, leaves: number, contiguous: boolean): string {
  if (leaves === 1) return leafText(first);
  if (contiguous) return `→ ${hex(first.hpa)}–${hex(last.hpa + last.size - 1n)} ${perm(first)}`;
  return `→ ${leaves} host pages not in one range (the first at ${hex(first.hpa)}, the last at ${hex(last.hpa)}) ${perm(first)}`;
}

function runDifference(d: Domain, withUnit: boolean, ta: PageTableView, tb: PageTableView, run: Run): Difference {
  const range = `IOVA ${hex(run.start)}–${hex(run.end - 1n)} (${sizeName(run.end - run.start)}${run.leaves > 1 ? `, ${run.leaves} pages` : ''})`;
  const { a, b } = run.first;
  const detail =
    run.change === 'removed'
      ? `${range} no longer mapped; it was ${runTarget(a as Mapping, run.last.a as Mapping, run.leaves, run.contiguous.a)}`
      : run.change === 'added'
        ? `${range} newly mapped ${runTarget(b as Mapping, run.last.b as Mapping, run.leaves, run.contiguous.b)}`
        : `${range} ${run.fieldNames.split(',').includes('ADDR') ? 'remapped' : 'changed'}${run.leaves > 1 ? ' (the fields below are its first page\'s)' : ''}`;
  return {
    section: 'mappings',
    subject: domainName(d, withUnit),
    change: run.change,
    detail,
    fields: run.change === 'changed' ? run.fields : undefined,
    left: a ? rowLocation(ta, a.row) : undefined,
    right: b ? rowLocation(tb, b.row) : undefined,
  };
}

export function compareDomains(a: Capture, b: Capture): Difference[] {
  const left = byKey(a);
  const right = byKey(b);
  const withUnit = multiUnit(a) || multiUnit(b);
  const out: Difference[] = [];
  for (const key of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = left.get(key);
    const r = right.get(key);
    if (l && r) {
      const fields = [
        ...valueChange('requesters', 'Requesters', bdfs(l), bdfs(r)),
        ...valueChange('levels', 'Paging levels', l.levels?.toString(), r.levels?.toString()),
      ];
      if (fields.length) out.push({ section: 'domains', subject: domainName(l, withUnit), change: 'changed', fields, left: tableLocation(l.table), right: tableLocation(r.table) });
      if (l.table && r.table) out.push(...mappingRuns(l.table, r.table).map((run) => runDifference(l, withUnit, l.table as PageTableView, r.table as PageTableView, run)));
    } else if (l) {
      out.push({ section: 'domains', subject: domainName(l, withUnit), change: 'removed', detail: `DID ${l.did}, ${l.table?.rows.count ?? 0} leaves`, left: tableLocation(l.table) });
    } else if (r) {
      out.push({ section: 'domains', subject: domainName(r, withUnit), change: 'added', detail: `DID ${r.did}, ${r.table?.rows.count ?? 0} leaves`, right: tableLocation(r.table) });
    }
  }
  return out;
}
