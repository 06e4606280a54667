// The ATS Flow view of a simulation: each device with a translation cache of
// its own (vhost's device IOTLB, or an ATS device's ATC): how invalidations
// reach it, its counters, the translations it holds, and its flow (the
// translation requests and completions, fills, invalidations and waits, the
// most recent last).

import type { TreeNodeDto } from '../../../protocol';
import type { SimulationState } from '../../../sim/index';
import { parseBdf } from '../../../model/bdf';
import { mdEscape } from '../../markdown';
import { formatAddress } from '../format';
import { childId, parseId, segment } from '../nodeIds';
import { plural, type SimTreeContext } from './simTreeContext';
import { atsFlowEventNode } from '../cacheNodes';
import { simAtsFlow } from '../../../sim/atsFlow';
import { sidName } from '../../../vtd/source-id';

/** The latest steps of a device's flow the view lists. */
const FLOW_SHOWN = 64;

type DeviceTlbState = SimulationState['deviceTlbs'][number];

function simAtsDeviceId(d: DeviceTlbState): string {
  return segment('dev', d.requester);
}

function shown(ctx: SimTreeContext, d: DeviceTlbState): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return parseBdf(d.requester) === f.sid;
  return f.kind === 'text' && (d.requester.includes(f.needle) || d.device.toLowerCase().includes(f.needle));
}

function what(d: DeviceTlbState): string {
  return d.kind === 'vhost' ? "vhost's device IOTLB" : 'ATS translation cache';
}

function deviceNode(d: DeviceTlbState): TreeNodeDto {
  const c = d.counters;
  return {
    id: simAtsDeviceId(d),
    label: `${d.requester} ${d.device}`,
    description: `${what(d)} · ${plural(d.entries.length, 'entry', 'entries')} · ${c.hits} hits · ${c.misses} misses · invalidated by ${d.invalidatedBy}`,
    tooltip: [
      `**${mdEscape(d.device)}** (${d.requester}): ${what(d)}.`,
      '',
      d.invalidatedBy === 'device-TLB descriptors'
        ? 'The guest invalidates it with device-TLB invalidation descriptors (ATS enabled in its context entry).'
        : 'QEMU invalidates it from its IOMMU UNMAP notifier whenever the guest invalidates the IOTLB (vhost without ATS).',
      '',
      `Hits ${c.hits}, misses ${c.misses}, fills ${c.fills}, invalidations ${c.invalidations} (${c.invalidated} entries dropped), evictions ${c.evictions}.`,
    ].join('\n'),
    collapsible: 'expanded',
    contextValue: 'atsDevice',
    icon: d.kind === 'vhost' ? 'server-process' : 'circuit-board',
    copy: { value: d.requester, json: { device: d.device, requester: d.requester, kind: d.kind, counters: c } },
  };
}

function groups(d: DeviceTlbState): TreeNodeDto[] {
  const id = simAtsDeviceId(d);
  return [
    { id: childId(id, 'g', 'entries'), label: 'Entries', description: plural(d.entries.length, 'translation'), collapsible: 'expanded', contextValue: 'simTlbEntries', icon: 'database' },
    { id: childId(id, 'g', 'flow'), label: 'Flow', description: `last ${plural(d.flow.length, 'event')}`, tooltip: 'Translation requests and completions, fills, invalidations and wait descriptors, the most recent last.', collapsible: 'collapsed', contextValue: 'simFlow', icon: 'arrow-swap' },
  ];
}

function entryNodes(ctx: SimTreeContext, d: DeviceTlbState, parent: string): TreeNodeDto[] {
  return d.entries.map((e) => ({
    id: childId(parent, 'e', e.iova),
    label: `IOVA ${formatAddress(BigInt(e.iova), ctx.style)}`,
    description: `${e.size} · → ${formatAddress(BigInt(e.translated), ctx.style)} · ${e.permissions}`,
    collapsible: 'none',
    contextValue: 'simTlbEntry',
    icon: 'symbol-field',
    copy: { value: e.iova, json: e },
  }));
}

/** The device's ATS flow as the trace's is drawn (src/sim/atsFlow.ts: the same steps between the device, the IOMMU and the driver). */
function flowNodes(ctx: SimTreeContext, d: DeviceTlbState, parent: string): TreeNodeDto[] {
  const device = simAtsFlow(ctx.snapshot.sim.world).find((x) => sidName(x.sid) === d.requester);
  const events = device ? device.events.slice(-FLOW_SHOWN) : [];
  return events.map((e) =>
    atsFlowEventNode({
      id: childId(parent, 'ev', e.line),
      kind: e.kind,
      from: e.from,
      to: e.to,
      label: e.label,
      detail: e.detail,
      where: `event #${e.line}`,
      copy: { value: e.detail, json: e },
    }),
  );
}

export function simAtsFlowChildren(ctx: SimTreeContext, parentId: string | undefined): TreeNodeDto[] {
  const devices = ctx.state.deviceTlbs.filter((d) => shown(ctx, d));
  if (parentId === undefined) return devices.map(deviceNode);
  const segs = parseId(parentId);
  const d = segs && segs[0].kind === 'dev' ? devices.find((x) => x.requester === segs[0].value) : undefined;
  if (!d || !segs) return [];
  if (segs.length === 1) return groups(d);
  if (segs.length !== 2 || segs[1].kind !== 'g') return [];
  return segs[1].value === 'entries' ? entryNodes(ctx, d, parentId) : segs[1].value === 'flow' ? flowNodes(ctx, d, parentId) : [];
}
