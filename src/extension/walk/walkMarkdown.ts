// A translation walk as a read-only Markdown document (the IOVA Walk view's
// "Open Walk as Markdown"): each table read, the IOVA bits used, the entry
// decoded, and the dump line it is on.

import * as vscode from 'vscode';
import type { TranslateParams, WireWalkResult } from '../../protocol';
import { escapeMarkdown as esc } from './escapeMarkdown';

export function walkMarkdown(params: TranslateParams, r: WireWalkResult): string {
  const lines = [`# ${params.write ? 'Write' : 'Read'} ${esc(params.bdf)} IOVA ${esc(params.iova)}`, ''];
  r.steps.forEach((s, i) => {
    const where = s.location ? ` — ${esc(vscode.Uri.parse(s.location.uri).path.split('/').pop() ?? '')}:${s.location.line + 1}` : '';
    lines.push(`## ${i + 1}. ${esc(s.name)}${where}`, '');
    if (s.tableAddress) lines.push(`- table at \`${s.tableAddress}\`${s.index !== undefined ? `, index ${s.index}` : ''}${s.iovaBits ? ` (IOVA bits ${s.iovaBits[0]}:${s.iovaBits[1]})` : ''}`);
    if (s.entry) lines.push(`- entry \`${s.entry}\`${s.visible ? '' : ' (not shown in the dump)'}`);
    lines.push(`- ${esc(s.note)}`);
    if (s.fields?.length) {
      lines.push('', '| field | bits | value | meaning |', '|---|---|---|---|');
      for (const f of s.fields) lines.push(`| ${esc(f.name)} | ${f.bits} | \`${f.value}\` | ${esc(f.meaning)} |`);
    }
    lines.push('');
  });
  const hexCode = (n: number) => `${n.toString(16).padStart(2, '0')}h`;
  lines.push(
    r.ok
      ? `**Result:** host address \`${r.hpa}\`, page size \`${r.pageSize}\`, ${r.permissions}`
      : r.fault
        ? `**Fault ${hexCode(r.fault.reason)} ${esc(r.fault.name)}:** ${esc(r.fault.description)}${r.platform === 'qemu' ? " (as QEMU's intel-iommu records it)" : ''}`
        : r.outcome === 'interrupt-window'
          ? '**Not a DMA translation:** the address is in the interrupt window.'
          : `**Unknown:** ${esc(r.unknown ?? 'the capture does not show enough to finish the walk.')}`,
  );
  if (r.alternative) lines.push('', `${r.alternative.on === 'hardware' ? 'Real hardware' : "QEMU's intel-iommu"} records **${hexCode(r.alternative.reason)} ${esc(r.alternative.name)}:** ${esc(r.alternative.description)}`);
  for (const n of r.notes) lines.push('', `> ${esc(n)}`);
  return lines.join('\n');
}

/** The walk as a read-only Markdown document beside the editor. */
export async function openWalkMarkdown(params: TranslateParams, r: WireWalkResult): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: walkMarkdown(params, r) });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
