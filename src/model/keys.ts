// How the model names requesters and domains, and how code finds them.
//
// Domain ids are per remapping unit (two units may both use DID 1 for two
// different domains), and a requester id (bus:dev.fn) is per PCI segment,
// each segment behind its own units: so a domain is (unit, DID) and a
// requester (segment, unit, source id).

import type { Capture, Domain, Requester } from './types';
import { formatBdf } from './bdf';

export function requesterKey(segment: number, unit: string | undefined, sid: number): string {
  return `${segment.toString(16).padStart(4, '0')}:${unit ?? ''}:${formatBdf(sid)}`;
}

export function domainKey(unit: string | undefined, did: number): string {
  return `${unit ?? ''}/${did}`;
}

/** "0000:00:05.0": the PCI name of a requester (as Linux's dev_name() prints it). */
export function pciName(segment: number, sid: number): string {
  return `${segment.toString(16).padStart(4, '0')}:${formatBdf(sid)}`;
}

/** Where a requester is, as far as the caller knows it. */
export interface RequesterWhere {
  segment?: number;
  unit?: string;
}

const bySidCache = new WeakMap<Map<string, Requester>, Map<number, Requester[]>>();

/** The requesters with this source id (one per segment the capture has). */
function requestersOfSid(capture: Pick<Capture, 'requesters'>, sid: number): readonly Requester[] {
  let index = bySidCache.get(capture.requesters);
  if (!index) {
    index = new Map();
    for (const r of capture.requesters.values()) {
      const list = index.get(r.sid);
      if (list) list.push(r);
      else index.set(r.sid, [r]);
    }
    bySidCache.set(capture.requesters, index);
  }
  return index.get(sid) ?? [];
}

/** True when `r` is at `where` (what `where` leaves out matches anything). */
export function requesterIsAt(r: Requester, where: RequesterWhere): boolean {
  return (where.segment === undefined || r.segment === where.segment) && (where.unit === undefined || r.unit === undefined || r.unit === where.unit);
}

/**
 * The requester with this source id at `where`; with nothing said of where,
 * the one of segment 0 (or the only one). Undefined when the capture has none.
 */
export function findRequester(capture: Pick<Capture, 'requesters'>, sid: number, where: RequesterWhere = {}): Requester | undefined {
  const all = requestersOfSid(capture, sid);
  if (all.length <= 1) return all[0] && requesterIsAt(all[0], where) ? all[0] : undefined;
  const at = all.filter((r) => requesterIsAt(r, where));
  if (at.length <= 1) return at[0];
  return at.find((r) => r.segment === 0 && r.context) ?? at.find((r) => r.context) ?? at[0];
}

/** The domain a requester is in. */
export function domainOf(capture: Pick<Capture, 'domains'>, r: Requester | undefined): Domain | undefined {
  return r?.domainKey !== undefined ? capture.domains.get(r.domainKey) : undefined;
}

/** The domain with this DID on `unit` (any unit when undefined: the first, in unit order). */
export function findDomain(capture: Pick<Capture, 'domains'>, did: number, unit?: string): Domain | undefined {
  if (unit !== undefined) return capture.domains.get(domainKey(unit, did));
  for (const d of capture.domains.values()) if (d.did === did) return d;
  return undefined;
}

/** Whether the capture spans several PCI segments (then names must carry them). */
function multiSegment(capture: Pick<Capture, 'requesters'>): boolean {
  let seen: number | undefined;
  for (const r of capture.requesters.values()) {
    if (seen === undefined) seen = r.segment;
    else if (r.segment !== seen) return true;
  }
  return false;
}

/** Whether more than one unit has domains (then a DID alone does not name a domain). */
export function multiUnit(capture: Pick<Capture, 'domains'>): boolean {
  let seen: string | undefined;
  for (const d of capture.domains.values()) {
    if (seen === undefined) seen = d.unit ?? '';
    else if ((d.unit ?? '') !== seen) return true;
  }
  return false;
}

/** "00:05.0", or "0001:00:05.0" when the capture spans several segments. */
export function requesterName(capture: Pick<Capture, 'requesters'>, r: Requester): string {
  return multiSegment(capture) ? pciName(r.segment, r.sid) : r.bdf;
}

/** "DID 4", or "dmar1 DID 4" when several units have domains. */
export function domainName(capture: Pick<Capture, 'domains'>, d: Domain): string {
  return multiUnit(capture) && d.unit ? `${d.unit} DID ${d.did}` : `DID ${d.did}`;
}
