// Hover: a field table for any raw entry (or part of it); the IOVA range,
// host address and page size of a page-table row; the device, domain and
// IRTEs of a requester id; the explanation of a fault and the walk behind it.

import type { Connection, Hover } from 'vscode-languageserver/node';
import { MarkupKind } from 'vscode-languageserver/node';
import { parseRequesterName } from '../../model/bdf';
import { mappingOfRow } from '../../model/mappings';
import { walkOfFault, walkOutcomeText } from '../../model/faultChecks';
import { decodeScopeOf } from '../../model/decodeScope';
import { unitOfLine } from '../../model/decodeFile';
import { faultReason } from '../../vtd/faultReasons';
import { hex, sizeName } from '../../vtd/u64';
import type { Capture } from '../../model/types';
import { domainOf, findRequester, requesterName, type RequesterWhere } from '../../model/keys';
import { reverseMapOf, type CaptureWorkspace } from '../captureWorkspace';
import { mdEscape, structureMarkdown } from '../markdown';
import { bdfAt } from './textAt';
import type { Feature } from './feature';

function md(value: string, line: number, start: number, end: number): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range: { start: { line, character: start }, end: { line, character: end } } };
}

export function requesterMarkdown(capture: Capture, sid: number, where: RequesterWhere = {}): string | undefined {
  const r = findRequester(capture, sid, where);
  if (!r) return undefined;
  const lines = [`**Requester ${requesterName(capture, r)}**${r.unit ? ` on ${mdEscape(r.unit)}` : ''}`, ''];
  if (r.context) lines.push(`- context entry: ${mdEscape(r.context.decoded.summary)}`);
  else lines.push('- no present context entry in the capture');
  if (r.did !== undefined) {
    const d = domainOf(capture, r);
    const others = d?.requesters.filter((o) => o !== r).map((o) => requesterName(capture, o)) ?? [];
    lines.push(`- domain DID ${r.did}${r.levels ? `, ${r.levels}-level table` : ''}${others.length ? `, shared with ${others.join(', ')}` : ''}`);
    if (d?.table) lines.push(`- ${d.table.rows.count} mapped leaf rows in ${mdEscape(d.table.file)}`);
  }
  if (r.group !== undefined) lines.push(`- IOMMU group ${r.group}`);
  if (r.irteIndices.length) lines.push(`- IRTEs ${r.irteIndices.join(', ')}`);
  if (r.irqs.length) lines.push(`- guest IRQs ${r.irqs.map((q) => `${q.irq}${q.name ? ` (${mdEscape(q.name)})` : ''}`).join(', ')}`);
  if (r.faults.length) lines.push(`- ${r.faults.length} fault(s) in the kernel log`);
  return lines.join('\n');
}

export const hoverFeature: Feature = {
  capabilities: { hoverProvider: true },
  register: ({ connection, workspace }) => registerHover(connection, workspace),
};

function registerHover(connection: Connection, workspace: CaptureWorkspace): void {
  connection.onHover((params, token): Hover | null => {
    const doc = workspace.document(params.textDocument.uri);
    if (!doc || token.isCancellationRequested) return null;
    const { line, character } = params.position;
    const text = doc.lines.line(line) ?? '';
    const entry = workspace.captureOf(doc.uri);
    const capture = entry?.capture;
    const scope = decodeScopeOf(capture);

    // A fault line of a kernel log.
    const fault = capture?.faults.find((f) => f.location.span.line === line && entry!.uris.get(f.location.file) === doc.uri);
    if (fault && capture) {
      const r = fault.reason !== undefined ? faultReason(fault.reason) : undefined;
      const lines = [r ? `**Fault ${hex(fault.reason!, 2)} ${r.name}**: ${mdEscape(r.description)}` : '**QEMU detected a translation failure** (its message gives no reason)', ''];
      const walk = walkOfFault(capture, fault);
      if (walk && fault.address !== undefined) {
        lines.push(`${fault.write ? 'Write' : 'Read'} by ${fault.bdf} at IOVA \`${hex(fault.address)}\`. The tables of this capture give:`, '');
        for (const s of walk.steps) lines.push(`- ${mdEscape(s.name)}${s.index !== undefined ? ` [${s.index}]` : ''}: ${s.entry !== undefined ? `\`${hex(s.entry)}\` ` : ''}${mdEscape(s.note)}`);
        lines.push('', mdEscape(walkOutcomeText(walk)), ...walk.notes.map((n) => `\n- ${mdEscape(n)}`));
      } else {
        lines.push(`Interrupt request from ${fault.bdf}, IRTE index ${fault.index}.`);
      }
      return md(lines.join('\n'), line, fault.location.span.start, fault.location.span.end);
    }

    // A raw entry (or part of it).
    const decoded = doc.entryAt(line, character, scope);
    if (decoded) {
      let value = structureMarkdown(decoded.structure, decoded.label);
      const unitName = unitOfLine(doc.parsed, line);
      const unit = capture?.units.find((u) => u.name === unitName) ?? (capture?.units.length === 1 ? capture.units[0] : undefined);
      if (unit?.cap !== undefined && /context|pasid|PTE|PDE|PDPE|PML/.test(decoded.label)) {
        value += `\n\nChecked against ${mdEscape(unit.name)} CAP \`${hex(unit.cap)}\` (SAGAW, MGAW, ND, SLLPS)${unit.ecap !== undefined ? ` and ECAP \`${hex(unit.ecap)}\`` : ''}.`;
      }
      return md(value, line, decoded.span.start, decoded.span.end);
    }

    // The IOVA_PFN of a page-table row.
    const at = doc.pageTableRowAt(line);
    if (at && doc.parsed?.format === 'domain_translation_struct') {
      const rows = doc.parsed.records[at.block].rows;
      const m = mappingOfRow(rows, at.row);
      if (m) {
        const aliases = entry ? reverseMapOf(entry).lookup(m.hpa).map((h) => h.hit.iova).filter((a) => a !== m.iova) : [];
        const value = [
          `**IOVA ${hex(m.iova)} – ${hex(m.iova + m.size - 1n)}** → host \`${hex(m.hpa)}\``,
          '',
          `${sizeName(m.size)} page, ${m.read ? 'R' : ''}${m.write ? 'W' : ''}, leaf at level ${m.level}`,
          ...(aliases.length ? ['', `Also mapped at IOVA ${aliases.map((a) => `\`${hex(a)}\``).join(', ')}`] : []),
        ].join('\n');
        return md(value, line, 0, text.indexOf('|') > 0 ? text.indexOf('|') : text.length);
      }
    }

    // A requester id.
    const bdf = bdfAt(text, character);
    if (bdf && capture) {
      const name = parseRequesterName(bdf.text);
      const value = name !== undefined ? requesterMarkdown(capture, name.sid, name) : undefined;
      if (value) return md(value, line, bdf.start, bdf.end);
    }
    return null;
  });
}
