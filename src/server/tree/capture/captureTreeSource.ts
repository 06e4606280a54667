// The sidebar views of a capture folder: which view model builds each view,
// the request parameters turned into the builders' context, and what each
// view says about the capture in its description and message.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { SourceInfo, SourceInfoParams, TreeChildrenParams, TreeNodeAtParams, TreeNodeDto, ViewKey } from '../../../protocol';
import type { CaptureEntry } from '../../captureWorkspace';
import type { Capture } from '../../../model/types';
import { fsPathOf } from '../../captureWorkspace';
import { contextTablesChildren } from './contextTablesTree';
import { contextLayoutOf } from './contextTablesLayout';
import { secondLevelChildren } from './secondLevelTree';
import { gsiRoutingChildren } from './gsiRoutingTree';
import { parseFilter } from '../filter';
import { styleOf } from '../format';
import { captureNodeAt } from './nodeAt';
import type { TreeContext } from '../treeContext';
import type { TreeSource } from '../treeSource';

type ViewModel = (ctx: TreeContext, parentId: string | undefined) => TreeNodeDto[];

/** The views a capture feeds (the IOTLB and ATS views are fed by QEMU traces). */
export const CAPTURE_VIEWS: Partial<Record<ViewKey, ViewModel>> = {
  contextTables: contextTablesChildren,
  secondLevelTables: secondLevelChildren,
  gsiRouting: gsiRoutingChildren,
};

export function treeContextOf(entry: CaptureEntry, params: { filter?: string; numberFormat?: TreeChildrenParams['numberFormat']; pad?: boolean; coalesce?: boolean }): TreeContext {
  return { entry, style: styleOf(params), filter: parseFilter(params.filter), coalesce: params.coalesce === true };
}

export function captureChildren(entry: CaptureEntry, params: TreeChildrenParams): TreeNodeDto[] {
  const model = CAPTURE_VIEWS[params.view];
  return model ? model(treeContextOf(entry, params), params.parentId) : [];
}

export function captureNodeAtLine(entry: CaptureEntry, params: TreeNodeAtParams): string | null {
  const model = CAPTURE_VIEWS[params.view];
  if (!model) return null;
  const ctx = treeContextOf(entry, params);
  return captureNodeAt(ctx, params.view, params.uri, params.line, (parentId) => model(ctx, parentId)) ?? null;
}

/** The capture folder's name (or the document's, for a capture of one unsaved document). */
function captureName(entry: CaptureEntry, uri: string): string {
  if (entry.folder) return basename(entry.folder);
  const path = fsPathOf(uri);
  return path ? basename(path) : [...entry.uris.keys()][0] ?? 'capture';
}

function viewNote(entry: CaptureEntry, view: ViewKey | undefined): Pick<SourceInfo, 'note' | 'message'> {
  const c = entry.capture;
  const has = (format: string) => c.files.some((f) => f.parsed?.format === format);
  switch (view) {
    case 'contextTables':
      if (contextLayoutOf(c).length === 0) return { message: 'No IOMMU unit in this capture: it has no dmar_translation_struct, iommu_regset or DMAR kernel log lines.' };
      return has('dmar_translation_struct') ? {} : { message: 'No dmar_translation_struct in this capture: the units are shown without their root and context tables.' };
    case 'secondLevelTables':
      if (c.domains.size === 0) return { message: 'No domain in this capture: it needs dmar_translation_struct (the context entries name the domains).' };
      return has('domain_translation_struct') ? {} : { message: 'No domain_translation_struct in this capture: the domains are shown without their page tables.' };
    case 'gsiRouting': {
      const note = 'irqchip mode (split or not) is not in a guest capture';
      if (c.irqs.length === 0 && c.irtes.length === 0) return { note, message: 'No /proc/interrupts and no ir_translation_struct in this capture.' };
      if (c.irtes.length === 0) return { note, message: 'No IRTEs in this capture (no ir_translation_struct, or interrupt remapping is off).' };
      return { note };
    }
    default:
      return {};
  }
}

const fingerprints = new WeakMap<Capture, string>();

/** A digest of every file's name and text: equal digests, equal trees. */
function fingerprintOf(c: Capture): string {
  let f = fingerprints.get(c);
  if (!f) {
    const hash = createHash('sha1');
    for (const file of c.files) {
      hash.update(file.name).update('\0');
      for (const line of file.lines) hash.update(line).update('\n');
      hash.update('\0');
    }
    f = hash.digest('hex');
    fingerprints.set(c, f);
  }
  return f;
}

/**
 * What every view of the capture says about the files it does not hold: the
 * first few by name, how many more, and the names past the folder's limit.
 */
function leftOutMessage(entry: CaptureEntry): string | undefined {
  const left = entry.capture.leftOut;
  if (left.length === 0) return undefined;
  const named = left.filter((f) => f.notListed === undefined);
  const shown = named.slice(0, 3).map((f) => `${f.name} (${f.reason})`);
  if (named.length > 3) shown.push(`${named.length - 3} more`);
  for (const f of left) if (f.notListed !== undefined) shown.push(`${f.name} (${f.reason})`);
  return `Left out of this capture: ${shown.join('; ')}.`;
}

function captureInfo(entry: CaptureEntry, params: SourceInfoParams): SourceInfo {
  const c = entry.capture;
  const note = viewNote(entry, params.view);
  const message = [note.message, leftOutMessage(entry)].filter(Boolean).join(' ');
  return {
    name: captureName(entry, params.source.uri),
    fingerprint: fingerprintOf(c),
    counts: { units: c.units.length, requesters: c.requesters.size, domains: c.domains.size, irtes: c.irtes.length, irqs: c.irqs.length, faults: c.faults.length },
    ...note,
    message: message || undefined,
  };
}

/** The capture kind of source: `lookup` finds the capture of a folder or document URI. */
export function captureTreeSource(lookup: (uri: string) => CaptureEntry | undefined): TreeSource {
  return {
    children: (params) => {
      const entry = lookup(params.source.uri);
      return entry ? captureChildren(entry, params) : [];
    },
    nodeAt: (params) => {
      const entry = lookup(params.source.uri);
      return entry ? captureNodeAtLine(entry, params) : null;
    },
    info: (params) => {
      const entry = lookup(params.source.uri);
      // A folder with no file in it is no capture (a mistyped or removed folder).
      return entry && entry.capture.files.length > 0 ? captureInfo(entry, params) : null;
    },
  };
}
