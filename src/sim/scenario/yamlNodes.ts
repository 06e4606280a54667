// YAML text to a small tree of positioned nodes (maps, lists, scalars with
// their offsets), using the `yaml` package's document model, so every
// validation error can name a line and column. Integers are read as bigints
// (64-bit addresses stay exact).

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export interface Position {
  /** 1-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type PNode =
  | { kind: 'map'; entries: { key: string; keyPos: Position; value: PNode }[]; pos: Position }
  | { kind: 'seq'; items: PNode[]; pos: Position }
  | { kind: 'scalar'; value: string | number | bigint | boolean | null; pos: Position };

export interface ScenarioError extends Position {
  message: string;
  /** Key path of the value, e.g. "platform.aw-bits". */
  path: string;
}

export interface ParsedYaml {
  root?: PNode;
  errors: ScenarioError[];
}

export function parseYamlNodes(text: string): ParsedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  const posOf = (start: number, end: number): Position => {
    const a = lc.linePos(Math.max(0, start));
    const b = lc.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const errors: ScenarioError[] = [...doc.errors, ...doc.warnings].map((e) => ({ ...posOf(e.pos[0], e.pos[1]), message: e.message.split('\n')[0], path: '' }));
  if (doc.errors.length > 0) return { errors };
  const aliases: ScenarioError[] = [];
  const convert = (n: unknown): PNode => {
    const node = n as Node | null;
    const range = node && 'range' in node && node.range ? node.range : [0, 0, 0];
    const pos = posOf(range[0], range[1]);
    // Never resolved: nested aliases expand exponentially (a "billion laughs" file).
    if (isAlias(node)) aliases.push({ ...pos, message: `a YAML alias (*${node.source}): scenarios do not use anchors and aliases, write the value out`, path: '' });
    if (isMap(node)) {
      const entries: { key: string; keyPos: Position; value: PNode }[] = [];
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        const kr = k && k.range ? k.range : range;
        const keyText = isScalar(k) ? String(k.value) : String(k);
        const value = item.value === null || item.value === undefined ? { kind: 'scalar' as const, value: null, pos: posOf(kr[1], kr[1]) } : convert(item.value);
        entries.push({ key: keyText, keyPos: posOf(kr[0], kr[1]), value });
      }
      return { kind: 'map', entries, pos };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map(convert), pos };
    if (isScalar(node)) {
      const v = node.value;
      const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === null ? v : String(v);
      return { kind: 'scalar', value, pos };
    }
    return { kind: 'scalar', value: null, pos };
  };
  const root = doc.contents === null ? undefined : convert(doc.contents);
  if (aliases.length > 0) return { errors: [...errors, ...aliases] };
  return { root, errors };
}
