// Semantic findings: what is wrong or worth a look once the files of a capture
// are read together (and the specification checks that need the unit's
// CAP/ECAP, which only the register dump knows).

import type { Finding } from '../dumps/types';
import type { DecodeContext, SpecFinding, Structure } from '../vtd/layout';
import type { DomainBlock, PageTableRows } from '../dumps/debugfs/domainTranslation';
import { checkRegisterSet } from '../vtd/registers';
import { hex } from '../vtd/u64';
import type { Capture, Location } from './types';
import { formatBdf } from './bdf';
import { pageTableRowSpans } from './decodeFile';
import { LEVEL_NAMES, pagingEntryProblems, type PagingStage } from '../vtd/paging';
import { decodeScopeOf, type DecodeScope, type PageTableDecode } from './decodeScope';
import { findRequester, multiUnit } from './keys';

function specToFinding(f: SpecFinding, loc: Location, what: string): Finding {
  return {
    severity: f.severity,
    kind: 'semantic',
    code: f.code,
    message: `${what}: ${f.message}`,
    span: loc.span,
    file: loc.file,
    faultReason: f.faultReason,
  };
}

function entryFindings(s: Structure, loc: Location, what: string, out: Finding[]): void {
  for (const f of s.findings) out.push(specToFinding(f, loc, what));
}

/** Specification findings of every decoded entry, with the unit's CAP/ECAP in hand. */
export function specFindings(capture: Capture): Finding[] {
  const out: Finding[] = [];
  for (const u of capture.units) {
    const at = u.registerLocations.get('GSTS') ?? u.registerLocations.get('CAP') ?? u.locations[0];
    if (!at) continue;
    for (const f of checkRegisterSet(u.registers)) {
      const loc = (f.field && u.registerLocations.get(f.field)) || at;
      out.push(specToFinding(f, loc, u.name));
    }
  }
  for (const r of capture.requesters.values()) {
    if (r.root) entryFindings(r.root.decoded, r.root.location, `root entry of bus ${r.bdf.slice(0, 2)}`, out);
    if (r.context) entryFindings(r.context.decoded, r.context.location, `context entry of ${r.bdf}`, out);
    for (const p of r.pasidEntries) entryFindings(p.decoded, p.location, `PASID ${p.pasid} entry of ${r.bdf}`, out);
  }
  for (const e of capture.irtes) entryFindings(e.decoded, e.location, `IRTE ${e.index}`, out);
  for (const d of capture.invalidations) entryFindings(d.decoded, d.location, `descriptor ${d.index}`, out);
  // Page-table entries: every entry of every row is checked (cheaply: fields
  // are only built for an entry that has a problem), one finding per
  // distinct bad entry, at its first row. A block's findings are kept with its
  // rows, so an edit elsewhere does not check it again.
  const scope = decodeScopeOf(capture);
  for (const f of capture.files) {
    // A streamed file's blocks were checked as they went by (pageTableBlockFindings): only some rows are kept.
    if (f.parsed?.format !== 'domain_translation_struct' || f.streamed) continue;
    for (const block of f.parsed.records) {
      const how = scope.pageTable(block);
      const ctxKey = `${scope.key}:${how.stage}`;
      const note = stageNote(block, f.name, how);
      if (note) out.push(note);
      const cached = blockFindings.get(block.rows);
      if (cached && cached.ctxKey === ctxKey && cached.file === f.name) {
        out.push(...cached.findings);
        continue;
      }
      const findings = pageTableFindings(block.rows, f.name, how.ctx, how.stage, (line) => f.lines.line(line));
      blockFindings.set(block.rows, { ctxKey, file: f.name, findings });
      out.push(...findings);
    }
  }
  return out;
}

function stageNote(block: DomainBlock, file: string, how: PageTableDecode): Finding | undefined {
  if (how.stage !== 'first' && how.fromEntry) return undefined;
  return semantic('info', how.stage === 'first' ? 'first-stage-table' : 'table-stage-guessed', `${how.stage === 'first' ? 'First-stage table' : 'Second-stage table'}: ${how.why}.`, { file, span: block.span });
}

/**
 * The findings of one page-table block, as specFindings gives them: the
 * stage note, then each distinct bad entry once. For a file read as a
 * stream (block by block, its text not kept), without `lineText` the
 * findings point at the row's line, not at the entry's column.
 */
export function pageTableBlockFindings(block: DomainBlock, file: string, scope: DecodeScope, lineText?: (line: number) => string | undefined): Finding[] {
  const how = scope.pageTable(block);
  const note = stageNote(block, file, how);
  const findings = pageTableFindings(block.rows, file, how.ctx, how.stage, lineText);
  return note ? [note, ...findings] : findings;
}

const blockFindings = new WeakMap<PageTableRows, { ctxKey: string; file: string; findings: Finding[] }>();

function pageTableFindings(rows: PageTableRows, file: string, ctx: DecodeContext, stage: PagingStage, lineText?: (line: number) => string | undefined): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < rows.count; i++) {
    for (let level = 5; level >= 1; level--) {
      const value = rows.entry(i, level);
      if (value === undefined || value === 0n) continue;
      const problems = pagingEntryProblems(stage, value, level, ctx);
      if (problems.length === 0) continue;
      const key = `${level}:${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const line = rows.line(i);
      const span = (lineText && pageTableRowSpans(line, lineText(line))[level]) || { line, start: 0, end: 0 };
      for (const p of problems) out.push(specToFinding(p, { file, span }, `${LEVEL_NAMES[level]} ${hex(value)} (IOVA ${hex(rows.iova(i))})`));
    }
  }
  return out;
}

function semantic(severity: Finding['severity'], code: string, message: string, loc: Location, related?: Finding['related']): Finding {
  return { severity, kind: 'semantic', code, message, span: loc.span, file: loc.file, related };
}

/** Findings that need two or more files of the capture. */
export function crossFindings(capture: Capture): Finding[] {
  const out: Finding[] = [];
  // Devices of one IOMMU group share one domain.
  for (const [group, members] of capture.groups) {
    const withDid = members.filter((r) => r.domainKey !== undefined && r.context);
    const domains = new Set(withDid.map((r) => r.domainKey));
    if (domains.size > 1) {
      const first = withDid[0];
      const named = (r: typeof first) => `${r.bdf} ${r.unit ? `${r.unit} ` : ''}DID ${r.did}`;
      out.push(
        semantic(
          'warning',
          'group-did-mismatch',
          `IOMMU group ${group} has devices in different domains: ${withDid.map(named).join(', ')}`,
          first.context!.location,
          withDid.slice(1).map((r) => ({ file: r.context!.location.file, span: r.context!.location.span, message: named(r) })),
        ),
      );
    }
  }
  // IRTE sources.
  for (const e of capture.irtes) {
    const r = findRequester(capture, e.info.sid, { unit: e.unit });
    if (r?.context) continue;
    const usedByMsi = capture.irqs.some((q) => q.requesterId === e.info.sid);
    if (e.info.svt === 0) continue;
    if (usedByMsi) {
      out.push(semantic('warning', 'irte-source-without-context', `IRTE ${e.index}: source ${formatBdf(e.info.sid)} raises MSIs but has no present context entry: its DMA would fault`, e.location));
    } else if (e.info.svt === 1 && e.irqs.every((q) => !q.chip.includes('IO-APIC')) && e.info.sid !== 0xff00) {
      out.push(semantic('info', 'irte-source-not-a-requester', `IRTE ${e.index}: source ${formatBdf(e.info.sid)} has no context entry (an IOAPIC or HPET source id, or a device not in dmar_translation_struct)`, e.location));
    }
  }
  // A domain dumped more than once must show the same table each time.
  for (const d of capture.domains.values()) {
    for (const dup of d.duplicateTables) {
      if (d.table && dup.rows.rowsInFile !== d.table.rows.rowsInFile) {
        out.push(
          semantic('warning', 'domain-dump-differs', `Domain ${d.did} is dumped twice with different leaf counts (${d.table.rows.rowsInFile} and ${dup.rows.rowsInFile}): the table changed while it was read`, dup.location, [
            { file: d.table.file, span: d.table.location.span, message: 'first dump' },
          ]),
        );
      }
    }
  }
  // A translating context whose table maps nothing: every DMA of the device faults.
  for (const d of capture.domains.values()) {
    if (d.pgd === undefined || d.table === undefined || d.table.rows.rowsInFile > 0) continue;
    const first = d.requesters[0];
    if (!first?.context) continue;
    out.push(
      semantic(
        'info',
        'empty-page-table',
        `${d.requesters.map((r) => r.bdf).join(', ')} (${d.unit && multiUnit(capture) ? `${d.unit} ` : ''}DID ${d.did}): present context entry, but its page table maps nothing: every DMA it makes faults (no driver has mapped a buffer)`,
        first.context.location,
        [{ file: d.table.file, span: d.table.location.span, message: 'the empty page-table dump' }],
      ),
    );
  }
  // A context entry whose table start differs from the dump labelled with its device.
  for (const r of capture.requesters.values()) {
    for (const t of r.tables) {
      if (r.pageTableRoot !== undefined && t.pasid === undefined && t.pgd !== r.pageTableRoot && r.context) {
        out.push(
          semantic('warning', 'table-root-mismatch', `The page-table dump of ${r.bdf} starts at ${hex(t.pgd)}, but its context entry points at ${hex(r.pageTableRoot)}`, t.location, [
            { file: r.context.location.file, span: r.context.location.span, message: 'context entry' },
          ]),
        );
      }
    }
  }
  return out;
}
