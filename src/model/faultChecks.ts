// Faults are what a user opens a capture for: each fault line of the kernel
// log becomes a finding that explains it, with the verdict of the walk of the
// same request (requester, address, PASID, read or write) through the
// capture's tables:
//  - the walk faults with the reason the log records: they agree (info);
//  - the walk faults with another reason: a finding with both (warning); on a
//    capture whose machine is not known, either machine's reason agrees;
//  - the walk translates: the capture maps the address now, so the mapping
//    came after the fault or the device used a stale translation (warning);
//  - the walk cannot tell: what the capture lacks (info), and once per
//    capture which file is missing.

import type { Finding } from '../dumps/types';
import { faultReason, faultReasonLabel } from '../vtd/faultReasons';
import { hex } from '../vtd/u64';
import { fieldValue } from '../vtd/layout';
import type { Capture, FaultView } from './types';
import { requesterName } from './keys';
import { translate, type WalkResult } from './walk';

/** Past this many faults, the rest are explained without a walk each. */
const MAX_WALKED_FAULTS = 2000;

function what(f: FaultView): string {
  return f.kind === 'dma' ? `${f.write ? 'write' : 'read'} of ${hex(f.address ?? 0n)}${f.pasid !== undefined ? ` PASID ${hex(f.pasid)}` : ''}` : `interrupt index ${hex(f.index ?? 0)}`;
}

/** The step a walk stopped at, in words. */
function stopOf(w: WalkResult): string {
  const last = w.steps[w.steps.length - 1];
  return last ? `at the ${last.name}${last.entry !== undefined ? ` ${hex(last.entry)}` : ''}${last.visible ? '' : ' (inferred)'}` : 'before any table';
}

/**
 * The PASID the faulting request carried. QEMU in scalable mode records a
 * request without PASID with its RID_PASID and PP = 1 (Linux then prints
 * "PASID 0x0"): with PASIDE clear in the context entry, a logged PASID equal
 * to the RID_PASID is such a request.
 */
function requestPasid(f: FaultView): number | undefined {
  const ctx = f.requester?.context?.decoded;
  if (f.pasid === undefined || !ctx || ctx.type !== 'sm-context-entry') return f.pasid;
  const paside = fieldValue(ctx, 'PASIDE') === 1n;
  const ridPasid = Number(fieldValue(ctx, 'RID_PASID') ?? 0n);
  return !paside && f.pasid === ridPasid ? undefined : f.pasid;
}

/** The walk of the request a DMA fault is about (undefined for an interrupt-remapping fault). */
export function walkOfFault(capture: Capture, f: FaultView): WalkResult | undefined {
  if (f.kind !== 'dma' || f.address === undefined) return undefined;
  return translate(capture, { sid: f.sid, segment: f.requester?.segment, unit: f.unit, iova: f.address, pasid: requestPasid(f), write: f.write });
}

/** The outcome of a walk in one line of words (for hovers and reports). */
export function walkOutcomeText(w: WalkResult): string {
  switch (w.outcome) {
    case 'translated':
      return `→ now maps to ${hex(w.hpa!)} (${w.permissions})`;
    case 'fault':
      return `→ fault ${faultReasonLabel(w.fault!.reason)}${w.alternative ? ` (${w.alternative.on === 'hardware' ? 'real hardware' : "QEMU's intel-iommu"}: ${hex(w.alternative.reason, 2)})` : ''}`;
    case 'interrupt-window':
      return '→ the interrupt window: not a DMA translation';
    case 'unknown':
      return `→ unknown: ${w.unknown}`;
  }
}

function reasonsAgree(w: WalkResult, logged: number): boolean {
  if (w.fault?.reason === logged) return true;
  // A capture of an unknown machine: QEMU's reason agrees as well as the specification's.
  return w.platform === 'unknown' && w.alternative?.reason === logged;
}

export function faultFindings(capture: Capture): Finding[] {
  const out: Finding[] = [];
  let missing: string | undefined;
  capture.faults.forEach((f, i) => {
    const r = f.reason !== undefined ? faultReason(f.reason) : undefined;
    const who = f.requester ? requesterName(capture, f.requester) : f.bdf;
    const head =
      f.reason !== undefined && r
        ? `Fault ${hex(f.reason, 2)} ${r.name}: ${r.description}. ${who} ${what(f)}.`
        : `QEMU detected a translation failure: ${who} ${f.kind === 'dma' ? `at ${hex(f.address ?? 0n)}` : ''} (its message gives no reason).`;
    const finding = (severity: Finding['severity'], code: string, verdict: string, related?: Finding['related']): void => {
      out.push({ severity, kind: 'semantic', code, message: `${head} ${verdict}`, span: f.location.span, file: f.location.file, related, faultReason: f.reason });
    };
    const w = i < MAX_WALKED_FAULTS ? walkOfFault(capture, f) : undefined;
    if (!w) {
      finding('info', 'fault', r?.qualified ? 'A qualified fault: a context entry with FPD = 1 would suppress it.' : 'Not a qualified fault: FPD does not suppress it.');
      return;
    }
    const last = w.steps[w.steps.length - 1];
    const at = last?.location ? [{ file: last.location.file, span: last.location.span, message: `the walk stops here: ${last.note}` }] : undefined;
    switch (w.outcome) {
      case 'fault': {
        const walked = w.fault!;
        if (f.reason === undefined) {
          finding('info', 'fault', `The walk of the same request gives ${faultReasonLabel(walked.reason)} ${stopOf(w)} (for a ${f.write === false ? 'read' : f.write ? 'write' : 'read; a write would give the write reason'}).`, at);
        } else if (reasonsAgree(w, f.reason)) {
          finding('info', 'fault', `The walk of the same request agrees: ${faultReasonLabel(f.reason)} ${stopOf(w)}.${w.alternative && w.platform !== 'unknown' ? ` (${w.alternative.on === 'hardware' ? 'Real hardware' : "QEMU's intel-iommu"} would record ${hex(w.alternative.reason, 2)}.)` : ''}`, at);
        } else {
          finding(
            'warning',
            'fault-reason-disagrees',
            `The walk of the same request records ${faultReasonLabel(walked.reason)} ${stopOf(w)}${w.platform === 'qemu' ? " (as QEMU's intel-iommu records it)" : ''}, not ${hex(f.reason, 2)}: the tables changed after the fault, or the log comes from another machine than the tables.`,
            at,
          );
        }
        return;
      }
      case 'translated':
        finding(
          'warning',
          'fault-address-mapped',
          `The capture maps that IOVA to ${hex(w.hpa!)} (${w.permissions}): the mapping came after the fault, or the device used a stale translation.`,
          at,
        );
        return;
      case 'interrupt-window':
        finding('info', 'fault', 'The address is in the interrupt window: it is not a DMA translation.');
        return;
      case 'unknown':
        missing ??= w.unknown;
        finding('info', 'fault-walk-unknown', `The walk of the same request cannot tell: ${w.unknown}.`);
        return;
    }
  });
  if (missing !== undefined && capture.faults.length > 0) {
    const first = capture.faults[0];
    out.push({
      severity: 'warning',
      kind: 'semantic',
      code: 'capture-incomplete',
      message: `The faults of this capture cannot be checked against its tables: ${missing}.`,
      span: first.location.span,
      file: first.location.file,
    });
  }
  return out;
}
