// Requesters (bus:dev.fn) with their root, context and PASID entries, their
// page-table dumps, and the domains (DIDs) they share.

import { decodeContextEntry, decodeScalableContextEntry, awLevels } from '../vtd/contextEntry';
import { decodeRootEntry, decodeScalableRootEntry } from '../vtd/rootEntry';
import { decodePasidEntry } from '../vtd/pasidEntry';
import { spanOf } from '../dumps/rowColumns';
import { rootSpanOf } from '../dumps/debugfs/dmarTranslation';
import { fieldAddress, fieldValue } from '../vtd/layout';
import type { Domain, IommuUnit, ParsedFile, Requester } from './types';
import { formatBdf, makeSid } from './bdf';
import { decodeContextOf } from './units';

export function requesterOf(map: Map<number, Requester>, sid: number): Requester {
  let r = map.get(sid);
  if (!r) {
    r = { sid, bdf: formatBdf(sid), pasidEntries: [], tables: [], irteIndices: [], irqs: [], faults: [] };
    map.set(sid, r);
  }
  return r;
}

/** Root, context and PASID entries from dmar_translation_struct. */
export function collectRequesters(files: readonly ParsedFile[], units: Map<string, IommuUnit>): Map<number, Requester> {
  const requesters = new Map<number, Requester>();
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'dmar_translation_struct') continue;
    for (const table of p.records) {
      const unit = units.get(table.unit);
      const ctx = decodeContextOf(unit);
      const scalable = unit?.mode === 'scalable' || table.rows.some((row) => row.pasid >= 0);
      for (const row of table.rows) {
        const r = requesterOf(requesters, makeSid(row.bus, row.dev, row.fn));
        r.unit = table.unit;
        if (!r.root) {
          r.root = {
            hi: row.rootHi,
            lo: row.rootLo,
            decoded: scalable ? decodeScalableRootEntry(row.rootHi, row.rootLo, ctx) : decodeRootEntry(row.rootHi, row.rootLo, ctx),
            location: { file: f.name, span: rootSpanOf(row) },
          };
        }
        if (!r.context) {
          const decoded = scalable ? decodeScalableContextEntry([row.ctxLo, row.ctxHi], ctx) : decodeContextEntry(row.ctxHi, row.ctxLo, ctx);
          r.context = { hi: row.ctxHi, lo: row.ctxLo, decoded, location: { file: f.name, span: spanOf(row, 'context') } };
          if (!scalable) {
            r.did = Number(fieldValue(decoded, 'DID') ?? 0n);
            r.aw = Number(fieldValue(decoded, 'AW') ?? 0n);
            r.levels = awLevels(r.aw);
            r.translationType = Number(fieldValue(decoded, 'TT') ?? 0n);
            r.pageTableRoot = r.translationType === 2 ? undefined : fieldAddress(decoded, 'SLPTPTR');
          }
        }
        if (row.pasid >= 0) {
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
  return requesters;
}

/** Attaches the page-table dumps to their requesters. */
export function attachPageTables(files: readonly ParsedFile[], requesters: Map<number, Requester>): void {
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'domain_translation_struct') continue;
    p.records.forEach((block, blockIndex) => {
      const sid = makeSid(block.bus, block.dev, block.fn);
      const r = requesterOf(requesters, sid);
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

/** Domains by DID: their requesters and the dump of their table. */
export function collectDomains(requesters: Map<number, Requester>): Map<number, Domain> {
  const domains = new Map<number, Domain>();
  for (const r of [...requesters.values()].sort((a, b) => a.sid - b.sid)) {
    if (r.did === undefined) continue;
    let d = domains.get(r.did);
    if (!d) {
      d = { did: r.did, unit: r.unit, requesters: [], pgd: r.pageTableRoot, levels: r.levels, duplicateTables: [] };
      domains.set(r.did, d);
    }
    d.requesters.push(r.sid);
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
  return domains;
}
