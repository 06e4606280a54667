// viommu/translate: one DMA request walked through the capture's tables, as
// the IOVA Walk view and the API show it (each step with its dump line and
// its node in the trees).

import type { Connection } from 'vscode-languageserver/node';
import { parseRequesterName } from '../../model/bdf';
import { translate, type WalkResult } from '../../model/walk';
import { hex, parseNumber, qwordsHex } from '../../vtd/u64';
import { TranslateRequest, type TreeLink, type WireWalkResult } from '../../protocol';
import type { CaptureWorkspace } from '../captureWorkspace';
import { walkStepNodes } from '../tree/capture/walkNodes';
import { onRequest } from '../onRequest';
import type { Feature } from './feature';

function walkToWire(r: WalkResult, uriOf: (file: string) => string | undefined, nodes: readonly (TreeLink | undefined)[] = []): WireWalkResult {
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

export const translateFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => registerTranslate(connection, workspace),
};

function registerTranslate(connection: Connection, workspace: CaptureWorkspace): void {
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
}
