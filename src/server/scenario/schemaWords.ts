// A scenario schema node in words, for hovers and completion: what values it
// takes (on/off, one of a list, a range with its unit, an address, B:D.F),
// its default, and for a cost constant where its default comes from. The
// schema's own descriptions are the project's text (Markdown with code
// spans); anything from the user's file is escaped by the callers.

import { COST_CONSTANTS, type SchemaNode } from '../../sim/index';
import { mdEscape } from '../markdown';

const TAGS: Record<string, string> = { V: 'verified in a primary source', D: 'derived from verified numbers', E: 'an estimate to calibrate' };

const code = (v: unknown) => `\`${String(v)}\``;

/** "on or off (default `on`)", "one of `split`, `on`, `off` (default `split`)", "integer 1–64 (default `1`)". */
export function valuesText(n: SchemaNode): string {
  switch (n.kind) {
    case 'onoff':
      return `${code('on')} or ${code('off')}${n.allowAuto ? ` or ${code('auto')}` : ''}${n.default !== undefined ? ` (default ${code(n.default === true ? 'on' : n.default === false ? 'off' : n.default)})` : ''}`;
    case 'enum':
      return `one of ${n.values.map(code).join(', ')}${n.default !== undefined ? ` (default ${code(n.default)})` : ''}`;
    case 'integer':
    case 'number': {
      if (n.oneOf) return `one of ${n.oneOf.map(code).join(', ')}${n.default !== undefined ? ` (default ${code(n.default)})` : ''}`;
      const range = n.min !== undefined && n.max !== undefined && n.max < Number.MAX_SAFE_INTEGER ? ` ${n.min}–${n.max}` : n.min !== undefined ? ` ≥ ${n.min}` : '';
      return `${n.kind === 'integer' ? 'an integer' : 'a number'}${range}${n.unit ? ` (${n.unit})` : ''}${n.default !== undefined ? `, default ${code(n.default)}` : ''}`;
    }
    case 'address':
      return 'a 64-bit address: an integer or a `0x…` string';
    case 'bdf':
      return 'a requester id `BB:DD.F`, e.g. `"00:03.0"`';
    case 'numbers':
      return `an integer or a list of integers${n.min !== undefined ? ` ${n.min}–${n.max}` : ''}${n.default ? `, default ${code(n.default.join(', '))}` : ''}`;
    case 'range':
      return 'a `[min, max]` pair';
    case 'string':
      return `text${n.default !== undefined ? `, default ${code(n.default)}` : ''}`;
    case 'array':
      return 'a list';
    case 'tagged':
      return `a map chosen by ${code(n.tag)}: ${Object.keys(n.variants).map(code).join(', ')}`;
    case 'object':
      return `a map of ${Object.keys(n.properties).map(code).join(', ')}`;
  }
}

/** A cost constant's provenance: value, unit, the kind of source, and the source. */
function costConstantText(key: string): string | undefined {
  const c = COST_CONSTANTS.find((x) => x.key === key);
  if (!c) return undefined;
  return `Default ${c.value} ${c.unit}, [${c.tag}] ${TAGS[c.tag]}.\n\nSource: ${c.source}`;
}

/** The Markdown of a schema node at a key path (the title is escaped: it comes from the file). */
export function schemaMarkdown(title: string, n: SchemaNode, costKey?: string): string {
  const what = costKey ? 'A constant of the cost model: the scenario\'s value replaces the default.' : n.description;
  const parts = [`**${mdEscape(title)}**`, '', what, '', `Takes ${valuesText(n)}.`];
  const cost = costKey ? costConstantText(costKey) : undefined;
  if (cost) parts.push('', cost);
  return parts.join('\n');
}
