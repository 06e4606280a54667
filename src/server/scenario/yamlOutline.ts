// The keys of a scenario file by their key paths, read line by line from
// indentation (block maps and lists, and the one-line flow maps and lists the
// scenarios use: `- { type: dma, device: edu, iova: 0x2345000 }`), so that
// hovers and completion work on a file being typed, which a YAML parser
// rejects half the time. Block scalars (`description: >-` and the lines
// under it) are skipped.

export type PathSegment = string | number;

export interface YamlKey {
  /** Key path of the value, e.g. ['workload', 'requests', 0, 'iova']. */
  path: PathSegment[];
  key: string;
  /** 0-based line and columns of the key. */
  line: number;
  keyStart: number;
  keyEnd: number;
  /** The scalar value on the same line, unquoted, and where it is (absent when a block follows). */
  value?: string;
  valueStart?: number;
  valueEnd?: number;
}

/** An open container at a column: a key whose value is a block below, or a list item. */
interface Frame {
  col: number;
  seg: PathSegment;
  item: boolean;
}

const KEY = /^("[^"]*"|'[^']*'|[^\s#'"{}[\],:][^#:]*?)\s*:(?=\s|$)/;
const BLOCK_SCALAR = /^[>|][-+]?\d*$/;

function unquote(s: string): string {
  return (s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")) ? s.slice(1, -1) : s;
}

/** The line without a trailing comment (a # after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** The end (exclusive) of a flow scalar starting at i: up to a top-level , } or ]. */
function scalarEnd(text: string, i: number): number {
  let quote = '';
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',' || c === '}' || c === ']') return j;
  }
  return text.length;
}

const skipSpaces = (text: string, i: number) => {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
};

/** Reads a flow map or list starting at text[i] ('{' or '['); records its keys (and where each map opens); returns the index after it. */
export function readFlow(text: string, i: number, path: PathSegment[], line: number, out: YamlKey[], maps?: { path: PathSegment[]; open: number }[]): number {
  const open = text[i];
  if (open === '{') maps?.push({ path, open: i });
  const close = open === '{' ? '}' : ']';
  let j = i + 1;
  let index = 0;
  while (j < text.length) {
    j = skipSpaces(text, j);
    if (text[j] === close) return j + 1;
    if (text[j] === ',') {
      j++;
      continue;
    }
    if (open === '[') {
      if (text[j] === '{' || text[j] === '[') j = readFlow(text, j, [...path, index], line, out, maps);
      else j = Math.max(scalarEnd(text, j), j + 1);
      index++;
      continue;
    }
    const m = KEY.exec(text.slice(j)) ?? /^([^\s,}:]+)\s*:/.exec(text.slice(j));
    if (!m) {
      j = Math.max(scalarEnd(text, j), j + 1);
      continue;
    }
    const key = unquote(m[1].trim());
    const entry: YamlKey = { path: [...path, key], key, line, keyStart: j, keyEnd: j + m[1].trim().length };
    j = skipSpaces(text, j + m[0].length);
    if (text[j] === '{' || text[j] === '[') {
      out.push(entry);
      j = readFlow(text, j, entry.path, line, out, maps);
      continue;
    }
    const end = scalarEnd(text, j);
    const raw = text.slice(j, end).trimEnd();
    if (raw !== '') Object.assign(entry, { value: unquote(raw), valueStart: j, valueEnd: j + raw.length });
    out.push(entry);
    j = end;
  }
  return j;
}

/** Pops the frames a list dash at column `col` closes; returns the item's index. */
function enterItem(stack: Frame[], col: number): number {
  let index = 0;
  while (stack.length && (stack[stack.length - 1].col > col || (stack[stack.length - 1].col === col && stack[stack.length - 1].item))) {
    const f = stack.pop()!;
    if (f.item && f.col === col) index = Number(f.seg) + 1;
  }
  stack.push({ col, seg: index, item: true });
  return index;
}

/** Pops the frames a key at column `col` closes. */
export function enterKey(stack: Frame[], col: number): void {
  while (stack.length && stack[stack.length - 1].col >= col) stack.pop();
}

export const pathOf = (stack: readonly Frame[]): PathSegment[] => stack.map((f) => f.seg);

/** Where one line leaves the reading: its dashes read, the column its content starts at. */
export function readDashes(text: string, stack: Frame[]): number {
  let pos = skipSpaces(text, 0);
  while (text[pos] === '-' && (pos + 1 === text.length || text[pos + 1] === ' ')) {
    enterItem(stack, pos);
    pos = skipSpaces(text, pos + 1);
  }
  return pos;
}

interface OutlineState {
  stack: Frame[];
  /** Inside a block scalar whose key is at this column. */
  blockCol: number | undefined;
}

/** Reads one line into `out`, updating the state. */
export function readLine(raw: string, line: number, state: OutlineState, out: YamlKey[]): void {
  const text = stripComment(raw).replace(/\s+$/, '');
  const indent = skipSpaces(text, 0);
  if (state.blockCol !== undefined) {
    if (text === '' || indent > state.blockCol) return;
    state.blockCol = undefined;
  }
  if (text.trim() === '' || /^(---|\.\.\.)\s*$/.test(text)) return;
  const pos = readDashes(text, state.stack);
  const rest = text.slice(pos);
  if (rest.startsWith('{') || rest.startsWith('[')) {
    readFlow(text, pos, pathOf(state.stack), line, out);
    return;
  }
  const m = KEY.exec(rest);
  if (!m) return;
  enterKey(state.stack, pos);
  const key = unquote(m[1].trim());
  const entry: YamlKey = { path: [...pathOf(state.stack), key], key, line, keyStart: pos, keyEnd: pos + m[1].trim().length };
  const v = skipSpaces(text, pos + m[0].length);
  const value = text.slice(v);
  out.push(entry);
  if (value === '') {
    state.stack.push({ col: pos, seg: key, item: false });
  } else if (value.startsWith('{') || value.startsWith('[')) {
    readFlow(text, v, entry.path, line, out);
  } else {
    Object.assign(entry, { value: unquote(value), valueStart: v, valueEnd: v + value.length });
    if (BLOCK_SCALAR.test(value)) state.blockCol = pos;
  }
}

export function newOutlineState(): OutlineState {
  return { stack: [], blockCol: undefined };
}

/** Every key of the text, in order. */
export function outlineYaml(lines: readonly string[]): YamlKey[] {
  const out: YamlKey[] = [];
  const state = newOutlineState();
  lines.forEach((l, i) => readLine(l, i, state, out));
  return out;
}

export function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
