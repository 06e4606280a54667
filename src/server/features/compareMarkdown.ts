// A capture comparison as a Markdown document: a summary, then one section
// per kind of difference, each changed entry with a table of the fields that
// differ (by specification name) and links to the lines of both captures.
// Every piece of text that comes from a dump or a path is escaped.

import { DIFF_SECTIONS, type CaptureDiff, type Difference, type DiffSection } from '../../model/compare/index';
import type { Location } from '../../model/types';
import { mdEscape } from '../markdown';

const TITLES: Record<DiffSection, string> = {
  units: 'IOMMU units and registers',
  requesters: 'Requesters, root and context entries',
  domains: 'Domains',
  mappings: 'Mappings',
  irtes: 'Interrupt remapping table entries',
};

const CHANGE_WORDS: Record<Difference['change'], string> = { added: 'added', removed: 'removed', changed: 'changed' };
/** A mapping difference is a range of the domain, not the domain: "removed" would say the domain went. */
const MAPPING_WORDS: Record<Difference['change'], string> = { added: 'range mapped', removed: 'range unmapped', changed: 'range changed' };

export interface CaptureSide {
  /** What to call it: the folder's name. */
  name: string;
  /** URI of each file of the capture, by its name in the capture. */
  uris: ReadonlyMap<string, string>;
}

/** A link target Markdown cannot misread: no spaces, brackets or parentheses left bare. */
function linkTarget(uri: string, line: number): string {
  return `${uri.replace(/[()<>\s[\]]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'))}#L${line + 1}`;
}

function where(side: CaptureSide, loc: Location | undefined): string | undefined {
  if (!loc) return undefined;
  const text = `${mdEscape(loc.file)} line ${loc.span.line + 1}`;
  const uri = side.uris.get(loc.file);
  return uri ? `[${text}](${linkTarget(uri, loc.span.line)})` : text;
}

function differenceMarkdown(d: Difference, left: CaptureSide, right: CaptureSide): string[] {
  const out = [`### ${mdEscape(d.subject)}: ${(d.section === 'mappings' ? MAPPING_WORDS : CHANGE_WORDS)[d.change]}`, ''];
  if (d.detail) out.push(mdEscape(d.detail), '');
  if (d.fields?.length) {
    out.push('| field | name | before | after |', '|---|---|---|---|');
    for (const f of d.fields) out.push(`| ${mdEscape(f.field)} | ${mdEscape(f.title)} | ${mdEscape(f.before)} | ${mdEscape(f.after)} |`);
    out.push('');
  }
  const places = [where(left, d.left), where(right, d.right)];
  if (places[0] || places[1]) out.push(`Before: ${places[0] ?? '—'} · after: ${places[1] ?? '—'}`, '');
  return out;
}

export function compareMarkdown(diff: CaptureDiff, left: CaptureSide, right: CaptureSide): string {
  const total = diff.differences.length;
  const out = [`# Capture comparison`, '', `**Before:** ${mdEscape(left.name)}  `, `**After:** ${mdEscape(right.name)}`, ''];
  if (total === 0) {
    out.push('No differences: the two captures hold the same units, requesters, domains, mappings and IRTEs.', '');
  } else {
    const parts = DIFF_SECTIONS.filter((s) => diff.counts[s] > 0).map((s) => `${diff.counts[s]} in ${TITLES[s].toLowerCase()}`);
    out.push(`${total} ${total === 1 ? 'difference' : 'differences'}: ${parts.join(', ')}.`, '');
  }
  for (const section of DIFF_SECTIONS) {
    const list = diff.differences.filter((d) => d.section === section);
    if (list.length === 0) continue;
    out.push(`## ${TITLES[section]}`, '');
    for (const d of list) out.push(...differenceMarkdown(d, left, right));
  }
  out.push('---', '', ...diff.notes.map((n) => `- ${mdEscape(n)}`), '');
  return out.join('\n');
}
