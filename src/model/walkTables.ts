// The paging part of a walk: from the table root a context or PASID entry
// names, level by level down to the leaf, with the rows of the capture's
// page-table dump standing in for the table memory.
//
// Second stage (legacy, and scalable PGTT = 010/011): the IOVA must fit the
// address width the AW field gives; an entry with neither R nor W stops the
// walk; R and W accumulate down the path and the leaf's decide the request.
// First stage (PGTT = 001, x86-64 format): the IOVA must be canonical for the
// paging mode (4-level: bits 63:47 equal to bit 47; 5-level: 63:56 equal to
// bit 56); P = 0 stops the walk; R/W and U/S accumulate; a write through a
// read-only path is 0x85 (0x76 / 0x77 are for nested translation only).
// Reserved bits are checked with the unit's CAP/ECAP (SNP needs ECAP.SC in
// legacy mode, as check does), after presence, as QEMU does.

import { awBits, awLevels } from '../vtd/contextEntry';
import { decodeFlEntry, decodeSlEntry, LEVEL_NAMES, levelShift, iovaIndex, slEntryInfo } from '../vtd/paging';
import { FR } from '../vtd/faultReasons';
import { hex } from '../vtd/u64';
import type { Location, PageTableView } from './types';
import { floorRow } from './mappings';
import { pageTableRowSpans } from './decodeFile';
import { decodeContextOf } from './units';
import { failWith, fileState, finish, inInterruptWindow, missingFile, unknownBecause, type WalkContext, type WalkResult, type WalkStep } from './walkResult';

interface TableWalk {
  /** AW field (second stage), or 2 / 3 for 4- / 5-level first-stage paging. */
  aw: number;
  root: bigint;
  firstLevel: boolean;
  pasid?: number;
}

/** The dump block of the table at `root`: the requester's own, else any that starts there. */
function findTable(w: WalkContext, root: bigint, pasid?: number): PageTableView | undefined {
  const own = w.requester.tables.find((t) => t.pgd === root && (pasid === undefined || t.pasid === undefined || t.pasid === pasid));
  if (own) return own;
  for (const r of w.capture.requesters.values()) {
    const t = r.tables.find((x) => x.pgd === root);
    if (t) return t;
  }
  return undefined;
}

/**
 * The row that shows the entry at the level whose index starts at IOVA bit
 * `bit`: every row under that entry shares the IOVA bits above `bit` with the
 * request. The row of the walked IOVA itself when the dump has it, else the
 * nearest row below it under the entry, else the first one above; -1 when no
 * row is under the entry.
 */
function rowUnder(table: PageTableView, iova: bigint, bit: number): number {
  const span = 1n << BigInt(bit);
  const base = iova & ~(span - 1n);
  const rows = table.rows;
  const i = floorRow(rows, iova);
  if (i >= 0 && rows.iova(i) >= base) return i;
  const j = i + 1;
  return j < rows.count && rows.iova(j) < base + span ? j : -1;
}

/** Whether a first-stage IOVA is canonical for 4-level (bit 47) or 5-level (bit 56) paging. */
export function isCanonical(iova: bigint, levels: number): boolean {
  const top = levels === 5 ? 56 : 47;
  const upper = (iova & ((1n << 64n) - 1n)) >> BigInt(top);
  return upper === 0n || upper === (1n << BigInt(64 - top)) - 1n;
}

interface EntryFacts {
  present: boolean;
  read: boolean;
  write: boolean;
  user: boolean;
  leaf: boolean;
  address: bigint;
}

function firstStageFacts(value: bigint, level: number): EntryFacts {
  const present = (value & 1n) === 1n;
  const ps = level > 1 && ((value >> 7n) & 1n) === 1n;
  const size = BigInt(levelShift(ps ? level : 1));
  return {
    present,
    read: present,
    write: present && ((value >> 1n) & 1n) === 1n,
    user: present && ((value >> 2n) & 1n) === 1n,
    leaf: level === 1 || ps,
    address: value & ((1n << 52n) - 1n) & ~((1n << size) - 1n),
  };
}

function secondStageFacts(value: bigint, level: number): EntryFacts {
  const i = slEntryInfo(value, level);
  return { present: i.present, read: i.read, write: i.write, user: true, leaf: i.leaf, address: i.address };
}

/**
 * The entries the kernel printed in a fault dump ("pte level: L, pte value:
 * V") for this requester's context entry and the IOVA's page, by level: the
 * table memory as the fault saw it, for the levels the debugfs rows cannot
 * show (a dump block lists only the paths of present leaves).
 */
function dumpedEntries(w: WalkContext): Map<number, { value: bigint; location: Location }> {
  const out = new Map<number, { value: bigint; location: Location }>();
  const ctx = w.requester.context;
  if (!ctx) return out;
  const page = w.request.iova >> 12n;
  for (const f of w.capture.files) {
    if (f.parsed?.format !== 'dmesg') continue;
    for (const r of f.parsed.records) {
      if (r.kind !== 'fault-dump' || r.iova >> 12n !== page || (w.requester.unit !== undefined && r.unit !== w.requester.unit)) continue;
      const c = r.lines.find((l) => l.kind === 'context');
      if (!c || c.values[0] !== ctx.hi || c.values[1] !== ctx.lo) continue;
      for (const l of r.lines) if (l.kind === 'pte' && l.level !== undefined && !out.has(l.level)) out.set(l.level, { value: l.values[0], location: { file: f.name, span: l.span } });
    }
  }
  return out;
}

export function walkTable(w: WalkContext, t: TableWalk): WalkResult {
  const { capture, request: req, result } = w;
  const stage = t.firstLevel ? 'first' : 'second';
  const levels = awLevels(t.aw);
  if (t.firstLevel) {
    if (!isCanonical(req.iova, levels)) {
      result.notes.push(`IOVA ${hex(req.iova)} is not canonical for ${levels}-level first-stage paging (bits 63:${levels === 5 ? 56 : 47} must all equal bit ${levels === 5 ? 56 : 47}).`);
      return failWith(w, FR.FS_NON_CANONICAL, stage);
    }
  } else {
    const width = awBits(t.aw);
    if (req.iova >> BigInt(width) !== 0n) {
      result.notes.push(`IOVA ${hex(req.iova)} is beyond the ${width}-bit address width of a ${levels}-level table.`);
      return failWith(w, w.scalable ? FR.SM_ADDR_BEYOND_MAX : FR.ADDR_BEYOND_MGAW, stage);
    }
  }
  const table = findTable(w, t.root, t.pasid);
  if (!table) {
    result.steps.push({ kind: 'page-table', name: LEVEL_NAMES[levels] ?? `level ${levels}`, level: levels, tableAddress: t.root, index: iovaIndex(req.iova, levels), visible: false, note: 'entry not shown (no dump of this table)' });
    return unknownBecause(
      result,
      fileState(capture, 'domain_translation_struct').held
        ? `the capture does not hold the page table at ${hex(t.root)}: domain_translation_struct has no block that starts there`
        : missingFile(capture, 'domain_translation_struct', 'page tables'),
    );
  }
  const ctx = decodeContextOf(w.unit);
  const lines = capture.files.find((f) => f.name === table.file)?.lines;
  const dumped = dumpedEntries(w);
  let tableAddress = t.root;
  let read = true;
  let write = true;
  let user = true;
  for (let level = levels; level >= 1; level--) {
    const shift = levelShift(level);
    const step: WalkStep = {
      kind: 'page-table',
      name: LEVEL_NAMES[level] ?? `level ${level}`,
      level,
      tableAddress,
      index: iovaIndex(req.iova, level),
      iovaBits: [shift + 8, shift],
      visible: false,
      note: '',
    };
    result.steps.push(step);
    const row = rowUnder(table, req.iova, shift);
    const value = row >= 0 ? table.rows.entry(row, level) : undefined;
    if (value === undefined || value === 0n) {
      const seen = dumped.get(level);
      step.entry = seen?.value ?? value ?? 0n;
      step.visible = value !== undefined || seen !== undefined;
      if (seen) step.location = seen.location;
      step.note = seen
        ? `${seen.value === 0n ? 'not present' : `${hex(seen.value)}`} as the kernel's fault dump printed it; the debugfs dump lists no present leaf below this entry`
        : 'not present: the dump lists no present leaf below this entry';
      return failWith(w, t.firstLevel ? FR.FS_PAGING_ENTRY_P : w.scalable ? FR.SM_SS_PERMISSION : req.write ? FR.WRITE : FR.READ, stage);
    }
    step.entry = value;
    step.visible = true;
    step.decoded = t.firstLevel ? decodeFlEntry(value, level, ctx) : decodeSlEntry(value, level, ctx);
    step.note = step.decoded.summary;
    const line = table.rows.line(row);
    const spans = pageTableRowSpans(line, lines?.line(line));
    step.location = { file: table.file, span: spans[level] ?? { line, start: 0, end: 0 } };
    const facts = t.firstLevel ? firstStageFacts(value, level) : secondStageFacts(value, level);
    if (!facts.present) return failWith(w, t.firstLevel ? FR.FS_PAGING_ENTRY_P : w.scalable ? FR.SM_SS_PERMISSION : req.write ? FR.WRITE : FR.READ, stage);
    read &&= facts.read;
    write &&= facts.write;
    user &&= facts.user;
    // QEMU's second-level walk checks the access right at every level (vtd_iova_to_slpte).
    if (!t.firstLevel && (req.write ? !facts.write : !facts.read)) {
      return failWith(w, w.scalable ? (req.write ? FR.SM_WRITE : FR.SM_READ) : req.write ? FR.WRITE : FR.READ, stage);
    }
    const rsvd = step.decoded.findings.find((f) => f.severity === 'error' && f.faultReason !== undefined);
    if (rsvd) {
      result.notes.push(rsvd.message);
      return failWith(w, rsvd.faultReason as number, stage);
    }
    if (facts.leaf) {
      if (t.firstLevel && req.write && !write) return failWith(w, FR.SM_WRITE, stage);
      if (t.firstLevel && !user) {
        result.notes.push('U/S = 0 on the path: the page is for supervisor requests only, and a request without PASID is a user request.');
        return failWith(w, FR.FS_PAGING_ENTRY_US, stage);
      }
      const size = 1n << BigInt(shift);
      if (inInterruptWindow(facts.address, size)) {
        result.notes.push(`The translation ends at ${hex(facts.address)}, in the interrupt range 0xFEE00000-0xFEEFFFFF: a DMA there could raise interrupts.`);
        return failWith(w, t.firstLevel || w.scalable ? FR.SM_INTERRUPT_ADDR : FR.INTERRUPT_ADDR, t.firstLevel ? 'first' : 'second');
      }
      return finish(result, facts.address + (req.iova & (size - 1n)), size, read, write);
    }
    tableAddress = facts.address;
  }
  return result;
}
