// What the cursor of a scenario file is on, for completion: a key being typed
// (and the path of the map it goes into), or the value of a key (and that
// key's path); the word typed so far; the keys the map already has; and, in
// a list of requests, the request's `type`.

import { enterKey, newOutlineState, outlineYaml, pathOf, readDashes, readFlow, readLine, samePath, stripComment, type PathSegment, type YamlKey } from './yamlOutline';

export interface CursorContext {
  kind: 'key' | 'value';
  /** Key: the path of the map the key goes into. Value: the path of the key. */
  path: PathSegment[];
  /** What is typed so far, and the column it starts at. */
  prefix: string;
  start: number;
  /** Keys the map already has. */
  present: string[];
  /** The `type` of the map (requests are chosen by it). */
  tag?: string;
  /** Every key of the document. */
  keys: YamlKey[];
}

/**
 * The innermost one-line flow map open at the end of `before` (the line up to
 * the cursor), read from `first` (the line's first brace, whose path is
 * `basePath`): its path and the column of its brace.
 */
function openFlowMap(before: string, first: number, basePath: PathSegment[], line: number): { path: PathSegment[]; open: number } | undefined {
  const opened: number[] = [];
  let quote = '';
  for (let i = first; i < before.length; i++) {
    const c = before[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') opened.push(i);
    else if ((c === '}' || c === ']') && opened.length) opened.pop();
  }
  const open = [...opened].reverse().find((i) => before[i] === '{');
  if (open === undefined) return undefined;
  const closers = opened.map((i) => (before[i] === '{' ? '}' : ']')).reverse().join('');
  const maps: { path: PathSegment[]; open: number }[] = [];
  readFlow(before + closers, first, basePath, line, [], maps);
  const found = maps.find((m) => m.open === open);
  return found ? { path: found.path, open } : undefined;
}

export function cursorContext(lines: readonly string[], line: number, character: number): CursorContext | undefined {
  const keys = outlineYaml(lines);
  const state = newOutlineState();
  for (let i = 0; i < line; i++) readLine(lines[i], i, state, []);
  if (state.blockCol !== undefined) {
    const indent = (lines[line] ?? '').search(/\S|$/);
    if (indent > state.blockCol && (lines[line] ?? '').trim() !== '') return undefined;
  }
  const full = stripComment(lines[line] ?? '');
  const text = full.slice(0, character);
  if (text.length < character) return undefined; // in a comment
  const stack = state.stack.map((f) => ({ ...f }));
  const pos = readDashes(text, stack);
  const rest = text.slice(pos);
  const finish = (ctx: Omit<CursorContext, 'present' | 'tag' | 'keys'>): CursorContext => {
    const mapPath = ctx.kind === 'key' ? ctx.path : ctx.path.slice(0, -1);
    const siblings = keys.filter((k) => samePath(k.path.slice(0, -1), mapPath) && !(k.line === line && k.keyStart <= character && character <= k.keyEnd));
    const tag = siblings.find((k) => k.key === 'type')?.value;
    return { ...ctx, present: siblings.map((k) => k.key), ...(tag !== undefined ? { tag } : {}), keys };
  };

  // Inside a one-line flow map: `- { type: dma, dev| }` or `platform: { caching-mode: | }`.
  const keyed = /^("[^"]*"|'[^']*'|[^\s#'"{}[\],:][^#:]*?)\s*:\s*/.exec(rest);
  const keyPath = (key: string) => {
    const under = stack.map((f) => ({ ...f }));
    enterKey(under, pos);
    return [...pathOf(under), key];
  };
  const afterKey = keyed ? rest.slice(keyed[0].length) : '';
  const flowStart = /^[{[]/.test(rest)
    ? { at: pos, path: pathOf(stack) }
    : keyed && /^[{[]/.test(afterKey)
      ? { at: pos + keyed[0].length, path: keyPath(keyed[1].trim()) }
      : undefined;
  const flow = flowStart ? openFlowMap(text, flowStart.at, flowStart.path, line) : undefined;
  if (flow) {
    const segment = text.slice(Math.max(text.lastIndexOf(',', character), flow.open) + 1);
    const kv = /^\s*([\w.-]+)\s*:\s*(\S*)$/.exec(segment);
    if (kv) return finish({ kind: 'value', path: [...flow.path, kv[1]], prefix: kv[2], start: character - kv[2].length });
    const k = /^\s*([\w.-]*)$/.exec(segment);
    return k ? finish({ kind: 'key', path: flow.path, prefix: k[1], start: character - k[1].length }) : undefined;
  }

  const value = /^([\w.-]+)\s*:\s+(\S*)$/.exec(rest) ?? /^([\w.-]+):()$/.exec(rest);
  if (value) {
    enterKey(stack, pos);
    return finish({ kind: 'value', path: [...pathOf(stack), value[1]], prefix: value[2], start: character - value[2].length });
  }
  const key = /^([\w.-]*)$/.exec(rest);
  if (!key) return undefined;
  enterKey(stack, pos);
  return finish({ kind: 'key', path: pathOf(stack), prefix: key[1], start: pos });
}
