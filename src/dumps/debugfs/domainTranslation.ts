// Parser of domain_translation_struct: the second-level page table of each
// device's DMA domain, one row per leaf (IOVA PFN, then the entries of the
// walk from PML5E down).
//
// Dialects:
// - v5.6 – v5.17: one global file, headers "Device %s with pasid %d @0x%llx";
// - v5.18 – v6.6: one global file, headers "Device %s @0x%llx";
//   both with a TAB-only column header, always five entries per row (zeros
//   below a huge-page leaf) and a blank line after each device;
// - v6.7+: one file per device (<dev>/domain_translation_struct) and per
//   PASID (<dev>/<pasid hex>/domain_translation_struct), "with pasid %x"
//   in hex, a space-padded column header, rows that stop at the leaf, and
//   "DMA Remapping is not enabled on %s" lines for units that are off.
//
// Files reach gigabytes, so rows are read from the bytes by a scanner into
// columns (PageTableRows) without making a string of any row (a text given
// as a string is encoded once, a piece at a time).

import type { ParseResult, Span } from '../types';
import { lineSpan } from '../types';
import { PageTableRows } from './pageTableRows';
import { ROW_TOO_FEW, ROW_TOO_MANY, ROW_TOO_WIDE, RowScanner } from './pageTableRowScanner';
import { asBuffer, asciiRange, decodeRange, encodedPieces } from '../byteText';
import { FindingList, addDialect, decimalValue, headLines, hexValue, isBlank, parsePciName, tokenSpan, tokenize, wordsAre, type PciName } from './scan';

export { PageTableRows, type PageTableRow } from './pageTableRows';
export { pageTableRowTokenColumns } from './pageTableRowScanner';

export interface DomainBlock {
  kind: 'domain';
  segment: number;
  bus: number;
  dev: number;
  fn: number;
  /** From "with pasid" or the per-PASID directory name; undefined in legacy mode. */
  pasid?: number;
  /** Physical address of the top page-table level. */
  pgd: bigint;
  /** The "Device …" header line. */
  span: Span;
  deviceSpan: Span;
  pasidSpan?: Span;
  pgdSpan: Span;
  rows: PageTableRows;
  /** Last line of the block (its last row, or the header). */
  lastLine: number;
}

export interface DomainParseResult extends ParseResult<DomainBlock> {
  /** "DMA Remapping is not enabled on <unit>" lines (v6.7+). */
  notEnabled: { unit: string; span: Span }[];
}

const WHAT = 'domain_translation_struct';
const COLUMNS = ['IOVA_PFN', 'PML5E', 'PML4E', 'PDPE', 'PDE', 'PTE'];
const PER_DEVICE = 'per-device file (v6.7+): rows stop at a huge-page leaf';
const GLOBAL_PASID = 'global file with "with pasid %d" headers (v5.6–v5.17)';
const GLOBAL_NO_PASID = 'global file, headers without PASID (v5.18–v6.6)';

/** What a path like "0000:00:0a.0/1/domain_translation_struct" says. */
interface DomainFileContext {
  device: PciName;
  /** The per-PASID directory name (hex), when there is one. */
  pasid?: number;
}

export function domainFileContext(fileName: string | undefined): DomainFileContext | undefined {
  if (!fileName) return undefined;
  const parts = fileName.split(/[\\/]/).filter((p) => p.length > 0);
  if (parts.length < 2) return undefined;
  const parent = parts[parts.length - 2];
  const direct = parsePciName(parent);
  if (direct) return { device: direct };
  const above = parts.length >= 3 ? parsePciName(parts[parts.length - 3]) : undefined;
  const pasid = hexValue(parent, 'none', 20);
  if (above && pasid !== undefined) return { device: above, pasid: Number(pasid) };
  return undefined;
}

/** A header as read, before the dialect says how to read its PASID. */
interface PendingHeader {
  block: DomainBlock;
  pasidText?: string;
}

/** "Device 0000:00:02.0 @0x1a9a000" or "Device … with pasid <p> @0x…". */
function parseDeviceHeader(text: string, line: number, findings: FindingList): PendingHeader | 'reported' | undefined {
  const t = tokenize(text, 6);
  if (t.length < 3 || t[0].text !== 'Device') return undefined;
  let pasidToken;
  if (t.length === 6 && t[2].text === 'with' && t[3].text === 'pasid') pasidToken = t[4];
  else if (t.length !== 3) return undefined;
  const pgdToken = t[t.length - 1];
  const pgd = pgdToken.text.startsWith('@') ? hexValue(pgdToken.text.slice(1), 'required') : undefined;
  if (pgd === undefined) return undefined;
  const device = parsePciName(t[1].text);
  if (!device) {
    findings.syntax('bad-device-name', `"${t[1].text.slice(0, 40)}" is not a PCI device name (ssss:bb:dd.f)`, tokenSpan(line, t[1]));
    return 'reported';
  }
  const block: DomainBlock = {
    kind: 'domain',
    ...device,
    pgd,
    span: lineSpan(line, text),
    deviceSpan: tokenSpan(line, t[1]),
    pgdSpan: { line, start: pgdToken.start + 1, end: pgdToken.end },
    rows: new PageTableRows(),
    lastLine: line,
  };
  if (pasidToken) block.pasidSpan = tokenSpan(line, pasidToken);
  return { block, pasidText: pasidToken?.text };
}

/** 'tabs' (pre-6.7 "IOVA_PFN\t\tPML5E…"), 'padded' (6.7+ "%-17s\t%-18s…") or 'unknown' (TABs lost). */
function columnHeaderStyle(text: string): 'tabs' | 'padded' | 'unknown' {
  const at = text.indexOf('IOVA_PFN');
  const next = text.charCodeAt(at + 8);
  if (next === 9) return 'tabs';
  if (next === 32 && text.indexOf('\t', at) > 0) return 'padded';
  return 'unknown';
}

function rowProblem(code: number): string {
  if (code === ROW_TOO_FEW) return 'Page-table row with fewer than three entries (PML5E, PML4E and PDPE are always printed): truncated?';
  if (code === ROW_TOO_MANY) return 'Page-table row with more than five entries';
  if (code === ROW_TOO_WIDE) return 'Value wider than 64 bits on a page-table row';
  return 'Not a page-table row ("0x<pfn> |" then 0x-prefixed entries)';
}

/**
 * The parser as a stream: lines arrive in chunks of whole lines (parseLines),
 * each block is handed to `onBlock` when it closes (a blank line, the next
 * header, the end), and end() settles what only the whole file tells (the
 * dialect, and so the radix of "with pasid"). A consumer that streams a file
 * of any size drops each block's rows in onBlock (`keepBlocks` false): then
 * only the headers stay.
 */
export class DomainTranslationParser {
  private readonly findings = new FindingList();
  private readonly records: DomainBlock[] = [];
  private readonly headers: PendingHeader[] = [];
  private readonly notEnabled: { unit: string; span: Span }[] = [];
  private readonly words = new Uint32Array(2 + 2 * 5);
  private readonly scanner = new RowScanner();
  private block: DomainBlock | undefined;
  private tabsHeader = false;
  private paddedHeader = false;
  private shortRows = false;
  /** Rows of the last block: the next block's columns start that big (blocks tend to be alike). */
  private lastCount = 0;
  private lines = 0;

  constructor(
    private readonly fileName?: string,
    private readonly onBlock?: (block: DomainBlock) => void,
    /** Keep each block (with its rows) in the result; false when onBlock consumes them. */
    private readonly keepBlocks = true,
  ) {}

  private close(): void {
    const block = this.block;
    if (block) {
      this.lastCount = block.rows.count;
      block.rows.trim();
      this.onBlock?.(block);
      if (!this.keepBlocks) block.rows = new PageTableRows(1);
    }
    this.block = undefined;
  }

  /** Reads `text` (whole lines) as lines from `firstLine` on; returns the lines read. */
  parseLines(text: string, firstLine = this.lines): number {
    let ln = firstLine;
    for (const piece of encodedPieces(text, 0, text.length)) ln += this.parseBytes(piece, ln);
    return ln - firstLine;
  }

  /** Reads `chunk` (UTF-8 bytes of whole lines; the last may lack its line feed) as lines from `firstLine` on; returns the lines read. */
  parseBytes(chunk: Uint8Array, firstLine = this.lines): number {
    const b = asBuffer(chunk);
    const findings = this.findings;
    const words = this.words;
    const scanner = this.scanner;
    const n = b.length;
    let pos = 0;
    let ln = firstLine;
    while (pos < n) {
      let nl = b.indexOf(10, pos);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > pos && b[end - 1] === 13) end--;
      let first = pos;
      while (first < end && (b[first] === 32 || b[first] === 9)) first++;

      if (first < end && b[first] === 48 /* 0 */) {
        // The hot path: a page-table row.
        const entries = scanner.scan(b, first, end, words);
        if (entries > 0) {
          const block = this.block;
          if (!block) {
            findings.syntax('row-outside-block', 'Page-table row before any "Device … @0x…" header', { line: ln, start: first - pos, end: end - pos });
          } else {
            const rows = block.rows;
            const wasAscending = rows.ascending;
            const prev = rows.count - 1;
            rows.push(ln, words, entries);
            if (entries < 5) this.shortRows = true;
            block.lastLine = ln;
            if (prev >= 0 && rows.pfnNumber(prev) === rows.pfnNumber(prev + 1)) {
              findings.semantic('duplicate-pfn', `IOVA PFN listed twice (also on line ${rows.line(prev) + 1})`, { line: ln, start: first - pos, end: end - pos });
            } else if (wasAscending && !rows.ascending) {
              // Once per block: rows.ascending stays false from here on.
              findings.semantic('rows-out-of-order', 'IOVA PFNs stop ascending here (the kernel prints them in IOVA order)', { line: ln, start: first - pos, end: end - pos }, 'info');
            }
          }
        } else {
          // Columns of the line's text: byte offsets unless the line has bytes beyond ASCII.
          const column = (at: number) => (asciiRange(b, pos, at) ? at - pos : decodeRange(b, pos, at).length);
          const at = Math.min(first + scanner.errorColumn, end);
          findings.syntax(entries === ROW_TOO_WIDE ? 'value-too-wide' : 'bad-row', rowProblem(entries), { line: ln, start: column(at), end: column(end) });
        }
      } else {
        this.otherLine(decodeRange(b, pos, end), ln);
      }
      ln++;
      pos = nl + 1;
    }
    this.lines = ln;
    return ln - firstLine;
  }

  private otherLine(line: string, at: number): void {
    const findings = this.findings;
    if (isBlank(line)) {
      this.close();
      return;
    }
    const header = parseDeviceHeader(line, at, findings);
    if (header === 'reported') {
      this.close();
      return;
    }
    if (header) {
      this.close();
      this.block = header.block;
      this.block.rows.reserve(this.lastCount);
      this.headers.push(header);
      this.records.push(this.block);
      return;
    }
    const t = tokenize(line, 7);
    if (wordsAre(t, COLUMNS)) {
      const style = columnHeaderStyle(line);
      if (style === 'tabs') this.tabsHeader = true;
      else if (style === 'padded') this.paddedHeader = true;
      if (this.block) this.block.lastLine = at;
      return;
    }
    if (t.length === 7 && wordsAre(t.slice(0, 6), ['DMA', 'Remapping', 'is', 'not', 'enabled', 'on'])) {
      this.notEnabled.push({ unit: t[6].text, span: tokenSpan(at, t[6]) });
      findings.semantic('dma-remapping-not-enabled', `DMA remapping is off on ${t[6].text} (GSTS.TES clear)`, lineSpan(at, line), 'info');
      return;
    }
    findings.unrecognised(at, line, WHAT);
  }

  /** The end of the file: the last block closes, the dialect decides how each header's PASID reads. */
  end(): DomainParseResult {
    this.close();
    const { records, headers, notEnabled, findings } = this;
    // The dialect decides how "with pasid" is read (decimal before v6.7, hex since).
    const context = domainFileContext(this.fileName);
    const dialect: string[] = [];
    const perDevice = this.paddedHeader || this.shortRows || (!this.tabsHeader && (context !== undefined || (records.length === 0 && notEnabled.length > 0)));
    if (records.length > 0 || notEnabled.length > 0) {
      if (perDevice) addDialect(dialect, PER_DEVICE);
      else addDialect(dialect, headers.some((h) => h.pasidText !== undefined) ? GLOBAL_PASID : GLOBAL_NO_PASID);
      if (this.tabsHeader && (this.paddedHeader || this.shortRows)) addDialect(dialect, 'mixed: TAB-only column header (pre-6.7) with v6.7+ traits');
    }
    for (const h of headers) settleHeader(h, perDevice, context, findings, dialect);
    if (perDevice && headers.length > 1) {
      findings.semantic('several-devices', 'A v6.7+ per-device file holds one device, but this one has several "Device" headers', headers[1].block.span, 'info');
    }
    return { format: 'domain_translation_struct', dialect, records, findings: findings.done(), lineCount: this.lines, notEnabled };
  }
}

export function parseDomainTranslation(text: string, fileName?: string): DomainParseResult {
  const parser = new DomainTranslationParser(fileName);
  parser.parseLines(text, 0);
  return parser.end();
}

/** Reads the header's PASID in the dialect's radix and checks it against the file name. */
function settleHeader(h: PendingHeader, perDevice: boolean, context: DomainFileContext | undefined, findings: FindingList, dialect: string[]): void {
  const b = h.block;
  if (h.pasidText !== undefined && b.pasidSpan) {
    const dec = perDevice ? undefined : decimalValue(h.pasidText);
    const hexv = hexValue(h.pasidText, 'none', 20);
    if (dec !== undefined && dec >= 0) b.pasid = dec;
    else if (hexv !== undefined) {
      b.pasid = Number(hexv);
      if (!perDevice) findings.semantic('pasid-radix', `"${h.pasidText}" is not decimal, as this kernel version prints the PASID; read as hex`, b.pasidSpan, 'info');
    } else findings.syntax('bad-pasid', `"${h.pasidText.slice(0, 40)}" is not a PASID`, b.pasidSpan);
    if (perDevice) addDialect(dialect, '"with pasid %x" header: scalable mode, PASID in hex');
  }
  if (!context) return;
  const d = context.device;
  if (d.segment !== b.segment || d.bus !== b.bus || d.dev !== b.dev || d.fn !== b.fn) {
    findings.semantic('device-mismatch', 'The header names another device than the directory the file is in', b.deviceSpan);
  }
  if (context.pasid !== undefined) {
    if (b.pasid === undefined) b.pasid = context.pasid;
    else if (b.pasid !== context.pasid) findings.semantic('pasid-mismatch', `The header says PASID 0x${b.pasid.toString(16)}, the directory 0x${context.pasid.toString(16)}`, b.pasidSpan ?? b.span);
  }
}

/** The file starts with a "Device … @0x…" header (v6.7+: maybe after "not enabled" lines). */
export function looksLikeDomainTranslation(head: string): boolean {
  for (const l of headLines(head, 16)) {
    if (l.startsWith('DMA Remapping is not enabled on ')) continue;
    if (l.startsWith('IOVA_PFN')) return true;
    return l.startsWith('Device ') && l.includes('@0x');
  }
  return headLines(head, 1).length > 0;
}
