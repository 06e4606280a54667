// The IOTLB view of a QEMU trace: the replay's counters (hits, misses, hit
// rate, invalidations, resets, and whether the replay agrees with every hit
// and fill the trace shows), then QEMU's IOTLB as of the chosen line grouped
// by domain, its context cache, and what the last reset dropped. Every entry
// points at the trace line that filled it.

import type { TreeNodeDto } from '../../../protocol';
import type { IotlbEntry, TraceReplay } from '../../../model/traceReplay/index';
import { decodeContextEntryFor } from '../../../vtd/contextEntry';
import { decodeSlEntry, slEntryInfo } from '../../../vtd/paging';
import { sidName } from '../../../vtd/source-id';
import { bitsOf, hex, sizeName } from '../../../vtd/u64';
import { mdEscape } from '../../markdown';
import { fieldNodes } from '../fieldNodes';
import { byDomain, contextCacheEntryNode, iotlbDomainNode, iotlbEntryNode, type IotlbRow } from '../cacheNodes';
import { filterAddress } from '../filter';
import { childId, parseId, segment } from '../nodeIds';
import { lineName, traceLocation, type TraceTreeContext } from './traceSource';

const COUNTERS_ID = segment('c', 'counters');
const CACHE_ID = segment('cc', 'context');

function iotlbDomainId(did: number, parent?: string): string {
  return childId(parent, 'd', did);
}

function iotlbEntryId(e: IotlbEntry, parent?: string): string {
  return childId(iotlbDomainId(e.domain, parent), 'e', `${e.sid}.${e.level}.${(e.iova >> 12n).toString(16)}`);
}

function contextCacheEntryId(sid: number): string {
  return childId(CACHE_ID, 'x', sid);
}

function resetId(line: number): string {
  return segment('r', line);
}

// ---- filter ---------------------------------------------------------------------------

function entryShown(ctx: TraceTreeContext, e: IotlbEntry): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return e.sid === f.sid;
  if (f.kind === 'did') return e.domain === f.did;
  const a = filterAddress(f);
  if (a) return (a.iova && a.address >= e.iova && a.address < e.iova + e.size) || (a.hpa && slEntryInfo(e.slpte, e.level).address === (a.address & ~(e.size - 1n)));
  return f.kind === 'text' && sidName(e.sid).includes(f.needle);
}

function sidShown(ctx: TraceTreeContext, sid: number, did: number | undefined): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return sid === f.sid;
  if (f.kind === 'did') return did === f.did;
  return f.kind === 'text' && sidName(sid).includes(f.needle);
}

// ---- counters -----------------------------------------------------------------------------

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;
}

function leaf(parent: string, key: string, label: string, description: string, tooltip: string, icon: string, line?: number, ctx?: TraceTreeContext): TreeNodeDto {
  return {
    id: childId(parent, 'n', key),
    label,
    description,
    tooltip,
    collapsible: 'none',
    contextValue: 'counter',
    icon,
    location: line !== undefined && ctx ? traceLocation(ctx.trace, line) : undefined,
    copy: { value: description },
  };
}

function countersNode(ctx: TraceTreeContext): TreeNodeDto {
  const c = ctx.replay.iotlb.counters;
  const lookups = c.hits + c.misses;
  return {
    id: COUNTERS_ID,
    label: 'Counters',
    description: `${c.hits} hits · ${c.misses} misses · ${percent(c.hits, lookups)} hit rate`,
    tooltip: `IOTLB lookups QEMU traced up to ${lineName(ctx.replay.asOfLine)}: a hit is a \`vtd_iotlb_page_hit\` line, a miss one that ended in a page walk and a fill (\`vtd_iotlb_page_update\`).`,
    collapsible: 'collapsed',
    contextValue: 'counters',
    icon: 'graph',
    copy: { json: { ...c, hitRate: lookups ? c.hits / lookups : null } },
  };
}

function checksText(r: TraceReplay): { text: string; ok: boolean } {
  const k = r.iotlb.counters.checks;
  const bad = k.hitsNotHeld + k.fillsAlreadyHeld + k.unexpectedResets + k.missingResets;
  if (bad === 0) return { text: 'agrees with every hit, fill and reset of the trace', ok: true };
  const parts = [
    k.hitsNotHeld ? `${k.hitsNotHeld} hits on entries it does not hold` : '',
    k.fillsAlreadyHeld ? `${k.fillsAlreadyHeld} fills of entries it holds` : '',
    k.unexpectedResets ? `${k.unexpectedResets} resets it did not expect` : '',
    k.missingResets ? `${k.missingResets} resets it expected and the trace lacks` : '',
  ].filter(Boolean);
  return { text: `${parts.join(', ')}${k.firstMismatchLine !== undefined ? ` (first at ${lineName(k.firstMismatchLine)})` : ''}`, ok: false };
}

function counterLeaves(ctx: TraceTreeContext): TreeNodeDto[] {
  const r = ctx.replay;
  const c = r.iotlb.counters;
  const p = COUNTERS_ID;
  const inv = c.invalidations;
  const check = checksText(r);
  const psi =
    r.iotlb.psiMaskBits === 8
      ? 'QEMU before 9.1 kept a page-selective invalidation\'s mask in 8 bits (VTDIOTLBPageInvInfo.mask was a uint8_t), so it compared only gfn bits 7:0 and dropped more entries than the descriptor named.'
      : 'The mask of a page-selective invalidation covers exactly 2^AM pages at ADDR (QEMU 9.1 and later).';
  const out = [
    leaf(p, 'hits', 'Hits', String(c.hits), 'Translations served from the IOTLB (`vtd_iotlb_page_hit`).', 'check'),
    leaf(p, 'misses', 'Misses (fills)', String(c.misses), 'Translations that walked the page table and filled an entry (`vtd_iotlb_page_update`).', 'arrow-down'),
    leaf(p, 'rate', 'Hit rate', percent(c.hits, c.hits + c.misses), 'Hits over hits plus fills.', 'percentage'),
    leaf(p, 'faults', 'Failed translations', String(c.faults), 'DMA remapping faults (`vtd_dmar_fault`): a miss whose walk failed fills nothing.', 'error'),
    leaf(p, 'pt', 'Pass-through', String(c.passThrough), 'Translations of pass-through devices, which bypass the IOTLB (`vtd_translate_pt`).', 'arrow-right'),
    leaf(
      p,
      'inv',
      'Invalidations',
      `global ${inv.global} · domain ${inv.domain} · page ${inv.page}${inv.pasid + inv['pasid-page'] ? ` · PASID ${inv.pasid + inv['pasid-page']}` : ''} · ${c.entriesInvalidated} entries removed${c.entriesBeyondRange ? ` (${c.entriesBeyondRange} outside the range named)` : ''}`,
      `\`vtd_inv_desc_iotlb_*\` lines and the entries they removed from the replayed IOTLB.\n\n${psi}`,
      'trash',
    ),
    leaf(
      p,
      'resets',
      'Resets',
      `size limit ${c.resets.sizeLimit} · with the context cache ${c.resets.cachesReset}`,
      'A size-limit reset (`vtd_iotlb_reset`) empties the IOTLB when a fill finds 1024 entries (the fill itself is kept). QEMU also empties it with every context-cache reset (`vtd_reset_caches`: translation enabled or disabled, root table set, machine reset), which prints only `vtd_context_cache_reset`.',
      'debug-restart',
    ),
    leaf(p, 'peak', 'Peak entries', `${c.peakEntries} of 1024`, 'The most entries the IOTLB held at once.', 'dashboard'),
    leaf(p, 'check', 'Replay check', check.text, 'The replay looks every hit up in its own IOTLB and expects every fill to miss there, and a size-limit reset exactly when a fill finds 1024 entries.', check.ok ? 'pass' : 'warning', r.iotlb.counters.checks.firstMismatchLine, ctx),
    leaf(
      p,
      'psi',
      'PSI mask',
      r.iotlb.psiMaskChoice === 'either' ? 'either (the trace does not tell)' : r.iotlb.psiMaskBits === 8 ? '8 bits (QEMU before 9.1)' : '64 bits (QEMU 9.1 and later)',
      `${psi}\n\n${r.iotlb.psiMaskChoice === 'trace' ? "Both widths were replayed; only this one agrees with the trace's hits and fills." : r.iotlb.psiMaskChoice === 'either' ? 'Both widths were replayed and both agree with every hit and fill: no invalidation in this trace removed an entry outside the range it names, so it does not tell QEMU before 9.1 (8-bit compare) from later.' : ''}`,
      'symbol-ruler',
    ),
  ];
  const last = r.iotlb.lastInvalidation;
  if (last) {
    const pages = 2 ** (last.am ?? 0);
    const what = last.scope === 'page' || last.scope === 'pasid-page' ? `domain ${last.domain} ${hex(last.addr ?? 0n)} (${pages} ${pages === 1 ? 'page' : 'pages'})` : last.scope === 'global' ? 'global' : `domain ${last.domain}`;
    out.push(
      leaf(p, 'last', 'Last invalidation', `${what} · ${last.removed} removed${last.beyondRange ? ` (${last.beyondRange} outside)` : ''} · ${lineName(last.line)}`, 'The last IOTLB invalidation before the replay stopped.', 'history', last.line, ctx),
    );
  }
  return out;
}

// ---- entries ------------------------------------------------------------------------------

function permText(e: IotlbEntry): string {
  return `${e.read ? 'R' : '-'}${e.write ? 'W' : '-'}`;
}

/** An IOTLB entry of the replay as a row of the shared builders: its fill line and hits are what only a trace tells. */
function rowOf(ctx: TraceTreeContext, e: IotlbEntry, parent?: string): IotlbRow {
  const hpa = slEntryInfo(e.slpte, e.level).address;
  const tooltip = [
    `**IOTLB entry** IOVA \`${hex(e.iova)}\``,
    '',
    '| | |',
    '|---|---|',
    `| DID | ${e.domain} |`,
    `| requester | ${sidName(e.sid)} (source id ${hex(e.sid, 4)}) |`,
    `| IOVA page | \`${hex(e.iova)}\` |`,
    `| level / size | ${e.level} / ${sizeName(e.size)}${e.levelCertain ? '' : ' (a guess: a superpage at a 1 GiB-aligned address may be 2 MiB)'} |`,
    `| entry (slpte) | \`${hex(e.slpte)}\` → \`${hex(hpa)}\` |`,
    `| permissions | ${permText(e)} (of the leaf; QEMU ANDs every level of the walk) |`,
    `| filled | ${lineName(e.line)}, for an access to \`${hex(e.accessIova)}\` |`,
    `| hits since | ${e.hits}${e.lastHitLine !== undefined ? `, last at ${lineName(e.lastHitLine)}` : ''} |`,
  ];
  return {
    id: iotlbEntryId(e, parent),
    did: e.domain,
    requester: sidName(e.sid),
    iova: e.iova,
    size: sizeName(e.size) + (e.levelCertain ? '' : '?'),
    hpa,
    permissions: permText(e),
    hits: e.hits,
    tooltip: tooltip.join('\n'),
    location: traceLocation(ctx.trace, e.line),
    copy: {
      value: hex(e.iova),
      raw: ctx.trace.lines.line(e.line)?.trim(),
      json: { did: e.domain, sid: sidName(e.sid), iova: hex(e.iova), level: e.level, size: hex(e.size), slpte: hex(e.slpte), hpa: hex(hpa), read: e.read, write: e.write, line: e.line + 1, hits: e.hits },
    },
  };
}

function domainNodes(ctx: TraceTreeContext, entries: readonly IotlbEntry[], parent?: string): TreeNodeDto[] {
  const groups = byDomain(entries.filter((e) => entryShown(ctx, e)).map((e) => ({ did: e.domain, requester: sidName(e.sid), sid: e.sid })));
  return groups.map(([did, list]) =>
    iotlbDomainNode(
      did,
      [...list].sort((a, b) => a.sid - b.sid),
      ctx.style,
      { id: iotlbDomainId(did, parent), expanded: ctx.filter !== undefined || groups.length === 1 },
    ),
  );
}

function entriesOfDomain(ctx: TraceTreeContext, entries: readonly IotlbEntry[], did: number, parent?: string): TreeNodeDto[] {
  return entries
    .filter((e) => e.domain === did && entryShown(ctx, e))
    .sort((a, b) => (a.iova < b.iova ? -1 : a.iova > b.iova ? 1 : a.sid - b.sid))
    .map((e) => iotlbEntryNode(rowOf(ctx, e, parent), ctx.style));
}

// ---- context cache --------------------------------------------------------------------------

function contextDecode(ctx: TraceTreeContext, hi: bigint, lo: bigint) {
  return decodeContextEntryFor(ctx.replay.scalable ? 'scalable' : 'legacy', hi, lo);
}

function cacheNode(ctx: TraceTreeContext): TreeNodeDto {
  const cc = ctx.replay.contextCache;
  const valid = cc.entries.filter((e) => e.gen === cc.generation).length;
  const k = cc.counters;
  return {
    id: CACHE_ID,
    label: 'Context cache',
    description: `generation ${cc.generation} · ${valid} of ${cc.entries.length} valid · ${k.hits} hits · ${k.updates} loads`,
    tooltip: [
      'QEMU caches one context entry per device, valid while its generation equals the unit\'s. A global (or, in QEMU, domain-selective) invalidation bumps the unit\'s generation; a device-selective one zeroes the device\'s; a reset zeroes all and sets the unit\'s to 1.',
      '',
      `Invalidations: global ${k.globalInvalidations}, domain ${k.domainInvalidations}, device ${k.deviceInvalidations}; resets ${k.resets}.`,
      '',
      k.generationMismatches ? `**${k.generationMismatches} lines print generations the replay does not expect** (first at ${lineName(k.firstMismatchLine ?? 0)}).` : 'Every generation the trace prints agrees with the replay.',
    ].join('\n'),
    collapsible: 'collapsed',
    contextValue: 'contextCache',
    icon: 'layers',
    copy: { json: { generation: cc.generation, counters: k } },
  };
}

function cacheEntries(ctx: TraceTreeContext): TreeNodeDto[] {
  const cc = ctx.replay.contextCache;
  return cc.entries
    .filter((e) => sidShown(ctx, e.sid, ctx.replay.scalable ? undefined : Number(bitsOf(e.hi, 23, 8))))
    .map((e) => {
      const valid = e.gen === cc.generation;
      const state = valid ? `valid (generation ${e.gen})` : `invalid: generation ${e.gen}, the unit's is ${cc.generation}`;
      return contextCacheEntryNode({
        id: contextCacheEntryId(e.sid),
        requester: sidName(e.sid),
        decoded: contextDecode(ctx, e.hi, e.lo),
        valid,
        state,
        hits: e.hits,
        notes: [
          `Loaded at ${lineName(e.line)}; ${state}${e.invalidatedLine !== undefined ? `, invalidated at ${lineName(e.invalidatedLine)}` : ''}.`,
          ...(ctx.replay.scalable ? ['', 'QEMU prints only the first 128 bits of a scalable-mode context entry.'] : []),
        ],
        location: traceLocation(ctx.trace, e.line),
        copy: { value: `${hex(e.hi)}:${hex(e.lo)}`, raw: ctx.trace.lines.line(e.line)?.trim(), json: { sid: sidName(e.sid), hi: hex(e.hi), lo: hex(e.lo), gen: e.gen, valid } },
      });
    });
}

// ---- the last reset --------------------------------------------------------------------------

function resetNode(ctx: TraceTreeContext): TreeNodeDto | undefined {
  const reset = ctx.replay.iotlb.lastReset;
  if (!reset || reset.dropped.length === 0) return undefined;
  const why = reset.reason === 'size-limit' ? 'the IOTLB reached 1024 entries (vtd_iotlb_reset)' : 'the context cache was reset with it (vtd_reset_caches)';
  return {
    id: resetId(reset.line),
    label: `Before the reset at ${lineName(reset.line)}`,
    description: `${reset.dropped.length} entries dropped · ${why}`,
    tooltip: `The entries the last IOTLB reset dropped: ${mdEscape(why)}.`,
    collapsible: 'collapsed',
    contextValue: 'iotlbReset',
    icon: 'history',
    location: traceLocation(ctx.trace, reset.line),
  };
}

// ---- children --------------------------------------------------------------------------------

function iotlbRoots(ctx: TraceTreeContext): TreeNodeDto[] {
  const out = [countersNode(ctx), ...domainNodes(ctx, ctx.replay.iotlb.entries)];
  if (ctx.replay.contextCache.entries.length) out.push(cacheNode(ctx));
  const reset = resetNode(ctx);
  if (reset) out.push(reset);
  return out;
}

export function iotlbChildren(ctx: TraceTreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) return iotlbRoots(ctx);
  const segs = parseId(parentId);
  if (!segs) return [];
  const [head] = segs;
  const entries = ctx.replay.iotlb.entries;
  if (head.kind === 'c' && segs.length === 1) return counterLeaves(ctx);
  if (head.kind === 'cc') {
    if (segs.length === 1) return cacheEntries(ctx);
    const e = ctx.replay.contextCache.entries.find((x) => String(x.sid) === segs[1].value);
    return e && segs.length === 2 ? fieldNodes(parentId, contextDecode(ctx, e.hi, e.lo), ctx.style, traceLocation(ctx.trace, e.line)) : [];
  }
  if (head.kind === 'r') {
    const reset = ctx.replay.iotlb.lastReset;
    if (!reset || String(reset.line) !== head.value) return [];
    const root = resetId(reset.line);
    if (segs.length === 1) return domainNodes(ctx, reset.dropped, root);
    if (segs.length === 2) return entriesOfDomain(ctx, reset.dropped, Number(segs[1].value), root);
    return segs.length === 3 ? entryFields(ctx, reset.dropped, segs[2].value, parentId) : [];
  }
  if (head.kind === 'd') {
    if (segs.length === 1) return entriesOfDomain(ctx, entries, Number(head.value));
    return segs.length === 2 ? entryFields(ctx, entries, segs[1].value, parentId) : [];
  }
  return [];
}

function entryFields(ctx: TraceTreeContext, entries: readonly IotlbEntry[], key: string | undefined, parentId: string): TreeNodeDto[] {
  const e = entries.find((x) => `${x.sid}.${x.level}.${(x.iova >> 12n).toString(16)}` === key);
  return e ? fieldNodes(parentId, decodeSlEntry(e.slpte, e.level), ctx.style, traceLocation(ctx.trace, e.line)) : [];
}

/** The node of a trace line: the entry it filled (or last hit), or the context entry it loaded. */
export function iotlbNodeAt(ctx: TraceTreeContext, line: number): string | undefined {
  const e = ctx.replay.iotlb.entries.find((x) => (x.line === line || x.lastHitLine === line) && entryShown(ctx, x));
  if (e) return iotlbEntryId(e);
  const c = ctx.replay.contextCache.entries.find((x) => x.line === line);
  return c && sidShown(ctx, c.sid, undefined) ? contextCacheEntryId(c.sid) : undefined;
}
