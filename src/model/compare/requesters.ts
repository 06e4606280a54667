// Requesters compared by (segment, unit, source id): a requester only one capture knows is one
// difference; otherwise its context entry, its PASID entries and its IOMMU
// group are compared field by field. Root entries are compared once per bus.

import type { Capture, Requester } from '../types';
import { fieldChanges, valueChange } from './fieldDiff';
import type { Difference } from './types';

function known(r: Requester | undefined): r is Requester {
  return r !== undefined && (r.context !== undefined || r.root !== undefined || r.pasidEntries.length > 0 || r.group !== undefined);
}

function describe(r: Requester): string {
  const parts: string[] = [];
  if (r.context) parts.push(`context entry ${r.context.decoded.summary}`);
  if (r.pasidEntries.length) parts.push(`${r.pasidEntries.length} PASID entries`);
  if (r.group !== undefined) parts.push(`IOMMU group ${r.group}`);
  return parts.join('; ');
}

function wholeRequester(r: Requester, change: 'added' | 'removed'): Difference {
  const loc = r.context?.location ?? r.root?.location;
  return { section: 'requesters', subject: r.bdf, change, detail: describe(r), ...(change === 'removed' ? { left: loc } : { right: loc }) };
}

function contextDiff(l: Requester, r: Requester): Difference[] {
  const a = l.context;
  const b = r.context;
  const subject = `${l.bdf} context entry`;
  if (a && b) {
    const fields = fieldChanges(a.decoded, b.decoded);
    return fields.length ? [{ section: 'requesters', subject, change: 'changed', fields, left: a.location, right: b.location }] : [];
  }
  if (a) return [{ section: 'requesters', subject, change: 'removed', detail: a.decoded.summary, left: a.location }];
  if (b) return [{ section: 'requesters', subject, change: 'added', detail: b.decoded.summary, right: b.location }];
  return [];
}

function pasidDiff(l: Requester, r: Requester): Difference[] {
  const out: Difference[] = [];
  const left = new Map(l.pasidEntries.map((p) => [p.pasid, p]));
  const right = new Map(r.pasidEntries.map((p) => [p.pasid, p]));
  for (const pasid of [...new Set([...left.keys(), ...right.keys()])].sort((x, y) => x - y)) {
    const a = left.get(pasid);
    const b = right.get(pasid);
    const subject = `${l.bdf} PASID ${pasid} entry`;
    if (a && b) {
      const fields = fieldChanges(a.decoded, b.decoded);
      if (fields.length) out.push({ section: 'requesters', subject, change: 'changed', fields, left: a.location, right: b.location });
    } else if (a) {
      out.push({ section: 'requesters', subject, change: 'removed', detail: a.decoded.summary, left: a.location });
    } else if (b) {
      out.push({ section: 'requesters', subject, change: 'added', detail: b.decoded.summary, right: b.location });
    }
  }
  return out;
}

function groupDiff(l: Requester, r: Requester): Difference[] {
  const fields = valueChange('group', 'IOMMU group', l.group?.toString(), r.group?.toString());
  return fields.length ? [{ section: 'requesters', subject: `${l.bdf} IOMMU group`, change: 'changed', fields }] : [];
}

/** One root entry per unit and bus: the first requester of the bus that shows it. */
function rootsByBus(c: Capture): Map<string, Requester> {
  const out = new Map<string, Requester>();
  for (const r of [...c.requesters.values()].sort((x, y) => x.sid - y.sid)) {
    if (!r.root) continue;
    const key = `${r.unit ?? ''}:${r.sid >> 8}`;
    if (!out.has(key)) out.set(key, r);
  }
  return out;
}

function rootDiff(a: Capture, b: Capture): Difference[] {
  const left = rootsByBus(a);
  const right = rootsByBus(b);
  const out: Difference[] = [];
  for (const key of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = left.get(key)?.root;
    const r = right.get(key)?.root;
    const [unit, bus] = key.split(':');
    const subject = `${unit ? `${unit} ` : ''}root entry of bus ${Number(bus).toString(16).padStart(2, '0')}`;
    if (l && r) {
      const fields = fieldChanges(l.decoded, r.decoded);
      if (fields.length) out.push({ section: 'requesters', subject, change: 'changed', fields, left: l.location, right: r.location });
    } else if (l || r) {
      // A bus only one capture has: its requesters are reported one by one.
      continue;
    }
  }
  return out;
}

export function compareRequesters(a: Capture, b: Capture): Difference[] {
  const out: Difference[] = [...rootDiff(a, b)];
  // Keys are (segment, unit, source id): they sort in that order.
  const keys = [...new Set([...a.requesters.keys(), ...b.requesters.keys()])].sort();
  for (const key of keys) {
    const l = a.requesters.get(key);
    const r = b.requesters.get(key);
    const lk = known(l);
    const rk = known(r);
    if (lk && rk) out.push(...contextDiff(l, r), ...pasidDiff(l, r), ...groupDiff(l, r));
    else if (lk) out.push(wholeRequester(l, 'removed'));
    else if (rk) out.push(wholeRequester(r, 'added'));
  }
  return out;
}
