// The bench report: every figure as a table section, printed, written as
// JSON (bench-report.json) and as Markdown into the README between markers.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchSection {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
  /** The raw figures, for the JSON report. */
  data: unknown;
}

function table(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function printSection(s: BenchSection): void {
  console.log('');
  console.log(s.title);
  for (const l of table(s.columns, s.rows)) console.log(l);
  for (const n of s.notes ?? []) console.log(`  ${n}`);
}

function markdown(sections: BenchSection[], when: string): string {
  const out = [`Figures from \`npm run bench\` (${when}, ${process.version}, ${process.arch}):`, ''];
  for (const s of sections) {
    out.push(`**${s.title}**`, '', `| ${s.columns.join(' | ')} |`, `|${s.columns.map(() => '---').join('|')}|`);
    for (const r of s.rows) out.push(`| ${r.join(' | ')} |`);
    for (const n of s.notes ?? []) out.push('', `_${n}_`);
    out.push('');
  }
  return out.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export function writeReport(root: string, sections: BenchSection[]): void {
  const when = new Date().toISOString().slice(0, 10);
  writeFileSync(join(root, 'bench-report.json'), JSON.stringify({ date: when, node: process.version, sections: sections.map((s) => ({ title: s.title, data: s.data })) }, null, 2) + '\n');
  const readme = join(root, 'README.md');
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  writeFileSync(readme, text.slice(0, a + START.length) + '\n' + markdown(sections, when) + '\n' + text.slice(b));
}
