// Counts of what the IOMMU did in a stretch of a QEMU trace: the figures the
// VM lane's twin table compares with the simulator's (queued-invalidation
// submissions and descriptors by type, page-selective invalidations by
// address mask, IOTLB fills, hits and resets, context-cache and
// interrupt-entry-cache invalidations). The stretch is a time window (the
// trace's host stamps) and, for what names them, a requester and a domain.

import type { TraceEvent } from '../../dumps/qemuTrace/index';

export type DescriptorKind = 'iotlb' | 'device-tlb' | 'context-cache' | 'iec' | 'wait' | 'pasid-iotlb' | 'pasid-cache' | 'other';

export interface WindowFigures {
  /** Guest writes of the queue's tail register: one per submission. */
  submissions: number;
  /** Descriptors fetched, by type. */
  descriptors: Record<DescriptorKind, number>;
  /** IOTLB invalidations: page-selective (by address mask), domain-selective, global. */
  psi: number;
  psiByMask: Record<string, number>;
  dsi: number;
  globalInvalidations: number;
  /** The requester's IOTLB fills (misses that walked the tables) and hits. */
  fills: number;
  hits: number;
  /** IOTLB resets (the 1024-entry limit, or a caches reset). */
  resets: number;
  contextCacheInvalidations: number;
  iecInvalidations: number;
}

interface WindowFilter {
  /** Host seconds (the trace's pid@seconds stamps): events outside [from, to] are not counted. */
  from?: number;
  to?: number;
  /** Only this requester's fills and hits. */
  sid?: number;
  /** Only this domain's IOTLB invalidations. */
  did?: number;
}

const DESCRIPTOR_TYPES: Record<string, DescriptorKind> = {
  iotlb: 'iotlb',
  device: 'device-tlb',
  'context-cache': 'context-cache',
  context: 'context-cache',
  iec: 'iec',
  wait: 'wait',
  'p-iotlb': 'pasid-iotlb',
  piotlb: 'pasid-iotlb',
  'pasid-iotlb': 'pasid-iotlb',
  pc: 'pasid-cache',
  'pasid-cache': 'pasid-cache',
};

export function emptyFigures(): WindowFigures {
  return {
    submissions: 0,
    descriptors: { iotlb: 0, 'device-tlb': 0, 'context-cache': 0, iec: 0, wait: 0, 'pasid-iotlb': 0, 'pasid-cache': 0, other: 0 },
    psi: 0,
    psiByMask: {},
    dsi: 0,
    globalInvalidations: 0,
    fills: 0,
    hits: 0,
    resets: 0,
    contextCacheInvalidations: 0,
    iecInvalidations: 0,
  };
}

/** An address-mask bucket: "0", "1", ... "5", "6+" (the histogram's columns). */
export function maskBucket(mask: number): string {
  return mask >= 6 ? '6+' : String(mask);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

export function windowFigures(events: readonly TraceEvent[], filter: WindowFilter = {}): WindowFigures {
  const f = emptyFigures();
  const inDomain = (e: TraceEvent) => filter.did === undefined || num(e.args.domain) === filter.did;
  const bySid = (e: TraceEvent) => filter.sid === undefined || num(e.args.sid) === filter.sid;
  for (const e of events) {
    if (filter.from !== undefined && (e.time === undefined || e.time < filter.from)) continue;
    if (filter.to !== undefined && (e.time === undefined || e.time > filter.to)) continue;
    switch (e.name) {
      case 'vtd_inv_qi_tail':
        f.submissions++;
        break;
      case 'vtd_inv_desc': {
        const kind = DESCRIPTOR_TYPES[String(e.args.type)] ?? 'other';
        f.descriptors[kind]++;
        break;
      }
      case 'vtd_inv_desc_iotlb_pages':
      case 'vtd_inv_desc_iotlb_pasid_pages':
        if (!inDomain(e)) break;
        f.psi++;
        {
          const bucket = maskBucket(num(e.args.mask) ?? 0);
          f.psiByMask[bucket] = (f.psiByMask[bucket] ?? 0) + 1;
        }
        break;
      case 'vtd_inv_desc_iotlb_domain':
      case 'vtd_inv_desc_iotlb_pasid':
        if (inDomain(e)) f.dsi++;
        break;
      case 'vtd_inv_desc_iotlb_global':
        f.globalInvalidations++;
        break;
      case 'vtd_iotlb_page_update':
        if (bySid(e)) f.fills++;
        break;
      case 'vtd_iotlb_page_hit':
        if (bySid(e)) f.hits++;
        break;
      case 'vtd_iotlb_reset':
        f.resets++;
        break;
      case 'vtd_inv_desc_cc_domain':
      case 'vtd_inv_desc_cc_global':
      case 'vtd_inv_desc_cc_devices':
        f.contextCacheInvalidations++;
        break;
      case 'vtd_inv_desc_iec':
        f.iecInvalidations++;
        break;
    }
  }
  return f;
}
