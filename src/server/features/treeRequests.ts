// The sidebar views' requests (src/protocol.ts "Sidebar tree views"): the
// children of a node, the node for a dump line, and what a source is. The
// server owns the data; each kind of source answers through its TreeSource.

import { onRequest } from '../onRequest';
import type { Connection } from 'vscode-languageserver/node';
import {
  SourceInfoRequest,
  TreeChildrenRequest,
  TreeNodeAtRequest,
  type SourceRef,
} from '../../protocol';
import type { CaptureWorkspace } from '../captureWorkspace';
import { captureTreeSource } from '../tree/capture/captureTreeSource';
import { simulationTreeSource } from '../tree/sim/simTreeSource';
import type { SimulationRegistry } from '../sim/simulationRegistry';
import type { TreeSource } from '../tree/treeSource';
import type { Feature } from './feature';
import { traceTreeSource } from './traceTreeRequests';

/**
 * The sources the views can show, by SourceRef.kind. The dispatch point:
 * 'trace' (IOTLB and ATS views replayed from a QEMU trace) and 'simulation'
 * (a running simulator session) add their TreeSource here.
 */
function treeSources(workspace: CaptureWorkspace, simulations: SimulationRegistry): Partial<Record<SourceRef['kind'], TreeSource>> {
  return {
    capture: captureTreeSource((uri) => workspace.captureFor(uri)),
    trace: traceTreeSource(workspace),
    simulation: simulationTreeSource(simulations),
  };
}

export const treeRequestsFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace, simulations }) => registerTreeRequests(connection, workspace, simulations),
};

function registerTreeRequests(connection: Connection, workspace: CaptureWorkspace, simulations: SimulationRegistry): void {
  const sources = treeSources(workspace, simulations);
  const sourceOf = (ref: SourceRef | undefined): TreeSource | undefined => (ref ? sources[ref.kind] : undefined);
  onRequest(connection, TreeChildrenRequest, (params) => sourceOf(params?.source)?.children(params) ?? []);
  onRequest(connection, TreeNodeAtRequest, (params) => sourceOf(params?.source)?.nodeAt(params) ?? null);
  onRequest(connection, SourceInfoRequest, (params) => sourceOf(params?.source)?.info(params) ?? null);
}
