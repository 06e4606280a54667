// The lowest level of every entry: its fields, by the names the VT-d
// specification gives them. Label "NAME [msb:lsb]", the value in the view's
// number style (padded to the field's width), the meaning beside it, and a
// tooltip table of the value in hex and decimal.

import type { Field, Structure } from '../../vtd/layout';
import type { TreeNodeDto, WireLocation } from '../../protocol';
import { hex } from '../../vtd/u64';
import { mdEscape, structureMarkdown } from '../markdown';
import { formatAddress, formatNumber, type NumberStyle } from './format';
import { childId } from './nodeIds';

function bitsText(f: Field): string {
  return f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`;
}

/** The meaning when it says more than the number itself ("6 (0x6)" and a bare address say nothing more). */
function extraMeaning(f: Field): string | undefined {
  const m = f.meaning;
  if (/^\d+ \(0x[0-9a-f]+\)$/i.test(m)) return undefined;
  if (f.address !== undefined && m === hex(f.address)) return undefined;
  if (m === hex(f.raw)) return undefined;
  return m;
}

/** The value of a field as the views show it: address fields as the address they stand for. */
function fieldValueText(f: Field, style: NumberStyle): string {
  if (f.address !== undefined) return formatAddress(f.address, style, f.msb + 1);
  return formatNumber(f.raw, style, f.msb - f.lsb + 1);
}

function fieldNode(parentId: string, f: Field, style: NumberStyle, location?: WireLocation): TreeNodeDto {
  const value = fieldValueText(f, style);
  const meaning = extraMeaning(f);
  const setReserved = f.reserved === true && f.raw !== 0n;
  const dec = f.raw <= BigInt(Number.MAX_SAFE_INTEGER) ? f.raw.toString(10) : '';
  const tooltip = [
    `**${mdEscape(f.name)}** — ${mdEscape(f.title)}, bits ${bitsText(f)}`,
    '',
    '| hex | decimal |' + (f.address !== undefined ? ' address |' : ''),
    '|---|---|' + (f.address !== undefined ? '---|' : ''),
    `| \`${hex(f.raw)}\` | ${dec} |` + (f.address !== undefined ? ` \`${hex(f.address)}\` |` : ''),
    '',
    mdEscape(f.meaning),
  ];
  if (setReserved) tooltip.push('', '**Reserved bits are set**: hardware reports a fault for such an entry.');
  return {
    id: childId(parentId, 'f', f.name),
    label: `${f.name} [${bitsText(f)}]`,
    description: meaning ? `${value} · ${meaning}` : value,
    tooltip: tooltip.join('\n'),
    collapsible: 'none',
    contextValue: 'field',
    icon: setReserved ? 'warning' : 'symbol-field',
    location,
    copy: { value: f.address !== undefined ? hex(f.address) : hex(f.raw), json: { name: f.name, title: f.title, bits: bitsText(f), value: hex(f.raw), meaning: f.meaning } },
  };
}

/** The fields worth a node: every defined field (or those named in `only`, in that order), and reserved or ignored ones only when bits are set in them. */
export function fieldNodes(parentId: string, s: Structure, style: NumberStyle, location?: WireLocation, only?: readonly string[]): TreeNodeDto[] {
  const setReserved = (f: Field) => f.reserved === true && f.raw !== 0n;
  // Ignored bits (IGN_*) only matter when software put something there.
  const ignoredZero = (f: Field) => f.name.startsWith('IGN') && f.raw === 0n;
  const fields = s.fields.filter((f) => (only ? only.includes(f.name) || setReserved(f) : (!f.reserved || setReserved(f)) && !ignoredZero(f)));
  if (only) {
    const rank = (f: Field) => (only.includes(f.name) ? only.indexOf(f.name) : only.length);
    fields.sort((a, b) => rank(a) - rank(b));
  }
  return fields.map((f) => fieldNode(parentId, f, style, location));
}

/** The tooltip of an entry: its field table, with a title. */
export function entryTooltip(s: Structure, label: string, extra: string[] = []): string {
  return [structureMarkdown(s, label), ...(extra.length ? ['', ...extra] : [])].join('\n');
}
