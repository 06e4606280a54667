// Cursor → tree: the deepest node of a view that stands for a line of a dump
// file. A context-table row is its device (or its PASID entry), a page-table
// row is its leaf, an IRTE row is its IRTE, a /proc/interrupts row its IRQ; a
// unit's header or register line is the unit or the register. The id is only
// given when the view, with its filter and mode, shows the node.

import type { ViewKey } from '../../../protocol';
import type { DomainBlock } from '../../../dumps/debugfs/domainTranslation';
import type { Capture, Domain } from '../../../model/types';
import { makeSid } from '../../../model/bdf';
import { contextLayoutOf } from './contextTablesLayout';
import { deviceNodeId, pasidNodeId, registerNodeId, unitNodeId } from './contextTablesTree';
import { domainNodeId, leafNodeId } from './secondLevelIds';
import { positionOfIova, sortedRowsOf } from './pageTableSpans';
import { gsiLayoutOf } from './gsiRoutingModel';
import { irqNodeId, irteNodeId } from './gsiRoutingTree';
import { mappingOfRow, rowAtLine } from '../../../model/mappings';
import { pathIds } from '../nodeIds';
import { fsPathOf } from '../../captureWorkspace';
import type { TreeContext } from '../treeContext';
import { findDomain } from '../../../model/keys';

/** The page-table block of `file` that holds `line`, and the row on it (-1 for the header). */
function blockAt(capture: Capture, file: string, line: number): { block: DomainBlock; row: number } | undefined {
  const p = capture.files.find((f) => f.name === file)?.parsed;
  if (p?.format !== 'domain_translation_struct') return undefined;
  const block = p.records.find((b) => b.span.line <= line && line <= b.lastLine);
  if (!block) return undefined;
  return { block, row: line === block.span.line ? -1 : rowAtLine(block.rows, line) };
}

/** The domain whose table a block dumps (its own or a duplicate dump of it). */
function domainOfBlock(capture: Capture, block: DomainBlock): Domain | undefined {
  for (const d of capture.domains.values()) {
    if (d.table?.rows === block.rows || d.duplicateTables.some((t) => t.rows === block.rows)) return d;
  }
  return undefined;
}

function contextNodeAt(ctx: TreeContext, file: string, line: number): string | undefined {
  const capture = ctx.entry.capture;
  for (const u of contextLayoutOf(capture)) {
    if (u.header?.file === file && u.header.span.line === line) return unitNodeId(u.name);
    for (const b of u.buses) {
      for (const d of b.devices) {
        if (d.file !== file || !d.lines.includes(line)) continue;
        const p = d.pasids.find((x) => x.line === line);
        return p ? pasidNodeId(u.name, d.bus, d.devfn, p.pasid) : deviceNodeId(u.name, d.bus, d.devfn);
      }
    }
    const m = u.unit;
    if (m) {
      for (const name of ['CAP', 'ECAP'] as const) {
        const loc = m.registerLocations.get(name);
        if (loc?.file === file && loc.span.line === line) return registerNodeId(u.name, name);
      }
      const onUnitLine = m.locations.some((l) => l.file === file && l.span.line === line);
      const onRegister = [...m.registerLocations.values()].some((l) => l.file === file && l.span.line === line);
      if (onUnitLine || onRegister) return unitNodeId(u.name);
    }
  }
  // A page-table block header names the device whose table it dumps.
  const at = blockAt(capture, file, line);
  if (at && at.row < 0) {
    const sid = makeSid(at.block.bus, at.block.dev, at.block.fn);
    for (const u of contextLayoutOf(capture)) for (const b of u.buses) for (const d of b.devices) if (d.sid === sid) return deviceNodeId(u.name, d.bus, d.devfn);
  }
  return undefined;
}

function secondLevelNodeAt(ctx: TreeContext, file: string, line: number): string | undefined {
  const capture = ctx.entry.capture;
  const at = blockAt(capture, file, line);
  if (at) {
    const d = domainOfBlock(capture, at.block);
    if (!d?.table) return undefined;
    if (at.row < 0) return domainNodeId(capture, d);
    const m = mappingOfRow(at.block.rows, at.row);
    const k = m ? positionOfIova(sortedRowsOf(d.table.rows), m.iova) : -1;
    return k >= 0 ? leafNodeId(capture, d, k, ctx.coalesce) : domainNodeId(capture, d);
  }
  // A context entry stands for the domain it names.
  for (const u of contextLayoutOf(capture)) {
    for (const b of u.buses) {
      for (const dev of b.devices) {
        if (dev.file !== file || !dev.lines.includes(line)) continue;
        const did = dev.pasids.find((p) => p.line === line)?.did ?? dev.did;
        const d = did !== undefined ? findDomain(capture, did, u.name) : undefined;
        return d ? domainNodeId(capture, d) : undefined;
      }
    }
  }
  return undefined;
}

function gsiNodeAt(ctx: TreeContext, file: string, line: number): string | undefined {
  const capture = ctx.entry.capture;
  const irte = capture.irtes.find((e) => e.location.file === file && e.location.span.line === line);
  if (irte) return irteNodeId(ctx, irte);
  const r = gsiLayoutOf(capture).irqs.find((x) => x.irq.location.file === file && x.irq.location.span.line === line);
  return r ? irqNodeId(r) : undefined;
}

const NODE_AT: Partial<Record<ViewKey, (ctx: TreeContext, file: string, line: number) => string | undefined>> = {
  contextTables: contextNodeAt,
  secondLevelTables: secondLevelNodeAt,
  gsiRouting: gsiNodeAt,
};

/** The file of the capture a document URI is. */
export function captureFileOf(ctx: TreeContext, uri: string): string | undefined {
  for (const [name, u] of ctx.entry.uris) if (u === uri) return name;
  // The same file written differently (percent-encoding of the client's URI).
  const path = fsPathOf(uri);
  if (path) for (const [name, u] of ctx.entry.uris) if (fsPathOf(u) === path) return name;
  return undefined;
}

/**
 * The deepest node of `view` for the line, when the view shows it: every
 * ancestor's children (with the view's filter and mode) must list the next.
 */
export function captureNodeAt(
  ctx: TreeContext,
  view: ViewKey,
  uri: string,
  line: number,
  children: (parentId: string | undefined) => { id: string }[],
): string | undefined {
  const file = captureFileOf(ctx, uri);
  const find = NODE_AT[view];
  const id = file !== undefined && find ? find(ctx, file, line) : undefined;
  return id && isShown(id, children) ? id : undefined;
}

/** Whether a view lists the node: every ancestor's children (with the view's filter and mode) list the next. */
export function isShown(id: string, children: (parentId: string | undefined) => { id: string }[]): boolean {
  let parent: string | undefined;
  for (const step of pathIds(id)) {
    if (!children(parent).some((c) => c.id === step)) return false;
    parent = step;
  }
  return true;
}
