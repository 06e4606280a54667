// The translation walk: what the IOMMU reads, step by step, to translate one
// DMA request (requester, IOVA, optional PASID, read or write), and either the
// host address it reaches, the fault reason it records, or what the capture
// lacks to tell.
//
// The fault reason is the one the machine that recorded the capture records:
// QEMU's intel-iommu when the capture comes from QEMU (it records the legacy
// reasons in scalable mode for root, context and second-level faults, see
// qemuScalableReason), the VT-d specification otherwise; the other machine's
// reason, where it differs, is given beside it.
//
// debugfs prints present context entries, present PASID entries and the paths
// of present leaves, not whole tables: a step the dump cannot show is marked
// `visible: false` and the walk says what it concluded from the absence.

import type { Structure } from '../vtd/layout';
import { fieldValue } from '../vtd/layout';
import { FR } from '../vtd/faultReasons';
import { decodePasidDirEntry } from '../vtd/pasidEntry';
import { hex } from '../vtd/u64';
import type { Capture, IommuUnit, Location, Requester } from './types';
import { formatBdf } from './bdf';
import { findRequester, requesterName } from './keys';
import { decodeContextOf } from './units';
import { walkTable } from './walkTables';
import { failWith, fileState, finish, inInterruptWindow, missingFile, unknownBecause, type WalkContext, type WalkRequest, type WalkResult } from './walkResult';

export type { WalkContext, WalkFault, WalkOutcome, WalkRequest, WalkResult, WalkStep, WalkStepKind } from './walkResult';

/** The unit that serves a requester: its own, the one asked for, or the only unit that translates. */
function unitFor(capture: Capture, req: WalkRequest, requester: Requester | undefined): IommuUnit | undefined {
  const name = req.unit ?? requester?.unit;
  if (name !== undefined) return capture.units.find((u) => u.name === name);
  const translating = capture.units.filter((u) => u.rootTableAddress !== undefined || u.mode !== 'unknown');
  return translating.length === 1 ? translating[0] : capture.units.length === 1 ? capture.units[0] : undefined;
}

/** Translates one request against what the capture shows. */
export function translate(capture: Capture, req: WalkRequest): WalkResult {
  const result: WalkResult = { ok: false, outcome: 'unknown', request: req, platform: capture.platform.kind, steps: [], notes: [] };
  const requester = findRequester(capture, req.sid, { segment: req.segment, unit: req.unit });
  const unit = unitFor(capture, req, requester);
  const scalable = unit?.mode === 'scalable' || (requester?.pasidEntries.length ?? 0) > 0;
  const who = requester ? requesterName(capture, requester) : formatBdf(req.sid);

  if (req.pasid === undefined && inInterruptWindow(req.iova)) {
    result.outcome = 'interrupt-window';
    result.steps.push({
      kind: 'interrupt-window',
      name: 'interrupt window',
      visible: true,
      note: req.write
        ? `a DMA write to ${hex(req.iova)} is an interrupt request (a message signalled interrupt): interrupt remapping handles it, DMA remapping never translates it`
        : `${hex(req.iova)} is in the interrupt window 0xFEE00000-0xFEEFFFFF: it is not translated`,
    });
    if (!req.write) {
      result.notes.push(
        capture.platform.kind === 'qemu'
          ? "QEMU's intel-iommu answers reads of the interrupt window from its own region (zeros) without a translation or a fault."
          : 'The VT-d specification does not translate requests to this range: a read of it is refused as an unsupported request.',
      );
    }
    return result;
  }

  const dmar = fileState(capture, 'dmar_translation_struct');
  if (!dmar.held) return unknownBecause(result, missingFile(capture, 'dmar_translation_struct', 'root and context entries'));
  if (!unit) return unknownBecause(result, `the capture does not say which remapping unit serves ${who}: dmar_translation_struct lists it under none of its units`);

  if (unit.translationEnabled === false) {
    result.steps.push({ kind: 'unit', name: unit.name, visible: true, note: 'DMA remapping is disabled (GSTS.TES = 0): requests pass untranslated' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  const w: WalkContext = {
    capture,
    unit,
    requester: requester ?? { key: '', segment: req.segment ?? 0, sid: req.sid, bdf: formatBdf(req.sid), pasidEntries: [], tables: [], irteIndices: [], irqs: [], faults: [] },
    request: req,
    result,
    scalable,
  };
  const bus = req.sid >> 8;
  const devfn = req.sid & 0xff;

  // Root entry.
  if (!requester?.root) {
    const busListed = [...capture.requesters.values()].some((r) => r.unit === unit.name && r.sid >> 8 === bus && r.root);
    result.steps.push({
      kind: 'root',
      name: 'root entry',
      tableAddress: unit.rootTableAddress,
      index: bus,
      visible: false,
      note: busListed
        ? `bus ${bus.toString(16).padStart(2, '0')} has a present root entry, but ${who} has no present context entry`
        : `dmar_translation_struct lists no present context entry on bus ${bus.toString(16).padStart(2, '0')} of ${unit.name}`,
    });
    if (!busListed) result.notes.push('debugfs prints only present context entries: the root entry itself is not shown, so "not present" is inferred.');
    return failWith(w, busListed ? (scalable ? FR.SM_CONTEXT_ENTRY_P : FR.CONTEXT_ENTRY_P) : scalable ? FR.SM_ROOT_ENTRY_P : FR.ROOT_ENTRY_P, 'context');
  }
  result.steps.push({
    kind: 'root',
    name: scalable ? 'scalable-mode root entry' : 'root entry',
    tableAddress: unit.rootTableAddress,
    index: bus,
    entry: (requester.root.hi << 64n) | requester.root.lo,
    decoded: requester.root.decoded,
    visible: true,
    location: requester.root.location,
    note: scalable ? `bus ${bus}: ${devfn < 0x80 ? 'lower' : 'upper'} context table` : `bus ${bus}: context table`,
  });

  // Context entry.
  const ctx = requester.context;
  if (!ctx) return failWith(w, scalable ? FR.SM_CONTEXT_ENTRY_P : FR.CONTEXT_ENTRY_P, 'context');
  const ctxTable = scalable ? fieldAddressOf(requester.root.decoded, devfn < 0x80 ? 'LCTP' : 'UCTP') : fieldAddressOf(requester.root.decoded, 'CTP');
  result.steps.push({
    kind: 'context',
    name: scalable ? 'scalable-mode context entry' : 'context entry',
    tableAddress: ctxTable,
    index: scalable ? devfn & 0x7f : devfn,
    entry: (ctx.hi << 64n) | ctx.lo,
    decoded: ctx.decoded,
    visible: true,
    location: ctx.location,
    note: ctx.decoded.summary,
  });
  const ctxFault = ctx.decoded.findings.find((f) => f.faultReason !== undefined && f.severity === 'error');
  if (ctxFault) {
    result.notes.push(ctxFault.message);
    return failWith(w, ctxFault.faultReason as number, 'context');
  }
  return scalable ? walkScalable(w) : walkLegacy(w);
}

function fieldAddressOf(s: Structure, name: string): bigint | undefined {
  const f = s.fields.find((x) => x.name === name);
  return f ? (f.address ?? f.raw << BigInt(f.lsb)) : undefined;
}

function walkLegacy(w: WalkContext): WalkResult {
  const { requester, request: req, result } = w;
  const decoded = requester.context!.decoded;
  const tt = Number(fieldValue(decoded, 'TT') ?? 0n);
  if (tt === 2) {
    result.steps.push({ kind: 'pass-through', name: 'pass-through', visible: true, note: 'TT = 10: untranslated requests pass through (IOVA = host address)' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  if (req.pasid !== undefined) result.notes.push('Legacy mode ignores the PASID of a request.');
  const aw = Number(fieldValue(decoded, 'AW') ?? 0n);
  const root = fieldAddressOf(decoded, 'SLPTPTR') ?? 0n;
  return walkTable(w, { aw, root, firstLevel: false });
}

/** The PASID directory entry the kernel printed in a fault dump for this requester, if any. */
function dumpedPasidDirEntry(capture: Capture, requester: Requester): { value: bigint; location: Location } | undefined {
  const ctx = requester.context;
  if (!ctx) return undefined;
  for (const f of capture.files) {
    if (f.parsed?.format !== 'dmesg') continue;
    for (const r of f.parsed.records) {
      if (r.kind !== 'fault-dump' || (requester.unit !== undefined && r.unit !== requester.unit)) continue;
      const context = r.lines.find((l) => l.kind === 'context');
      if (!context || context.values[0] !== ctx.hi || context.values[1] !== ctx.lo) continue;
      const dir = r.lines.find((l) => l.kind === 'pasid-dir');
      if (dir) return { value: dir.values[0], location: { file: f.name, span: dir.span } };
    }
  }
  return undefined;
}

function walkScalable(w: WalkContext): WalkResult {
  const { capture, requester, request: req, result } = w;
  const ctx = requester.context!.decoded;
  const pasid = req.pasid ?? Number(fieldValue(ctx, 'RID_PASID') ?? 0n);
  if (req.pasid !== undefined && fieldValue(ctx, 'PASIDE') === 0n) return failWith(w, FR.SM_CONTEXT_PASIDE_CLEAR, 'context');
  const entry = requester.pasidEntries.find((p) => p.pasid === pasid);
  const dirTable = fieldAddressOf(ctx, 'PASIDDIRPTR');
  const dumped = pasid >> 6 === 0 ? dumpedPasidDirEntry(capture, requester) : undefined;
  if (dumped) {
    const decoded = decodePasidDirEntry(dumped.value, decodeContextOf(w.unit));
    result.steps.push({
      kind: 'pasid-dir',
      name: 'PASID directory entry',
      tableAddress: dirTable,
      index: pasid >> 6,
      entry: dumped.value,
      decoded,
      visible: true,
      location: dumped.location,
      note: `${decoded.summary} (from the kernel's fault dump; debugfs does not print it)`,
    });
    if ((dumped.value & 1n) === 0n) return failWith(w, FR.PASID_DIR_ENTRY_P, 'context');
  } else {
    result.steps.push({
      kind: 'pasid-dir',
      name: 'PASID directory entry',
      tableAddress: dirTable,
      index: pasid >> 6,
      visible: false,
      note: entry ? `not printed by debugfs; present, since PASID ${pasid} has a present table entry` : `not printed by debugfs; PASID ${pasid} has no present table entry`,
    });
  }
  if (!entry && requester.pasidEntriesUnknown) {
    return unknownBecause(result, `the capture does not hold the PASID entries of ${requester.bdf}: its dmar_translation_struct rows have no PASID columns (cut off)`);
  }
  if (!entry) {
    if (!dumped) result.notes.push('debugfs prints neither the PASID directory nor absent PASID entries: the directory entry may be the one not present (0x51).');
    return failWith(w, FR.PASID_ENTRY_P, 'context');
  }
  result.steps.push({
    kind: 'pasid-entry',
    name: 'PASID table entry',
    tableAddress: dumped ? dumped.value & ~0xfffn : undefined,
    index: pasid & 0x3f,
    entry: (entry.qwords[2] << 128n) | (entry.qwords[1] << 64n) | entry.qwords[0],
    decoded: entry.decoded,
    visible: true,
    location: entry.location,
    note: entry.decoded.summary,
  });
  const peFault = entry.decoded.findings.find((f) => f.faultReason !== undefined && f.severity === 'error');
  if (peFault) {
    result.notes.push(peFault.message);
    return failWith(w, peFault.faultReason as number, 'context');
  }
  const pgtt = Number(fieldValue(entry.decoded, 'PGTT') ?? 0n);
  if (pgtt === 4) {
    result.steps.push({ kind: 'pass-through', name: 'pass-through', visible: true, note: 'PGTT = 100: pass-through (IOVA = host address)' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  if (pgtt === 1) {
    const flpm = Number(fieldValue(entry.decoded, 'FLPM') ?? 0n);
    const root = fieldAddressOf(entry.decoded, 'FSPTPTR') ?? fieldAddressOf(entry.decoded, 'FLPTR') ?? 0n;
    return walkTable(w, { aw: flpm === 1 ? 3 : 2, root, firstLevel: true, pasid });
  }
  if (pgtt !== 2 && pgtt !== 3) return failWith(w, FR.PASID_TABLE_ENTRY_INV, 'context');
  if (pgtt === 3) result.notes.push("Nested translation: only the second stage is walked (the first-stage table is the guest process's).");
  const aw = Number(fieldValue(entry.decoded, 'AW') ?? 0n);
  const root = fieldAddressOf(entry.decoded, 'SSPTPTR') ?? 0n;
  return walkTable(w, { aw, root, firstLevel: false, pasid });
}
