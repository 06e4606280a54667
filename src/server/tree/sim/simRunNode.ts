// The Simulator view's first node: the scenario, where the run is (event k of
// n, the packet, the simulated time), and under it what the scenario runs:
// the platform's QEMU properties, the guest's DMA model, the devices, the
// workload, and the digest that identifies the run so far.

import type { TreeNodeDto } from '../../../protocol';
import type { Scenario } from '../../../sim/index';
import { mdEscape } from '../../markdown';
import { childId, segment } from '../nodeIds';
import { plural, timeText, type SimTreeContext } from './simTreeContext';

export const RUN_NODE_ID = segment('run', 'scenario');

const onOff = (v: boolean) => (v ? 'on' : 'off');

function platformText(s: Scenario): string {
  const p = s.platform;
  if (!p.iommu) return 'no vIOMMU (iommu: none)';
  return [
    'intel-iommu',
    `caching-mode ${onOff(p.cachingMode)}`,
    `intremap ${onOff(p.intremap)}`,
    `device-iotlb ${onOff(p.deviceIotlb)}`,
    `aw-bits ${p.awBits}`,
    ...(p.scalableMode ? ['scalable mode'] : []),
    ...(p.dmaTranslation ? [] : ['dma-translation off']),
    `irqchip ${p.irqchip}`,
    `vhost ${onOff(p.vhost)}`,
  ].join(' · ');
}

function guestText(s: Scenario): string {
  const g = s.guest;
  if (g.dma === 'static') return `static mapping (DPDK): ${g.hugePageShift === 30 ? '1G' : g.hugePageShift === 21 ? '2M' : '4K'} pages, ${g.staticBytes} bytes`;
  if (g.dma === 'passthrough') return 'iommu=pt: identity domain';
  return `dynamic map/unmap per buffer · ${s.platform.cachingMode || g.invalidation === 'strict' ? 'strict' : 'lazy (flush queue)'} invalidation · ${g.buffers} buffers`;
}

export function runNode(ctx: SimTreeContext): TreeNodeDto {
  const s = ctx.session;
  const st = ctx.state;
  const w = s.scenario.workload;
  const packet = ctx.snapshot.sim.state.packet;
  const where = [`event ${st.position} of ${s.total}`];
  if (w.packets > 0) where.push(`packet ${Math.min(packet, w.packets)} of ${w.packets}`);
  where.push(timeText(st.timeNs));
  if (st.refused) where.push('refused');
  else if (ctx.snapshot.finished) where.push('finished');
  const tooltip = [`**${mdEscape(s.scenario.name)}** (${mdEscape(s.origin)})`, '', mdEscape(s.scenario.description), '', `Digest \`${st.digest}\`: the same scenario at the same event gives the same digest, however the position was reached.`];
  if (st.refused) tooltip.push('', `QEMU refuses to start: ${mdEscape(st.refused)}`);
  return {
    id: RUN_NODE_ID,
    label: s.scenario.name,
    description: where.join(' · '),
    tooltip: tooltip.join('\n'),
    collapsible: 'collapsed',
    contextValue: 'simRun',
    icon: st.refused ? 'error' : ctx.snapshot.finished ? 'pass' : 'debug-alt',
    copy: { value: s.scenario.name, json: { scenario: s.scenario.name, origin: s.origin, position: st.position, total: s.total, digest: st.digest, timeNs: st.timeNs } },
  };
}

function leaf(parent: string, key: string, label: string, description: string, icon: string, tooltip?: string): TreeNodeDto {
  return { id: childId(parent, 'n', key), label, description, tooltip: tooltip ?? mdEscape(description), collapsible: 'none', contextValue: 'simSetting', icon, copy: { value: description } };
}

export function platformNodes(ctx: SimTreeContext, parent: string): TreeNodeDto[] {
  const s = ctx.session.scenario;
  const w = s.workload;
  const out = [
    leaf(parent, 'origin', 'Runs', ctx.session.origin, 'file-code'),
    leaf(parent, 'platform', 'Platform', platformText(s), 'server'),
    leaf(parent, 'guest', 'Guest', guestText(s), 'vm'),
    ...s.devices.map((d) => leaf(parent, `dev-${d.bdf}`, d.name, `${d.bdf} · ${d.kind}${d.ats ? ' · ATS' : ''} · ${plural(d.vectors, 'vector')}${d.msiFormat === 'compat' ? ' · compatibility-format MSI' : ''}`, 'plug')),
    leaf(parent, 'workload', 'Workload', `${plural(w.packets, 'packet')} · ${w.interruptEvery ? `an interrupt every ${w.interruptEvery}` : 'no packet interrupts'} · ${plural(w.requests.length, 'request')}`, 'run-all'),
    leaf(parent, 'digest', 'Digest', ctx.state.digest, 'key', `Digest of the events so far: \`${ctx.state.digest}\`.`),
  ];
  if (ctx.session.capture) out.splice(1, 0, leaf(parent, 'seeded', 'Seeded', 'guest memory and the IOMMU from a capture, not from the guest driver\'s boot', 'database'));
  return out;
}
