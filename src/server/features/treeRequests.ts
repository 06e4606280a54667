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
import { captureTreeSource } from '../tree/captureTreeSource';
import { simulationTreeSource } from '../tree/simTreeSource';
import { SIMULATIONS } from '../sim/simulationRegistry';
import type { TreeSource } from '../tree/treeSource';
import { captureFor } from './customRequests';
import type { Feature } from './feature';
import { traceTreeSource } from './traceTreeRequests';

/**
 * The sources the views can show, by SourceRef.kind. The dispatch point:
 * 'trace' (IOTLB and ATS views replayed from a QEMU trace) and 'simulation'
 * (a running simulator session) add their TreeSource here.
 */
function treeSources(workspace: CaptureWorkspace): Partial<Record<SourceRef['kind'], TreeSource>> {
  return {
    capture: captureTreeSource((uri) => captureFor(workspace, uri)),
    trace: traceTreeSource(workspace),
    simulation: simulationTreeSource(SIMULATIONS),
  };
}

export const treeRequestsFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => registerTreeRequests(connection, workspace),
};

function registerTreeRequests(connection: Connection, workspace: CaptureWorkspace): void {
  const sources = treeSources(workspace);
  const sourceOf = (ref: SourceRef | undefined): TreeSource | undefined => (ref ? sources[ref.kind] : undefined);
  onRequest(connection, TreeChildrenRequest, (params) => sourceOf(params?.source)?.children(params) ?? []);
  onRequest(connection, TreeNodeAtRequest, (params) => sourceOf(params?.source)?.nodeAt(params) ?? null);
  onRequest(connection, SourceInfoRequest, (params) => sourceOf(params?.source)?.info(params) ?? null);
}
