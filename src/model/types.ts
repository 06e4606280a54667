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

/** A file of a capture as the caller read it. */
export interface CaptureFile {
  /** Path relative to the capture folder, with '/' separators ("0000:00:02.0/domain_translation_struct"). */
  name: string;
  text: string;
}

/** Where something was read: a file of the capture and a span in it. */
export interface Location {
  file: string;
  span: Span;
}

export interface ParsedFile {
  name: string;
  /** The file's lines (the walk and the checks point into them). */
  lines: LineIndex;
  /** undefined when no known format matched the content. */
  parsed?: AnyParseResult;
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
  /** IRTA.EIME: x2APIC destinations in IRTEs. */
  x2apic?: boolean;
  locations: Location[];
}

/** A requester id (bus:dev.fn) as the capture knows it. */
export interface Requester {
  sid: number;
  bdf: string;
  unit?: string;
  root?: { hi: bigint; lo: bigint; decoded: Structure; location: Location };
  context?: { hi: bigint; lo: bigint; decoded: Structure; location: Location };
  pasidEntries: PasidEntryView[];
  did?: number;
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

export interface PasidEntryView {
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

export interface Domain {
  did: number;
  unit?: string;
  requesters: number[];
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
  linkedBy?: 'trace' | 'source-and-order';
}

export interface GuestIrq {
  irq: string;
  chip: string;
  name?: string;
  hwirq?: number;
  requesterId?: number;
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
  sid: number;
  bdf: string;
  address?: bigint;
  index?: number;
  write?: boolean;
  reason: number;
  reasonText: string;
  pasid?: number;
  time?: number;
  location: Location;
  /** The table-walk dump the kernel printed after it, if any. */
  dumpLocation?: Location;
}

export interface Capture {
  files: ParsedFile[];
  units: IommuUnit[];
  requesters: Map<number, Requester>;
  domains: Map<number, Domain>;
  irtes: IrteView[];
  irqs: GuestIrq[];
  invalidations: InvalidationView[];
  faults: FaultView[];
  groups: Map<number, number[]>;
  /** Syntax findings of every file and the semantic findings across them. */
  findings: Finding[];
}
