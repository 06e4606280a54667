// What a walk produces (its steps and result) and how it ends: with a host
// address, a fault (the one this capture's machine records, and the other
// machine's where they differ), or unknown (what the capture lacks).

import type { Structure } from '../vtd/layout';
import { fieldValue } from '../vtd/layout';
import { faultReason, qemuScalableReason } from '../vtd/faultReasons';
import { hex } from '../vtd/u64';
import type { Capture, IommuUnit, Location, Requester } from './types';
import type { PlatformKind } from './platform';

export interface WalkRequest {
  sid: number;
  /** PCI segment; undefined = the capture's own (segment 0 unless it has another). */
  segment?: number;
  /** Remapping unit; undefined = the one whose tables hold the requester. */
  unit?: string;
  iova: bigint;
  pasid?: number;
  write?: boolean;
}

export type WalkStepKind = 'unit' | 'root' | 'context' | 'pasid-dir' | 'pasid-entry' | 'page-table' | 'pass-through' | 'interrupt-window';

export interface WalkStep {
  kind: WalkStepKind;
  /** "root entry", "context entry", "PDPE", ... */
  name: string;
  level?: number;
  /** Base of the table read at this step, when known. */
  tableAddress?: bigint;
  /** Index into that table. */
  index?: number;
  /** The IOVA bits that give the index, [msb, lsb]. */
  iovaBits?: [number, number];
  /** The entry read (the whole value; 128-bit entries as hi:lo). */
  entry?: bigint;
  decoded?: Structure;
  /** Whether the capture shows this entry; false when the walk infers it. */
  visible: boolean;
  location?: Location;
  note: string;
}

export interface WalkFault {
  reason: number;
  name: string;
  description: string;
}

/** translated: a host address; fault: a fault reason; unknown: the capture lacks what the walk needs; interrupt-window: not a DMA translation. */
export type WalkOutcome = 'translated' | 'fault' | 'unknown' | 'interrupt-window';

export interface WalkResult {
  ok: boolean;
  outcome: WalkOutcome;
  request: WalkRequest;
  /** Which machine's rules give `fault`. */
  platform: PlatformKind;
  hpa?: bigint;
  pageSize?: bigint;
  permissions?: string;
  steps: WalkStep[];
  /** The fault this machine records. */
  fault?: WalkFault;
  /** The fault the other machine (QEMU, or real hardware) would record instead, where it differs. */
  alternative?: WalkFault & { on: 'qemu' | 'hardware' };
  /** The fault is qualified and FPD = 1 in the entry that governs the request: it is not recorded. */
  suppressed?: boolean;
  /** The PASID a fault record carries (PP = 1) although the request had none: QEMU in scalable mode records the RID_PASID. */
  recordedPasid?: number;
  /** outcome 'unknown': what the capture does not hold, in words ("the capture does not hold ..."). */
  unknown?: string;
  /** What the walk could not see, and what differs between machines, in words. */
  notes: string[];
}

/** Where the walk of the tables goes on: its unit, its mode and the rules for its faults. */
export interface WalkContext {
  capture: Capture;
  unit: IommuUnit | undefined;
  requester: Requester;
  request: WalkRequest;
  result: WalkResult;
  scalable: boolean;
}

export function faultOf(code: number): WalkFault {
  const r = faultReason(code);
  return { reason: code, name: r.name, description: r.description };
}

/**
 * Ends the walk with the fault the specification gives as `spec`, at a
 * stage ('context' for root, context and PASID structures). Sets the
 * reason this capture's machine records and the other's.
 */
export function failWith(w: Pick<WalkContext, 'capture' | 'result' | 'scalable' | 'request' | 'requester'>, spec: number, stage: 'context' | 'second' | 'first'): WalkResult {
  const r = w.result;
  const write = w.request.write === true;
  const qemu = w.scalable ? qemuScalableReason(spec, write, stage) : spec;
  const onQemu = r.platform === 'qemu';
  const recorded = onQemu ? qemu : spec;
  const other = onQemu ? spec : qemu;
  r.outcome = 'fault';
  r.fault = faultOf(recorded);
  if (other !== recorded) {
    r.alternative = { ...faultOf(other), on: onQemu ? 'hardware' : 'qemu' };
    r.notes.push(
      onQemu
        ? `The VT-d specification (real hardware) records ${hex(other, 2)} (${faultReason(other).description}) here; QEMU's intel-iommu records ${hex(recorded, 2)}.`
        : `QEMU's intel-iommu would record ${hex(other, 2)} (${faultReason(other).description}) here instead.`,
    );
  }
  const fpd = w.requester.context?.decoded ? fieldValue(w.requester.context.decoded, 'FPD') === 1n : false;
  if (fpd && faultReason(recorded).qualified) {
    r.suppressed = true;
    r.notes.push('FPD = 1 in the context entry: this qualified fault is neither recorded nor reported.');
  }
  if (w.scalable && w.request.pasid === undefined && stage !== 'context') {
    const ctxDecoded = w.requester.context?.decoded;
    const ridPasid = ctxDecoded ? Number(fieldValue(ctxDecoded, 'RID_PASID') ?? 0n) : 0;
    if (onQemu) {
      r.recordedPasid = ridPasid;
      r.notes.push(`QEMU records this request without PASID with PASID ${hex(ridPasid)} (the RID_PASID) and PP = 1; real hardware records it with PP = 0 (Linux prints NO_PASID).`);
    }
  }
  return r;
}

/** Ends the walk as unknown: the capture does not hold what it needs. */
export function unknownBecause(r: WalkResult, what: string): WalkResult {
  r.outcome = 'unknown';
  r.fault = undefined;
  r.unknown = what;
  return r;
}

export function finish(r: WalkResult, hpa: bigint, size: bigint, read: boolean, write: boolean): WalkResult {
  r.ok = true;
  r.outcome = 'translated';
  r.hpa = hpa;
  r.pageSize = size;
  r.permissions = (read ? 'R' : '') + (write ? 'W' : '') || '-';
  return r;
}

/** The files a walk reads, by format, and whether the capture holds each (or left it out, and why). */
export function fileState(capture: Capture, format: string): { held: boolean; why?: string } {
  if (capture.files.some((f) => f.parsed?.format === format)) return { held: true };
  const left = capture.leftOut.find((l) => l.name === format || l.name.endsWith(`/${format}`));
  return { held: false, why: left ? `${left.name} was left out: ${left.reason}` : undefined };
}

/** "the capture does not hold dmar_translation_struct (root and context entries)" with the reason it was left out. */
export function missingFile(capture: Capture, format: string, what: string): string {
  const s = fileState(capture, format);
  return `the capture does not hold ${format} (${what})${s.why ? `: ${s.why}` : ''}`;
}

/** Interrupt window: requests to 0xFEE00000-0xFEEFFFFF are not DMA translations. */
const IR_WINDOW_START = 0xfee00000n;
const IR_WINDOW_END = 0xfef00000n;

export function inInterruptWindow(addr: bigint, size = 1n): boolean {
  return addr < IR_WINDOW_END && addr + size > IR_WINDOW_START;
}

