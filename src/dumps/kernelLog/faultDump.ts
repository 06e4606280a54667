// The table walk Linux prints after a DMA fault when built with
// CONFIG_DMAR_DEBUG (dmar_fault_dump_ptes, about 5.17 on):
//   Dump %s table entries for IOVA 0x%llx
//   root entry: 0x%016llx
//   scalable mode root entry: hi 0x%016llx, low 0x%016llx
//   context entry: hi 0x%016llx, low 0x%016llx
//   pasid dir entry: 0x%016llx
//   pasid table entry[%d]: 0x%016llx          (eight of them, one per qword)
//   pte level: %d, pte value: 0x%016llx
//   page table not present at level %d        (older: "PTE not present at level %d")
// plus status lines when a scalable-mode structure is missing. The first
// version of the patch printed "%s, root_entry[63:0]: %llx" and values
// without 0x, so 0x is optional everywhere.

import type { Span } from '../types';
import type { FaultDumpLine } from './types';
import { readDec, readHex, trimEndBlanks } from './scan';

interface DumpHeader {
  unit: string;
  iova: bigint;
}

/** Parsing a dump line: the line, a reason it is malformed, or not a dump line at all. */
type DumpLineResult = FaultDumpLine | { error: string } | undefined;

const HEADER_HEAD = 'Dump ';
const HEADER_MID = ' table entries for IOVA ';

/** "Dump dmar0 table entries for IOVA 0x2345000" → header; undefined when not a header. */
export function matchDumpHeader(msg: string): DumpHeader | { error: string } | undefined {
  if (!msg.startsWith(HEADER_HEAD)) return undefined;
  const mid = msg.indexOf(HEADER_MID);
  if (mid < 0) return undefined;
  const unit = msg.slice(HEADER_HEAD.length, mid);
  const iova = readHex(msg, mid + HEADER_MID.length, 16);
  if (!iova || trimEndBlanks(msg).length !== iova.end) return { error: 'unreadable IOVA in a fault dump header' };
  return { unit, iova: iova.value };
}

/**
 * Status lines printed instead of an entry when a structure is missing: the
 * wording of 6.13 on (commit "iommu/vt-d: Fix checks in
 * dmar_fault_dump_ptes()": root table, context table, legacy mode page table,
 * PASID directory table, PASID table) and the one before it.
 */
const STATUS_LINES = [
  'root table is not present',
  'context table is not present',
  'legacy mode page table is not present',
  'pasid directory table is not present',
  'pasid table is not present',
  'scalable mode page table is not present',
  'root table entry is not present',
  'context table entry is not present',
  'pasid directory entry is not present',
  'pasid table entry is not present',
];

/**
 * One dump line. `msg` is the text after "DMAR: ", found at column `offset`
 * of line `line`; spans are in line columns.
 */
export function matchDumpLine(msg: string, line: number, offset: number): DumpLineResult {
  const text = trimEndBlanks(msg);
  const span: Span = { line, start: offset, end: offset + text.length };
  const make = (kind: FaultDumpLine['kind'], values: bigint[], extra: { level?: number; index?: number } = {}): FaultDumpLine => ({
    kind,
    ...extra,
    values,
    text,
    span,
  });
  const oneValue = (at: number): bigint | undefined => {
    const v = readHex(text, at, 16);
    return v && v.end === text.length ? v.value : undefined;
  };
  const hiLow = (at: number): bigint[] | undefined => {
    // "hi 0x%016llx, low 0x%016llx"
    if (!text.startsWith('hi ', at)) return undefined;
    const hi = readHex(text, at + 3, 16);
    if (!hi || !text.startsWith(', low ', hi.end)) return undefined;
    const lo = readHex(text, hi.end + 6, 16);
    return lo && lo.end === text.length ? [hi.value, lo.value] : undefined;
  };
  const malformed = (what: string) => ({ error: `unreadable ${what} in a fault dump line` });

  if (text.startsWith('root entry: ')) {
    const v = oneValue(12);
    return v === undefined ? malformed('root entry') : make('root', [v]);
  }
  const oldRoot = text.indexOf('root_entry[63:0]: ');
  if (oldRoot >= 0) {
    const v = oneValue(oldRoot + 18);
    return v === undefined ? malformed('root entry') : make('root', [v]);
  }
  if (text.startsWith('scalable mode root entry: ')) {
    const v = hiLow(26);
    return v ? make('sm-root', v) : malformed('scalable mode root entry');
  }
  if (text.startsWith('context entry: ')) {
    const v = hiLow(15);
    return v ? make('context', v) : malformed('context entry');
  }
  if (text.startsWith('pasid dir entry: ')) {
    const v = oneValue(17);
    return v === undefined ? malformed('PASID directory entry') : make('pasid-dir', [v]);
  }
  if (text.startsWith('pasid table entry[')) {
    const idx = readDec(text, 18);
    if (!idx || !text.startsWith(']: ', idx.end)) return malformed('PASID table entry index');
    const v = oneValue(idx.end + 3);
    return v === undefined ? malformed('PASID table entry') : make('pasid-table', [v], { index: idx.value });
  }
  if (text.startsWith('pte level: ')) {
    const lvl = readDec(text, 11);
    if (!lvl || !text.startsWith(', pte value: ', lvl.end)) return malformed('PTE level');
    const v = oneValue(lvl.end + 13);
    return v === undefined ? malformed('PTE value') : make('pte', [v], { level: lvl.value });
  }
  for (const head of ['page table not present at level ', 'PTE not present at level ']) {
    if (text.startsWith(head)) {
      const lvl = readDec(text, head.length);
      return lvl && lvl.end === text.length ? make('not-present', [], { level: lvl.value }) : malformed('level');
    }
  }
  if (STATUS_LINES.includes(text)) return make('status', []);
  return undefined;
}
