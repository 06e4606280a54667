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

interface ParsedYaml {
  root?: PNode;
  errors: ScenarioError[];
}

/** A scenario is a few levels deep; the YAML parser recurses once per level. */
const MAX_NESTING = 64;
/** Errors listed for one file; a garbled file gets these and a count of the rest. */
const MAX_ERRORS = 50;

/**
 * Offset of the first flow bracket ("[" or "{") past MAX_NESTING open ones,
 * outside quotes and comments; -1 when there is none. Deeper nesting would
 * exhaust the parser's stack.
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92 /* \ */ && quote === 34) i++;
      else if (c === quote || c === 10) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 35 /* # */ && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return -1;
}

/** The first line of a parser message; a stack overflow it caught, in words. */
function readable(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) return `nested too deeply (a scenario is a few levels of maps and lists)`;
  return message.split('\n')[0];
}

function capped(errors: ScenarioError[]): ScenarioError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const last = errors[MAX_ERRORS];
  return [...errors.slice(0, MAX_ERRORS), { ...last, message: `${errors.length - MAX_ERRORS} more errors not listed (the first of them is here)` }];
}

export function parseYamlNodes(text: string): ParsedYaml {
  const lc = new LineCounter();
  const posOf = (start: number, end: number): Position => {
    const a = lc.linePos(Math.max(0, start));
    const b = lc.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < deep; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
    return { errors: [{ ...posOf(deep, deep + 1), message: `nested more than ${MAX_NESTING} levels deep: a scenario is a few levels of maps and lists`, path: '' }] };
  }
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    // Block nesting (by indentation) deep enough to exhaust the stack.
    return { errors: [{ line: 1, column: 1, endLine: 1, endColumn: 1, message: `not readable as YAML: ${err instanceof RangeError ? 'nested too deeply' : String(err)}`, path: '' }] };
  }
  const errors: ScenarioError[] = capped([...doc.errors, ...doc.warnings].map((e) => ({ ...posOf(e.pos[0], e.pos[1]), message: readable(e.message), path: '' })));
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
  let root: PNode | undefined;
  try {
    root = doc.contents === null ? undefined : convert(doc.contents);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { errors: [{ line: 1, column: 1, endLine: 1, endColumn: 1, message: 'not readable as a scenario: nested too deeply', path: '' }] };
  }
  if (aliases.length > 0) return { errors: capped([...errors, ...aliases]) };
  return { root, errors };
}
