// Records the kernel log parser produces. Every record keeps the exact values
// the kernel printed (64-bit values as bigint) and where on the line they are.

import type { Span } from '../types';

/** One line of the table-walk dump Linux prints after a DMA fault (CONFIG_DMAR_DEBUG). */
export interface FaultDumpLine {
  kind: 'root' | 'sm-root' | 'context' | 'pasid-dir' | 'pasid-table' | 'pte' | 'not-present' | 'status';
  /** Paging level of a 'pte' or 'not-present' line. */
  level?: number;
  /** Qword index of a 'pasid-table' line ("pasid table entry[3]"). */
  index?: number;
  /**
   * The printed values in the order they appear on the line: [hi, low] for
   * 'sm-root' and 'context', one value for the others, none for 'status' and
   * 'not-present'.
   */
  values: bigint[];
  /** The message text after "DMAR: ". */
  text: string;
  span: Span;
}

export interface DmarFaultRecord {
  kind: 'dmar-fault';
  type: 'read' | 'write';
  bus: number;
  dev: number;
  fn: number;
  /** Requester id: bus << 8 | dev << 3 | fn. */
  sid: number;
  address: bigint;
  reason: number;
  reasonText: string;
  /** Absent for NO_PASID and for the "PASID ffffffff" of older kernels. */
  pasid?: number;
  /** Which kernel print format the line follows (see FAULT_ERAS). */
  era: string;
  span: Span;
  deviceSpan: Span;
  addressSpan: Span;
  /** On the second line for the old two-line format. */
  reasonSpan: Span;
  /** Seconds since boot, from a "[ time]" prefix. */
  time?: number;
}

export interface IrFaultRecord {
  kind: 'ir-fault';
  bus: number;
  dev: number;
  fn: number;
  sid: number;
  /** Interrupt remapping table index (always printed in hex). */
  index: number;
  reason: number;
  reasonText: string;
  era: string;
  span: Span;
  deviceSpan: Span;
  indexSpan: Span;
  reasonSpan: Span;
  time?: number;
}

/** "DRHD: handling fault status reg %x": the FSTS value when the fault handler ran. */
export interface FaultStatusRecord {
  kind: 'fault-status';
  fsts: number;
  span: Span;
  time?: number;
}

/** "Dump %s table entries for IOVA 0x%llx" and the dump lines that follow it. */
export interface FaultDumpRecord {
  kind: 'fault-dump';
  unit: string;
  iova: bigint;
  span: Span;
  lines: FaultDumpLine[];
  time?: number;
}

/** "dmarN: reg_base_addr %llx ver %d:%d cap %llx ecap %llx". */
export interface UnitInfoRecord {
  kind: 'unit-info';
  unit: string;
  regBase: bigint;
  verMajor: number;
  verMinor: number;
  cap: bigint;
  ecap: bigint;
  span: Span;
  capSpan: Span;
  ecapSpan: Span;
  time?: number;
}

/**
 * An informative IOMMU line. Keys: 'iommu-enabled', 'host-address-width',
 * 'drhd', 'rmrr', 'atsr', 'satc', 'rhsa', 'not-found', 'ir-mode',
 * 'ioapic-under-drhd', 'hpet-under-drhd', 'ir-queued-invalidation',
 * 'queued-invalidation', 'register-invalidation', 'batching-disallowed',
 * 'strict-policy', 'default-domain', 'scalable-mode', 'vtd-initialised',
 * 'group-add', 'group-remove', 'callbacks-suppressed', 'page-request' (the
 * page request queue's messages, with their unit), the machine lines
 * 'dmi' and 'acpi-dmar', and 'message' for any other DMAR / DMAR-IR / iommu
 * line.
 */
export interface DmarInfoRecord {
  kind: 'dmar-info';
  key: string;
  value: string;
  span: Span;
  /** Requester id (bus << 8 | devfn) of 'group-add' / 'group-remove'. */
  bdf?: number;
  /** PCI segment of 'group-add' / 'group-remove'. */
  segment?: number;
  /** The remapping unit a 'page-request' message is about. */
  unit?: string;
  group?: number;
  time?: number;
}

/**
 * A kernel line that is not about the IOMMU: recognised, never a finding.
 * Most lines of a log are such lines, so the record keeps the line and its
 * length rather than a Span object (recordSpan() makes one).
 */
export interface OtherRecord {
  kind: 'other';
  line: number;
  lineEnd: number;
}

export type KernelLogRecord =
  | DmarFaultRecord
  | IrFaultRecord
  | FaultStatusRecord
  | FaultDumpRecord
  | UnitInfoRecord
  | DmarInfoRecord
  | OtherRecord;

/** The line a record starts on. */
export function recordLine(r: KernelLogRecord): number {
  return r.kind === 'other' ? r.line : r.span.line;
}

/** The span of a record's (first) line: the whole line for an 'other' record. */
export function recordSpan(r: KernelLogRecord): Span {
  return r.kind === 'other' ? { line: r.line, start: 0, end: r.lineEnd } : r.span;
}

/**
 * The print formats of fault lines over the kernel's history, by the era
 * value records carry. The descriptions go into ParseResult.dialect.
 */
export const FAULT_ERAS = {
  'two-line': 'fault lines in two parts, "DMAR:[DMA Read] ... fault addr" then "[fault reason NN]" (3.x to early 4.x)',
  'single-line': 'one-line faults with decimal reason (4.x to 5.4)',
  pasid: 'one-line faults with "PASID %x" mid-line and decimal reason (5.5 to 5.13)',
  'hex-0x-bdf': 'hex faults with "[0x%02x:0x%02x.%d]" device (5.14)',
  hex: 'hex faults with NO_PASID / PASID tag (5.15 and later)',
} as const;

export type FaultEra = keyof typeof FAULT_ERAS;
