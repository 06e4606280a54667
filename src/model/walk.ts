// The translation walk: what the IOMMU reads, step by step, to translate one
// DMA request (requester, IOVA, optional PASID, read or write), and either the
// host address it reaches or the fault reason hardware would record.
//
// debugfs prints present context entries, present PASID entries and the paths
// of present leaves, not whole tables: a step the dump cannot show is marked
// `visible: false` and the walk says what it concluded from the absence.

import type { Structure } from '../vtd/layout';
import { fieldValue } from '../vtd/layout';
import { awBits, awLevels } from '../vtd/contextEntry';
import { decodeFlEntry, decodeSlEntry, LEVEL_NAMES, levelShift, iovaIndex, slEntryInfo } from '../vtd/paging';
import { faultReason } from '../vtd/faultReasons';
import { hex } from '../vtd/u64';
import type { Capture, Location, PageTableView, Requester } from './types';
import { floorRow } from './mappings';
import { pageTableRowSpans } from './decodeFile';
import { formatBdf } from './bdf';

export interface WalkRequest {
  sid: number;
  iova: bigint;
  pasid?: number;
  write?: boolean;
}

export type WalkStepKind = 'unit' | 'root' | 'context' | 'pasid-dir' | 'pasid-entry' | 'page-table' | 'pass-through';

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
  /** Whether the dump shows this entry; false when the walk infers it. */
  visible: boolean;
  location?: Location;
  note: string;
}

export interface WalkFault {
  reason: number;
  name: string;
  description: string;
}

export interface WalkResult {
  ok: boolean;
  request: WalkRequest;
  hpa?: bigint;
  pageSize?: bigint;
  permissions?: string;
  steps: WalkStep[];
  fault?: WalkFault;
  /** What the walk could not see, in words. */
  notes: string[];
}

function fault(code: number): WalkFault {
  const r = faultReason(code);
  return { reason: code, name: r.name, description: r.description };
}

function perms(read: boolean, write: boolean): string {
  return (read ? 'R' : '') + (write ? 'W' : '') || '-';
}

/** Translates one request against what the capture shows. */
export function translate(capture: Capture, req: WalkRequest): WalkResult {
  const result: WalkResult = { ok: false, request: req, steps: [], notes: [] };
  const requester = capture.requesters.get(req.sid);
  const unit = capture.units.find((u) => u.name === requester?.unit) ?? capture.units[0];
  const scalable = unit?.mode === 'scalable';

  if (unit && unit.translationEnabled === false) {
    result.steps.push({ kind: 'unit', name: unit.name, visible: true, note: 'DMA remapping is disabled (GSTS.TES = 0): requests pass untranslated' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  const bus = req.sid >> 8;
  const devfn = req.sid & 0xff;

  // Root entry.
  if (!requester?.root) {
    const busListed = [...capture.requesters.values()].some((r) => r.sid >> 8 === bus && r.root);
    result.steps.push({
      kind: 'root',
      name: 'root entry',
      tableAddress: unit?.rootTableAddress,
      index: bus,
      visible: false,
      note: busListed
        ? `bus ${bus.toString(16).padStart(2, '0')} has a present root entry, but ${formatBdf(req.sid)} has no present context entry`
        : `dmar_translation_struct lists no present context entry on bus ${bus.toString(16).padStart(2, '0')}`,
    });
    result.fault = fault(busListed ? (scalable ? 0x41 : 0x2) : scalable ? 0x39 : 0x1);
    if (!busListed) result.notes.push('debugfs prints only present context entries: the root entry itself is not shown, so "not present" is inferred.');
    return result;
  }
  result.steps.push({
    kind: 'root',
    name: scalable ? 'scalable-mode root entry' : 'root entry',
    tableAddress: unit?.rootTableAddress,
    index: bus,
    entry: (requester.root.hi << 64n) | requester.root.lo,
    decoded: requester.root.decoded,
    visible: true,
    location: requester.root.location,
    note: scalable ? `bus ${bus}: ${devfn < 0x80 ? 'lower' : 'upper'} context table` : `bus ${bus}: context table`,
  });

  // Context entry.
  const ctx = requester.context;
  if (!ctx) {
    result.fault = fault(scalable ? 0x41 : 0x2);
    return result;
  }
  const ctxTable = scalable
    ? fieldAddressOf(requester.root.decoded, devfn < 0x80 ? 'LCTP' : 'UCTP')
    : fieldAddressOf(requester.root.decoded, 'CTP');
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
    result.fault = fault(ctxFault.faultReason as number);
    result.notes.push(ctxFault.message);
    return result;
  }
  return scalable ? walkScalable(capture, requester, req, result) : walkLegacy(capture, requester, req, result);
}

function fieldAddressOf(s: Structure, name: string): bigint | undefined {
  const f = s.fields.find((x) => x.name === name);
  return f ? (f.address ?? f.raw << BigInt(f.lsb)) : undefined;
}

function walkLegacy(capture: Capture, requester: Requester, req: WalkRequest, result: WalkResult): WalkResult {
  const decoded = requester.context!.decoded;
  const tt = Number(fieldValue(decoded, 'TT') ?? 0n);
  if (tt === 2) {
    result.steps.push({ kind: 'pass-through', name: 'pass-through', visible: true, note: 'TT = 10: untranslated requests pass through (IOVA = host address)' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  if (req.pasid !== undefined) result.notes.push('Legacy mode ignores the PASID of a request.');
  const aw = Number(fieldValue(decoded, 'AW') ?? 0n);
  const root = fieldAddressOf(decoded, 'SLPTPTR') ?? 0n;
  return walkTable(capture, requester, req, result, { aw, root, firstLevel: false, scalable: false });
}

function walkScalable(capture: Capture, requester: Requester, req: WalkRequest, result: WalkResult): WalkResult {
  const ctx = requester.context!.decoded;
  const pasid = req.pasid ?? Number(fieldValue(ctx, 'RID_PASID') ?? 0n);
  if (req.pasid !== undefined && fieldValue(ctx, 'PASIDE') === 0n) {
    result.fault = fault(0x45);
    return result;
  }
  const entry = requester.pasidEntries.find((p) => p.pasid === pasid);
  result.steps.push({
    kind: 'pasid-dir',
    name: 'PASID directory entry',
    tableAddress: fieldAddressOf(ctx, 'PASIDDIRPTR'),
    index: pasid >> 6,
    iovaBits: undefined,
    visible: false,
    note: entry
      ? `not printed by debugfs; present, since PASID ${pasid} has a present table entry`
      : `not printed by debugfs; PASID ${pasid} has no present table entry`,
  });
  if (!entry) {
    result.fault = fault(0x59);
    return result;
  }
  result.steps.push({
    kind: 'pasid-entry',
    name: 'PASID table entry',
    index: pasid & 0x3f,
    entry: (entry.qwords[2] << 128n) | (entry.qwords[1] << 64n) | entry.qwords[0],
    decoded: entry.decoded,
    visible: true,
    location: entry.location,
    note: entry.decoded.summary,
  });
  const pgtt = Number(fieldValue(entry.decoded, 'PGTT') ?? 0n);
  if (pgtt === 4) {
    result.steps.push({ kind: 'pass-through', name: 'pass-through', visible: true, note: 'PGTT = 100: pass-through (IOVA = host address)' });
    return finish(result, req.iova, 1n << 12n, true, true);
  }
  if (pgtt === 1) {
    const flpm = Number(fieldValue(entry.decoded, 'FLPM') ?? 0n);
    const root = fieldAddressOf(entry.decoded, 'FSPTPTR') ?? fieldAddressOf(entry.decoded, 'FLPTR') ?? 0n;
    return walkTable(capture, requester, req, result, { aw: flpm === 1 ? 3 : 2, root, firstLevel: true, scalable: true, pasid });
  }
  if (pgtt !== 2 && pgtt !== 3) {
    result.fault = fault(0x5b);
    return result;
  }
  if (pgtt === 3) result.notes.push('Nested translation: only the second stage is walked (the first-stage table is the guest process\'s).');
  const aw = Number(fieldValue(entry.decoded, 'AW') ?? 0n);
  const root = fieldAddressOf(entry.decoded, 'SSPTPTR') ?? 0n;
  return walkTable(capture, requester, req, result, { aw, root, firstLevel: false, scalable: true, pasid });
}

interface TableWalk {
  aw: number;
  root: bigint;
  firstLevel: boolean;
  scalable: boolean;
  pasid?: number;
}

function findTable(requester: Requester, capture: Capture, root: bigint, pasid?: number): PageTableView | undefined {
  const own = requester.tables.find((t) => t.pgd === root && (pasid === undefined || t.pasid === undefined || t.pasid === pasid));
  if (own) return own;
  for (const r of capture.requesters.values()) {
    const t = r.tables.find((x) => x.pgd === root);
    if (t) return t;
  }
  return undefined;
}

function walkTable(capture: Capture, requester: Requester, req: WalkRequest, result: WalkResult, w: TableWalk): WalkResult {
  const levels = awLevels(w.aw);
  const width = w.firstLevel ? (levels === 5 ? 57 : 48) : awBits(w.aw);
  if (req.iova >> BigInt(width) !== 0n) {
    result.fault = fault(w.firstLevel ? 0x80 : w.scalable ? 0x83 : 0x4);
    result.notes.push(`IOVA ${hex(req.iova)} is beyond the ${width}-bit address width of a ${levels}-level table.`);
    return result;
  }
  const table = findTable(requester, capture, w.root, w.pasid);
  if (!table) result.notes.push(`No page-table dump of the table at ${hex(w.root)} in the capture: its entries cannot be shown.`);
  const file = capture.files.find((f) => f.name === table?.file);
  const lines = file?.lines;
  let tableAddress = w.root;
  let read = true;
  let write = true;
  for (let level = levels; level >= 1; level--) {
    const shift = levelShift(level);
    const name = LEVEL_NAMES[level] ?? `level ${level}`;
    const step: WalkStep = {
      kind: 'page-table',
      name,
      level,
      tableAddress,
      index: iovaIndex(req.iova, level),
      iovaBits: [shift + 8, shift],
      visible: false,
      note: '',
    };
    result.steps.push(step);
    // Every row whose IOVA agrees with the request on bits `shift` and up went
    // through the same entry at this level.
    const row = table ? rowUnder(table, req.iova, shift) : -1;
    const value = row >= 0 ? table!.rows.entry(row, level) : undefined;
    if (!table) {
      step.note = 'entry not shown (no dump of this table)';
      result.fault = undefined;
      result.notes.push('The walk stops here: the capture does not hold this table.');
      return result;
    }
    if (value === undefined || value === 0n) {
      step.note = 'not present: the dump lists no present leaf below this entry';
      step.entry = value ?? 0n;
      step.visible = value !== undefined;
      result.fault = fault(notPresentReason(w, req.write === true));
      return result;
    }
    step.entry = value;
    step.visible = true;
    step.decoded = w.firstLevel ? decodeFlEntry(value, level) : decodeSlEntry(value, level);
    step.note = step.decoded.summary;
    const line = table.rows.line(row);
    const spans = pageTableRowSpans(line, lines?.line(line));
    step.location = { file: table.file, span: spans[level] ?? { line, start: 0, end: 0 } };
    const rsvd = step.decoded.findings.find((f) => f.code === 'reserved-bits' || f.code === 'address-beyond-haw');
    if (rsvd) {
      result.fault = fault(w.firstLevel ? 0x72 : w.scalable ? 0x7a : 0xc);
      result.notes.push(rsvd.message);
      return result;
    }
    const info = w.firstLevel ? flInfo(value, level) : slEntryInfo(value, level);
    read = read && info.read;
    write = write && info.write;
    if (req.write ? !write : !read) {
      result.fault = fault(permissionReason(w, req.write === true));
      return result;
    }
    if (info.leaf) {
      const size = 1n << BigInt(shift);
      return finish(result, info.address + (req.iova & (size - 1n)), size, read, write);
    }
    tableAddress = info.address;
  }
  return result;
}

/** A row whose IOVA shares the bits above `bit` with the request, or -1. */
function rowUnder(table: PageTableView, iova: bigint, bit: number): number {
  const span = 1n << BigInt(bit);
  const base = iova & ~(span - 1n);
  const i = floorRow(table.rows, base + span - 1n);
  return i >= 0 && table.rows.iova(i) >= base ? i : -1;
}

function flInfo(value: bigint, level: number): { read: boolean; write: boolean; leaf: boolean; address: bigint } {
  const present = (value & 1n) === 1n;
  const ps = level > 1 && ((value >> 7n) & 1n) === 1n;
  const size = BigInt(levelShift(ps ? level : 1));
  return {
    read: present,
    write: present && ((value >> 1n) & 1n) === 1n,
    leaf: level === 1 || ps,
    address: value & ((1n << 52n) - 1n) & ~((1n << size) - 1n),
  };
}

function notPresentReason(w: TableWalk, isWrite: boolean): number {
  if (w.firstLevel) return 0x71;
  if (w.scalable) return 0x79;
  // QEMU's second-level walk treats an entry without R and W as a permission
  // failure: the real capture's faults on unmapped IOVAs carry 0x6 and 0x5.
  return isWrite ? 0x5 : 0x6;
}

function permissionReason(w: TableWalk, isWrite: boolean): number {
  if (w.firstLevel) return isWrite ? 0x77 : 0x76;
  if (w.scalable) return 0x79;
  return isWrite ? 0x5 : 0x6;
}

function finish(result: WalkResult, hpa: bigint, size: bigint, read: boolean, write: boolean): WalkResult {
  result.ok = true;
  result.hpa = hpa;
  result.pageSize = size;
  result.permissions = perms(read, write);
  return result;
}
