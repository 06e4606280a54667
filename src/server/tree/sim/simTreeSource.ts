// The views of a running simulation (SourceRef kind 'simulation', uri = the
// session id): which builder makes each view (the capture builders for the
// tables, read from the guest's memory; the simulation's own for the
// Simulator, IOTLB, ATS Flow and GSI Routing views), what changed with the
// last step, and what each view says about the run.

import type { SourceInfo, SourceInfoParams, TreeChildrenParams, TreeNodeDto, ViewKey } from '../../../protocol';
import type { ServerSimulation } from '../../sim/serverSimulation';
import type { SimulationRegistry } from '../../sim/simulationRegistry';
import type { SimSnapshot } from '../../sim/snapshots';
import { contextTablesChildren } from '../capture/contextTablesTree';
import { parseFilter } from '../filter';
import { styleOf } from '../format';
import { secondLevelChildren } from '../capture/secondLevelTree';
import { simAtsFlowChildren } from './simAtsFlowTree';
import { simCaptureOf } from './simCapture';
import { markChanged, viewPrints, type ChildrenOf } from './simChanges';
import { simIotlbChildren } from './simIotlbTree';
import { simRoutesChildren } from './simRoutesTree';
import { captureContextOf, type SimTreeContext } from './simTreeContext';
import { simulatorChildren } from './simulatorTree';
import { simViewMessage } from './simViewMessages';
import type { TreeSource } from '../treeSource';

type SimView = (ctx: SimTreeContext, parentId: string | undefined) => TreeNodeDto[];

/** Every view, for a simulation. */
const SIM_VIEWS: Record<ViewKey, SimView> = {
  simulator: simulatorChildren,
  contextTables: (ctx, parentId) => contextTablesChildren(captureContextOf(ctx), parentId),
  secondLevelTables: (ctx, parentId) => secondLevelChildren(captureContextOf(ctx), parentId),
  iotlb: simIotlbChildren,
  atsFlow: simAtsFlowChildren,
  gsiRouting: simRoutesChildren,
};

type ViewOptions = Pick<TreeChildrenParams, 'filter' | 'numberFormat' | 'pad' | 'coalesce'>;

function contextAt(session: ServerSimulation, snapshot: SimSnapshot, options: ViewOptions): SimTreeContext {
  const lastFrom = snapshot.position === session.position ? session.lastFrom : snapshot.position;
  return { session, snapshot, state: snapshot.state(lastFrom), style: styleOf(options), filter: parseFilter(options.filter), coalesce: options.coalesce === true };
}

/**
 * A capture builder's nodes as a simulation shows them: no dump line to open
 * (the files have no URI); and a domain without leaves, which the builder
 * makes a leaf node, under an id of its own: the guest maps pages into it a
 * few events later, and VS Code keeps what it first saw of an id's
 * expandability.
 */
function forSimulation(nodes: TreeNodeDto[]): TreeNodeDto[] {
  for (const n of nodes) {
    delete n.location;
    if (n.collapsible === 'none' && n.contextValue === 'domain') n.id += EMPTY_DOMAIN;
  }
  return nodes;
}

const EMPTY_DOMAIN = '~empty';

const printsKept = new WeakMap<SimSnapshot, { revision: number; byKey: Map<string, Map<string, string> | undefined> }>();

/** The prints of a whole view at one position (cached per run, session revision and view options). */
function printsOf(view: SimView, ctx: SimTreeContext, key: string): Map<string, string> | undefined {
  let kept = printsKept.get(ctx.snapshot);
  if (!kept || kept.revision !== ctx.session.revision) {
    kept = { revision: ctx.session.revision, byKey: new Map() };
    printsKept.set(ctx.snapshot, kept);
  }
  if (!kept.byKey.has(key)) kept.byKey.set(key, viewPrints((parentId) => forSimulation(view(ctx, parentId))));
  return kept.byKey.get(key);
}

export function simulationChildren(session: ServerSimulation, params: TreeChildrenParams): TreeNodeDto[] {
  const view = SIM_VIEWS[params.view];
  if (!view) return [];
  const now = contextAt(session, session.snapshot(), params);
  const nodes = forSimulation(view(now, params.parentId));
  const before = session.previousSnapshot();
  if (!before || before.position === now.snapshot.position) return nodes;
  const then = contextAt(session, before, params);
  const key = `${params.view}\u0000${params.filter ?? ''}\u0000${params.numberFormat ?? ''}\u0000${params.pad === true}\u0000${params.coalesce === true}`;
  const childrenBefore: ChildrenOf = (parentId) => forSimulation(view(then, parentId));
  return markChanged(nodes, params.parentId, printsOf(view, now, key), printsOf(view, then, key), childrenBefore);
}

export function simulationInfo(session: ServerSimulation, params: SourceInfoParams): SourceInfo {
  const snap = session.snapshot();
  const st = snap.state(snap.position);
  const capture = simCaptureOf(snap.sim).entry.capture;
  const note = `event ${session.position} of ${session.total}${session.finished ? ' · finished' : ''}`;
  const message = simViewMessage(params.view, session, snap, st);
  return {
    name: `${session.scenario.name} (simulation)`,
    counts: {
      units: capture.units.length,
      requesters: session.scenario.devices.length,
      domains: capture.domains.size,
      irtes: capture.irtes.length,
      irqs: st.routes.length,
      faults: st.faults.history.length,
    },
    note,
    ...(message ? { message } : {}),
    fingerprint: `${session.id}:${session.position}:${snap.sim.digest}`,
  };
}

/** The simulation kind of source, for features/treeRequests.ts. */
export function simulationTreeSource(registry: SimulationRegistry): TreeSource {
  return {
    children: (params) => {
      const session = registry.get(params.source.uri);
      return session ? simulationChildren(session, params) : [];
    },
    // A simulation has no dump lines.
    nodeAt: () => null,
    info: (params) => {
      const session = registry.get(params.source.uri);
      return session ? simulationInfo(session, params) : null;
    },
  };
}
