// The IOTLB view of a simulation: QEMU's IOTLB as the emulated unit holds it
// (its counters, its entries by domain with the leaf entry decoded) and its
// context cache (each device's cached context entry, valid while its
// generation is the unit's).

import type { TreeNodeDto } from '../../../protocol';
import type { SimulationState } from '../../../sim/index';
import { decodeContextEntryFor } from '../../../vtd/contextEntry';
import type { Structure } from '../../../vtd/layout';
import { decodeSlEntry, slEntryInfo } from '../../../vtd/paging';
import { parseBdf } from '../../../model/bdf';
import { entryTooltip, fieldNodes } from '../fieldNodes';
import { byDomain, contextCacheEntryNode, iotlbDomainNode, iotlbEntryNode, type IotlbRow } from '../cacheNodes';
import { filterAddress } from '../filter';
import { childId, parseId, segment } from '../nodeIds';
import { percentText, type SimTreeContext } from './simTreeContext';

type IotlbEntryState = SimulationState['iotlb']['entries'][number];
type ContextCacheEntryState = SimulationState['contextCache']['entries'][number];

const COUNTERS_ID = segment('c', 'counters');
const CACHE_ID = segment('cc', 'context');

function simIotlbEntryKey(e: IotlbEntryState): string {
  return `${e.requester}.${e.level}.${e.iovaPage}`;
}

function simIotlbEntryId(e: IotlbEntryState): string {
  return childId(segment('d', e.did), 'e', simIotlbEntryKey(e));
}

function entryShown(ctx: SimTreeContext, e: IotlbEntryState): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return parseBdf(e.requester) === f.sid;
  if (f.kind === 'did') return e.did === f.did;
  const a = filterAddress(f);
  if (a) {
    const iova = BigInt(e.iovaPage);
    const size = 1n << BigInt(3 + 9 * e.level);
    const hpa = slEntryInfo(BigInt(e.entry), e.level).address;
    return (a.iova && a.address >= iova && a.address < iova + size) || (a.hpa && a.address >= hpa && a.address < hpa + size);
  }
  return f.kind === 'text' && e.requester.includes(f.needle);
}

function counters(ctx: SimTreeContext): TreeNodeDto {
  const t = ctx.state.iotlb;
  const c = t.counters;
  return {
    id: COUNTERS_ID,
    label: 'Counters',
    description: `${c.hits} hits · ${c.misses} misses · ${percentText(c.hits + c.misses ? c.hits / (c.hits + c.misses) : null)} hit rate · ${t.size} of ${t.capacity} entries`,
    tooltip: 'QEMU\'s IOTLB since the guest booted: lookups that hit, misses that walked the page table, entries filled, resets, and entries invalidations removed.',
    collapsible: 'collapsed',
    contextValue: 'counters',
    icon: 'graph',
    copy: { json: { ...c, size: t.size, capacity: t.capacity, policy: t.policy } },
  };
}

function counterLeaves(ctx: SimTreeContext): TreeNodeDto[] {
  const t = ctx.state.iotlb;
  const c = t.counters;
  const row = (key: string, label: string, description: string, tooltip: string, icon: string): TreeNodeDto => ({ id: childId(COUNTERS_ID, 'n', key), label, description, tooltip, collapsible: 'none', contextValue: 'counter', icon, copy: { value: description } });
  const policy = t.policy === 'qemu' ? 'full: QEMU resets the whole table (VTD_IOTLB_MAX_SIZE)' : 'full: the least recently used entry is evicted';
  return [
    row('hits', 'Hits', String(c.hits), 'Translations served from the IOTLB (vtd_iotlb_page_hit).', 'check'),
    row('misses', 'Misses', String(c.misses), 'Translations that walked the page table.', 'arrow-down'),
    row('inserts', 'Fills', String(c.inserts), 'Entries filled after a walk (vtd_iotlb_page_update).', 'add'),
    row('invalidated', 'Invalidated', String(c.invalidated), 'Entries removed by IOTLB invalidation descriptors.', 'trash'),
    row('resets', 'Resets', String(c.resets), `Whole-table resets. When ${policy}.`, 'debug-restart'),
    row('size', 'Size', `${t.size} of ${t.capacity} (${t.policy} policy)`, `Entries held, of the table's capacity; when ${policy}.`, 'dashboard'),
  ];
}

function domainNodes(ctx: SimTreeContext): TreeNodeDto[] {
  const groups = byDomain(ctx.state.iotlb.entries.filter((e) => entryShown(ctx, e)));
  return groups.map(([did, list]) => iotlbDomainNode(did, list, ctx.style, { id: segment('d', did), expanded: true }));
}

/** A simulated IOTLB entry as a row of the shared builders. */
function rowOf(e: IotlbEntryState): IotlbRow {
  const s = decodeSlEntry(BigInt(e.entry), e.level);
  return {
    id: simIotlbEntryId(e),
    did: e.did,
    requester: e.requester,
    iova: BigInt(e.iovaPage),
    size: e.pageSize,
    hpa: slEntryInfo(BigInt(e.entry), e.level).address,
    permissions: e.permissions,
    tooltip: entryTooltip(s, `IOTLB entry ${e.requester} IOVA ${e.iovaPage}`, [`Domain ${e.did}, PASID ${e.pasid}, level ${e.level} (${e.pageSize}).`]),
    copy: { value: e.iovaPage, raw: e.entry, json: e },
  };
}

function cacheNode(ctx: SimTreeContext): TreeNodeDto {
  const cc = ctx.state.contextCache;
  const valid = cc.entries.filter((e) => e.valid).length;
  const k = cc.counters;
  return {
    id: CACHE_ID,
    label: 'Context cache',
    description: `generation ${cc.generation} · ${valid} of ${cc.entries.length} valid · ${k.hits} hits · ${k.misses} misses · ${k.invalidations} invalidations`,
    tooltip: 'QEMU caches one context entry per device, valid while its generation equals the unit\'s; a global or domain invalidation bumps the unit\'s generation.',
    collapsible: 'collapsed',
    contextValue: 'contextCache',
    icon: 'layers',
    copy: { json: { generation: cc.generation, counters: k } },
  };
}

/** The cached entry's first 128 bits, decoded as the unit's mode reads them. */
function cachedContext(ctx: SimTreeContext, e: ContextCacheEntryState): Structure {
  const [hi, lo] = e.entry.split(':').map((x) => BigInt(x));
  return decodeContextEntryFor(ctx.session.scenario.platform.scalableMode ? 'scalable' : 'legacy', hi, lo);
}

function cacheEntryNode(ctx: SimTreeContext, e: ContextCacheEntryState): TreeNodeDto {
  const state = e.valid ? `valid (generation ${e.generation})` : `stale: generation ${e.generation}, the unit's is ${ctx.state.contextCache.generation}`;
  return contextCacheEntryNode({
    id: childId(CACHE_ID, 'x', e.requester),
    requester: e.requester,
    decoded: cachedContext(ctx, e),
    valid: e.valid,
    state,
    notes: [`DID ${e.did}, ${e.levels}-level, ${e.mode}${e.ats ? ', device TLB' : ''}${e.fpd ? ', FPD' : ''}; ${state}.`],
    copy: { value: e.entry, json: e },
  });
}

export function simIotlbChildren(ctx: SimTreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) {
    const out = [counters(ctx), ...domainNodes(ctx)];
    if (ctx.state.contextCache.entries.length) out.push(cacheNode(ctx));
    return out;
  }
  const segs = parseId(parentId);
  if (!segs) return [];
  const [head] = segs;
  if (parentId === COUNTERS_ID) return counterLeaves(ctx);
  if (head.kind === 'cc') {
    const entries = ctx.state.contextCache.entries.filter((e) => !ctx.filter || ctx.filter.kind !== 'bdf' || parseBdf(e.requester) === ctx.filter.sid);
    if (segs.length === 1) return entries.map((e) => cacheEntryNode(ctx, e));
    const e = entries.find((x) => x.requester === segs[1].value);
    if (!e || segs.length !== 2) return [];
    return fieldNodes(parentId, cachedContext(ctx, e), ctx.style);
  }
  if (head.kind !== 'd') return [];
  const entries = ctx.state.iotlb.entries.filter((e) => String(e.did) === head.value && entryShown(ctx, e));
  if (segs.length === 1) return entries.sort((a, b) => (BigInt(a.iovaPage) < BigInt(b.iovaPage) ? -1 : 1)).map((e) => iotlbEntryNode(rowOf(e), ctx.style));
  const e = entries.find((x) => simIotlbEntryKey(x) === segs[1].value);
  return e && segs.length === 2 ? fieldNodes(parentId, decodeSlEntry(BigInt(e.entry), e.level), ctx.style) : [];
}
