// The sidebar views' requests (src/protocol.ts "Sidebar tree views"): the
// children of a node, the node for a dump line, and what a source is. The
// server owns the data; each kind of source answers through its TreeSource.

import type { Connection } from 'vscode-languageserver/node';
import {
  SourceInfoRequest,
  TreeChildrenRequest,
  TreeNodeAtRequest,
  type SourceInfo,
  type SourceInfoParams,
  type SourceRef,
  type TreeChildrenParams,
  type TreeNodeAtParams,
  type TreeNodeDto,
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
  connection.onRequest(TreeChildrenRequest.method, (params: TreeChildrenParams): TreeNodeDto[] => sourceOf(params?.source)?.children(params) ?? []);
  connection.onRequest(TreeNodeAtRequest.method, (params: TreeNodeAtParams): string | null => sourceOf(params?.source)?.nodeAt(params) ?? null);
  connection.onRequest(SourceInfoRequest.method, (params: SourceInfoParams): SourceInfo | null => sourceOf(params?.source)?.info(params) ?? null);
}
