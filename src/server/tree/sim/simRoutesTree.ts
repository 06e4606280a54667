// The GSI Routing view of a simulation: KVM's interrupt routes as the split
// irqchip holds them. Each GSI: the message the device (or the IOAPIC) sends,
// the IRTE it names, and the translated message KVM's route caches: cached
// (translated from the IRTE as it is), stale (the IRTE changed and no
// interrupt entry cache invalidation rebuilt the route yet: KVM still injects
// the old vector), failed (QEMU could not translate it: no route), or not
// remapped.

import type { TreeNodeDto } from '../../../protocol';
import type { SimulationState } from '../../../sim/index';
import { parseBdf } from '../../../model/bdf';
import { decodeMsi } from '../../../vtd/msi';
import { faultReasonLabel } from '../../../vtd/faultReasons';
import { hex } from '../../../vtd/u64';
import { mdEscape } from '../../markdown';
import { entryTooltip, fieldNodes } from '../fieldNodes';
import { childId, parseId, segment } from '../nodeIds';
import { simCaptureOf } from './simCapture';
import type { SimTreeContext } from './simTreeContext';

type RouteState = SimulationState['routes'][number];

const STATUS: Record<RouteState['status'], { icon: string; words: string }> = {
  cached: { icon: 'pass', words: 'KVM holds the message translated from the IRTE as it is now: an interrupt costs no remapping.' },
  stale: { icon: 'warning', words: 'The IRTE changed and no interrupt entry cache invalidation followed yet: KVM still injects the message translated from the old IRTE.' },
  failed: { icon: 'error', words: 'QEMU could not translate the message when the route was built (kvm_x86_fixup_msi_error): KVM has no route, QEMU delivers each interrupt itself.' },
  'not remapped': { icon: 'circle-outline', words: 'The message is not in remappable format (or remapping is off): KVM routes it unchanged.' },
};

function simRouteId(r: RouteState): string {
  return segment('gsi', r.gsi);
}

function shown(ctx: SimTreeContext, r: RouteState): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return parseBdf(r.requester) === f.sid;
  if (f.kind === 'irte') return r.irteIndex === f.index;
  if (f.kind === 'irq') return String(r.gsi) === f.irq;
  if (f.kind === 'number') return BigInt(r.gsi) === f.value || (r.irteIndex !== null && BigInt(r.irteIndex) === f.value);
  return f.kind === 'text' && (r.requester.toLowerCase().includes(f.needle) || r.source.toLowerCase().includes(f.needle));
}

function routeNode(r: RouteState): TreeNodeDto {
  const s = STATUS[r.status];
  const via = r.irteIndex !== null ? `IRTE ${r.irteIndex} → ` : '';
  const to = r.status === 'failed' ? `no route${r.fault !== undefined ? ` (${faultReasonLabel(r.fault)})` : ''}` : `vector ${hex(r.vector, 2)} → APIC ${r.destination}`;
  return {
    id: simRouteId(r),
    label: `GSI ${r.gsi}`,
    description: `${r.source} of ${r.requester} → ${via}${to} · ${r.status}`,
    tooltip: [`**GSI ${r.gsi}**: ${mdEscape(r.source)} of ${r.requester}, ${r.status}.`, '', s.words].join('\n'),
    collapsible: 'collapsed',
    contextValue: 'simRoute',
    icon: s.icon,
    copy: { value: String(r.gsi), json: r },
  };
}

function partNodes(ctx: SimTreeContext, r: RouteState): TreeNodeDto[] {
  const id = simRouteId(r);
  const msi = decodeMsi(BigInt(r.msiAddress), BigInt(r.msiData));
  const out: TreeNodeDto[] = [
    { id: childId(id, 'p', 'msi'), label: 'Message sent', description: `${r.msiAddress} / ${r.msiData} · ${msi.summary}`, tooltip: entryTooltip(msi, 'Message the device sends'), collapsible: 'collapsed', contextValue: 'entry', icon: 'mail', copy: { value: `${r.msiAddress} ${r.msiData}` } },
  ];
  const irte = r.irteIndex !== null ? simCaptureOf(ctx.snapshot.sim).entry.capture.irtes.find((e) => e.index === r.irteIndex) : undefined;
  if (irte) {
    out.push({ id: childId(id, 'p', 'irte'), label: `IRTE ${irte.index}`, description: irte.decoded.summary, tooltip: entryTooltip(irte.decoded, `IRTE ${irte.index}`), collapsible: 'collapsed', contextValue: 'entry', icon: 'symbol-structure', copy: { value: `${hex(irte.hi, 16)}:${hex(irte.lo, 16)}` } });
  }
  if (r.status !== 'failed') {
    const route = decodeMsi(BigInt(r.routeAddress), BigInt(r.routeData));
    out.push({ id: childId(id, 'p', 'route'), label: 'KVM route', description: `${r.routeAddress} / ${r.routeData} · ${route.summary}`, tooltip: entryTooltip(route, 'Message KVM\'s route holds', [STATUS[r.status].words]), collapsible: 'collapsed', contextValue: 'entry', icon: STATUS[r.status].icon, copy: { value: `${r.routeAddress} ${r.routeData}` } });
  }
  return out;
}

export function simRoutesChildren(ctx: SimTreeContext, parentId: string | undefined): TreeNodeDto[] {
  const routes = ctx.state.routes.filter((r) => shown(ctx, r));
  if (parentId === undefined) return routes.map(routeNode);
  const segs = parseId(parentId);
  const r = segs && segs[0].kind === 'gsi' ? routes.find((x) => String(x.gsi) === segs[0].value) : undefined;
  if (!r || !segs) return [];
  if (segs.length === 1) return partNodes(ctx, r);
  if (segs.length !== 2 || segs[1].kind !== 'p') return [];
  if (segs[1].value === 'msi') return fieldNodes(parentId, decodeMsi(BigInt(r.msiAddress), BigInt(r.msiData)), ctx.style);
  if (segs[1].value === 'route') return fieldNodes(parentId, decodeMsi(BigInt(r.routeAddress), BigInt(r.routeData)), ctx.style);
  const irte = r.irteIndex !== null ? simCaptureOf(ctx.snapshot.sim).entry.capture.irtes.find((e) => e.index === r.irteIndex) : undefined;
  return irte && segs[1].value === 'irte' ? fieldNodes(parentId, irte.decoded, ctx.style) : [];
}
