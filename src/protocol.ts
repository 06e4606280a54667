// The one place for every id shared by the extension and the language
// server: language ids, custom requests and their JSON shapes, commands and
// settings. Values cross the wire as JSON, so 64-bit numbers travel as
// 0x-prefixed hex strings.

import type { TraceTimeline } from './model/traceReplay/timeline';
import type { FormatId } from './dumps/types';

/**
 * A custom request: its method name, and (for the type checker only) its
 * parameter and result types. Plain strings on the wire, so the client and
 * the server need not share one version of the LSP libraries.
 */
export interface RequestSpec<P, R> {
  readonly method: string;
  /** Phantom members: never set. */
  readonly params?: P;
  readonly result?: R;
}

function request<P, R>(method: string): RequestSpec<P, R> {
  return { method };
}

/** VS Code language id of each dump format. */
const LANGUAGE_OF_FORMAT: Readonly<Record<FormatId, string>> = {
  iommu_regset: 'viommu-regset',
  dmar_translation_struct: 'viommu-dmar',
  domain_translation_struct: 'viommu-pagetable',
  ir_translation_struct: 'viommu-irte',
  invalidation_queue: 'viommu-invq',
  dmar_perf_latency: 'viommu-perf',
  dmesg: 'viommu-dmesg',
  proc_interrupts: 'viommu-interrupts',
  qemu_trace: 'viommu-trace',
  iommu_groups: 'viommu-groups',
};

export const LANGUAGE_IDS: readonly string[] = Object.values(LANGUAGE_OF_FORMAT);

export function formatIdOfLanguage(languageId: string): FormatId | undefined {
  for (const [format, lang] of Object.entries(LANGUAGE_OF_FORMAT)) if (lang === languageId) return format as FormatId;
  return undefined;
}

/** Settings (package.json contributes.configuration). */
export const SETTINGS = {
  section: 'viommu',
  inlayHints: 'viommu.inlayHints',
  numberFormat: 'viommu.numberFormat',
  maxFileSizeMB: 'viommu.maxFileSizeMB',
  /** Pad numbers in the views to the width of their field. */
  padNumbers: 'viommu.padNumbers',
} as const;

export type InlayHintMode = 'off' | 'compact' | 'full';
export type NumberFormat = 'hex' | 'decimal' | 'both';

/** The files a capture folder holds that the server reads: what file watchers report changes of (not every file of the workspace). */
export const CAPTURE_FILES_GLOB = '**/{iommu_regset,dmar_translation_struct,domain_translation_struct,ir_translation_struct,invalidation_queue,dmar_perf_latency,dmesg,dmesg*.log,kern.log,interrupts,iommu_groups,*.trace,*.viommu.yaml}';

/** Commands (package.json contributes.commands); the server names them in code lenses and actions. */
export const COMMANDS = {
  translateIova: 'viommu.translateIova',
  showInTree: 'viommu.showInTree',
  explainFault: 'viommu.explainFault',
  openCaptureFolder: 'viommu.openCaptureFolder',
  openSampleCapture: 'viommu.openSampleCapture',
  /** The sample with a device TLB (ATS): fills ATS Flow and its diagram. */
  openAtsSample: 'viommu.openAtsSample',
  openLargeFile: 'viommu.openLargeFile',
  /** "vIOMMU: Go to Address…": an IOVA or host address, found in the page tables and shown in Second-Level Tables. */
  goToAddress: 'viommu.goToAddress',
  restartServer: 'viommu.restartServer',
  /** The walkthrough's links: a file of the sample capture (name, 1-based line to put the cursor on). */
  walkthroughOpenSampleFile: 'viommu.walkthrough.openSampleFile',
  showServerLog: 'viommu.showServerLog',
  /** Reads lines of a large file (streamed or held) around a line number into a read-only document; takes the summary's URI and a 1-based line. */
  largeFileGoToLine: 'viommu.largeFileGoToLine',
  captureFromThisMachine: 'viommu.captureFromThisMachine',
  /** "vIOMMU: Capture a QEMU Guest…": `viommu vm` with the options picked; takes CaptureQemuGuestArgs to skip the questions. */
  captureQemuGuest: 'viommu.captureQemuGuest',
  /** "vIOMMU: Compare Captures…": a semantic diff of two capture folders. */
  compareCaptures: 'viommu.compareCaptures',
  /** The ATS flow of a device as a sequence diagram (a webview); takes an ATS Flow node or nothing. */
  showAtsSequence: 'viommu.showAtsSequence',
  /** The trace views' trace as a zoomable timeline (a webview): lanes per requester and event family, rates above. */
  showTraceTimeline: 'viommu.showTraceTimeline',
  /** A simulation's figures over its events, and sweeps, as charts (a webview). */
  showSimulationCharts: 'viommu.showSimulationCharts',
  /** A figure against a swept scenario key, built-ins overlaid, published ranges as bands. */
  sweepCharts: 'viommu.sweepCharts',
  /** The dmar_perf_latency dump in front as bar charts. */
  showLatencyCharts: 'viommu.showLatencyCharts',
  /** IOTLB / ATS Flow views: replay the trace up to the cursor's line, or the whole trace. */
  traceReplayToCursor: 'viommu.trace.replayToCursor',
  traceReplayAll: 'viommu.trace.replayAll',
  /** Sidebar: pick hex / decimal / both and padding. */
  setNumberFormat: 'viommu.setNumberFormat',
  /** Sidebar node commands (they take the node; hidden from the palette). */
  treeRevealSource: 'viommu.tree.revealSource',
  treeFollowLink: 'viommu.tree.followLink',
  treeCopyValue: 'viommu.tree.copyValue',
  treeCopyRaw: 'viommu.tree.copyRaw',
  treeCopyJson: 'viommu.tree.copyJson',
  /** Second-Level Tables title bar: coalesced ranges or table levels. */
  secondLevelShowRanges: 'viommu.secondLevel.showRanges',
  secondLevelShowLevels: 'viommu.secondLevel.showLevels',
  /** IOVA Walk view: a step (a WireWalkStep) opens its dump line and selects its node; "Show in Tables" also focuses that view. */
  walkShowStep: 'viommu.walk.showStep',
  walkShowInTables: 'viommu.walk.showInTables',
  /** IOVA Walk view: a walk as a Markdown document; forget every walk shown. */
  walkOpenMarkdown: 'viommu.walk.openMarkdown',
  walkClear: 'viommu.walk.clear',
} as const;

/** The IOVA Walk view: the walks "vIOMMU: Translate IOVA…" made, step by step (the extension holds them, not the server). */
export const WALK_VIEW_ID = 'viommu.iovaWalk';

/** The arguments of COMMANDS.explainFault (the server's "Explain this fault" code action passes them). */
export interface ExplainFaultArgs {
  uri: string;
  /** 0-based line of the fault in the kernel log. */
  line: number;
}

/** A place in a file of the capture. */
export interface WireLocation {
  uri: string;
  line: number;
  character: number;
  endCharacter: number;
}

// ---- viommu/translate ----------------------------------------------------

export interface TranslateParams {
  /** Any document of the capture, or the capture folder's URI. */
  uri: string;
  /** "BB:DD.F", or "SSSS:BB:DD.F" with its PCI segment. */
  bdf: string;
  /** The remapping unit, when the requester id alone does not say (several units without segments). */
  unit?: string;
  iova: string;
  pasid?: number;
  write?: boolean;
}

export interface WireWalkStep {
  kind: string;
  name: string;
  level?: number;
  tableAddress?: string;
  index?: number;
  iovaBits?: [number, number];
  entry?: string;
  visible: boolean;
  note: string;
  fields?: { name: string; bits: string; value: string; meaning: string }[];
  location?: WireLocation;
  /** The sidebar node of the entry this step read (Context Tables, or Second-Level Tables in its levels mode), when the view lists it. */
  node?: TreeLink;
}

export interface WireWalkResult {
  ok: boolean;
  /** translated, fault, unknown (the capture lacks what the walk needs), interrupt-window (not a DMA translation). */
  outcome?: 'translated' | 'fault' | 'unknown' | 'interrupt-window';
  /** Whose rules give `fault`: QEMU's intel-iommu, or the VT-d specification (hardware). */
  platform?: 'qemu' | 'hardware' | 'unknown';
  hpa?: string;
  pageSize?: string;
  permissions?: string;
  steps: WireWalkStep[];
  fault?: { reason: number; name: string; description: string };
  /** The fault the other machine records instead, where it differs. */
  alternative?: { on: 'qemu' | 'hardware'; reason: number; name: string; description: string };
  /** outcome 'unknown': what the capture does not hold. */
  unknown?: string;
  notes: string[];
  /** Set when the request could not be run (no capture, bad input). */
  error?: string;
}

export const TranslateRequest = request<TranslateParams, WireWalkResult>('viommu/translate');

// ---- viommu/captureSummary -------------------------------------------------

interface CaptureSummaryParams {
  uri: string;
}

export interface CaptureSummary {
  folder: string;
  files: { name: string; uri: string; format?: FormatId; dialect: string[]; errors: number; warnings: number }[];
  units: { name: string; mode: string; translation?: boolean; interruptRemapping?: boolean; queuedInvalidation?: boolean; cap?: string; ecap?: string }[];
  /** bdf: "BB:DD.F", or "SSSS:BB:DD.F" when the capture spans several PCI segments. */
  /** `iovas`: a few IOVAs its table maps (the first leaf of up to three mapped ranges), for prompts. */
  requesters: { bdf: string; unit?: string; did?: number; group?: number; mappings: number; iovas?: string[] }[];
  /** The DMA faults the capture records (kernel log, QEMU messages): whose, where, the access and the reason. */
  faults?: { bdf: string; unit?: string; iova: string; write?: boolean; reason: string }[];
  domains: { did: number; unit?: string; requesters: string[]; levels?: number; mappings: number; bytes: string }[];
  /** The machine that recorded the capture, and why the tool thinks so. */
  platform?: { kind: 'qemu' | 'hardware' | 'unknown'; evidence: string[] };
  /** Files of the folder the capture does not hold, and why (too large, unreadable, too many files). */
  leftOut: { name: string; reason: string }[];
}

export const CaptureSummaryRequest = request<CaptureSummaryParams, CaptureSummary | null>('viommu/captureSummary');

// ---- viommu/locateAddress ---------------------------------------------------

export interface LocateAddressParams {
  /** A capture folder or a file of one. */
  uri: string;
  /** 0x-prefixed hex or decimal: looked up as an IOVA in every domain and as a host address. */
  address: string;
}

export interface LocatedAddress {
  kind: 'iova' | 'hpa';
  /** "IOVA 0xffefd000 in domain 4 (00:02.0) → 0x268e000" */
  label: string;
  description: string;
  /** The leaf's row in its dump (what the views' nodes are found by). */
  location: WireLocation;
}

/** Where an address is mapped: each domain whose table maps it as an IOVA, and each mapping that reaches it as a host address. */
export const LocateAddressRequest = request<LocateAddressParams, { found: LocatedAddress[]; error?: string }>('viommu/locateAddress');

// ---- Sidebar tree views -----------------------------------------------------
// The server owns the data: views ask for the children of a node. A node id is
// its parent's id, '/', and its own segment, so a node's parent is derivable
// from its id (reveal in both directions needs no extra request).

export const VIEW_IDS = {
  contextTables: 'viommu.contextTables',
  secondLevelTables: 'viommu.secondLevelTables',
  iotlb: 'viommu.iotlb',
  atsFlow: 'viommu.atsFlow',
  gsiRouting: 'viommu.gsiRouting',
  simulator: 'viommu.simulator',
} as const;

export type ViewKey = keyof typeof VIEW_IDS;

/** What a view shows: a capture folder, a QEMU trace (replayed), or a running simulation. */
export interface SourceRef {
  kind: 'capture' | 'trace' | 'simulation';
  /** The capture folder, the trace file, or the simulation session id. */
  uri: string;
  /**
   * Trace sources: show the state QEMU's model had after this 0-based line of
   * the trace (undefined: after the whole trace). The replay stops there.
   */
  asOfLine?: number;
}

/** A node of a sidebar view. */
export interface TreeLink {
  view: ViewKey;
  id: string;
}

export interface TreeNodeDto {
  id: string;
  label: string;
  description?: string;
  /** Markdown; every piece of dump-derived text in it is escaped by the server. */
  tooltip?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** Drives the view's menus (package.json `when` clauses): e.g. "entry", "requester", "domain". */
  contextValue?: string;
  /** A codicon id, e.g. "circuit-board". */
  icon?: string;
  /** The dump line the node stands for. */
  location?: WireLocation;
  /** What the copy commands copy. */
  copy?: { value?: string; raw?: string; json?: unknown };
  /** Changed by the last simulation step. */
  changed?: boolean;
  /** A node this one stands for in another view (or elsewhere in this one): selecting it reveals that node. */
  link?: TreeLink;
}

export interface TreeChildrenParams {
  view: ViewKey;
  source: SourceRef;
  /** undefined for the roots. */
  parentId?: string;
  /** Filter text (B:D.F, DID, IOVA, host address, IRTE index). */
  filter?: string;
  numberFormat?: NumberFormat;
  /** Pad numbers to their field width. */
  pad?: boolean;
  /** Second-Level Tables: contiguous runs of leaves merged into ranges instead of the table levels. */
  coalesce?: boolean;
}

export const TreeChildrenRequest = request<TreeChildrenParams, TreeNodeDto[]>('viommu/treeChildren');

export interface TreeNodeAtParams {
  view: ViewKey;
  source: SourceRef;
  /** A document of the source and a line in it. */
  uri: string;
  line: number;
  /** The view's filter and mode: a node the view does not show is not returned. */
  filter?: string;
  coalesce?: boolean;
}

/** The id of the deepest node that stands for a dump line, or null. */
export const TreeNodeAtRequest = request<TreeNodeAtParams, string | null>('viommu/treeNodeAt');

export interface SourceInfoParams {
  source: SourceRef;
  /** When given: the note and message for this view. */
  view?: ViewKey;
}

export interface SourceInfo {
  /** What the views call the source: the capture folder's name. */
  name: string;
  counts: { units: number; requesters: number; domains: number; irtes: number; irqs: number; faults: number };
  /** Added to the view's description, e.g. what the source cannot tell. */
  note?: string;
  /** Shown above the view's tree when it has something to say (e.g. why it is empty). */
  message?: string;
  /**
   * Changes whenever what the views show of the source may have changed: the
   * views refresh when it does (on every change notice when a source gives none).
   */
  fingerprint?: string;
}

/** What a source is and what a view of it should say; null when the source cannot be read. Loading it builds the capture. */
export const SourceInfoRequest = request<SourceInfoParams, SourceInfo | null>('viommu/sourceInfo');

/** Actions in each sidebar view's title bar. */
export const VIEW_TITLE_ACTIONS = ['filter', 'clearFilter', 'refresh'] as const;
type ViewTitleAction = (typeof VIEW_TITLE_ACTIONS)[number];

/**
 * The command of a title-bar action of one view, e.g. "viommu.contextTables.filter":
 * one per view, since a view/title command is run without an argument naming its view.
 */
export function viewTitleCommand(view: ViewKey, action: ViewTitleAction): string {
  return `${VIEW_IDS[view]}.${action}`;
}


/** The parent id of a node id (undefined for a root). */
export function parentIdOf(id: string): string | undefined {
  const i = id.lastIndexOf('/');
  return i > 0 ? id.slice(0, i) : undefined;
}

// ---- viommu/serverStats ----------------------------------------------------

/** The server's memory, after a collection when the server runs with --expose-gc (the bench does), and its process. */
export interface ServerStats {
  /** The server's process id: which process to look at (or, in the crash-recovery test, to kill). */
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  collected: boolean;
  /** What the server holds: documents (open in the editor or read as large files), the large files' URIs, captures and parsed sibling files. */
  held: { documents: number; largeFiles: string[]; captures: number; diskFiles: number };
}

export const ServerStatsRequest = request<Record<string, never>, ServerStats>('viommu/serverStats');

// ---- viommu/openLargeFile -----------------------------------------------------
// VS Code does not hand files above 50 MB to extensions: the server reads such
// a file itself, streaming, with $/progress, and adds it to its capture.

export interface OpenLargeFileParams {
  uri: string;
  /** Files above this many MiB are streamed (summary and lines on demand) rather than held; default 128. */
  streamAboveMiB?: number;
  /** The client's progress token (LSP work-done progress), when it made one. */
  workDoneToken?: string | number;
}

export interface OpenLargeFileResult {
  uri: string;
  format?: FormatId;
  bytes: number;
  lineCount: number;
  records: number;
  dialect: string[];
  /** The first findings (at most 200) and how many there are in all. */
  findings: { line: number; severity: string; code: string; message: string }[];
  findingCount: number;
  /**
   * Set when the file was streamed (too large to hold): what its stream held
   * (for a trace, its replay's counters), in words. It is then not part of
   * its capture's views; its lines are read on demand (LargeFileLinesRequest).
   */
  streamed?: string;
  error?: string;
}

export const OpenLargeFileRequest = request<OpenLargeFileParams, OpenLargeFileResult>('viommu/openLargeFile');

/** Forgets a file read by viommu/openLargeFile (its text, parse and place in its capture); `closed` is false for a URI it did not open. */
export const CloseLargeFileRequest = request<{ uri: string }, { closed: boolean }>('viommu/closeLargeFile');

export interface LargeFileLinesParams {
  uri: string;
  /** 0-based first line. */
  line: number;
  count: number;
}

export interface LargeFileLinesResult {
  /** The first line returned (0-based) and the lines. */
  first: number;
  lines: string[];
  lineCount: number;
  error?: string;
}

/** Lines of a file opened by viommu/openLargeFile, read from disk by byte offset (any file size). */
export const LargeFileLinesRequest = request<LargeFileLinesParams, LargeFileLinesResult>('viommu/largeFileLines');

// ---- viommu/compareCaptures --------------------------------------------------

export interface CompareCapturesParams {
  /** The two capture folders (or a file of each): the first is "before", the second "after". */
  left: string;
  right: string;
}

export interface CompareCapturesResult {
  /** The differences as a Markdown document; every piece of dump text in it is escaped. */
  markdown: string;
  /** Differences by section (requesters, domains, mappings, IRTEs, units). */
  counts: Record<string, number>;
  total: number;
  /** Set when a folder could not be read as a capture. */
  error?: string;
}

export const CompareCapturesRequest = request<CompareCapturesParams, CompareCapturesResult>('viommu/compareCaptures');

// ---- viommu/atsFlow ------------------------------------------------------------
// The ATS flow of the devices of a QEMU trace, for the sequence-diagram webview.

export interface AtsFlowParams {
  /** A trace source (the trace file, or a capture folder that holds one). */
  source: SourceRef;
}

export type AtsLaneId = 'device' | 'iommu' | 'driver';

export interface WireAtsEvent {
  /** 0-based line of the trace. */
  line: number;
  kind: string;
  from: AtsLaneId;
  to: AtsLaneId;
  label: string;
  detail: string;
  /** 'implied': QEMU does it at that line but prints no trace line of its own. */
  shown: 'traced' | 'implied';
}

export interface WireAtsDevice {
  /** B:D.F */
  bdf: string;
  sid: number;
  domain?: number;
  deviceTlbEnabled: boolean;
  events: WireAtsEvent[];
  /** Events left out of `events` (the flow is cut at a maximum). */
  omitted: number;
}

export interface AtsFlowResult {
  /** The trace's file name. */
  name: string;
  /** URI of the trace file (events point at its lines). */
  uri: string;
  devices: WireAtsDevice[];
  /** What the trace cannot show, and why a device list may be empty. */
  notes: string[];
}

export const AtsFlowRequest = request<AtsFlowParams, AtsFlowResult | null>('viommu/atsFlow');

// ---- viommu/traceTimeline -----------------------------------------------------

/** A trace as columns of counts (see src/model/traceReplay/timeline.ts): the timeline panel draws these, never the events. */
export interface TraceTimelineResult extends TraceTimeline {
  /** The trace's file name and URI (columns point at its lines). */
  name: string;
  uri: string;
}

export const TraceTimelineRequest = request<{ source: SourceRef }, TraceTimelineResult | null>('viommu/traceTimeline');

// ---- Charts (simulation figures over events, sweeps, latency histograms) ---------

/** One chart the charts panel draws: lines over a numeric x, or bars over labelled x. */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'bars';
  xLabel: string;
  /** Numeric x (line charts) or category labels (bar charts). */
  x: number[] | string[];
  series: { label: string; values: (number | null)[]; unit?: string }[];
  /** Published ranges drawn as bands (e.g. a scenario's expected relative throughput). */
  bands?: { label: string; low: number; high: number }[];
  yLabel?: string;
}

export interface ChartsResult {
  title: string;
  charts: ChartSpec[];
  notes: string[];
  error?: string;
}

/** A simulation session's figures over its events so far (live while stepping). */
export const SimulationChartsRequest = request<{ session: string }, ChartsResult | null>('viommu/simulation/charts');

export interface SweepChartParams {
  /** Built-in scenarios, overlaid. */
  builtins: string[];
  /** A scenario key ("workload.packet-bytes", "guest.invalidation", "platform.caching-mode"...). */
  key: string;
  values: string[];
}

/** A figure against a swept value, several scenarios overlaid, their expected ranges as bands. */
export const SweepChartsRequest = request<SweepChartParams, ChartsResult>('viommu/simulation/sweepCharts');

/** A dmar_perf_latency dump's histograms (one chart per unit, a series per latency type). */
export const PerfLatencyChartsRequest = request<{ uri: string }, ChartsResult | null>('viommu/perfLatencyCharts');


// ---- Simulation sessions ---------------------------------------------------------
// The simulator (src/sim) stepped in the sidebar: the server keeps the
// sessions; every view reads one through a SourceRef of kind 'simulation'
// whose uri is the session id. Scenario files (*.viommu.yaml) have their
// own language, served by the same language server.

/** VS Code language id of scenario files. */
export const SCENARIO_LANGUAGE = 'viommu-scenario';

/** True for the languages of capture dumps (not scenario files). */
export function isDumpLanguage(languageId: string): boolean {
  return LANGUAGE_IDS.includes(languageId);
}

/** A breakpoint: the first event that matches every field given. 64-bit IOVAs as 0x-hex strings. */
export interface WireBreakpoint {
  /** Event kind name, e.g. "dmar-fault", "iotlb-invalidate". */
  kind?: string;
  /** Requester "BB:DD.F". */
  requester?: string;
  /** Inclusive IOVA range. */
  iovaFrom?: string;
  iovaTo?: string;
  /** Any fault (true), or faults of one reason code. */
  fault?: boolean | number;
}

export interface SimulationStartParams {
  /** A built-in scenario by name (`viommu simulate --list`). */
  builtin?: string;
  /** A scenario file: the open document's text, else the file on disk. */
  uri?: string;
  /** Scenario text (instead of `uri`'s content; `uri` then only names it). */
  text?: string;
  /** Seed guest memory and the IOMMU from this capture (a capture folder or a file of it) instead of booting the guest driver. */
  capture?: string;
}

/** One event as the Simulator view and the commands show it. */
export interface WireSimEvent {
  index: number;
  /** Simulated time, ns. */
  time: number;
  kind: string;
  thread: string;
  costNs: number;
  requester?: string;
  address?: string;
  text: string;
  /** The QEMU/KVM trace event it mirrors. */
  trace?: string;
}

export interface SimulationStatus {
  session: string;
  scenario: string;
  /** What the session runs: "built-in dynamic-strict", a file name, "… seeded from <capture>". */
  origin: string;
  /** Events applied so far, and in the whole run. */
  position: number;
  total: number;
  finished: boolean;
  /** Digest of the events so far (equal digests at one position: equal runs). */
  digest: string;
  timeNs: number;
  refused?: string;
  breakpoints: (WireBreakpoint & { id: number; text: string })[];
}

export interface SimulationStartResult {
  status?: SimulationStatus;
  /** The scenario's errors (1-based line and column), when it does not load. */
  errors?: { line: number; column: number; message: string }[];
  error?: string;
}

export type SimulationAction = 'step' | 'stepBack' | 'runToEnd' | 'runToBreakpoint' | 'reset';

export interface SimulationStepParams {
  session: string;
  action: SimulationAction;
  /** step / stepBack: how many events (default 1). */
  count?: number;
  /** runToBreakpoint: this breakpoint instead of the session's list. */
  breakpoint?: WireBreakpoint;
}

export interface SimulationStepResult {
  status?: SimulationStatus;
  /** runToBreakpoint: a breakpoint matched (else the run ended). */
  hit: boolean;
  /** The breakpoint that matched, as text. */
  hitBreakpoint?: string;
  /** The events the step applied (the last 200 of them), and how many there were. */
  events: WireSimEvent[];
  eventCount: number;
  error?: string;
}

export interface SimulationBreakpointParams {
  session: string;
  add?: WireBreakpoint;
  /** The id of a breakpoint to remove. */
  remove?: number;
}

interface SimulationSessionParams {
  session: string;
}

export interface SimulationCatalog {
  builtins: { name: string; description: string; anchor?: string }[];
  /** Event kind names (for breakpoints). */
  eventKinds: string[];
  sessions: SimulationStatus[];
}

export const SimulationStartRequest = request<SimulationStartParams, SimulationStartResult>('viommu/simulation/start');
export const SimulationStepRequest = request<SimulationStepParams, SimulationStepResult>('viommu/simulation/step');
export const SimulationBreakpointRequest = request<SimulationBreakpointParams, SimulationStatus | null>('viommu/simulation/breakpoint');
export const SimulationStatusRequest = request<SimulationSessionParams, SimulationStatus | null>('viommu/simulation/status');
export const SimulationStopRequest = request<SimulationSessionParams, boolean>('viommu/simulation/stop');
export const SimulationCatalogRequest = request<Record<string, never>, SimulationCatalog>('viommu/simulation/catalog');

/** Simulator commands (package.json contributes.commands). */
export const SIMULATION_COMMANDS = {
  /** "vIOMMU: New Simulation…": a built-in or the active scenario file, optionally seeded from the open capture; takes { builtin?, uri?, capture? }. */
  newSimulation: 'viommu.simulation.new',
  step: 'viommu.simulation.step',
  stepN: 'viommu.simulation.stepN',
  runToEnd: 'viommu.simulation.runToEnd',
  runToBreakpoint: 'viommu.simulation.runToBreakpoint',
  stepBack: 'viommu.simulation.stepBack',
  reset: 'viommu.simulation.reset',
  addBreakpoint: 'viommu.simulation.addBreakpoint',
  removeBreakpoint: 'viommu.simulation.removeBreakpoint',
  /** Every view shows the running simulation / the capture again. */
  showSimulation: 'viommu.simulation.showInViews',
  showCapture: 'viommu.simulation.showCapture',
  /** Ends the session: the views go back to the capture. */
  stop: 'viommu.simulation.stop',
  /** Code lenses of a scenario file: run it to the end, or open it in the sidebar at its first event. */
  runScenario: 'viommu.simulation.runScenario',
  stepInSidebar: 'viommu.simulation.stepInSidebar',
} as const;


/** Codicon of each kind of ATS flow event, shared by the ATS Flow view and the sequence diagram. */
export const ATS_EVENT_ICONS: Readonly<Record<string, string>> = {
  context: 'symbol-class',
  translation: 'arrow-right',
  fault: 'error',
  'iotlb-invalidation': 'trash',
  'devtlb-invalidation': 'trash',
  'devtlb-unmap': 'debug-disconnect',
  wait: 'watch',
  'wait-status': 'check',
  'wait-interrupt': 'bell',
};
