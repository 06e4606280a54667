// The extension's custom requests (declared in src/protocol.ts): the capture
// summary and the translation walk.

import { onRequest } from '../onRequest';
import type { Connection } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { parseRequesterName } from '../../model/bdf';
import { translate, type WalkResult } from '../../model/walk';
import { findMapping, floorRow, mappingsOf, mappingTotals } from '../../model/mappings';
import type { PageTableRows } from '../../dumps/debugfs/pageTableRows';
import { domainOf, requesterName } from '../../model/keys';
import { hex, parseNumber, qwordsHex, sizeName } from '../../vtd/u64';
import {
  CaptureSummaryRequest,
  LocateAddressRequest,
  TranslateRequest,
  type CaptureSummary,
  type LocateAddressParams,
  type LocatedAddress,
  type WireLocation,
  type TreeLink,
  type WireWalkResult,
} from '../../protocol';
import type { CaptureEntry, CaptureWorkspace } from '../captureWorkspace';
import { reverseMapOf } from '../captureWorkspace';
import { walkStepNodes } from '../tree/capture/walkNodes';
import type { Feature } from './feature';

/** The capture of a document URI or of a capture folder URI. */

export function walkToWire(r: WalkResult, uriOf: (file: string) => string | undefined, nodes: readonly (TreeLink | undefined)[] = []): WireWalkResult {
  return {
    ok: r.ok,
    outcome: r.outcome,
    platform: r.platform,
    hpa: r.hpa !== undefined ? hex(r.hpa) : undefined,
    pageSize: r.pageSize !== undefined ? hex(r.pageSize) : undefined,
    permissions: r.permissions,
    fault: r.fault,
    alternative: r.alternative,
    unknown: r.unknown,
    notes: r.notes,
    steps: r.steps.map((s, i) => {
      const uri = s.location ? uriOf(s.location.file) : undefined;
      return {
        kind: s.kind,
        name: s.name,
        level: s.level,
        tableAddress: s.tableAddress !== undefined ? hex(s.tableAddress) : undefined,
        index: s.index,
        iovaBits: s.iovaBits,
        entry: s.entry !== undefined ? qwordsHex(s.entry) : undefined,
        visible: s.visible,
        note: s.note,
        fields: s.decoded?.fields
          .filter((f) => !f.reserved || f.raw !== 0n)
          .map((f) => ({ name: f.name, bits: f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`, value: hex(f.raw), meaning: f.meaning })),
        location: s.location && uri ? { uri, line: s.location.span.line, character: s.location.span.start, endCharacter: s.location.span.end } : undefined,
        node: nodes[i],
      };
    }),
  };
}

export function summaryOf(entry: CaptureEntry): CaptureSummary {
  const c = entry.capture;
  return {
    folder: entry.folder ? URI.file(entry.folder).toString() : '',
    files: c.files.map((f) => ({
      name: f.name,
      uri: entry.uris.get(f.name) ?? '',
      format: f.parsed?.format,
      dialect: f.parsed?.dialect ?? [],
      errors: c.findings.filter((x) => x.file === f.name && x.severity === 'error').length,
      warnings: c.findings.filter((x) => x.file === f.name && x.severity === 'warning').length,
    })),
    units: c.units.map((u) => ({
      name: u.name,
      mode: u.mode,
      translation: u.translationEnabled,
      interruptRemapping: u.interruptRemappingEnabled,
      queuedInvalidation: u.queuedInvalidationEnabled,
      cap: u.cap !== undefined ? hex(u.cap) : undefined,
      ecap: u.ecap !== undefined ? hex(u.ecap) : undefined,
    })),
    requesters: [...c.requesters.values()].map((r) => ({
      bdf: requesterName(c, r),
      unit: r.unit,
      did: r.did,
      group: r.group,
      mappings: domainOf(c, r)?.table?.rows.count ?? 0,
      iovas: sampleIovas(domainOf(c, r)?.table?.rows),
    })),
    faults: c.faults
      .filter((f) => f.kind === 'dma' && f.address !== undefined)
      .map((f) => ({ bdf: f.requester ? requesterName(c, f.requester) : f.bdf, unit: f.unit, iova: hex(f.address!), ...(f.write !== undefined ? { write: f.write } : {}), reason: f.reasonText })),
    domains: [...c.domains.values()].map((d) => {
      const totals = d.table ? mappingTotals(d.table.rows) : { leaves: 0, bytes: 0n };
      return { did: d.did, unit: d.unit, requesters: d.requesters.map((r) => requesterName(c, r)), levels: d.levels, mappings: totals.leaves, bytes: hex(totals.bytes) };
    }),
    leftOut: entry.capture.leftOut.map(({ name, reason }) => ({ name, reason })),
    platform: { kind: c.platform.kind, evidence: c.platform.evidence },
  };
}

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

/** The first IOVA of up to three mapped ranges of a table (a range: rows of consecutive pages). */
function sampleIovas(rows: PageTableRows | undefined): string[] {
  const out: string[] = [];
  if (!rows) return out;
  for (const m of mappingsOf(rows)) {
    if (out.length >= 3) break;
    const iova = hex(m.iova);
    if (out.length === 0 || BigInt(out[out.length - 1]) + 0x100000n <= m.iova) out.push(iova);
  }
  return out;
}

export const customRequestsFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => registerCustomRequests(connection, workspace),
};

function registerCustomRequests(connection: Connection, workspace: CaptureWorkspace): void {
  onRequest(connection, TranslateRequest, (params) => {
    const entry = workspace.captureFor(params.uri);
    const empty: WireWalkResult = { ok: false, steps: [], notes: [] };
    if (!entry) return { ...empty, error: 'No capture is open for this document.' };
    const name = parseRequesterName(params.bdf);
    if (name === undefined) return { ...empty, error: `"${params.bdf}" is not a requester id (BB:DD.F or SSSS:BB:DD.F)` };
    const iova = parseNumber(params.iova);
    if (iova === undefined) return { ...empty, error: `"${params.iova}" is not a 64-bit address` };
    const unit = typeof params.unit === 'string' ? params.unit : undefined;
    const r = translate(entry.capture, { sid: name.sid, segment: name.segment, unit, iova, pasid: params.pasid, write: params.write });
    return walkToWire(r, (file) => entry.uris.get(file), walkStepNodes(entry, r));
  });
  onRequest(connection, LocateAddressRequest, (params) => locateAddress(workspace, params));
  onRequest(connection, CaptureSummaryRequest, (params) => {
    const entry = workspace.captureFor(params.uri);
    return entry ? summaryOf(entry) : null;
  });
}
