// Which part of a domain a filter keeps: all of it (its DID, one of its
// devices, a name), only the leaves that map an IOVA or a host address, or
// nothing. The Second-Level Tables view prunes its levels with it; the
// Context Tables view keeps the devices whose domain it keeps.

import type { Domain } from '../../../model/types';
import { findMapping } from '../../../model/mappings';
import { reverseMapOf } from '../../captureWorkspace';
import type { TreeContext } from '../treeContext';
import { filterAddress, textIn } from '../filter';
import { requesterName } from '../../../model/keys';

export type DomainScope = { all: true } | { all: false; iovas: bigint[] };

const ALL: DomainScope = { all: true };

/** The IOVAs of the domain that map `address` as an IOVA or as a host address (the filter says which). */
function addressIovas(ctx: TreeContext, d: Domain, address: bigint, asIova: boolean, asHpa: boolean): bigint[] {
  const out: bigint[] = [];
  if (asIova && d.table) {
    const m = findMapping(d.table.rows, address);
    if (m) out.push(address);
  }
  if (asHpa) {
    for (const { hit, iova } of reverseMapOf(ctx.entry).lookup(address)) if (hit.did === d.did) out.push(iova);
  }
  return [...new Set(out)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What of domain `d` the view's filter keeps; undefined when nothing. */
export function domainScope(ctx: TreeContext, d: Domain): DomainScope | undefined {
  const f = ctx.filter;
  if (!f) return ALL;
  const capture = ctx.entry.capture;
  const requesters = d.requesters;
  switch (f.kind) {
    case 'bdf':
      return requesters.some((r) => r.sid === f.sid && (f.segment === undefined || r.segment === f.segment)) ? ALL : undefined;
    case 'did':
      return d.did === f.did ? ALL : undefined;
    case 'irte':
      return requesters.some((r) => r.irteIndices.includes(f.index)) ? ALL : undefined;
    case 'irq':
      return requesters.some((r) => r.irqs.some((q) => q.irq === f.irq)) ? ALL : undefined;
    case 'text':
      return textIn(f, d.unit, ...requesters.map((r) => requesterName(capture, r))) ? ALL : undefined;
    default: {
      if (f.kind === 'number' && f.value === BigInt(d.did)) return ALL;
      const a = filterAddress(f);
      if (!a) return undefined;
      const iovas = addressIovas(ctx, d, a.address, a.iova, a.hpa);
      return iovas.length ? { all: false, iovas } : undefined;
    }
  }
}

/** True when the scope keeps something in [start, end). */
export function scopeTouches(scope: DomainScope, start: bigint, end: bigint): boolean {
  return scope.all || scope.iovas.some((v) => v >= start && v < end);
}
