// Requesters (bus:dev.fn) with their root, context and PASID entries, their
// page-table dumps, and the domains (DIDs) they share.
//
// dmar_translation_struct names each requester under its unit but without a
// PCI segment; the page-table dumps name the segment ("Device 0001:00:02.0")
// and the table root they start at. A dump block therefore joins the
// requester whose context (or PASID) entry points at the same root, and that
// join tells the unit's segment.

import { decodeContextEntryFor, awLevels } from '../vtd/contextEntry';
import { decodeRootEntryFor } from '../vtd/rootEntry';
import { decodePasidEntry } from '../vtd/pasidEntry';
import { spanOf } from '../dumps/rowColumns';
import { rootSpanOf } from '../dumps/debugfs/dmarTranslation';
import { fieldAddress, fieldValue } from '../vtd/layout';
import type { Domain, IommuUnit, ParsedFile, Requester } from './types';
import { formatBdf, makeSid } from './bdf';
import { decodeContextOf } from './units';
import { domainKey, requesterIsAt, requesterKey, type RequesterWhere } from './keys';

/**
 * The requesters of a capture while it is built: found by source id and
 * where they are; keyed once every segment is known (keyed()).
 */
export class RequesterRegistry {
  private readonly bySid = new Map<number, Requester[]>();
  /** Records keyed() merged into another (found before their segment was known), and the one they became. */
  private readonly merged = new Map<Requester, Requester>();

  /** The record a requester found before keyed() is now (itself, or the one it was merged into). */
  resolve(r: Requester): Requester {
    return this.merged.get(r) ?? r;
  }

  /** The requester with this source id at `where`, if there is one. */
  get(sid: number, where: RequesterWhere = {}): Requester | undefined {
    const list = this.bySid.get(sid);
    if (!list) return undefined;
    const at = list.filter((r) => requesterIsAt(r, where));
    return at.find((r) => r.context) ?? at[0];
  }

  /** The requester with this source id at `where`, made when there is none. */
  ensure(sid: number, where: RequesterWhere = {}): Requester {
    const found = this.get(sid, where);
    if (found) {
      if (found.unit === undefined && where.unit !== undefined) found.unit = where.unit;
      return found;
    }
    const r: Requester = {
      key: '',
      segment: where.segment ?? 0,
      sid,
      bdf: formatBdf(sid),
      pasidEntries: [],
      tables: [],
      irteIndices: [],
      irqs: [],
      faults: [],
    };
    if (where.unit !== undefined) r.unit = where.unit;
    const list = this.bySid.get(sid);
    if (list) list.push(r);
    else this.bySid.set(sid, [r]);
    return r;
  }

  all(): Requester[] {
    return [...this.bySid.values()].flat();
  }

  /**
   * Gives every requester its segment (its unit's, when the unit's is known)
   * and its key, and returns them keyed, in (segment, unit, sid) order.
   */
  keyed(units: Map<string, IommuUnit>): Map<string, Requester> {
    this.merged.clear();
    const all = this.all();
    for (const r of all) {
      const seg = r.unit !== undefined ? units.get(r.unit)?.segment : undefined;
      if (seg !== undefined) r.segment = seg;
      r.key = requesterKey(r.segment, r.unit, r.sid);
    }
    all.sort((a, b) => a.segment - b.segment || (a.unit ?? '').localeCompare(b.unit ?? '') || a.sid - b.sid);
    const out = new Map<string, Requester>();
    for (const r of all) {
      const twin = out.get(r.key);
      if (twin) {
        mergeInto(twin, r);
        this.merged.set(r, twin);
      } else out.set(r.key, r);
    }
    return out;
  }
}

/** Two records of one requester (found before its segment was known): one record. */
function mergeInto(into: Requester, from: Requester): void {
  into.root ??= from.root;
  into.context ??= from.context;
  into.pasidEntries.push(...from.pasidEntries);
  into.tables.push(...from.tables);
  into.irteIndices.push(...from.irteIndices);
  into.irqs.push(...from.irqs);
  into.faults.push(...from.faults);
  into.group ??= from.group;
}

/** Root, context and PASID entries from dmar_translation_struct. */
export function collectRequesters(files: readonly ParsedFile[], units: Map<string, IommuUnit>, registry: RequesterRegistry): void {
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'dmar_translation_struct') continue;
    for (const table of p.records) {
      const unit = units.get(table.unit);
      const ctx = decodeContextOf(unit);
      const mode = unit?.mode === 'scalable' || table.rows.some((row) => row.pasid >= 0) ? 'scalable' : 'legacy';
      for (const row of table.rows) {
        const r = registry.ensure(makeSid(row.bus, row.dev, row.fn), { unit: table.unit });
        if (!r.root) {
          r.root = {
            hi: row.rootHi,
            lo: row.rootLo,
            decoded: decodeRootEntryFor(mode, row.rootHi, row.rootLo, ctx),
            location: { file: f.name, span: rootSpanOf(row) },
          };
        }
        if (!r.context) {
          const decoded = decodeContextEntryFor(mode, row.ctxHi, row.ctxLo, ctx);
          r.context = { hi: row.ctxHi, lo: row.ctxLo, decoded, location: { file: f.name, span: spanOf(row, 'context') } };
          if (mode === 'legacy') {
            r.did = Number(fieldValue(decoded, 'DID') ?? 0n);
            r.aw = Number(fieldValue(decoded, 'AW') ?? 0n);
            r.levels = awLevels(r.aw);
            r.translationType = Number(fieldValue(decoded, 'TT') ?? 0n);
            r.pageTableRoot = r.translationType === 2 ? undefined : fieldAddress(decoded, 'SLPTPTR');
          }
        }
        if (!row.pasidColumns && mode === 'scalable') r.pasidEntriesUnknown = true;
        if (row.pasid >= 0 && row.pasidColumns) {
          const decoded = decodePasidEntry(row.pasidEntry, ctx);
          r.pasidEntries.push({ pasid: row.pasid, qwords: [...row.pasidEntry], decoded, location: { file: f.name, span: spanOf(row, 'pasidEntry') } });
          const ridPasid = Number(fieldValue(r.context.decoded, 'RID_PASID') ?? 0n);
          if (row.pasid === ridPasid) {
            r.did = Number(fieldValue(decoded, 'DID') ?? 0n);
            r.aw = Number(fieldValue(decoded, 'AW') ?? 0n);
            r.levels = awLevels(r.aw);
            const pgtt = Number(fieldValue(decoded, 'PGTT') ?? 0n);
            r.translationType = pgtt;
            r.pageTableRoot = pgtt === 1 ? fieldAddress(decoded, 'FSPTPTR') : pgtt === 4 ? undefined : fieldAddress(decoded, 'SSPTPTR');
          }
        }
      }
    }
  }
}

/** The table roots a requester's entries point at (its RID_PASID root and every PASID entry's). */
function rootsOf(r: Requester): bigint[] {
  const out: bigint[] = [];
  if (r.pageTableRoot !== undefined) out.push(r.pageTableRoot);
  for (const p of r.pasidEntries) {
    const pgtt = Number(fieldValue(p.decoded, 'PGTT') ?? 0n);
    const root = pgtt === 1 ? fieldAddress(p.decoded, 'FSPTPTR') : pgtt === 4 ? undefined : fieldAddress(p.decoded, 'SSPTPTR');
    if (root !== undefined) out.push(root);
  }
  return out;
}

/**
 * Attaches the page-table dumps to their requesters: the one whose entries
 * point at the block's root, else the only one with that source id. The
 * join gives the requester's unit its PCI segment.
 */
export function attachPageTables(files: readonly ParsedFile[], registry: RequesterRegistry, units: Map<string, IommuUnit>): void {
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'domain_translation_struct') continue;
    p.records.forEach((block, blockIndex) => {
      const sid = makeSid(block.bus, block.dev, block.fn);
      const candidates = registry.all().filter((r) => r.sid === sid);
      const byRoot = candidates.filter((r) => rootsOf(r).includes(block.pgd));
      const r = byRoot.length === 1 ? byRoot[0] : candidates.length === 1 ? candidates[0] : registry.ensure(sid, { segment: block.segment });
      if (r.unit !== undefined) {
        const unit = units.get(r.unit);
        if (unit && unit.segment === undefined) {
          unit.segment = block.segment;
          // Every requester of the unit is in its segment: later lookups by segment must find them.
          for (const other of registry.all()) if (other.unit === r.unit) other.segment = block.segment;
        }
      } else {
        r.segment = block.segment;
      }
      r.tables.push({
        sid,
        pasid: block.pasid,
        pgd: block.pgd,
        rows: block.rows,
        location: { file: f.name, span: block.span },
        file: f.name,
        blockIndex,
      });
    });
  }
}

/** Domains by (unit, DID): their requesters and the dump of their table. */
export function collectDomains(requesters: Map<string, Requester>): Map<string, Domain> {
  const domains = new Map<string, Domain>();
  for (const r of requesters.values()) {
    if (r.did === undefined) continue;
    const key = domainKey(r.unit, r.did);
    r.domainKey = key;
    let d = domains.get(key);
    if (!d) {
      d = { key, did: r.did, unit: r.unit, requesters: [], pgd: r.pageTableRoot, levels: r.levels, duplicateTables: [] };
      domains.set(key, d);
    }
    d.requesters.push(r);
  }
  // A table dump belongs to the domain whose page-table root it starts at
  // (the 6.0–6.6 kernels label a group's dump with the first device's name).
  const allTables = [...requesters.values()].flatMap((r) => r.tables);
  for (const d of domains.values()) {
    for (const t of allTables) {
      if (d.pgd === undefined || t.pgd !== d.pgd) continue;
      if (!d.table) d.table = t;
      else d.duplicateTables.push(t);
    }
  }
  return new Map([...domains.entries()].sort(([, a], [, b]) => (a.unit ?? '').localeCompare(b.unit ?? '') || a.did - b.did));
}
