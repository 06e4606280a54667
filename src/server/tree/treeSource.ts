// What a kind of source (SourceRef.kind) gives the sidebar views: the
// children of a node, the node for a dump line, and what the source is. The
// language server keeps one per kind: 'capture' here; 'trace' (a replayed
// QEMU trace) and 'simulation' plug in beside it in features/treeRequests.ts.

import type { SourceInfo, SourceInfoParams, TreeChildrenParams, TreeNodeAtParams, TreeNodeDto } from '../../protocol';

export interface TreeSource {
  children(params: TreeChildrenParams): TreeNodeDto[];
  nodeAt(params: TreeNodeAtParams): string | null;
  info(params: SourceInfoParams): SourceInfo | null;
}
