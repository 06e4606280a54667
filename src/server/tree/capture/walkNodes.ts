// Walk → tree: the sidebar node of each entry a translation walk read, so the
// IOVA Walk view can take the user from a step to its node. A root entry is
// its bus in Context Tables, a context entry its device, a PASID entry its
// PASID node; a page-table entry is the entry of the Second-Level Tables
// view's levels mode, one index per level from the top table down. A node is
// only given when the view, unfiltered, lists it.

import type { TreeLink } from '../../../protocol';
import type { WalkResult, WalkStep } from '../../../model/walk';
import type { CaptureEntry } from '../../captureWorkspace';
import { fieldValue } from '../../../vtd/layout';
import { busNodeId, deviceNodeId, pasidNodeId } from './contextTablesTree';
import { entryNodeId } from './secondLevelIds';
import { CAPTURE_VIEWS, treeContextOf } from './captureTreeSource';
import { isShown } from './nodeAt';
import { findRequester } from '../../../model/keys';

function didOf(step: WalkStep): number | undefined {
  const did = step.decoded ? fieldValue(step.decoded, 'DID') : undefined;
  return did === undefined ? undefined : Number(did);
}

/** The node of each step of `walk` (undefined where no view lists one), in step order. */
export function walkStepNodes(entry: CaptureEntry, walk: WalkResult): (TreeLink | undefined)[] {
  const requester = findRequester(entry.capture, walk.request.sid, walk.request);
  const unit = requester?.unit;
  const bus = walk.request.sid >> 8;
  const devfn = walk.request.sid & 0xff;
  const ctx = treeContextOf(entry, {});
  const shown = (link: TreeLink): TreeLink | undefined => {
    const model = CAPTURE_VIEWS[link.view];
    return model && isShown(link.id, (parentId) => model(ctx, parentId)) ? link : undefined;
  };
  let did = requester?.did;
  const path: number[] = [];
  return walk.steps.map((step) => {
    switch (step.kind) {
      case 'root':
        return unit !== undefined ? shown({ view: 'contextTables', id: busNodeId(unit, bus) }) : undefined;
      case 'context':
        did = didOf(step) ?? did;
        return unit !== undefined ? shown({ view: 'contextTables', id: deviceNodeId(unit, bus, devfn) }) : undefined;
      case 'pasid-entry':
        did = didOf(step) ?? did;
        return unit !== undefined && walk.request.pasid !== undefined ? shown({ view: 'contextTables', id: pasidNodeId(unit, bus, devfn, walk.request.pasid) }) : undefined;
      case 'page-table':
        if (step.index === undefined || did === undefined) return undefined;
        path.push(step.index);
        return step.visible ? shown({ view: 'secondLevelTables', id: entryNodeId(entry.capture, { did, unit }, path) }) : undefined;
      default:
        return undefined;
    }
  });
}
