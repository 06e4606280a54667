// Code lenses: above each device block of a page-table dump, how much it maps
// (resolved lazily: counting walks every row), which domain it is and which
// devices share it, and "Translate IOVA…" for its device; above each requester
// row of the root/context table, "Translate IOVA…".

import type { CodeLens } from 'vscode-languageserver/node';
import type { DomainBlock } from '../../dumps/debugfs/domainTranslation';
import type { PageTableRows } from '../../dumps/debugfs/pageTableRows';
import { formatBdf, makeSid } from '../../model/bdf';
import { mappingTotals } from '../../model/mappings';
import type { Capture, Domain } from '../../model/types';
import { COMMANDS, type TranslateParams } from '../../protocol';
import type { CaptureWorkspace } from '../captureWorkspace';
import { captureFileOf } from './crossRefs';
import type { Feature } from './feature';
import { domainName, requesterName } from '../../model/keys';

/** Past this many blocks or rows a file gets no more lenses (one per line would be noise, and slow). */
const MAX_LENSED_ITEMS = 1000;

/** What an unresolved lens carries to its resolve request. */
interface TotalsLensData {
  uri: string;
  block: number;
}

const totalsCache = new WeakMap<PageTableRows, { leaves: number; bytes: bigint }>();

function totalsOf(rows: PageTableRows): { leaves: number; bytes: bigint } {
  let t = totalsCache.get(rows);
  if (!t) {
    t = mappingTotals(rows);
    totalsCache.set(rows, t);
  }
  return t;
}

/** "258 mappings, 1.01 MiB mapped". */
function totalsTitle(t: { leaves: number; bytes: bigint }): string {
  const mib = Number(t.bytes) / 2 ** 20;
  const size = Number.isInteger(mib) ? String(mib) : mib.toFixed(2);
  return `${t.leaves} mapping${t.leaves === 1 ? '' : 's'}, ${size} MiB mapped`;
}

function lineRange(line: number) {
  return { start: { line, character: 0 }, end: { line, character: 0 } };
}

/** The extension asks only for what is missing (the IOVA, the access). */
function translateLens(line: number, args: Partial<TranslateParams> & { uri: string; bdf: string }): CodeLens {
  return { range: lineRange(line), command: { title: 'Translate IOVA…', command: COMMANDS.translateIova, arguments: [args] } };
}

/** The domain a dump block belongs to: the one whose table (or a repeat of it) it is. */
function domainOfBlock(capture: Capture, file: string, blockIndex: number, pgd: bigint): { domain: Domain; repeatOf?: number } | undefined {
  for (const d of capture.domains.values()) {
    if (d.table?.file === file && d.table.blockIndex === blockIndex) return { domain: d };
    if (d.duplicateTables.some((t) => t.file === file && t.blockIndex === blockIndex)) return { domain: d, repeatOf: d.table?.location.span.line };
  }
  for (const d of capture.domains.values()) if (d.pgd === pgd) return { domain: d };
  return undefined;
}

function domainTitle(capture: Capture, found: { domain: Domain; repeatOf?: number }): string {
  const devices = found.domain.requesters.map((r) => requesterName(capture, r)).join(' ');
  const repeat = found.repeatOf !== undefined ? ` (the table of line ${found.repeatOf + 1}, dumped again)` : '';
  return `${domainName(capture, found.domain)}: ${devices}${repeat}`;
}

function pageTableLenses(workspace: CaptureWorkspace, uri: string, blocks: readonly DomainBlock[]): CodeLens[] {
  const entry = workspace.captureOf(uri);
  const file = entry ? captureFileOf(entry, uri) : undefined;
  const lenses: CodeLens[] = [];
  const count = Math.min(blocks.length, MAX_LENSED_ITEMS);
  for (let b = 0; b < count; b++) {
    const block = blocks[b];
    const line = block.span.line;
    const data: TotalsLensData = { uri, block: b };
    lenses.push({ range: lineRange(line), data });
    const found = entry && file ? domainOfBlock(entry.capture, file.name, b, block.pgd) : undefined;
    if (entry && found) lenses.push({ range: lineRange(line), command: { title: domainTitle(entry.capture, found), command: '' } });
    const bdf = formatBdf(makeSid(block.bus, block.dev, block.fn));
    lenses.push(translateLens(line, block.pasid !== undefined ? { uri, bdf, pasid: block.pasid } : { uri, bdf }));
  }
  return lenses;
}

export const codeLensFeature: Feature = {
  capabilities: { codeLensProvider: { resolveProvider: true } },
  register: ({ connection, workspace }) => {
    connection.onCodeLens((params, token): CodeLens[] => {
      const uri = params.textDocument.uri;
      const doc = workspace.document(uri);
      const p = doc?.parsed;
      if (!p || token.isCancellationRequested) return [];
      try {
        if (p.format === 'domain_translation_struct') return pageTableLenses(workspace, uri, p.records);
        if (p.format === 'dmar_translation_struct') {
          const rows = p.records.flatMap((t) => t.rows).slice(0, MAX_LENSED_ITEMS);
          return rows.map((row) => {
            const bdf = formatBdf(makeSid(row.bus, row.dev, row.fn));
            return translateLens(row.line, row.pasid >= 0 ? { uri, bdf, pasid: row.pasid } : { uri, bdf });
          });
        }
      } catch {
        // Never fail the editor's request over one odd record.
      }
      return [];
    });

    connection.onCodeLensResolve((lens): CodeLens => {
      const data = lens.data as Partial<TotalsLensData> | undefined;
      if (lens.command || typeof data?.uri !== 'string' || typeof data.block !== 'number') return lens;
      const p = workspace.document(data.uri)?.parsed;
      const candidate = p?.format === 'domain_translation_struct' ? p.records[data.block] : undefined;
      // An edit since the lens was made can move blocks: only the block still on the lens's line counts.
      const block = candidate?.span.line === lens.range.start.line ? candidate : undefined;
      const title = block ? totalsTitle(totalsOf(block.rows)) : 'mappings: the file changed, scroll to refresh';
      return { ...lens, command: { title, command: '' } };
    });
  },
};
