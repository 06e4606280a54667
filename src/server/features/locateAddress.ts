// viommu/locateAddress: where an address is mapped, as an IOVA in every
// domain and as a host address through the reverse map (Go to Address…).

import { findMapping, floorRow } from '../../model/mappings';
import { requesterName } from '../../model/keys';
import { hex, parseNumber, sizeName } from '../../vtd/u64';
import { LocateAddressRequest, type LocateAddressParams, type LocatedAddress, type WireLocation } from '../../protocol';
import type { CaptureWorkspace } from '../captureWorkspace';
import { reverseMapOf } from '../captureWorkspace';
import { onRequest } from '../onRequest';
import type { Feature } from './feature';

/** Results listed at most (an address mapped by hundreds of domains is a finding of its own). */
const MAX_LOCATED = 200;

export function locateAddress(workspace: CaptureWorkspace, params: LocateAddressParams): { found: LocatedAddress[]; error?: string } {
  const entry = workspace.captureFor(params.uri);
  if (!entry) return { found: [], error: 'No capture is open for this document.' };
  const address = parseNumber(String(params.address ?? ''));
  if (address === undefined) return { found: [], error: `"${String(params.address).slice(0, 40)}" is not a 64-bit address` };
  const c = entry.capture;
  const found: LocatedAddress[] = [];
  const where = (file: string, line: number): WireLocation | undefined => {
    const uri = entry.uris.get(file);
    return uri ? { uri, line, character: 0, endCharacter: 0 } : undefined;
  };
  for (const d of c.domains.values()) {
    const t = d.table;
    const m = t ? findMapping(t.rows, address) : undefined;
    if (!t || !m) continue;
    const row = floorRow(t.rows, address);
    const location = where(t.file, t.rows.line(row));
    const who = d.requesters.map((r) => requesterName(c, r)).join(', ');
    if (location && found.length < MAX_LOCATED) {
      found.push({ kind: 'iova', label: `IOVA ${hex(address)} in domain ${d.did}${who ? ` (${who})` : ''}`, description: `→ ${hex(m.hpa + (address - m.iova))} · ${sizeName(m.size)} page · ${m.read ? 'R' : '-'}${m.write ? 'W' : '-'}`, location });
    }
  }
  for (const { hit, iova } of reverseMapOf(entry).lookup(address)) {
    const location = where(hit.file, hit.line);
    if (!location || found.length >= MAX_LOCATED) continue;
    const who = hit.requesters.map((r) => requesterName(c, r)).join(', ');
    found.push({ kind: 'hpa', label: `Host address ${hex(address)} from domain ${hit.did}${who ? ` (${who})` : ''}`, description: `IOVA ${hex(iova)} · ${sizeName(hit.mapping.size)} page`, location });
  }
  return { found };
}

export const locateAddressFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => onRequest(connection, LocateAddressRequest, (params) => locateAddress(workspace, params)),
};
