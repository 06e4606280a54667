// The nodes of QEMU's caches, whichever source holds them: the trace replay
// (src/model/traceReplay) and the simulator (src/sim) each give their
// IOTLB entries and cached context entries as the rows below, and these
// builders make the IOTLB view's domains and entries and the context cache's
// entries from them, one way for both. What only one source knows (the trace
// line an entry was filled at, hits since; a simulation's changes) comes in
// the row's tooltip, location and copy.

import { ATS_EVENT_ICONS, type TreeNodeDto, type WireLocation } from '../../protocol';
import type { Structure } from '../../vtd/layout';
import { mdEscape } from '../markdown';
import { entryTooltip } from './fieldNodes';
import { formatAddress, formatNumber, type NumberStyle } from './format';

/** One IOTLB entry as a view shows it. */
export interface IotlbRow {
  /** The entry's node id. */
  id: string;
  did: number;
  /** B:D.F */
  requester: string;
  iova: bigint;
  /** "4K", or "1G?" when the level is a guess. */
  size: string;
  hpa: bigint;
  /** "RW", "R-"... */
  permissions: string;
  /** Hits since it was filled, when the source counts them. */
  hits?: number;
  /** Markdown. */
  tooltip: string;
  location?: WireLocation;
  copy: TreeNodeDto['copy'];
}

/** Rows grouped by domain, the domains in DID order. */
export function byDomain<T extends { did: number }>(rows: readonly T[]): [number, T[]][] {
  const by = new Map<number, T[]>();
  for (const r of rows) {
    const list = by.get(r.did) ?? [];
    list.push(r);
    by.set(r.did, list);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]);
}

/** A domain's node above its entries: how many, for which requesters. */
export function iotlbDomainNode(did: number, rows: readonly { requester: string }[], style: NumberStyle, how: { id: string; expanded: boolean }): TreeNodeDto {
  const sids = [...new Set(rows.map((r) => r.requester))].sort();
  return {
    id: how.id,
    label: `Domain ${formatNumber(did, style, 16)}`,
    description: `${rows.length} ${rows.length === 1 ? 'entry' : 'entries'} · ${sids.join(', ')}`,
    tooltip: `IOTLB entries of domain ${did} (DID), for ${mdEscape(sids.join(', '))}.`,
    collapsible: how.expanded ? 'expanded' : 'collapsed',
    contextValue: 'iotlbDomain',
    icon: 'symbol-namespace',
    copy: { value: String(did) },
  };
}

export function iotlbEntryNode(r: IotlbRow, style: NumberStyle): TreeNodeDto {
  return {
    id: r.id,
    label: `IOVA ${formatAddress(r.iova, style)}`,
    description: `${r.requester} · ${r.size} · → ${formatAddress(r.hpa, style)} · ${r.permissions}${r.hits !== undefined ? ` · ${r.hits} hits` : ''}`,
    tooltip: r.tooltip,
    collapsible: 'collapsed',
    contextValue: 'iotlbEntry',
    icon: 'database',
    ...(r.location ? { location: r.location } : {}),
    copy: r.copy,
  };
}

/** One cached context entry as a view shows it. */
interface ContextCacheRow {
  id: string;
  requester: string;
  /** The entry decoded as the unit's mode reads it. */
  decoded: Structure;
  valid: boolean;
  /** Its generation and the unit's, in words. */
  state: string;
  hits?: number;
  /** More lines of the tooltip (where it was loaded, what QEMU prints of it). */
  notes: string[];
  location?: WireLocation;
  copy: TreeNodeDto['copy'];
}

export function contextCacheEntryNode(r: ContextCacheRow): TreeNodeDto {
  return {
    id: r.id,
    label: r.requester,
    description: `${r.decoded.summary} · ${r.state}${r.hits !== undefined ? ` · ${r.hits} hits` : ''}`,
    tooltip: entryTooltip(r.decoded, `Cached context entry of ${r.requester}`, r.notes),
    collapsible: 'collapsed',
    contextValue: 'contextCacheEntry',
    icon: r.valid ? 'symbol-class' : 'circle-slash',
    ...(r.location ? { location: r.location } : {}),
    copy: r.copy,
  };
}

/** One step of a device's ATS flow (a trace's, or a simulation's): between the device, the IOMMU and the guest driver. */
export interface AtsFlowRow {
  id: string;
  kind: string;
  from: 'device' | 'iommu' | 'driver';
  to: 'device' | 'iommu' | 'driver';
  label: string;
  detail: string;
  /** Where it happened: "line 1204", "line 1204, implied", "event #3021". */
  where: string;
  /** A translation served from a cache (drawn as such). */
  cached?: boolean;
  /** A step QEMU does without a trace line of its own. */
  implied?: boolean;
  /** Markdown of the descriptor it carries, when decoded (its fields are then the node's children). */
  decoded?: string;
  location?: WireLocation;
  copy: TreeNodeDto['copy'];
}

const LANE_NAMES: Record<AtsFlowRow['from'], string> = { device: 'device', iommu: 'IOMMU', driver: 'driver' };

export function atsFlowEventNode(r: AtsFlowRow): TreeNodeDto {
  const tooltip = [`**${mdEscape(r.label)}**`, '', `${LANE_NAMES[r.from]} → ${LANE_NAMES[r.to]}, ${r.where}`, '', mdEscape(r.detail)];
  if (r.decoded) tooltip.push('', r.decoded);
  return {
    id: r.id,
    label: r.label,
    description: `${LANE_NAMES[r.from]} → ${LANE_NAMES[r.to]} · ${r.where}`,
    tooltip: tooltip.join('\n'),
    collapsible: r.decoded ? 'collapsed' : 'none',
    contextValue: r.implied ? 'atsEvent implied' : 'atsEvent',
    icon: r.kind === 'translation' && r.cached ? 'zap' : ATS_EVENT_ICONS[r.kind],
    ...(r.location ? { location: r.location } : {}),
    copy: r.copy,
  };
}
