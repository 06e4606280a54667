// The GSI Routing view: each guest IRQ of /proc/interrupts that an IRTE
// backs, along the path its interrupt takes: the MSI as Linux programs it in
// remappable format (handle, SHV, subhandle) or, for an IOAPIC pin, the
// remappable redirection entry → the IRTE (vector, destination, delivery and
// trigger mode, remapped or posted) → the compatibility-format message QEMU's
// vtd_interrupt_remap_msi() makes of it, which is what a KVM MSI route holds
// with a split irqchip. Then what could not be linked. One builder per level.

import type { TreeNodeDto } from '../../../protocol';
import type { IrteView } from '../../../model/types';
import { decodeMsi, encodeCompatMsi, encodeRemappableMsi } from '../../../vtd/msi';
import { decodeIoapicRte, encodeRemappableIoapicRte, ioapicRteToMsi } from '../../../vtd/ioapic';
import { bitsOf, hex } from '../../../vtd/u64';
import { sidName } from '../../../vtd/source-id';
import { mdEscape } from '../../markdown';
import { entryTooltip, fieldNodes } from '../fieldNodes';
import { numberIs, textIn } from '../filter';
import { formatAddress, formatNumber } from '../format';
import { ancestorId, childId, parseId, segment } from '../nodeIds';
import { gsiLayoutOf, isLevelTriggered, whyUnlinked, type GsiGroup, type RoutedIrq } from './gsiRoutingModel';
import { entryIcon, locationText, structureJson, wireLocationOf, type TreeContext } from '../treeContext';
import { findRequester } from '../../../model/keys';
import { irteDestinationName } from '../../../vtd/irte';

const GROUP_TITLES: Record<GsiGroup, string> = { msi: 'MSI and MSI-X', ioapic: 'IOAPIC pins', other: 'Not linked' };
const GROUPS: readonly GsiGroup[] = ['msi', 'ioapic', 'other'];

// ---- ids -----------------------------------------------------------------------

function gsiGroupId(group: GsiGroup): string {
  return segment('g', group);
}

export function irqNodeId(r: RoutedIrq): string {
  return childId(gsiGroupId(r.group), 'q', r.irq.irq);
}

/** The IRTE node: under its IRQ, or in the "not linked" group. */
export function irteNodeId(ctx: TreeContext, e: IrteView): string {
  const r = gsiLayoutOf(ctx.entry.capture).irqs.find((x) => x.irte === e);
  return childId(r ? irqNodeId(r) : gsiGroupId('other'), 'i', e.index);
}

// ---- filter ----------------------------------------------------------------------

function irteShown(ctx: TreeContext, e: IrteView): boolean {
  const f = ctx.filter;
  if (!f) return true;
  if (f.kind === 'bdf') return e.info.sid === f.sid;
  if (f.kind === 'irte') return e.index === f.index;
  return numberIs(f, e.index) || textIn(f, sidName(e.info.sid), e.unit);
}

function irqShown(ctx: TreeContext, r: RoutedIrq): boolean {
  const f = ctx.filter;
  if (!f) return true;
  const q = r.irq;
  const requester = q.requesterId !== undefined ? findRequester(ctx.entry.capture, q.requesterId, { segment: q.segment }) : undefined;
  switch (f.kind) {
    case 'bdf':
      if (f.segment !== undefined && q.segment !== undefined && q.segment !== f.segment) return false;
      return q.requesterId === f.sid || r.irte?.info.sid === f.sid;
    case 'irte':
      return r.irte?.index === f.index;
    case 'irq':
      return q.irq === f.irq;
    case 'did':
      return requester?.did === f.did;
    case 'number':
      return numberIs(f, Number(q.irq)) || (r.irte !== undefined && numberIs(f, r.irte.index));
    case 'text':
      return textIn(f, q.name, q.chip, q.requesterId !== undefined ? sidName(q.requesterId) : undefined);
    default:
      return false;
  }
}

// ---- builders, one per level ---------------------------------------------------------

function irteSummary(ctx: TreeContext, e: IrteView): string {
  const i = e.info;
  if (!i.present) return 'not present';
  if (i.posted) return `posted · vector ${formatNumber(i.vector, ctx.style, 8)} · descriptor ${formatAddress(i.pda ?? 0n, ctx.style)}`;
  return `vector ${formatNumber(i.vector, ctx.style, 8)} → ${irteDestinationName(i)} · ${i.destMode === 'logical' ? '' : 'physical · '}${i.deliveryMode} · ${i.trigger} · remapped`;
}

function groupNode(ctx: TreeContext, group: GsiGroup, count: number): TreeNodeDto {
  const what = group === 'other' ? 'guest IRQs without an IRTE in the capture, and IRTEs without a guest IRQ' : `guest IRQs remapped through an IRTE (${GROUP_TITLES[group]})`;
  return {
    id: gsiGroupId(group),
    label: GROUP_TITLES[group],
    description: String(count),
    tooltip: `${count} ${what}.`,
    collapsible: group === 'other' && !ctx.filter ? 'collapsed' : 'expanded',
    contextValue: 'group',
    icon: group === 'ioapic' ? 'pin' : group === 'msi' ? 'mail' : 'question',
  };
}

function irqNode(ctx: TreeContext, r: RoutedIrq): TreeNodeDto {
  const q = r.irq;
  const dev = q.requesterId !== undefined ? sidName(q.requesterId) : undefined;
  const source = isIoapicGroup(r) ? `pin ${q.hwirq ?? '?'}` : dev ? `${dev}${q.msiIndex !== undefined ? ` #${q.msiIndex}` : ''}` : q.chip;
  const path = r.irte ? `IRTE ${r.irte.index} · ${irteSummary(ctx, r.irte)}` : whyUnlinked(r, ctx.entry.capture);
  const how =
    r.irte?.linkedBy === 'trace'
      ? 'QEMU\'s trace names the IRTE this pin resolves to.'
      : r.irte?.linkedBy === 'elimination'
        ? 'This pin never fired, so the trace does not name its IRTE; it is the one IOAPIC entry left when the trace has linked every other pin.'
        : r.irte
        ? 'Linux does not print which IRTE an IRQ uses: linked by requester id and the order the kernel allocated vectors and entries.'
        : `No IRTE: ${whyUnlinked(r, ctx.entry.capture)}.`;
  const tooltip = [
    `**IRQ ${mdEscape(q.irq)}**${q.name ? ` ${mdEscape(q.name)}` : ''}`,
    '',
    '| | |',
    '|---|---|',
    `| chip | ${mdEscape(q.chip)} |`,
    `| hardware irq | ${q.hwirq ?? '—'} |`,
    `| trigger | ${mdEscape(r.row?.trigger ?? '—')} |`,
    `| interrupts | ${q.total} |`,
  ];
  if (dev) tooltip.push(`| device | ${dev}${q.msiIndex !== undefined ? `, vector ${q.msiIndex}` : ''} |`);
  tooltip.push('', how);
  return {
    id: irqNodeId(r),
    label: `IRQ ${q.irq}${q.name ? ` ${q.name}` : ''}`,
    description: `${source} · ${path}`,
    tooltip: tooltip.join('\n'),
    collapsible: r.irte ? (ctx.filter ? 'expanded' : 'collapsed') : 'none',
    contextValue: 'irq',
    icon: r.irte ? 'zap' : 'debug-disconnect',
    location: wireLocationOf(ctx, q.location),
    copy: { value: q.irq, raw: locationText(ctx, q.location), json: { irq: q.irq, name: q.name, chip: q.chip, hwirq: q.hwirq, device: dev, msiIndex: q.msiIndex, irte: r.irte?.index, total: q.total } },
  };
}

function isIoapicGroup(r: RoutedIrq): boolean {
  return r.group === 'ioapic' || r.irq.chip.includes('IO-APIC');
}

function msiNode(ctx: TreeContext, parentId: string, r: RoutedIrq, e: IrteView): TreeNodeDto {
  const { address, data } = encodeRemappableMsi(e.index);
  const s = decodeMsi(address, data);
  return {
    id: childId(parentId, 'm', 'msi'),
    label: 'MSI (remappable format)',
    description: `address ${formatAddress(address, ctx.style, 32)} data ${formatNumber(data, ctx.style, 32)} · handle ${e.index} · SHV · subhandle 0`,
    tooltip: entryTooltip(s, 'MSI', [
      'The message as Linux programs it into the device: the handle is the IRTE index, SHV set, subhandle 0 (MSI-X and single MSI; multi-MSI puts the vector offset in the subhandle).',
    ]),
    collapsible: 'collapsed',
    contextValue: 'msi',
    icon: 'mail',
    location: wireLocationOf(ctx, r.irq.location),
    copy: { value: `${hex(address)} ${hex(data)}`, json: { address: hex(address), data: hex(data), message: structureJson(s) } },
  };
}

function rteValue(r: RoutedIrq, e: IrteView): bigint {
  return encodeRemappableIoapicRte({ index: e.index, pin: r.irq.hwirq ?? 0, level: isLevelTriggered(r) });
}

function rteNode(ctx: TreeContext, parentId: string, r: RoutedIrq, e: IrteView): TreeNodeDto {
  const rte = rteValue(r, e);
  const s = decodeIoapicRte(rte);
  return {
    id: childId(parentId, 'rte', r.irq.hwirq ?? 0),
    label: 'IOAPIC redirection entry (remappable format)',
    description: `pin ${r.irq.hwirq ?? '?'} · ${formatAddress(rte, ctx.style, 64)} · index ${e.index} · ${isLevelTriggered(r) ? 'level' : 'edge'}`,
    tooltip: entryTooltip(s, `IOAPIC pin ${r.irq.hwirq ?? '?'}`, [
      'The entry as Linux writes it: the IRTE index in bits 63:49 and 11, format bit 48, and the pin number in the vector field. The pin\'s polarity is not in the capture (shown active high).',
    ]),
    collapsible: 'collapsed',
    contextValue: 'rte',
    icon: 'pin',
    location: wireLocationOf(ctx, r.irq.location),
    copy: { value: hex(rte), json: { pin: r.irq.hwirq, index: e.index, rte: structureJson(s) } },
  };
}

function ioapicMsiNode(ctx: TreeContext, parentId: string, rte: bigint): TreeNodeDto {
  const { address, data } = ioapicRteToMsi(rte);
  const s = decodeMsi(address, data);
  return {
    id: childId(parentId, 'm', 'ioapic'),
    label: 'MSI sent by the IOAPIC',
    description: `address ${formatAddress(address, ctx.style, 32)} data ${formatNumber(data, ctx.style, 32)} · ${s.summary}`,
    tooltip: entryTooltip(s, 'IOAPIC message', ['QEMU\'s IOAPIC turns the remappable entry into this message (no SHV: the data is not added to the handle).']),
    collapsible: 'collapsed',
    contextValue: 'msi',
    icon: 'mail',
    copy: { value: `${hex(address)} ${hex(data)}`, json: { address: hex(address), data: hex(data), message: structureJson(s) } },
  };
}

function irteNode(ctx: TreeContext, id: string, e: IrteView): TreeNodeDto {
  return {
    id,
    label: `IRTE ${e.index}`,
    description: `${sidName(e.info.sid)} · ${irteSummary(ctx, e)}`,
    tooltip: entryTooltip(e.decoded, `IRTE ${e.index}`),
    collapsible: 'collapsed',
    contextValue: 'irte',
    icon: entryIcon(e.decoded, 'symbol-enum'),
    location: wireLocationOf(ctx, e.location),
    copy: { value: String(e.index), raw: locationText(ctx, e.location), json: { unit: e.unit, index: e.index, sid: sidName(e.info.sid), entry: structureJson(e.decoded) } },
  };
}

/** The compatibility-format message a remapped, present IRTE turns an interrupt into (x86_iommu_irq_to_msi_message). */
function compatMessage(e: IrteView): { address: bigint; data: bigint } | undefined {
  const i = e.info;
  if (!i.present || i.posted) return undefined;
  return encodeCompatMsi({
    destination: i.destination,
    vector: i.vector,
    logical: i.destMode === 'logical',
    redirectionHint: i.redirectionHint,
    deliveryMode: Number(bitsOf(e.lo, 7, 5)),
    trigger: i.trigger,
  });
}

function routeNode(ctx: TreeContext, parentId: string, e: IrteView): TreeNodeDto {
  const i = e.info;
  const base = { id: childId(parentId, 'rt', 'kvm'), label: 'KVM route (compatibility format)', contextValue: 'route', location: wireLocationOf(ctx, e.location) };
  const message = compatMessage(e);
  if (!message) {
    const why = !i.present ? 'the IRTE is not present: translation fails (fault 0x22), QEMU installs no route' : 'a posted IRTE: QEMU\'s IOMMU does not implement posted interrupts, so it makes no message of it';
    return { ...base, description: why, tooltip: mdEscape(why), collapsible: 'none', icon: 'error' };
  }
  const { address, data } = message;
  const s = decodeMsi(address, data);
  return {
    ...base,
    description: `address ${formatAddress(address, ctx.style, 64)} data ${formatNumber(data, ctx.style, 32)} → ${irteDestinationName(i)} vector ${formatNumber(i.vector, ctx.style, 8)}`,
    tooltip: entryTooltip(s, 'Translated message', [
      'What QEMU\'s `vtd_interrupt_remap_msi()` makes of the interrupt through this IRTE: with a split irqchip, `kvm_arch_fixup_msi_route()` writes this message into the KVM MSI route of the vector.',
      '',
      'A guest capture does not say whether QEMU ran with a split irqchip, nor the route\'s GSI number.',
    ]),
    collapsible: 'collapsed',
    icon: 'arrow-right',
    copy: { value: `${hex(address)} ${hex(data)}`, json: { address: hex(address), data: hex(data), message: structureJson(s) } },
  };
}

// ---- children --------------------------------------------------------------------------

function shownIrqs(ctx: TreeContext, group: GsiGroup): RoutedIrq[] {
  return gsiLayoutOf(ctx.entry.capture).irqs.filter((r) => r.group === group && irqShown(ctx, r));
}

function shownUnlinkedIrtes(ctx: TreeContext): IrteView[] {
  return gsiLayoutOf(ctx.entry.capture).unlinkedIrtes.filter((e) => irteShown(ctx, e));
}

function groupCount(ctx: TreeContext, group: GsiGroup): number {
  return shownIrqs(ctx, group).length + (group === 'other' ? shownUnlinkedIrtes(ctx).length : 0);
}

export function gsiRoutingChildren(ctx: TreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) {
    return GROUPS.map((g) => ({ g, n: groupCount(ctx, g) }))
      .filter(({ n }) => n > 0)
      .map(({ g, n }) => groupNode(ctx, g, n));
  }
  const segs = parseId(parentId);
  if (!segs || segs[0].kind !== 'g') return [];
  const group = segs[0].value as GsiGroup;
  if (!GROUPS.includes(group)) return [];
  if (segs.length === 1) {
    const out = shownIrqs(ctx, group).map((r) => irqNode(ctx, r));
    if (group === 'other') out.push(...shownUnlinkedIrtes(ctx).map((e) => irteNode(ctx, childId(parentId, 'i', e.index), e)));
    return out;
  }
  if (segs[1].kind === 'i' && segs.length === 2) {
    const e = gsiLayoutOf(ctx.entry.capture).unlinkedIrtes.find((x) => String(x.index) === segs[1].value);
    return e ? fieldNodes(parentId, e.decoded, ctx.style, wireLocationOf(ctx, e.location)) : [];
  }
  const r = segs[1].kind === 'q' ? gsiLayoutOf(ctx.entry.capture).irqs.find((x) => x.group === group && x.irq.irq === segs[1].value) : undefined;
  const e = r?.irte;
  if (!r || !e) return [];
  const irqId = ancestorId(parentId, 2);
  if (segs.length === 2) {
    const first = r.group === 'ioapic' ? rteNode(ctx, irqId, r, e) : msiNode(ctx, irqId, r, e);
    return [first, irteNode(ctx, childId(irqId, 'i', e.index), e), routeNode(ctx, irqId, e)];
  }
  const kind = segs[2].kind;
  if (segs.length === 4 && kind === 'rte' && segs[3].kind === 'm') {
    const { address, data } = ioapicRteToMsi(rteValue(r, e));
    return fieldNodes(parentId, decodeMsi(address, data), ctx.style);
  }
  if (segs.length !== 3) return [];
  if (kind === 'm') {
    const { address, data } = encodeRemappableMsi(e.index);
    return fieldNodes(parentId, decodeMsi(address, data), ctx.style);
  }
  if (kind === 'rte') {
    const rte = rteValue(r, e);
    return [...fieldNodes(parentId, decodeIoapicRte(rte), ctx.style, wireLocationOf(ctx, r.irq.location)), ioapicMsiNode(ctx, parentId, rte)];
  }
  if (kind === 'i') return fieldNodes(parentId, e.decoded, ctx.style, wireLocationOf(ctx, e.location));
  if (kind === 'rt') {
    const message = compatMessage(e);
    return message ? fieldNodes(parentId, decodeMsi(message.address, message.data), ctx.style, wireLocationOf(ctx, e.location)) : [];
  }
  return [];
}

