// viommu/captureSummary: what a capture holds (its files, units, requesters,
// domains, faults, what was left out), for commands' prompts and the API.

import type { Connection } from 'vscode-languageserver/node';
import { mappingsOf, mappingTotals } from '../../model/mappings';
import { URI } from 'vscode-uri';
import type { PageTableRows } from '../../dumps/debugfs/pageTableRows';
import { domainOf, requesterName } from '../../model/keys';
import { hex } from '../../vtd/u64';
import { CaptureSummaryRequest, type CaptureSummary } from '../../protocol';
import type { CaptureEntry, CaptureWorkspace } from '../captureWorkspace';
import { onRequest } from '../onRequest';
import type { Feature } from './feature';

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

export const captureSummaryFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => registerCaptureSummary(connection, workspace),
};

function registerCaptureSummary(connection: Connection, workspace: CaptureWorkspace): void {
  onRequest(connection, CaptureSummaryRequest, (params) => {
    const entry = workspace.captureFor(params.uri);
    return entry ? summaryOf(entry) : null;
  });
}
