// The ATS Flow view of a QEMU trace: each device with a device TLB, and under
// it, in trace order, what passed between the guest driver, the IOMMU and the
// device: its context entry, the translations QEMU made for it, the IOTLB and
// device-TLB invalidations of its domain (with the decoded size), the wait
// descriptors and their completion. Events QEMU does without printing a line
// ("implied") say so; what QEMU never traces (ATS translation requests,
// invalidation completions) is said in the tooltips, not invented.

import type { TreeNodeDto } from '../../../protocol';
import type { AtsDevice, AtsEvent, SeenContext } from '../../../model/traceReplay/index';
import { NO_COMPLETION_EVENT, NO_TRANSLATION_REQUEST_EVENT } from '../../../model/traceReplay/index';
import { decodeInvDescriptor } from '../../../vtd/invalidation';
import { sidName } from '../../../vtd/source-id';
import { bitsOf, hex } from '../../../vtd/u64';
import { mdEscape, structureMarkdown } from '../../markdown';
import { fieldNodes } from '../fieldNodes';
import { numberIs } from '../filter';
import { childId, parseId, segment } from '../nodeIds';
import { lineName, traceLocation, type TraceTreeContext } from './traceSource';
import { atsFlowEventNode } from '../cacheNodes';

/** Events shown per node before they are split into parts. */
const EVENTS_PER_PART = 200;

const SEEN_ID = segment('ctx', 'seen');



function atsDeviceId(sid: number): string {
  return segment('dev', sid);
}

/** The id of the node of a device's i-th event (inside its part when the device has many). */
function atsEventId(d: AtsDevice, i: number): string {
  const parent = d.events.length > EVENTS_PER_PART ? childId(atsDeviceId(d.sid), 'part', Math.floor(i / EVENTS_PER_PART)) : atsDeviceId(d.sid);
  return childId(parent, 'ev', i);
}

function deviceShown(ctx: TraceTreeContext, d: { sid: number; domain?: number }): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return d.sid === f.sid;
  if (f.kind === 'did') return d.domain === f.did;
  if (f.kind === 'text') return sidName(d.sid).includes(f.needle);
  return f.kind === 'number' && d.domain !== undefined && numberIs(f, d.domain);
}

function devices(ctx: TraceTreeContext): AtsDevice[] {
  return ctx.replay.ats.devices.filter((d) => deviceShown(ctx, d));
}

function deviceNode(ctx: TraceTreeContext, d: AtsDevice): TreeNodeDto {
  const state = d.deviceTlbEnabled ? 'device TLB on' : d.contextLine !== undefined ? 'device TLB off in its context entry' : 'context entry not in the trace';
  const tooltip = [
    `**${sidName(d.sid)}**: ${state}${d.domain !== undefined ? `, domain ${d.domain}` : ''}`,
    '',
    `${d.counts.devtlbInvalidations} device-TLB invalidations, ${d.counts.waits} wait descriptors, ${d.counts.translations} translations QEMU made for it.`,
    '',
    mdEscape(NO_TRANSLATION_REQUEST_EVENT),
    '',
    mdEscape(NO_COMPLETION_EVENT),
  ];
  if (d.omitted > 0) tooltip.push('', `The flow is cut after ${d.events.length} events (${d.omitted} more are not shown).`);
  return {
    id: atsDeviceId(d.sid),
    label: sidName(d.sid),
    description: `${state}${d.domain !== undefined ? ` · DID ${d.domain}` : ''} · ${d.counts.devtlbInvalidations} device-TLB invalidations · ${d.counts.translations} translations`,
    tooltip: tooltip.join('\n'),
    collapsible: ctx.replay.ats.devices.length === 1 || ctx.filter ? 'expanded' : 'collapsed',
    contextValue: 'atsDevice',
    icon: 'circuit-board',
    location: d.contextLine !== undefined ? traceLocation(ctx.trace, d.contextLine) : undefined,
    copy: { value: sidName(d.sid), json: { sid: sidName(d.sid), domain: d.domain, deviceTlbEnabled: d.deviceTlbEnabled, counts: d.counts } },
  };
}

function descriptorOf(e: AtsEvent) {
  return e.qwords ? decodeInvDescriptor(e.qwords) : undefined;
}

function eventNode(ctx: TraceTreeContext, d: AtsDevice, i: number): TreeNodeDto {
  const e = d.events[i];
  const s = descriptorOf(e);
  return atsFlowEventNode({
    id: atsEventId(d, i),
    kind: e.kind,
    from: e.from,
    to: e.to,
    label: e.label,
    detail: e.detail,
    where: e.shown === 'implied' ? `${lineName(e.line)}, implied` : lineName(e.line),
    cached: e.cached,
    implied: e.shown === 'implied',
    decoded: s ? structureMarkdown(s) : undefined,
    location: traceLocation(ctx.trace, e.line),
    copy: {
      value: e.label,
      raw: e.shown === 'traced' ? ctx.trace.lines.line(e.line)?.trim() : undefined,
      json: { line: e.line + 1, kind: e.kind, from: e.from, to: e.to, label: e.label, shown: e.shown, qwords: e.qwords?.map((q) => hex(q)), range: e.range && { base: hex(e.range.base), size: hex(e.range.size), all: e.range.all } },
    },
  });
}

function partNodes(ctx: TraceTreeContext, d: AtsDevice): TreeNodeDto[] {
  const out: TreeNodeDto[] = [];
  for (let k = 0; k * EVENTS_PER_PART < d.events.length; k++) {
    const first = k * EVENTS_PER_PART;
    const last = Math.min(d.events.length, first + EVENTS_PER_PART) - 1;
    out.push({
      id: childId(atsDeviceId(d.sid), 'part', k),
      label: `Events ${first + 1}–${last + 1}`,
      description: `${lineName(d.events[first].line)} – ${lineName(d.events[last].line)}`,
      collapsible: 'collapsed',
      contextValue: 'atsPart',
      icon: 'list-ordered',
      location: traceLocation(ctx.trace, d.events[first].line),
    });
  }
  return out;
}

function eventNodes(ctx: TraceTreeContext, d: AtsDevice, from: number, to: number): TreeNodeDto[] {
  const out: TreeNodeDto[] = [];
  for (let i = from; i < to && i < d.events.length; i++) out.push(eventNode(ctx, d, i));
  return out;
}

function contextSummary(ctx: TraceTreeContext, c: SeenContext): string {
  if (ctx.replay.scalable) return `DTE=${Number(bitsOf(c.lo, 2, 2))}`;
  const tt = Number(bitsOf(c.lo, 3, 2));
  const what = ['untranslated requests only', 'device TLB enabled', 'pass-through', 'reserved'][tt];
  return `TT=${tt.toString(2).padStart(2, '0')} (${what}) · DID ${Number(bitsOf(c.hi, 23, 8))}`;
}

function seenNode(ctx: TraceTreeContext, others: SeenContext[]): TreeNodeDto {
  return {
    id: SEEN_ID,
    label: 'Devices without a device TLB',
    description: `${others.length} context entries in the trace`,
    tooltip: 'The context entries the trace shows (`vtd_iotlb_cc_update` / `vtd_iotlb_cc_hit`) that do not enable the device TLB (legacy TT = 01, scalable DTE = 1), and that no device-TLB invalidation names.',
    collapsible: ctx.replay.ats.devices.length === 0 ? 'expanded' : 'collapsed',
    contextValue: 'atsOthers',
    icon: 'circle-slash',
  };
}

function seenLeaf(ctx: TraceTreeContext, c: SeenContext): TreeNodeDto {
  return {
    id: childId(SEEN_ID, 'x', c.sid),
    label: sidName(c.sid),
    description: `${contextSummary(ctx, c)} · ${lineName(c.line)}`,
    tooltip: `Context entry \`${hex(c.hi)}:${hex(c.lo)}\` of ${sidName(c.sid)}, last seen changed at ${lineName(c.line)}: the device may not send ATS translation requests, and the guest sends it no device-TLB invalidations.`,
    collapsible: 'none',
    contextValue: 'atsOther',
    icon: 'circle-slash',
    location: traceLocation(ctx.trace, c.line),
    copy: { value: `${hex(c.hi)}:${hex(c.lo)}`, raw: ctx.trace.lines.line(c.line)?.trim() },
  };
}

function otherContexts(ctx: TraceTreeContext): SeenContext[] {
  const ats = new Set(ctx.replay.ats.devices.map((d) => d.sid));
  return ctx.replay.ats.contexts.filter((c) => !ats.has(c.sid) && deviceShown(ctx, { sid: c.sid, domain: ctx.replay.scalable ? undefined : Number(bitsOf(c.hi, 23, 8)) }));
}

export function atsFlowChildren(ctx: TraceTreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) {
    const out = devices(ctx).map((d) => deviceNode(ctx, d));
    const others = otherContexts(ctx);
    if (others.length) out.push(seenNode(ctx, others));
    return out;
  }
  const segs = parseId(parentId);
  if (!segs) return [];
  if (segs[0].kind === 'ctx') return segs.length === 1 ? otherContexts(ctx).map((c) => seenLeaf(ctx, c)) : [];
  if (segs[0].kind !== 'dev') return [];
  const d = ctx.replay.ats.devices.find((x) => String(x.sid) === segs[0].value);
  if (!d) return [];
  const parted = d.events.length > EVENTS_PER_PART;
  if (segs.length === 1) return parted ? partNodes(ctx, d) : eventNodes(ctx, d, 0, d.events.length);
  let rest = segs.slice(1);
  if (parted) {
    if (rest[0].kind !== 'part') return [];
    const k = Number(rest[0].value);
    if (rest.length === 1) return eventNodes(ctx, d, k * EVENTS_PER_PART, (k + 1) * EVENTS_PER_PART);
    rest = rest.slice(1);
  }
  if (rest.length !== 1 || rest[0].kind !== 'ev') return [];
  const e = d.events[Number(rest[0].value)];
  const s = e ? descriptorOf(e) : undefined;
  return s && e ? fieldNodes(parentId, s, ctx.style, traceLocation(ctx.trace, e.line)) : [];
}

/** The node of a trace line: the first event on it of a device the view shows, or a context entry seen there. */
export function atsFlowNodeAt(ctx: TraceTreeContext, line: number): string | undefined {
  for (const d of devices(ctx)) {
    const i = d.events.findIndex((e) => e.line === line);
    if (i >= 0) return atsEventId(d, i);
  }
  const c = otherContexts(ctx).find((x) => x.line === line);
  return c ? childId(SEEN_ID, 'x', c.sid) : undefined;
}
