// The views of a QEMU trace (SourceRef kind 'trace'): the IOTLB and ATS Flow
// views replayed from the trace, as of the source's line. treeRequests.ts
// dispatches to traceTreeSource for trace sources; this file also answers
// viommu/atsFlow, the ATS flow of every device for the sequence diagram.

import { basename } from 'node:path';
import { traceTimeline, type TraceTimeline } from '../../model/traceReplay/timeline';
import { TraceTimelineRequest, type SourceRef, type TraceTimelineResult } from '../../protocol';
import { fsPathOf } from '../captureWorkspace';
import { onRequest } from '../onRequest';
import type { SimulationRegistry } from '../sim/simulationRegistry';
import { simAtsFlow } from '../../sim/atsFlow';
import type { Connection } from 'vscode-languageserver/node';
import {
  AtsFlowRequest,
  type AtsFlowParams,
  type AtsFlowResult,
  type SourceInfo,
  type SourceInfoParams,
  type TreeChildrenParams,
  type TreeNodeAtParams,
  type TreeNodeDto,
  type ViewKey,
} from '../../protocol';
import { TRACE_LIMITS, type TraceReplay } from '../../model/traceReplay/index';
import { sidName } from '../../vtd/source-id';
import type { CaptureWorkspace } from '../captureWorkspace';
import { atsFlowChildren, atsFlowNodeAt } from '../tree/trace/atsFlowTree';
import { parseFilter } from '../tree/filter';
import { styleOf } from '../tree/format';
import { iotlbChildren, iotlbNodeAt } from '../tree/trace/iotlbTree';
import { lineName, replayOf, traceOf, type TraceTreeContext } from '../tree/trace/traceSource';
import type { TreeSource } from '../tree/treeSource';
import type { Feature } from './feature';

interface TraceView {
  children(ctx: TraceTreeContext, parentId: string | undefined): TreeNodeDto[];
  nodeAt(ctx: TraceTreeContext, line: number): string | undefined;
}

/** The views a trace feeds. */
const TRACE_VIEWS: Partial<Record<ViewKey, TraceView>> = {
  iotlb: { children: iotlbChildren, nodeAt: iotlbNodeAt },
  atsFlow: { children: atsFlowChildren, nodeAt: atsFlowNodeAt },
};

function contextOf(workspace: CaptureWorkspace, params: { source: TreeChildrenParams['source']; filter?: string; numberFormat?: TreeChildrenParams['numberFormat']; pad?: boolean }): TraceTreeContext | undefined {
  const trace = traceOf(workspace, params.source.uri);
  if (!trace) return undefined;
  return { trace, replay: replayOf(trace, params.source), style: styleOf(params), filter: parseFilter(params.filter) };
}

export function traceTreeChildren(params: TreeChildrenParams, workspace: CaptureWorkspace): TreeNodeDto[] {
  const view = TRACE_VIEWS[params.view];
  const ctx = view ? contextOf(workspace, params) : undefined;
  return view && ctx ? view.children(ctx, params.parentId) : [];
}

export function traceTreeNodeAt(params: TreeNodeAtParams, workspace: CaptureWorkspace): string | null {
  const view = TRACE_VIEWS[params.view];
  const ctx = view ? contextOf(workspace, params) : undefined;
  if (!view || !ctx || ctx.trace.uri !== params.uri) return null;
  return view.nodeAt(ctx, params.line) ?? null;
}

function viewMessage(r: TraceReplay, view: ViewKey | undefined): Pick<SourceInfo, 'message'> {
  if (view === 'iotlb') {
    const c = r.iotlb.counters;
    if (c.hits + c.misses === 0 && r.iotlb.entries.length === 0) {
      return { message: `No IOTLB lines in the trace up to ${lineName(r.asOfLine)}: QEMU prints them with -trace 'vtd_*' (vtd_iotlb_page_hit, vtd_iotlb_page_update).` };
    }
    const reset = r.iotlb.lastReset;
    if (r.iotlb.entries.length === 0 && reset) {
      const why = reset.reason === 'size-limit' ? 'the size limit' : 'a context-cache reset (vtd_reset_caches)';
      return { message: `The IOTLB is empty after ${lineName(reset.line)} (${why}). "Before the reset" shows what it held; "Replay to Cursor" shows any earlier line.` };
    }
  }
  if (view === 'atsFlow' && r.ats.devices.length === 0) {
    const seen = r.ats.contexts.map((c) => sidName(c.sid)).join(', ');
    return {
      message:
        `No device in this trace has a device TLB: no context entry enables it (TT = 01${r.scalable ? ', DTE = 1' : ''}) and no device-TLB invalidation descriptor was queued` +
        `${seen ? ` (context entries seen: ${seen})` : ''}. QEMU has no trace event for ATS translation requests.`,
    };
  }
  return {};
}

export function traceSourceInfo(params: SourceInfoParams, workspace: CaptureWorkspace): SourceInfo | null {
  const trace = traceOf(workspace, params.source.uri);
  if (!trace) return null;
  const r = replayOf(trace, params.source);
  const domains = new Set(r.contextCache.entries.map((e) => Number((e.hi >> 8n) & 0xffffn)));
  const whole = params.source.asOfLine === undefined || r.asOfLine >= trace.lines.count - 1;
  return {
    name: trace.name,
    counts: {
      units: r.events > 0 ? 1 : 0,
      requesters: r.ats.contexts.length,
      domains: r.scalable ? 0 : domains.size,
      irtes: r.routes.filter((x) => x.index !== undefined).length,
      irqs: r.routes.filter((x) => x.kind === 'kvm').length,
      faults: r.iotlb.counters.faults,
    },
    note: whole ? `whole trace (${trace.lines.count} lines)` : `as of ${lineName(r.asOfLine)} of ${trace.lines.count}`,
    ...viewMessage(r, params.view),
  };
}

/** The trace kind of source, for treeRequests.ts. */
export function traceTreeSource(workspace: CaptureWorkspace): TreeSource {
  return {
    children: (params) => traceTreeChildren(params, workspace),
    nodeAt: (params) => traceTreeNodeAt(params, workspace),
    info: (params) => traceSourceInfo(params, workspace),
  };
}

/** viommu/atsFlow: every device's flow, for the sequence diagram. */
/** A simulation's ATS flow (the events of its run so far): no trace file, `uri` is empty. */
function simulationAtsFlow(simulations: SimulationRegistry | undefined, id: string): AtsFlowResult | null {
  const sim = simulations?.get(id);
  if (!sim) return null;
  const devices = simAtsFlow(sim.snapshot().sim.world);
  return {
    name: `simulation ${sim.scenario.name}`,
    uri: '',
    devices: devices.map((d) => ({
      bdf: sidName(d.sid),
      sid: d.sid,
      deviceTlbEnabled: d.deviceTlbEnabled,
      events: d.events.map((e) => ({ ...e, shown: 'traced' as const })),
      omitted: d.omitted,
    })),
    notes: [
      `The simulation's events up to event ${sim.position} (a "line" is an event's number); ${devices.length === 0 ? 'no device of the scenario has a device TLB (ATS, or vhost\'s IOTLB).' : `${devices.map((d) => d.name).join(', ')}.`}`,
    ],
  };
}

export function atsFlowOf(params: AtsFlowParams, workspace: CaptureWorkspace, simulations?: SimulationRegistry): AtsFlowResult | null {
  if (params?.source?.kind === 'simulation') return simulationAtsFlow(simulations, params.source.uri);
  const trace = params?.source ? traceOf(workspace, params.source.uri) : undefined;
  if (!trace) return null;
  const r = replayOf(trace, params.source);
  const notes = [...TRACE_LIMITS];
  const message = viewMessage(r, 'atsFlow').message;
  if (message) notes.unshift(message);
  return {
    name: trace.name,
    uri: trace.uri,
    devices: r.ats.devices.map((d) => ({
      bdf: sidName(d.sid),
      sid: d.sid,
      domain: d.domain,
      deviceTlbEnabled: d.deviceTlbEnabled,
      events: d.events.map((e) => ({ line: e.line, kind: e.kind, from: e.from, to: e.to, label: e.label, detail: e.detail, shown: e.shown })),
      omitted: d.omitted,
    })),
    notes,
  };
}

export const traceRequestsFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace, simulations }) => registerTraceRequests(connection, workspace, simulations),
};

/** Timelines of held traces, by their parse (a re-parse after an edit makes a new one). */
const timelines = new WeakMap<object, TraceTimeline>();

/** The timeline of a source's trace: held (parsed) or streamed (made while streaming). */
export function timelineOf(params: { source?: SourceRef } | undefined, workspace: CaptureWorkspace): TraceTimelineResult | null {
  const source = params?.source;
  if (!source || source.kind === 'simulation') return null;
  const streamed = workspace.streamedTimelines.get(source.uri);
  if (streamed) {
    const path = fsPathOf(source.uri);
    return { ...streamed, name: path ? basename(path) : source.uri, uri: source.uri };
  }
  const trace = traceOf(workspace, source.uri);
  if (!trace) return null;
  let t = timelines.get(trace.events);
  if (!t) {
    t = traceTimeline(trace.events);
    timelines.set(trace.events, t);
  }
  return { ...t, name: trace.name, uri: trace.uri };
}

function registerTraceRequests(connection: Connection, workspace: CaptureWorkspace, simulations: SimulationRegistry): void {
  onRequest(connection, AtsFlowRequest, (params) => atsFlowOf(params, workspace, simulations));
  onRequest(connection, TraceTimelineRequest, (params) => timelineOf(params, workspace));
}
