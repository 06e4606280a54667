// How the entries of a document decode, in one place: each record of a dump
// decodes with what its own remapping unit says (CAP, ECAP, mode, IRTE
// destination format), and each page-table dump block in the format of the
// stage it belongs to. A block is a first-stage table when the PASID entry
// that points at its root says PGTT = 001; when no PASID entry of the capture
// points at it, the entries themselves tell (first-stage entries carry XD,
// U/S and A bits that Linux never sets in second-stage ones), and the
// decision says which of the two it rests on.

import type { DecodeContext } from '../vtd/layout';
import { fieldValue, fieldAddress } from '../vtd/layout';
import type { DomainBlock, PageTableRows } from '../dumps/debugfs/domainTranslation';
import type { Capture } from './types';
import { decodeContextOf } from './units';
import { formatBdf, makeSid } from './bdf';

type PageTableStage = 'first' | 'second';

export interface PageTableDecode {
  ctx: DecodeContext;
  stage: PageTableStage;
  /** Why this stage, in words. */
  why: string;
  /** Whether the stage comes from the entry that points at the table (true) or from the table entries' own bits (false). */
  fromEntry: boolean;
}

export interface DecodeScope {
  /** Changes whenever any decode would: for caches of decoded entries. */
  readonly key: string;
  /** The decode context of a record of `unit` (the capture's only unit, or none, when undefined). */
  unit(name: string | undefined): DecodeContext;
  /** How a page-table dump block decodes. */
  pageTable(block: Pick<DomainBlock, 'pgd' | 'bus' | 'dev' | 'fn' | 'rows'>): PageTableDecode;
}

/** The XD (bit 63) of first-stage entries, and U/S with A (0x24), which Linux sets in every first-stage entry. */
const FS_XD = 1n << 63n;
const FS_US_A = 0x24n;

/** How many rows the pattern test looks at. */
const PATTERN_ROWS = 64;

/** Whether a block's entries look like first-stage ones (XD, or U/S and A, set in present entries). */
function looksFirstStage(rows: PageTableRows): boolean {
  const n = Math.min(rows.count, PATTERN_ROWS);
  for (let i = 0; i < n; i++) {
    for (let level = 5; level >= 1; level--) {
      const v = rows.entry(i, level);
      if (v === undefined || (v & 1n) === 0n) continue;
      if ((v & FS_XD) !== 0n || (v & FS_US_A) === FS_US_A) return true;
    }
  }
  return false;
}

interface RootOwner {
  unit?: string;
  stage: PageTableStage;
  why: string;
}

const scopes = new WeakMap<Capture, DecodeScope>();

/** The decode scope of a capture (made once per capture), or of no capture (everything unknown). */
export function decodeScopeOf(capture: Capture | undefined): DecodeScope {
  if (!capture) return EMPTY_SCOPE;
  let scope = scopes.get(capture);
  if (!scope) {
    scope = makeScope(capture);
    scopes.set(capture, scope);
  }
  return scope;
}

const EMPTY_SCOPE: DecodeScope = {
  key: 'none',
  unit: () => ({}),
  pageTable: (block) => patternDecode({}, block.rows),
};

function patternDecode(ctx: DecodeContext, rows: PageTableRows): PageTableDecode {
  return looksFirstStage(rows)
    ? { ctx, stage: 'first', why: 'no PASID entry of the capture points at this table; its entries carry first-stage bits (XD, or U/S with A), so they are read as first-stage', fromEntry: false }
    : { ctx, stage: 'second', why: 'no PASID entry of the capture points at this table; its entries carry no first-stage bits, so they are read as second-stage', fromEntry: false };
}

function makeScope(capture: Capture): DecodeScope {
  const units = new Map(capture.units.map((u) => [u.name, decodeContextOf(u)]));
  const only = capture.units.length === 1 ? units.get(capture.units[0].name) : undefined;
  const owners = new Map<bigint, RootOwner>();
  for (const r of capture.requesters.values()) {
    if (r.pageTableRoot !== undefined && r.context?.decoded.type === 'context-entry') {
      owners.set(r.pageTableRoot, { unit: r.unit, stage: 'second', why: `the legacy context entry of ${r.bdf} points at it (second-level table)` });
    }
    for (const p of r.pasidEntries) {
      const pgtt = Number(fieldValue(p.decoded, 'PGTT') ?? 0n);
      const first = pgtt === 1;
      const root = first ? fieldAddress(p.decoded, 'FSPTPTR') : pgtt === 2 || pgtt === 3 ? fieldAddress(p.decoded, 'SSPTPTR') : undefined;
      if (root === undefined || owners.has(root)) continue;
      owners.set(root, {
        unit: r.unit,
        stage: first ? 'first' : 'second',
        why: `PGTT = ${pgtt.toString(2).padStart(3, '0')} in the PASID ${p.pasid} entry of ${r.bdf}: a ${first ? 'first' : 'second'}-stage table`,
      });
    }
  }
  const ctxOf = (name: string | undefined) => (name !== undefined ? units.get(name) : undefined) ?? only ?? {};
  const key = [...units.entries()].map(([n, c]) => `${n}=${c.cap}:${c.ecap}:${c.haw}:${c.eime}:${c.scalable}:${c.queue256From}`).join(';') + `|${owners.size}`;
  return {
    key,
    unit: ctxOf,
    pageTable(block) {
      const owner = owners.get(block.pgd);
      if (owner) return { ctx: ctxOf(owner.unit), stage: owner.stage, why: owner.why, fromEntry: true };
      const sid = makeSid(block.bus, block.dev, block.fn);
      const r = [...capture.requesters.values()].find((x) => x.sid === sid);
      const d = patternDecode(ctxOf(r?.unit), block.rows);
      return { ...d, why: `${formatBdf(sid)}: ${d.why}` };
    },
  };
}
