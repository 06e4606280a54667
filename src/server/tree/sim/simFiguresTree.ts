// The figures of a simulation so far, in the Simulator view: the throughput
// relative to the same machine without a vIOMMU and the thread that limits
// it, time per packet on each thread, IOTLB hit rate, exits to QEMU,
// invalidations and IQT writes per packet, vhost misses, interrupts, faults,
// and the scenario's expectation (its published anchor) once the run is over.

import type { TreeNodeDto } from '../../../protocol';
import { checkExpectation } from '../../../sim/index';
import { faultReasonLabel } from '../../../vtd/faultReasons';
import { sidName } from '../../../vtd/source-id';
import { mdEscape } from '../../markdown';
import { childId, segment } from '../nodeIds';
import { percentText, plural, timeText, type SimTreeContext } from './simTreeContext';

export const FIGURES_ID = segment('fig', 'figures');

const fixed = (v: number, digits = 2) => (Number.isInteger(v) ? String(v) : v.toFixed(digits));

function figure(key: string, label: string, description: string, tooltip: string, icon: string, json?: unknown): TreeNodeDto {
  return { id: childId(FIGURES_ID, 'n', key), label, description, tooltip, collapsible: 'none', contextValue: 'simFigure', icon, copy: { value: description, json } };
}

/** Why there is no packet figure: not yet, or none in this scenario. */
function noPacketText(ctx: SimTreeContext): string {
  if (ctx.session.scenario.workload.packets === 0) return 'the scenario sends no packet';
  return ctx.snapshot.finished ? 'no packet ran' : 'no packet yet';
}

/** Each device TLB's hit rate (vhost's IOTLB, an ATS device's): hits over lookups since boot. */
function deviceTlbRates(ctx: SimTreeContext): { name: string; rate: number | null; hits: number; misses: number; kind: string }[] {
  return ctx.state.deviceTlbs.map((d) => {
    const lookups = d.counters.hits + d.counters.misses;
    return { name: d.device, rate: lookups > 0 ? d.counters.hits / lookups : null, hits: d.counters.hits, misses: d.counters.misses, kind: d.kind };
  });
}

export function figuresNode(ctx: SimTreeContext): TreeNodeDto {
  const m = ctx.state.metrics;
  const parts =
    m.packets > 0
      ? [`throughput ${m.relativeThroughput === null ? '—' : `${fixed(m.relativeThroughput, 3)}×`}`, `IOTLB hit rate ${percentText(m.iotlbHitRate)}`, ...deviceTlbRates(ctx).map((d) => `${d.name} device IOTLB ${percentText(d.rate)}`), `${fixed(m.exitsPerPacket)} exits/packet`]
      : [noPacketText(ctx)];
  return {
    id: FIGURES_ID,
    label: 'Figures',
    description: `${parts.join(' · ')} · ${plural(m.faults.length, 'fault')}`,
    tooltip: 'The figures over the packets run so far (the boot is not measured). Throughput is relative to the same platform without a vIOMMU: baseline ns per packet over the busiest thread\'s ns per packet.',
    collapsible: 'collapsed',
    contextValue: 'simFigures',
    icon: 'graph',
    copy: { json: m },
  };
}

function expectationNode(ctx: SimTreeContext): TreeNodeDto | undefined {
  const e = ctx.session.scenario.expect;
  if (!e) return undefined;
  const check = ctx.snapshot.finished ? checkExpectation(ctx.snapshot.sim, ctx.state.metrics) : undefined;
  const anchor = e.anchor ? `\n\nAnchor: ${mdEscape(e.anchor)}` : '';
  if (!check) return figure('expect', 'Expected', 'run to the end to check', `The scenario's expectation is checked once every event has run.${anchor}`, 'watch');
  const verdict = check.inside ? 'met' : 'NOT met';
  return figure(
    'expect',
    'Expected',
    `${check.expected} · got ${check.actual} · ${verdict}${check.prediction ? ' (a prediction)' : ''}`,
    `Expected **${mdEscape(check.expected)}**, the run gives **${mdEscape(check.actual)}**: ${verdict}.${check.prediction ? ' The range is the model\'s own prediction, not a published measurement.' : ''}${anchor}`,
    check.inside ? 'pass' : 'error',
    check,
  );
}

export function figureChildren(ctx: SimTreeContext): TreeNodeDto[] {
  const m = ctx.state.metrics;
  const st = ctx.state;
  const out: TreeNodeDto[] = [];
  const packets = m.packets;
  if (packets === 0) {
    out.push(figure('packets', 'Packets', 'none yet', 'The guest is booting (or the scenario has no packets): the per-packet figures start with the first packet.', 'package'));
  } else {
    const rt = m.relativeThroughput;
    out.push(
      figure('packets', 'Packets', `${packets} of ${ctx.session.scenario.workload.packets}`, 'Packets run so far.', 'package'),
      figure(
        'throughput',
        'Relative throughput',
        rt === null ? '—' : `${fixed(rt, 3)} (${percentText(rt)} of the machine without a vIOMMU) · bottleneck ${m.bottleneck}`,
        `Baseline ${timeText(m.baselineNsPerPacket)} per packet (the same platform without a vIOMMU) over the busiest thread's time per packet. Achieved ${Math.round(m.achievedPps)} packets/s.`,
        'rocket',
      ),
      figure('perPacket', 'Time per packet', `vCPU ${timeText(m.nsPerPacket.vcpu)} · backend ${timeText(m.nsPerPacket.backend)} · device ${timeText(m.nsPerPacket.device)}`, 'Each thread\'s cost per packet: the sum of its events\' costs over the packets.', 'watch'),
      figure('exits', 'Exits to QEMU', `${fixed(m.exitsPerPacket)} per packet · ${Math.round(m.exitsPerSecond)}/s`, 'VM exits to QEMU the vIOMMU causes: trapped IOMMU register writes (IQT, …) and MSIs QEMU remaps itself.', 'debug-step-out'),
      figure('invalidations', 'Invalidations', `${fixed(m.invalidationsPerPacket)} descriptors per packet · ${fixed(m.qiSubmissionsPerPacket)} IQT writes per packet`, 'Invalidation descriptors the guest queued (waits not counted), and qi_submit batches (each one IQT write, one exit).', 'trash'),
    );
    if (ctx.state.deviceTlbs.some((d) => d.kind === 'vhost')) {
      out.push(figure('vhostMisses', 'vhost IOTLB misses', `${fixed(m.vhostMissesPerPacket)} per packet`, 'Translation requests vhost sent QEMU (each a round trip through QEMU\'s main loop).', 'arrow-swap'));
    }
  }
  const c = st.iotlb.counters;
  out.push(
    figure(
      'iotlb',
      'IOTLB hit rate',
      `${m.packets > 0 ? `${percentText(m.iotlbHitRate)} over the packets` : noPacketText(ctx)} · ${c.hits} hits, ${c.misses} misses since boot`,
      'QEMU\'s IOTLB: hits over lookups while packets run; the counts include the boot.',
      'database',
    ),
  );
  for (const d of deviceTlbRates(ctx)) {
    out.push(
      figure(
        `devtlb-${d.name}`,
        `${d.name} device IOTLB hit rate`,
        `${percentText(d.rate)} · ${d.hits} hits, ${d.misses} misses since boot`,
        d.kind === 'vhost' ? "vhost's own IOTLB: a miss asks QEMU for the translation (a trip through the backend), a hit costs a lookup." : "The device's ATS translation cache: a miss sends a translation request to the IOMMU.",
        'database',
      ),
    );
  }
  if (m.interrupts > 0) {
    out.push(
      figure(
        'interrupts',
        'Interrupts',
        `${m.interrupts} · ${m.perInterruptCostNs === null ? '—' : timeText(m.perInterruptCostNs)} remapping cost each · ${m.staleDeliveries} through stale routes · ${m.routeUpdates} route updates`,
        'Device MSIs during the packets, what remapping costs each (none through a KVM route that holds the translated message), deliveries through a route whose IRTE changed without an IEC flush, and KVM_SET_GSI_ROUTING rebuilds.',
        'bell',
      ),
    );
  }
  const faults = st.faults.history;
  out.push(
    figure(
      'faults',
      'Faults',
      faults.length ? faults.map((f) => `${f.requester} ${faultReasonLabel(f.reason)} (${f.outcome})`).join('; ') : 'none',
      faults.length ? faults.map((f) => `- ${mdEscape(`${f.requester}: ${faultReasonLabel(f.reason)}, ${f.outcome}${f.interrupt ? ', interrupt' : ''}`)}`).join('\n') : 'No DMA or interrupt remapping fault so far.',
      faults.length ? 'error' : 'pass',
      m.faults.map((f) => ({ reason: f.reason, requester: sidName(f.sid), outcome: f.outcome })),
    ),
    figure('time', 'Simulated time', `${timeText(st.timeNs)} · ${st.position} events`, 'The simulated clock: each step takes the time of its busiest thread.', 'clock'),
  );
  const expectation = expectationNode(ctx);
  if (expectation) out.push(expectation);
  return out;
}
