// Outline of a page-table dump: one symbol per device block (how many leaves,
// how much memory) with a child per contiguous IOVA run, consecutive leaves
// coalesced. Rows are read from their typed columns without making bigints,
// so a million-row block costs one pass of number arithmetic.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { DomainBlock } from '../../../dumps/debugfs/domainTranslation';
import type { PageTableRows } from '../../../dumps/debugfs/pageTableRows';
import { pageTableRowTokenColumns } from '../../../dumps/debugfs/pageTableRowScanner';
import { lineRange, plural, sizeText, spanRange, symbol, type OutlineInput } from './symbolBuild';

/** Runs listed per block; the rest of a block is one "more runs" symbol. */
const MAX_RUNS_PER_BLOCK = 200;

const PAGE = 4096;

/** A stretch of leaves whose IOVAs follow each other without a gap. */
interface IovaRun {
  /** First and last row of the run. */
  first: number;
  last: number;
  /** First page number and the page after the run (4 KiB pages). */
  startPfn: number;
  endPfn: number;
  leaves: number;
}

/** Pages of 4 KiB a leaf of `level` covers. */
function leafPages(level: number): number {
  return 512 ** (level - 1);
}

/**
 * Calls `visit` for each run of a block, in row order; stops when it returns
 * false. Rows without a present leaf end a run and belong to none.
 */
function forEachRun(rows: PageTableRows, visit: (run: IovaRun) => boolean, poll?: () => void): void {
  let run: IovaRun | undefined;
  for (let i = 0; i < rows.count; i++) {
    if ((i & 4095) === 0 && poll) poll();
    const level = rows.leafLevel(i);
    if (!rows.hasEntry(i, level)) {
      if (run && !visit(run)) return;
      run = undefined;
      continue;
    }
    const pages = leafPages(level);
    const pfn = rows.pfnNumber(i);
    const start = pfn - (pfn % pages);
    if (run && start === run.endPfn) {
      run.last = i;
      run.endPfn = start + pages;
      run.leaves++;
      continue;
    }
    if (run && !visit(run)) return;
    run = { first: i, last: i, startPfn: start, endPfn: start + pages, leaves: 1 };
  }
  if (run) visit(run);
}

/** "0xffefd000–0xfff12fff". */
function runRangeText(startPfn: number, endPfn: number): string {
  const first = BigInt(startPfn) * BigInt(PAGE);
  const last = BigInt(endPfn) * BigInt(PAGE) - 1n;
  return `0x${first.toString(16)}–0x${last.toString(16)}`;
}

function runSymbol(input: OutlineInput, rows: PageTableRows, run: IovaRun): DocumentSymbol {
  const lines = input.doc.lines;
  const firstLine = rows.line(run.first);
  const pfnColumn = pageTableRowTokenColumns(lines.line(firstLine) ?? '')[0];
  const selection = pfnColumn ? spanRange({ line: firstLine, ...pfnColumn }) : undefined;
  // "pages" while every leaf is a 4 KiB page; a run with 2 MiB or 1 GiB leaves counts leaves.
  const count = run.endPfn - run.startPfn === run.leaves ? plural(run.leaves, 'page') : plural(run.leaves, 'leaf', 'leaves');
  const name = `${runRangeText(run.startPfn, run.endPfn)} (${count})`;
  return symbol(name, SymbolKind.Array, lineRange(lines, firstLine, rows.line(run.last)), selection, sizeText((run.endPfn - run.startPfn) * PAGE));
}

function blockSymbol(input: OutlineInput, block: DomainBlock): DocumentSymbol {
  const { doc, budget } = input;
  const rows = block.rows;
  const children: DocumentSymbol[] = [];
  let leaves = 0;
  let bytes = 0;
  let rest: IovaRun | undefined;
  let restRuns = 0;
  forEachRun(
    rows,
    (run) => {
      leaves += run.leaves;
      bytes += (run.endPfn - run.startPfn) * PAGE;
      if (!rest && children.length < MAX_RUNS_PER_BLOCK && budget.take()) {
        children.push(runSymbol(input, rows, run));
      } else if (!rest) {
        rest = { ...run };
        restRuns = 1;
      } else {
        rest.last = run.last;
        rest.endPfn = run.endPfn;
        rest.leaves += run.leaves;
        restRuns++;
      }
      return true;
    },
    () => budget.check(),
  );
  if (rest && budget.take()) {
    const r: IovaRun = rest;
    const range = lineRange(doc.lines, rows.line(r.first), rows.line(r.last));
    children.push(symbol(`${plural(restRuns, 'more run')} (${plural(r.leaves, 'page')})`, SymbolKind.Array, range, range, `up to 0x${(BigInt(r.endPfn) * BigInt(PAGE) - 1n).toString(16)}`));
  }
  const header = (doc.lines.line(block.span.line) ?? '').trim().replace(/^Device\s+/, '');
  const name = header.length > 120 ? header.slice(0, 117) + '...' : header;
  const detail = leaves > 0 ? `${plural(leaves, 'leaf', 'leaves')}, ${sizeText(bytes)}` : 'no leaves';
  return symbol(name, SymbolKind.Struct, lineRange(doc.lines, block.span.line, block.lastLine), spanRange(block.deviceSpan), detail, children);
}

export function pageTableOutline(input: OutlineInput, blocks: readonly DomainBlock[], notEnabled: readonly { unit: string; span: { line: number; start: number; end: number } }[] = []): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const n of notEnabled) {
    if (!input.budget.take()) break;
    out.push(symbol(n.unit, SymbolKind.Module, lineRange(input.doc.lines, n.span.line), undefined, 'DMA remapping not enabled'));
  }
  for (const block of blocks) {
    if (!input.budget.take()) break;
    out.push(blockSymbol(input, block));
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}
