// Hover in a scenario file: on a key, what it means, the values it takes and
// its default (for a cost constant, where the default comes from); on a
// value, the same with the value checked against them; on a request's
// `type`, what that kind of request does.

import { SCENARIO_SCHEMA, schemaAt, type SchemaNode } from '../../sim/index';
import { mdCode, mdEscape } from '../markdown';
import { schemaMarkdown } from './schemaWords';
import { outlineYaml, samePath, type PathSegment, type YamlKey } from './yamlOutline';

interface ScenarioHover {
  markdown: string;
  line: number;
  start: number;
  end: number;
}

/** "workload.requests[0].iova". */
export function pathTitle(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueCheck(n: SchemaNode, value: string): string | undefined {
  const v = mdCode(value);
  if (n.kind === 'enum') return n.values.includes(value) ? undefined : `${v} is not one of them.`;
  if (n.kind === 'onoff') return ['on', 'off', 'true', 'false', ...(n.allowAuto ? ['auto'] : [])].includes(value) ? undefined : `${v} is not on or off.`;
  return undefined;
}

function tagHover(k: YamlKey, lists: SchemaNode | undefined, onValue: boolean): string | undefined {
  const tagged = lists?.kind === 'array' && lists.items.kind === 'tagged' ? lists.items : undefined;
  if (!tagged) return undefined;
  const variant = k.value !== undefined && Object.hasOwn(tagged.variants, k.value) ? tagged.variants[k.value] : undefined;
  const lines = [`**${mdEscape(pathTitle(k.path))}**`, '', tagged.description, '', `One of ${Object.keys(tagged.variants).map((v) => `\`${v}\``).join(', ')}.`];
  if (variant) lines.push('', `${mdCode(k.value!)}: ${variant.description} Keys: ${Object.keys(variant.properties).map((p) => `\`${p}\``).join(', ')}.`);
  else if (onValue && k.value !== undefined) lines.push('', `${mdCode(k.value)} is not one of them.`);
  return lines.join('\n');
}

export function scenarioHover(lines: readonly string[], line: number, character: number): ScenarioHover | undefined {
  const keys = outlineYaml(lines);
  const k = keys.find((x) => x.line === line && ((character >= x.keyStart && character <= x.keyEnd) || (x.valueStart !== undefined && character >= x.valueStart && character <= x.valueEnd!)));
  if (!k) return undefined;
  const onValue = k.valueStart !== undefined && character >= k.valueStart;
  const range = onValue ? { line, start: k.valueStart!, end: k.valueEnd! } : { line, start: k.keyStart, end: k.keyEnd };
  const parent = k.path.slice(0, -1);
  const tag = keys.find((x) => x.key === 'type' && samePath(x.path.slice(0, -1), parent))?.value;
  if (k.key === 'type') {
    const md = tagHover(k, schemaAt(parent.slice(0, -1)), onValue);
    if (md) return { markdown: md, ...range };
  }
  const node = schemaAt(k.path, SCENARIO_SCHEMA, tag);
  if (!node) {
    const container = schemaAt(parent, SCENARIO_SCHEMA, tag);
    const known = container?.kind === 'object' ? Object.keys(container.properties) : [];
    const where = parent.length ? mdCode(pathTitle(parent)) : 'a scenario';
    return { markdown: `${mdCode(k.key)} is not a key of ${where}${known.length ? ` (keys: ${known.map((p) => `\`${p}\``).join(', ')})` : ''}.`, ...range };
  }
  let md = schemaMarkdown(pathTitle(k.path), node, k.path[0] === 'costs' ? k.key : undefined);
  if (onValue && k.value !== undefined) {
    const problem = valueCheck(node, k.value);
    if (problem) md += `\n\n${problem}`;
  }
  return { markdown: md, ...range };
}
