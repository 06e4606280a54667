// The Context Tables view: IOMMU unit (mode, what is enabled, CAP and ECAP)
// → bus (its root entry) → device (its context entry's fields; in scalable
// mode its PASID table entries) → a link to the device's domain in the
// Second-Level Tables view. One builder per level.

import type { TreeNodeDto } from '../../../protocol';
import { capSummary, decodeCap, decodeEcap, ecapSummary } from '../../../vtd/capEcap';
import type { Structure } from '../../../vtd/layout';
import { decodeContextOf } from '../../../model/units';
import { hex } from '../../../vtd/u64';
import { spanOf } from '../../../dumps/rowColumns';
import { rootSpanOf } from '../../../dumps/debugfs/dmarTranslation';
import { mdEscape } from '../../markdown';
import { contextLayoutOf, deviceDids, type BusContext, type DeviceContext, type PasidRow, type UnitContext } from './contextTablesLayout';
import { domainScope } from './domainFilter';
import { entryTooltip, fieldNodes } from '../fieldNodes';
import { textIn } from '../filter';
import { formatAddress } from '../format';
import { childId, parseId, segment } from '../nodeIds';
import { domainNodeId } from './secondLevelIds';
import { leafTotals, sortedRowsOf } from './pageTableSpans';
import { entryIcon, spanText, structureJson, wireLocation, type TreeContext } from '../treeContext';
import { findDomain, findRequester, requesterName } from '../../../model/keys';

/** The fields of a legacy context entry the view lists, in this order (others are in the tooltip). */
const LEGACY_CONTEXT_FIELDS = ['P', 'TT', 'AW', 'DID', 'SLPTPTR', 'FPD'];

const TT_SHORT: Record<number, string> = { 0: 'second-level', 1: 'second-level + device-TLB', 2: 'pass-through', 3: 'reserved TT' };
const PGTT_SHORT: Record<number, string> = { 1: 'first-stage', 2: 'second-stage', 3: 'nested', 4: 'pass-through' };

// ---- ids -----------------------------------------------------------------------

export function unitNodeId(unit: string): string {
  return segment('u', unit);
}

export function busNodeId(unit: string, bus: number): string {
  return childId(unitNodeId(unit), 'b', bus.toString(16).padStart(2, '0'));
}

function devSegment(devfn: number): string {
  return `${(devfn >> 3).toString(16).padStart(2, '0')}.${devfn & 7}`;
}

export function deviceNodeId(unit: string, bus: number, devfn: number): string {
  return childId(busNodeId(unit, bus), 'd', devSegment(devfn));
}

export function pasidNodeId(unit: string, bus: number, devfn: number, pasid: number): string {
  return childId(deviceNodeId(unit, bus, devfn), 'p', pasid);
}

export function registerNodeId(unit: string, name: 'CAP' | 'ECAP'): string {
  return childId(unitNodeId(unit), 'r', name);
}

// ---- filter ----------------------------------------------------------------------

function deviceShown(ctx: TreeContext, u: UnitContext, d: DeviceContext): boolean {
  const f = ctx.filter;
  if (!f || textIn(f, u.name)) return true;
  const r = findRequester(ctx.entry.capture, d.sid, { unit: u.name });
  switch (f.kind) {
    case 'bdf':
      return f.sid === d.sid && (f.segment === undefined || r === undefined || r.segment === f.segment);
    case 'did':
      return deviceDids(d).includes(f.did);
    case 'irte':
      return r?.irteIndices.includes(f.index) ?? false;
    case 'irq':
      return r?.irqs.some((q) => q.irq === f.irq) ?? false;
    case 'text':
      return textIn(f, d.bdf, ...(r?.irqs.map((q) => q.name) ?? []));
    default:
      return deviceDids(d).some((did) => {
        const domain = findDomain(ctx.entry.capture, did, u.name);
        return domain !== undefined && domainScope(ctx, domain) !== undefined;
      });
  }
}

function shownDevices(ctx: TreeContext, u: UnitContext, bus: BusContext): DeviceContext[] {
  return bus.devices.filter((d) => deviceShown(ctx, u, d));
}

function unitShown(ctx: TreeContext, u: UnitContext): boolean {
  if (!ctx.filter || textIn(ctx.filter, u.name)) return true;
  return u.buses.some((b) => shownDevices(ctx, u, b).length > 0);
}

// ---- builders, one per level ---------------------------------------------------------

function onOff(v: boolean | undefined, what: string): string | undefined {
  return v === undefined ? undefined : `${what} ${v ? 'on' : 'off'}`;
}

function unitNode(ctx: TreeContext, u: UnitContext): TreeNodeDto {
  const m = u.unit;
  const mode = m?.mode && m.mode !== 'unknown' ? m.mode : u.scalable ? 'scalable' : 'mode unknown';
  const state = [onOff(m?.translationEnabled ?? (u.notEnabled ? false : undefined), 'DMA'), onOff(m?.interruptRemappingEnabled, 'IR'), onOff(m?.queuedInvalidationEnabled, 'QI')];
  const rows: [string, string][] = [['mode', mode]];
  if (m?.baseAddress !== undefined) rows.push(['register base', `\`${hex(m.baseAddress)}\``]);
  if (m?.rootTableAddress !== undefined) rows.push(['root table', `\`${hex(m.rootTableAddress)}\``]);
  if (m?.irTableAddress !== undefined) rows.push(['interrupt remapping table', `\`${hex(m.irTableAddress)}\`${m.x2apic === undefined ? '' : m.x2apic ? ' (x2APIC)' : ' (xAPIC)'}`]);
  for (const [v, what] of [
    [m?.translationEnabled, 'DMA remapping'],
    [m?.interruptRemappingEnabled, 'interrupt remapping'],
    [m?.queuedInvalidationEnabled, 'queued invalidation'],
  ] as const) {
    if (v !== undefined) rows.push([what, v ? 'enabled' : 'disabled']);
  }
  if (m?.capInfo && m.cap !== undefined) rows.push(['CAP', `\`${hex(m.cap)}\` ${mdEscape(capSummary(m.capInfo))}`]);
  if (m?.ecapInfo && m.ecap !== undefined) rows.push(['ECAP', `\`${hex(m.ecap)}\` ${mdEscape(ecapSummary(m.ecapInfo))}`]);
  const devices = u.buses.reduce((n, b) => n + b.devices.length, 0);
  const tooltip = [`**${mdEscape(u.name)}**`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  if (u.notEnabled) tooltip.push('', 'The kernel reports DMA remapping as not enabled on this unit.');
  const loc = u.header ?? (m?.locations[0] ? { file: m.locations[0].file, span: m.locations[0].span } : undefined);
  return {
    id: unitNodeId(u.name),
    label: u.name,
    description: [mode, ...state.filter((s) => s !== undefined), `${devices} device${devices === 1 ? '' : 's'}`].join(' · '),
    tooltip: tooltip.join('\n'),
    collapsible: 'expanded',
    contextValue: 'unit',
    icon: 'circuit-board',
    location: loc ? wireLocation(ctx, loc.file, loc.span) : undefined,
    copy: {
      value: u.name,
      raw: loc ? spanText(ctx, loc.file, loc.span) : undefined,
      json: {
        unit: u.name,
        mode,
        translation: m?.translationEnabled,
        interruptRemapping: m?.interruptRemappingEnabled,
        queuedInvalidation: m?.queuedInvalidationEnabled,
        rootTable: m?.rootTableAddress !== undefined ? hex(m.rootTableAddress) : undefined,
        irTable: m?.irTableAddress !== undefined ? hex(m.irTableAddress) : undefined,
        cap: m?.cap !== undefined ? hex(m.cap) : undefined,
        ecap: m?.ecap !== undefined ? hex(m.ecap) : undefined,
      },
    },
  };
}

function registerStructure(u: UnitContext, name: 'CAP' | 'ECAP'): Structure | undefined {
  const m = u.unit;
  const ctx = decodeContextOf(m);
  if (name === 'CAP') return m?.cap !== undefined ? decodeCap(m.cap, ctx) : undefined;
  return m?.ecap !== undefined ? decodeEcap(m.ecap, ctx) : undefined;
}

function registerNode(ctx: TreeContext, u: UnitContext, name: 'CAP' | 'ECAP', s: Structure): TreeNodeDto {
  const loc = u.unit?.registerLocations.get(name);
  return {
    id: registerNodeId(u.name, name),
    label: name,
    description: `${formatAddress(s.raw, ctx.style, 64)} · ${s.summary}`,
    tooltip: entryTooltip(s, name),
    collapsible: 'collapsed',
    contextValue: 'register',
    icon: entryIcon(s, 'symbol-constant'),
    location: loc ? wireLocation(ctx, loc.file, loc.span) : undefined,
    copy: { value: hex(s.raw), raw: loc ? spanText(ctx, loc.file, loc.span) : undefined, json: structureJson(s) },
  };
}

function busNode(ctx: TreeContext, u: UnitContext, bus: BusContext): TreeNodeDto {
  const first = bus.devices[0];
  const count = shownDevices(ctx, u, bus).length;
  return {
    id: busNodeId(u.name, bus.bus),
    label: `Bus ${bus.bus.toString(16).padStart(2, '0')}`,
    description: `${count} device${count === 1 ? '' : 's'} · root entry ${first.root.summary}`,
    tooltip: entryTooltip(first.root, `Bus ${bus.bus.toString(16).padStart(2, '0')}`),
    collapsible: 'expanded',
    contextValue: 'bus',
    icon: entryIcon(first.root, 'type-hierarchy'),
    location: wireLocation(ctx, first.file, rootSpanOf(first.row)),
    copy: { value: hex(first.root.raw), raw: spanText(ctx, first.file, rootSpanOf(first.row)), json: structureJson(first.root) },
  };
}

function rootEntryNode(ctx: TreeContext, u: UnitContext, bus: BusContext): TreeNodeDto {
  const first = bus.devices[0];
  return {
    id: childId(busNodeId(u.name, bus.bus), 're', 'root'),
    label: 'Root entry',
    description: `${formatAddress(first.root.raw, ctx.style, 128)} · ${first.root.summary}`,
    tooltip: entryTooltip(first.root, 'Root entry'),
    collapsible: 'collapsed',
    contextValue: 'entry',
    icon: entryIcon(first.root, 'symbol-structure'),
    location: wireLocation(ctx, first.file, rootSpanOf(first.row)),
    copy: { value: hex(first.root.raw), raw: spanText(ctx, first.file, rootSpanOf(first.row)), json: structureJson(first.root) },
  };
}

function deviceDescription(ctx: TreeContext, u: UnitContext, d: DeviceContext): string {
  if (u.scalable) {
    const parts = [d.did !== undefined ? `DID ${d.did}` : 'no RID_PASID entry', `${d.pasids.length} PASID entr${d.pasids.length === 1 ? 'y' : 'ies'}`];
    if (d.translationType !== undefined) parts.push(PGTT_SHORT[d.translationType] ?? `PGTT ${d.translationType}`);
    return parts.join(' · ');
  }
  const parts = [`DID ${d.did}`, TT_SHORT[d.translationType ?? 0]];
  if (d.tablePointer !== undefined) parts.push(`${d.levels}-level`, `SLPTPTR ${formatAddress(d.tablePointer, ctx.style)}`);
  return parts.join(' · ');
}

function deviceNode(ctx: TreeContext, u: UnitContext, d: DeviceContext): TreeNodeDto {
  const r = findRequester(ctx.entry.capture, d.sid, { unit: u.name });
  const extra: string[] = [];
  if (r?.group !== undefined) extra.push(`IOMMU group ${r.group}`);
  if (r?.irqs.length) extra.push(`guest IRQs ${r.irqs.map((q) => `${mdEscape(q.irq)}${q.name ? ` (${mdEscape(q.name)})` : ''}`).join(', ')}`);
  if (r?.irteIndices.length) extra.push(`IRTEs ${r.irteIndices.join(', ')}`);
  const faults = r?.faults.length ?? 0;
  if (faults) extra.push(`${faults} DMA fault(s) in the kernel log`);
  const icon = entryIcon(d.context, 'plug');
  return {
    id: deviceNodeId(u.name, d.bus, d.devfn),
    label: d.bdf,
    // A device that faulted says so where it is listed, not only in its tooltip.
    description: `${faults ? `${faults} fault${faults === 1 ? '' : 's'} · ` : ''}${deviceDescription(ctx, u, d)}`,
    tooltip: entryTooltip(d.context, d.bdf, extra.map((e) => `- ${e}`)),
    collapsible: 'collapsed',
    contextValue: faults ? 'device faulted' : 'device',
    icon: faults && icon === 'plug' ? 'warning' : icon,
    location: wireLocation(ctx, d.file, spanOf(d.row, 'context')),
    copy: { value: d.bdf, raw: spanText(ctx, d.file, spanOf(d.row, 'context')), json: { bdf: d.bdf, unit: u.name, did: d.did, context: structureJson(d.context) } },
  };
}

function pasidNode(ctx: TreeContext, u: UnitContext, d: DeviceContext, p: PasidRow): TreeNodeDto {
  return {
    id: pasidNodeId(u.name, d.bus, d.devfn, p.pasid),
    label: `PASID ${p.pasid}`,
    description: `directory ${p.pasid >> 6}, table ${p.pasid & 0x3f} · ${p.decoded.summary}`,
    tooltip: entryTooltip(p.decoded, `${d.bdf} PASID ${p.pasid}`, [
      `PASID directory index ${p.pasid >> 6} (PASID bits 19:6), PASID table index ${p.pasid & 0x3f} (bits 5:0).`,
    ]),
    collapsible: 'collapsed',
    contextValue: 'pasid',
    icon: entryIcon(p.decoded, 'key'),
    location: wireLocation(ctx, p.file, p.span),
    copy: { value: String(p.pasid), raw: spanText(ctx, p.file, p.span), json: { bdf: d.bdf, pasid: p.pasid, entry: structureJson(p.decoded) } },
  };
}

function domainLinkNode(ctx: TreeContext, u: UnitContext, parentId: string, did: number): TreeNodeDto | undefined {
  const capture = ctx.entry.capture;
  const domain = findDomain(capture, did, u.name);
  if (!domain) return undefined;
  const others = domain.requesters.map((r) => requesterName(capture, r));
  const leaves = domain.table ? leafTotals(sortedRowsOf(domain.table.rows)).leaves : 0;
  return {
    id: childId(parentId, 'dom', did),
    label: `Domain ${did}`,
    description: `${domain.levels ?? '?'}-level · ${leaves} lea${leaves === 1 ? 'f' : 'ves'} · ${others.join(', ')}`,
    tooltip: `Show **domain ${did}** in the Second-Level Tables view: its page table, level by level.`,
    collapsible: 'none',
    contextValue: 'link',
    icon: 'link',
    location: domain.table ? wireLocation(ctx, domain.table.file, domain.table.location.span) : undefined,
    link: { view: 'secondLevelTables', id: domainNodeId(capture, domain) },
    copy: { value: String(did), json: { did, devices: others, levels: domain.levels } },
  };
}

// ---- children --------------------------------------------------------------------------

export function contextTablesChildren(ctx: TreeContext, parentId: string | undefined): TreeNodeDto[] {
  const units = contextLayoutOf(ctx.entry.capture);
  if (parentId === undefined) return units.filter((u) => unitShown(ctx, u)).map((u) => unitNode(ctx, u));
  const segs = parseId(parentId);
  if (!segs || segs[0].kind !== 'u') return [];
  const u = units.find((x) => x.name === segs[0].value);
  if (!u) return [];
  if (segs.length === 1) {
    const out: TreeNodeDto[] = [];
    for (const name of ['CAP', 'ECAP'] as const) {
      const s = registerStructure(u, name);
      if (s) out.push(registerNode(ctx, u, name, s));
    }
    for (const b of u.buses) if (shownDevices(ctx, u, b).length) out.push(busNode(ctx, u, b));
    return out;
  }
  if (segs[1].kind === 'r' && segs.length === 2) {
    const s = registerStructure(u, segs[1].value as 'CAP' | 'ECAP');
    const loc = u.unit?.registerLocations.get(segs[1].value);
    return s ? fieldNodes(parentId, s, ctx.style, loc ? wireLocation(ctx, loc.file, loc.span) : undefined) : [];
  }
  if (segs[1].kind !== 'b') return [];
  const bus = u.buses.find((b) => b.bus === parseInt(segs[1].value, 16));
  if (!bus) return [];
  if (segs.length === 2) return [rootEntryNode(ctx, u, bus), ...shownDevices(ctx, u, bus).map((d) => deviceNode(ctx, u, d))];
  if (segs[2].kind === 're') {
    const first = bus.devices[0];
    return fieldNodes(parentId, first.root, ctx.style, wireLocation(ctx, first.file, rootSpanOf(first.row)));
  }
  const d = bus.devices.find((x) => devSegment(x.devfn) === segs[2].value);
  if (!d || segs[2].kind !== 'd') return [];
  if (segs.length === 3) {
    const out = fieldNodes(parentId, d.context, ctx.style, wireLocation(ctx, d.file, spanOf(d.row, 'context')), u.scalable ? undefined : LEGACY_CONTEXT_FIELDS);
    out.push(...d.pasids.map((p) => pasidNode(ctx, u, d, p)));
    // Legacy: the context entry names the domain. Scalable: each PASID entry does.
    const link = !u.scalable && d.did !== undefined ? domainLinkNode(ctx, u, parentId, d.did) : undefined;
    if (link) out.push(link);
    return out;
  }
  const p = segs[3].kind === 'p' ? d.pasids.find((x) => String(x.pasid) === segs[3].value) : undefined;
  if (!p || segs.length !== 4) return [];
  const out = fieldNodes(parentId, p.decoded, ctx.style, wireLocation(ctx, p.file, p.span));
  const link = domainLinkNode(ctx, u, parentId, p.did);
  if (link) out.push(link);
  return out;
}
