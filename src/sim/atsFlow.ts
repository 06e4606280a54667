// A simulation's ATS flow as the sequence diagram draws a trace's: for each
// device with a device TLB (an ATS device, or vhost's IOTLB), its
// translation requests and completions, fills, invalidations (device-TLB
// descriptors or UNMAP notifications) and the waits that follow, between the
// device, the IOMMU and the guest driver. `line` is the event's index.

import { K } from './events/kinds';
import { describeEvent } from './events/describe';
import type { World } from './world';

type SimAtsLane = 'device' | 'iommu' | 'driver';

interface SimAtsEvent {
  /** The event's index in the run. */
  line: number;
  kind: string;
  from: SimAtsLane;
  to: SimAtsLane;
  label: string;
  detail: string;
}

interface SimAtsDevice {
  sid: number;
  name: string;
  deviceTlbEnabled: boolean;
  events: SimAtsEvent[];
  /** Events beyond the ones kept. */
  omitted: number;
}

/** Events kept per device (the diagram draws the latest ones). */
const MAX_SIM_ATS_EVENTS = 20000;

const LANES = new Map<number, { kind: string; from: SimAtsLane; to: SimAtsLane; label: string }>([
  [K.devtlbRequest, { kind: 'translation', from: 'device', to: 'iommu', label: 'translation request' }],
  [K.devtlbCompletion, { kind: 'translation', from: 'iommu', to: 'device', label: 'translation completion' }],
  [K.devtlbFill, { kind: 'translation', from: 'device', to: 'device', label: 'device TLB fill' }],
  [K.devtlbInvalidate, { kind: 'devtlb-invalidation', from: 'iommu', to: 'device', label: 'invalidation request' }],
  [K.notifyDevIotlb, { kind: 'devtlb-invalidation', from: 'driver', to: 'iommu', label: 'device-TLB invalidation descriptor' }],
  [K.notifyUnmap, { kind: 'devtlb-unmap', from: 'iommu', to: 'device', label: 'UNMAP notification' }],
  [K.devtlbInvCompletion, { kind: 'devtlb-invalidation', from: 'device', to: 'iommu', label: 'invalidation completion' }],
  [K.waitStatus, { kind: 'wait-status', from: 'iommu', to: 'driver', label: 'wait status written' }],
]);

/** The ATS flow of every device with a device TLB, from the run's event log. */
export function simAtsFlow(w: World): SimAtsDevice[] {
  const log = w.rec.log;
  const devices = w.devices.filter((d) => d.tlb);
  const bySid = new Map<number, SimAtsDevice>(devices.map((d) => [d.sid, { sid: d.sid, name: d.spec.name, deviceTlbEnabled: true, events: [], omitted: 0 }]));
  if (!log) return [...bySid.values()];
  const push = (d: SimAtsDevice, e: SimAtsEvent) => {
    if (d.events.length < MAX_SIM_ATS_EVENTS) d.events.push(e);
    else d.omitted++;
  };
  for (let i = 0; i < log.count; i++) {
    const lane = LANES.get(log.kindAt(i));
    if (!lane) continue;
    const raw = log.get(i);
    const view = describeEvent(raw);
    const e: SimAtsEvent = { line: i, kind: lane.kind, from: lane.from, to: lane.to, label: lane.label, detail: view.text };
    if (raw.kind === K.waitStatus) {
      // A wait completes every device's invalidations queued before it.
      for (const d of bySid.values()) if (d.events.length && d.events[d.events.length - 1].kind !== 'wait-status') push(d, e);
      continue;
    }
    const d = bySid.get(raw.sid);
    if (d) push(d, e);
  }
  return [...bySid.values()];
}
