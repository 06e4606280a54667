// What a replay of a QEMU VT-d trace yields: the state QEMU's intel-iommu
// model held at one line of the trace (its IOTLB, its context cache, the
// interrupt routes it computed) and what happened up to that line (counters,
// the ATS flow of each device with a device TLB). Plain data: 64-bit values
// are bigints, lines are 0-based line numbers of the trace file.

/** One IOTLB entry as QEMU keeps it: key (source id, level, gfn), value (domain, leaf entry, access). */
export interface IotlbEntry {
  sid: number;
  domain: number;
  /** Page level of the entry: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB. */
  level: number;
  /**
   * False when the level was a guess: the trace does not print it, so it is
   * read from the leaf entry (PS bit 7 and the alignment of its address); a
   * superpage at a 1 GiB-aligned host address could be either size.
   */
  levelCertain: boolean;
  /** The IOVA of the page (gfn << 12), aligned to the entry's size. */
  iova: bigint;
  /** Bytes the entry covers. */
  size: bigint;
  /** The leaf second-level entry QEMU cached. */
  slpte: bigint;
  /** Read / write permission of the leaf (QEMU ANDs the levels of the walk; the trace shows the leaf only). */
  read: boolean;
  write: boolean;
  /** The accessed address the fill was made for, as printed (the page plus the access's offset). */
  accessIova: bigint;
  /** Line of the vtd_iotlb_page_update that filled it. */
  line: number;
  /** vtd_iotlb_page_hit lines served by this entry since the fill. */
  hits: number;
  lastHitLine?: number;
}

export type InvalidationScope = 'global' | 'domain' | 'page' | 'pasid' | 'pasid-page';

/** An IOTLB invalidation QEMU carried out (vtd_inv_desc_iotlb_*), with the entries it dropped. */
export interface IotlbInvalidation {
  line: number;
  scope: InvalidationScope;
  domain?: number;
  addr?: bigint;
  /** Address mask (AM): 2^am pages. */
  am?: number;
  pasid?: number;
  removed: number;
  /** Of those, entries outside the range the descriptor names (the 8-bit mask of QEMU before 9.1). */
  beyondRange?: number;
}

/** An IOTLB reset: the size limit (vtd_iotlb_reset) or one that comes with a context-cache reset (vtd_reset_caches). */
export interface IotlbReset {
  line: number;
  reason: 'size-limit' | 'caches-reset';
  /** Entries the reset dropped (for the size limit, not counting the entry whose fill caused it). */
  dropped: IotlbEntry[];
}

export interface IotlbCounters {
  /** vtd_iotlb_page_hit lines. */
  hits: number;
  /** IOTLB misses that ended in a fill (vtd_iotlb_page_update lines). */
  misses: number;
  /** Translations that failed (vtd_dmar_fault lines). */
  faults: number;
  /** Pass-through translations, which bypass the IOTLB (vtd_translate_pt). */
  passThrough: number;
  invalidations: Record<InvalidationScope, number>;
  /** Entries removed by invalidations. */
  entriesInvalidated: number;
  /** Of those, entries a page-selective invalidation removed outside the range it names (QEMU before 9.1). */
  entriesBeyondRange: number;
  resets: { sizeLimit: number; cachesReset: number };
  /** The most entries the IOTLB held at once. */
  peakEntries: number;
  /** Agreement between the replay and QEMU: hits on entries the replay does not hold, fills of entries it already holds, resets it did or did not expect. */
  checks: { hitsNotHeld: number; fillsAlreadyHeld: number; unexpectedResets: number; missingResets: number; firstMismatchLine?: number };
}

/** A device's cached context entry (QEMU keeps one per address space, valid while its generation equals the unit's). */
export interface ContextCacheEntry {
  sid: number;
  bus: number;
  devfn: number;
  /** The context entry, as vtd_iotlb_cc_update printed it (the first 128 bits). */
  hi: bigint;
  lo: bigint;
  /** The entry's generation; valid when equal to the unit's. */
  gen: number;
  /** Line of the vtd_iotlb_cc_update that loaded it. */
  line: number;
  /** vtd_iotlb_cc_hit lines since. */
  hits: number;
  /** Line that last invalidated it (device-selective invalidation), if any. */
  invalidatedLine?: number;
}

export interface ContextCacheState {
  /** The unit's generation (QEMU's s->context_cache_gen). */
  generation: number;
  entries: ContextCacheEntry[];
  counters: {
    hits: number;
    updates: number;
    globalInvalidations: number;
    domainInvalidations: number;
    deviceInvalidations: number;
    resets: number;
    /** Lines where the generation the trace prints differs from the replay's. */
    generationMismatches: number;
    firstMismatchLine?: number;
  };
}

/** Where a message of the ATS flow goes: between the device, the IOMMU and the guest's driver. */
type AtsLane = 'device' | 'iommu' | 'driver';

type AtsEventKind =
  | 'context'
  | 'translation'
  | 'fault'
  | 'iotlb-invalidation'
  | 'devtlb-invalidation'
  | 'devtlb-unmap'
  | 'wait'
  | 'wait-status'
  | 'wait-interrupt';

export interface AtsEvent {
  line: number;
  kind: AtsEventKind;
  from: AtsLane;
  to: AtsLane;
  /** One line, for a sequence-diagram arrow. */
  label: string;
  /** More words, for a tooltip. */
  detail: string;
  /** 'traced': a trace line shows it; 'implied': QEMU does it at that line without a trace event of its own. */
  shown: 'traced' | 'implied';
  /** Descriptor qwords (qw0, qw1) of invalidation and wait descriptors. */
  qwords?: [bigint, bigint];
  /** Device-TLB invalidations: the range the size encoding gives. */
  range?: { base: bigint; size: bigint; all: boolean };
  iova?: bigint;
  gpa?: bigint;
  /** Translations: served from the IOTLB (true) or by a page walk and a fill (false). */
  cached?: boolean;
}

/** A device whose context entry enables the device TLB, or that device-TLB invalidations name. */
export interface AtsDevice {
  sid: number;
  /** Domain of its context entry, when the trace showed the entry. */
  domain?: number;
  /** The context entry enables the device TLB (legacy TT = 01, scalable DTE = 1), as far as the trace showed it. */
  deviceTlbEnabled: boolean;
  /** Line of the context entry that said so. */
  contextLine?: number;
  events: AtsEvent[];
  /** Events after the first MAX_ATS_EVENTS_PER_DEVICE, counted but not kept. */
  omitted: number;
  counts: { translations: number; devtlbInvalidations: number; waits: number };
}

/** A context entry the trace showed, whether or not it enables the device TLB. */
export interface SeenContext {
  sid: number;
  hi: bigint;
  lo: bigint;
  line: number;
  deviceTlbEnabled: boolean;
}

export interface MsiMessage {
  address: bigint;
  data: bigint;
}

/** What vtd_ir_remap printed: the IRTE's fields as QEMU used them. */
export interface RemapFields {
  trigger: number;
  vector: number;
  deliveryMode: number;
  dest: number;
  destMode: number;
}

/**
 * One interrupt route: a KVM GSI route (kvm_irqchip_* lines, split irqchip) or,
 * when the trace has no KVM route for it, the interrupts QEMU remapped as they
 * were delivered (one route per IRTE index). GSI → MSI → IRTE → remapped message.
 */
export interface TraceRoute {
  /** Stable key: "gsi:<n>", "irte:<index>" or "compat:<address>:<data>". */
  key: string;
  kind: 'kvm' | 'delivery';
  /** KVM routes: the GSI (virq). */
  gsi?: number;
  /** KVM routes: the device model name QEMU printed ("N/A" for IOAPIC routes). */
  device?: string;
  /** KVM routes: the device's MSI vector number. */
  deviceVector?: number;
  /** Requester id, when the trace printed it (patched QEMU's vtd_ir_remap_msi_req, vtd_warn_ir_*). */
  sid?: number;
  /** vtd_ir_remap_type: 'MSI' or 'IOAPIC'. */
  type?: string;
  /** The message the device (or IOAPIC) sent, in remappable format. */
  request?: MsiMessage;
  /** Not remapped: compatibility format, or interrupt remapping off. */
  passthrough: boolean;
  index?: number;
  /** The IRTE as QEMU read it (true hi and lo qwords). */
  irte?: { hi: bigint; lo: bigint };
  remap?: RemapFields;
  /** The compatibility-format message QEMU made of it (what the KVM route holds). */
  message?: MsiMessage;
  /**
   * cached: computed from the IRTE as last read, no IEC invalidation of the entry since.
   * stale: an IEC invalidation of its IRTE came after the message was computed and the message was not recomputed since.
   * failed: QEMU could not remap it (kvm_x86_fixup_msi_error), so KVM has no route.
   * released: the GSI was released.
   */
  state: 'cached' | 'stale' | 'failed' | 'released';
  /** Line the message was last computed at. */
  computedLine: number;
  /** Line of the IEC invalidation that made it stale. */
  staleSince?: number;
  firstLine: number;
  lastLine: number;
  /** Remaps (delivery) or route computations (KVM). */
  count: number;
  /** Each time the IRTE read for this route differed from the one before: with the IEC invalidation in between, if there was one. */
  irteChanges: { line: number; before: { hi: bigint; lo: bigint }; after: { hi: bigint; lo: bigint }; iecLine?: number }[];
}

export interface IecInvalidation {
  line: number;
  global: boolean;
  index: number;
  mask: number;
}

/** The replayed state as of one line, and what happened up to it. */
export interface TraceReplay {
  /** The last line replayed (0-based), and the trace's line count. */
  asOfLine: number;
  lineCount: number;
  events: number;
  /** Translation structures: legacy, or scalable (vtd_reg_dmar_root). */
  scalable: boolean;
  dmarEnabled?: boolean;
  irEnabled?: boolean;
  iotlb: {
    entries: IotlbEntry[];
    counters: IotlbCounters;
    lastReset?: IotlbReset;
    lastInvalidation?: IotlbInvalidation;
    /**
     * Width of the page-selective invalidation mask replayed: 64 (QEMU 9.1 and
     * later) or 8 (earlier QEMU, whose PSIs compare only gfn bits 7:0 and so
     * drop more entries than the descriptor names).
     */
    psiMaskBits: 8 | 64;
    /**
     * 'trace': both were replayed and only this one agreed with the trace's hits and fills;
     * 'either': both agreed (no PSI in the trace removed an entry outside its range), so the
     * trace does not tell QEMU before 9.1 from later; 'given': the caller chose.
     */
    psiMaskChoice: 'trace' | 'either' | 'given';
  };
  contextCache: ContextCacheState;
  ats: { devices: AtsDevice[]; contexts: SeenContext[]; devtlbDescriptors: number };
  routes: TraceRoute[];
  iec: IecInvalidation[];
  /** What the trace does not show, said once per replay (QEMU version limits). */
  notes: string[];
}
