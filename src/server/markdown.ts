// Markdown renderings shared by hovers and the tree views' tooltips.

import type { Structure } from '../vtd/layout';
import { hex } from '../vtd/u64';

/**
 * Escapes text for a Markdown table cell or paragraph (dump text is never
 * trusted): a backslash before every ASCII punctuation character, which
 * CommonMark allows before any of them, so the text forms no markup at all:
 * no HTML, link, image, entity (&), table cell (|), nor a GFM autolink (it
 * needs a bare "http://", "www." or "x@y"). Line breaks become spaces.
 */
export function mdEscape(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (c) => '\\' + c).replace(/\r\n|[\r\n]/g, ' ');
}

/**
 * Text as a Markdown code span: shown exactly (a code span keeps backslashes
 * and entities as they are), fenced by more backticks than any run in it, and
 * padded when it starts or ends with one. Line breaks become spaces.
 */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n|[\r\n]/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** An entry wider than 64 bits as the dumps print it: its qwords, high to low, "hi:lo". */
function rawText(raw: bigint): string {
  if (raw >> 64n === 0n) return hex(raw);
  const qwords: string[] = [];
  for (let v = raw; v > 0n || qwords.length < 2; v >>= 64n) qwords.unshift(`0x${(v & 0xffffffffffffffffn).toString(16).padStart(16, '0')}`);
  return qwords.join(':');
}

/** A field's value: hex, and decimal beside it where that reads better (small counts and widths, not addresses). */
function valueText(v: bigint): string {
  return v > 9n && v < 100000n ? `\`${hex(v)}\` (${v})` : `\`${hex(v)}\``;
}

/** A field table: name, bits, value, meaning (four columns: it fits a narrow hover). */
export function structureMarkdown(s: Structure, label?: string): string {
  const lines: string[] = [];
  lines.push(`**${mdEscape(label ? `${label}: ${s.title}` : s.title)}** \`${rawText(s.raw)}\``);
  lines.push('');
  lines.push(mdEscape(s.summary));
  lines.push('');
  lines.push('| field | bits | value | meaning |');
  lines.push('|---|---|---|---|');
  for (const f of s.fields) {
    if (f.reserved && f.raw === 0n) continue;
    const bits = f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`;
    lines.push(`| ${mdEscape(f.name)} | ${bits} | ${valueText(f.raw)} | ${mdEscape(f.meaning)} |`);
  }
  if (s.findings.length) {
    lines.push('');
    for (const f of s.findings) lines.push(`- **${f.severity}**: ${mdEscape(f.message)}${f.faultReason !== undefined ? ` (hardware fault ${hex(f.faultReason, 2)})` : ''}`);
  }
  return lines.join('\n');
}
