// What the Context Tables view shows, read from the capture: per IOMMU unit,
// the buses whose root entry is present and the devices whose context entry
// is, each row decoded as the unit's mode asks. Taken per unit straight from
// the dmar_translation_struct records, so two units that both have a device
// 00:02.0 each keep their own entries.

import type { DmarRow } from '../../../dumps/debugfs/dmarTranslation';
import type { Span } from '../../../dumps/types';
import type { Capture, IommuUnit } from '../../../model/types';
import { decodeContextOf } from '../../../model/units';
import { formatBdf, makeSid } from '../../../model/bdf';
import { findRequester } from '../../../model/keys';
import { decodeContextEntryFor, awLevels } from '../../../vtd/contextEntry';
import { decodeRootEntryFor } from '../../../vtd/rootEntry';
import { decodePasidEntry } from '../../../vtd/pasidEntry';
import { spanOf } from '../../../dumps/rowColumns';
import { fieldAddress, fieldValue, type Structure } from '../../../vtd/layout';

export interface PasidRow {
  pasid: number;
  decoded: Structure;
  file: string;
  span: Span;
  /** The row's whole line (a PASID entry is the deepest thing the line stands for). */
  line: number;
  did: number;
}

export interface DeviceContext {
  sid: number;
  bdf: string;
  bus: number;
  devfn: number;
  file: string;
  /** The first row of the device (legacy: its only row). */
  row: DmarRow;
  root: Structure;
  context: Structure;
  /** Domain of the device's requests without PASID: legacy DID, or the RID_PASID entry's DID. */
  did?: number;
  levels?: number;
  translationType?: number;
  tablePointer?: bigint;
  pasids: PasidRow[];
  /** Every line of the dump that is this device's. */
  lines: number[];
}

export interface BusContext {
  bus: number;
  devices: DeviceContext[];
}

export interface UnitContext {
  name: string;
  unit?: IommuUnit;
  scalable: boolean;
  /** The unit's header line in dmar_translation_struct. */
  header?: { file: string; span: Span };
  notEnabled: boolean;
  buses: BusContext[];
}

const cache = new WeakMap<Capture, UnitContext[]>();

/** The units of the capture with their root and context tables, in name order. */
export function contextLayoutOf(capture: Capture): UnitContext[] {
  let out = cache.get(capture);
  if (!out) {
    out = buildLayout(capture);
    cache.set(capture, out);
  }
  return out;
}

function buildLayout(capture: Capture): UnitContext[] {
  const units = new Map<string, UnitContext>();
  const unitOf = (name: string): UnitContext => {
    let u = units.get(name);
    if (!u) {
      const model = capture.units.find((x) => x.name === name);
      u = { name, unit: model, scalable: model?.mode === 'scalable', notEnabled: false, buses: [] };
      units.set(name, u);
    }
    return u;
  };
  for (const u of capture.units) unitOf(u.name);
  for (const f of capture.files) {
    const p = f.parsed;
    if (p?.format !== 'dmar_translation_struct') continue;
    for (const table of p.records) {
      const u = unitOf(table.unit);
      u.header ??= { file: f.name, span: table.span };
      if (table.notEnabled) u.notEnabled = true;
      if (table.rows.some((r) => r.pasid >= 0)) u.scalable = true;
      for (const row of table.rows) addRow(capture, u, f.name, row);
    }
  }
  const list = [...units.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const u of list) {
    u.buses.sort((a, b) => a.bus - b.bus);
    for (const b of u.buses) b.devices.sort((x, y) => x.devfn - y.devfn);
  }
  return list;
}

/**
 * One dmar_translation_struct row into the layout. The entries are the
 * model's (its requester's root, context and PASID entries, decoded once
 * with the unit's CAP/ECAP when the capture was built); a row the model does
 * not hold an entry of (a second unit's row it keyed elsewhere) is decoded
 * here the same way.
 */
function addRow(capture: Capture, u: UnitContext, file: string, row: DmarRow): void {
  const ctx = decodeContextOf(u.unit);
  const mode = u.scalable ? 'scalable' : 'legacy';
  const model = findRequester(capture, makeSid(row.bus, row.dev, row.fn), { unit: u.name });
  let bus = u.buses.find((b) => b.bus === row.bus);
  if (!bus) {
    bus = { bus: row.bus, devices: [] };
    u.buses.push(bus);
  }
  let dev = bus.devices.find((d) => d.devfn === row.devfn);
  if (!dev) {
    const sid = makeSid(row.bus, row.dev, row.fn);
    const same = (loc: { file: string; span: { line: number } } | undefined) => loc?.file === file && loc.span.line === row.line;
    const context = model?.context && same(model.context.location) ? model.context.decoded : decodeContextEntryFor(mode, row.ctxHi, row.ctxLo, ctx);
    dev = {
      sid,
      bdf: formatBdf(sid),
      bus: row.bus,
      devfn: row.devfn,
      file,
      row,
      root: model?.root && same(model.root.location) ? model.root.decoded : decodeRootEntryFor(mode, row.rootHi, row.rootLo, ctx),
      context,
      pasids: [],
      lines: [],
    };
    if (!u.scalable) {
      const aw = Number(fieldValue(context, 'AW') ?? 0n);
      dev.did = Number(fieldValue(context, 'DID') ?? 0n);
      dev.levels = awLevels(aw);
      dev.translationType = Number(fieldValue(context, 'TT') ?? 0n);
      dev.tablePointer = dev.translationType === 2 ? undefined : fieldAddress(context, 'SLPTPTR');
    }
    bus.devices.push(dev);
  }
  dev.lines.push(row.line);
  if (row.pasid < 0 || !row.pasidColumns) return;
  const known = model?.pasidEntries.find((p) => p.pasid === row.pasid && p.location.file === file && p.location.span.line === row.line);
  const decoded = known ? known.decoded : decodePasidEntry(row.pasidEntry, ctx);
  const did = Number(fieldValue(decoded, 'DID') ?? 0n);
  dev.pasids.push({ pasid: row.pasid, decoded, file, span: spanOf(row, 'pasidEntry'), line: row.line, did });
  const ridPasid = Number(fieldValue(dev.context, 'RID_PASID') ?? 0n);
  if (row.pasid === ridPasid) {
    const aw = Number(fieldValue(decoded, 'AW') ?? 0n);
    const pgtt = Number(fieldValue(decoded, 'PGTT') ?? 0n);
    dev.did = did;
    dev.levels = awLevels(aw);
    dev.translationType = pgtt;
    dev.tablePointer = pgtt === 1 ? fieldAddress(decoded, 'FSPTPTR') : pgtt === 4 ? undefined : fieldAddress(decoded, 'SSPTPTR');
  }
}

/** Every domain id a device's entries name (the context entry's, or its PASID entries'). */
export function deviceDids(d: DeviceContext): number[] {
  const out = new Set<number>();
  if (d.did !== undefined) out.add(d.did);
  for (const p of d.pasids) out.add(p.did);
  return [...out];
}
