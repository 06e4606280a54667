// The merged picture of one capture (a folder of dump files from one machine):
// IOMMU units, requesters, domains, mappings, IRTEs, invalidations and faults,
// each pointing back at the lines it came from.

import type { AnyParseResult } from '../dumps/registry';
import type { Finding, Span } from '../dumps/types';
import type { LineIndex } from '../dumps/lineIndex';
import type { CapInfo, EcapInfo } from '../vtd/registers';
import type { Structure } from '../vtd/layout';
import type { PageTableRows } from '../dumps/debugfs/domainTranslation';
import type { InvDescriptorInfo } from '../vtd/invalidation';
import type { IrteInfo } from '../vtd/irte';
import type { Platform } from './platform';
import type { StreamedSummary } from './streamedFile';

/** A file of a capture as the caller read it. */
export interface CaptureFile {
  /** Path relative to the capture folder, with '/' separators ("0000:00:02.0/domain_translation_struct"). */
  name: string;
  text: string;
  /** What the reader converted to get the text (another encoding, CRLF), for a note. */
  converted?: string;
}

/** Where something was read: a file of the capture and a span in it. */
export interface Location {
  file: string;
  span: Span;
}

export interface ParsedFile {
  name: string;
  /** What the reader converted to get the text (another encoding, CRLF), for a note. */
  converted?: string;
  /** The file's lines (the walk and the checks point into them). */
  lines: LineIndex;
  /** undefined when no known format matched the content. */
  parsed?: AnyParseResult;
  /**
   * Set for a file too large to hold, read as a stream: `lines` is then
   * empty, its records are what was kept (a trace's QEMU messages, the page
   * table rows near the faulting IOVAs) and its findings were made on the way.
   */
  streamed?: StreamedSummary;
}

export interface IommuUnit {
  name: string;
  baseAddress?: bigint;
  /** Register values by name, from iommu_regset (or the kernel log's cap/ecap line). */
  registers: Map<string, bigint>;
  registerLocations: Map<string, Location>;
  cap?: bigint;
  ecap?: bigint;
  capInfo?: CapInfo;
  ecapInfo?: EcapInfo;
  mode: 'legacy' | 'scalable' | 'unknown';
  translationEnabled?: boolean;
  interruptRemappingEnabled?: boolean;
  queuedInvalidationEnabled?: boolean;
  rootTableAddress?: bigint;
  irTableAddress?: bigint;
  /**
   * Whether the unit's IRTEs carry x2APIC destinations: IRTA.EIME when the
   * registers show it, else decided from all of the unit's entries together.
   */
  x2apic?: boolean;
  /** How `x2apic` was decided. */
  x2apicFrom?: 'IRTA.EIME' | 'kernel log' | 'entries';
  /** Where the capture shows that the unit's invalidation queue holds 256-bit descriptors (IQA.DW aside). */
  queue256From?: string;
  /** PCI segment of the requesters the unit serves, when the capture shows it. */
  segment?: number;
  locations: Location[];
}

/**
 * A requester (bus:dev.fn) as the capture knows it. One requester id can name
 * two devices on a host with several PCI segments, each behind its own
 * remapping unit: requesters are keyed by (segment, unit, source id).
 */
export interface Requester {
  /** requesterKey(segment, unit, sid). */
  key: string;
  /** PCI segment (0 unless the capture shows another). */
  segment: number;
  sid: number;
  /** "00:05.0", as the kernel prints it in fault lines and dmar_translation_struct. */
  bdf: string;
  /** The remapping unit whose tables hold this requester's context entry. */
  unit?: string;
  root?: { hi: bigint; lo: bigint; decoded: Structure; location: Location };
  context?: { hi: bigint; lo: bigint; decoded: Structure; location: Location };
  pasidEntries: PasidEntryView[];
  /** Scalable mode, but dmar_translation_struct printed no PASID columns for this requester (cut off): its PASID entries are unknown. */
  pasidEntriesUnknown?: boolean;
  did?: number;
  /** domainKey(unit, did) of the domain the requester is in. */
  domainKey?: string;
  /** AW field of the context entry (or PASID entry) and the levels it means. */
  aw?: number;
  levels?: number;
  translationType?: number;
  pageTableRoot?: bigint;
  group?: number;
  /** Page-table dumps of this requester (one per PASID). */
  tables: PageTableView[];
  irteIndices: number[];
  irqs: GuestIrq[];
  faults: number[];
}

interface PasidEntryView {
  pasid: number;
  qwords: bigint[];
  decoded: Structure;
  location: Location;
}

/** One page-table dump block (a device's, or a device-and-PASID's). */
export interface PageTableView {
  sid: number;
  pasid?: number;
  pgd: bigint;
  rows: PageTableRows;
  location: Location;
  /** Index of the block in its file, for the language server's lookups. */
  file: string;
  blockIndex: number;
}

/** A domain: domain ids are per remapping unit, so (unit, DID) names one. */
export interface Domain {
  /** domainKey(unit, did). */
  key: string;
  did: number;
  unit?: string;
  requesters: Requester[];
  pgd?: bigint;
  levels?: number;
  /** The dump block that holds this domain's leaves (the first one found). */
  table?: PageTableView;
  /** Other blocks that dump the same table (the 6.0–6.6 kernels print a group's domain once per device). */
  duplicateTables: PageTableView[];
}

/** A present leaf: IOVA range → host address. */
export interface Mapping {
  iova: bigint;
  size: bigint;
  hpa: bigint;
  read: boolean;
  write: boolean;
  level: number;
  /** The row of the page-table dump. */
  row: number;
}

export interface IrteView {
  unit: string;
  index: number;
  hi: bigint;
  lo: bigint;
  posted: boolean;
  info: IrteInfo;
  decoded: Structure;
  location: Location;
  /** Guest IRQs that use this entry, as far as the capture shows. */
  irqs: GuestIrq[];
  /** How the IRQ link was made. */
  linkedBy?: 'trace' | 'source-and-order' | 'elimination';
}

export interface GuestIrq {
  irq: string;
  chip: string;
  /** The chip is an interrupt-remapping one ("IR-", "vIR-"). */
  remapped: boolean;
  name?: string;
  hwirq?: number;
  requesterId?: number;
  /** PCI segment of the requester (MSI rows name it in their hwirq or chip). */
  segment?: number;
  msiIndex?: number;
  total: number;
  location: Location;
}

export interface InvalidationView {
  unit: string;
  /** Ring slot. */
  index: number;
  /** Age order: 0 = oldest still in the ring. */
  order: number;
  qwords: bigint[];
  info: InvDescriptorInfo;
  decoded: Structure;
  status: bigint;
  location: Location;
}

export interface FaultView {
  id: number;
  kind: 'dma' | 'interrupt';
  /**
   * Where it was read: a fault line of the kernel log, or QEMU's own
   * "detected translation failure" message (error_report_once) on its trace.
   */
  source: 'kernel-log' | 'qemu-message';
  sid: number;
  bdf: string;
  /** The unit named by the table dump after the fault ("Dump dmar0 table entries"), when there is one. */
  unit?: string;
  /** The requester the fault is of, when the capture knows it. */
  requester?: Requester;
  address?: bigint;
  index?: number;
  write?: boolean;
  /** Undefined for a QEMU message that no vtd_dmar_fault event of the trace explains. */
  reason?: number;
  reasonText: string;
  pasid?: number;
  time?: number;
  location: Location;
  /** The table-walk dump the kernel printed after it, if any. */
  dumpLocation?: Location;
}

/** A file of the capture folder that was not read, and why (too large, unreadable, not a regular file, ...). */
export interface LeftOutFile {
  /** Path relative to the capture folder. */
  name: string;
  reason: string;
  /** Set on the one entry that stands for names not looked at (a folder read only up to its limit): how many. */
  notListed?: number;
}

export interface Capture {
  files: ParsedFile[];
  /** Files of the folder the reader left out: what the capture does not hold, and why. */
  leftOut: LeftOutFile[];
  /** The machine that recorded it (QEMU's intel-iommu or real hardware), and the evidence. */
  platform: Platform;
  units: IommuUnit[];
  /** By requesterKey(); look up by source id with findRequester(). */
  requesters: Map<string, Requester>;
  /** By domainKey(); look up with findDomain() / domainOf(). */
  domains: Map<string, Domain>;
  irtes: IrteView[];
  irqs: GuestIrq[];
  invalidations: InvalidationView[];
  faults: FaultView[];
  /** IOMMU group number → its requesters. */
  groups: Map<number, Requester[]>;
  /** Syntax findings of every file and the semantic findings across them. */
  findings: Finding[];
}
