// Message templates for QEMU trace events, and a matcher that reads a
// message back into typed arguments.
//
// A template is the event's printf format with every conversion replaced by
// {name:type}:
//   x  hex of a value of 32 bits or less (PRIx8/16/32, %x)   → number
//   X  hex of a 64-bit value (PRIx64)                        → bigint
//   d  signed decimal (%d)                                   → number
//   u  unsigned decimal (PRIu8/16/32, %u)                    → number
//   b  a bool printed with %d                                → boolean
//   s  a string (%s)                                         → string
// The literal text around the conversions must match exactly. The matcher
// walks the message once: hex and decimal fields stop at the first character
// that cannot belong to them, and a string field ends where the next literal
// starts (or at the end of the message). No backtracking, so the cost is
// linear in the message length whatever the input.

export type FieldType = 'x' | 'X' | 'd' | 'u' | 'b' | 's';
export type ArgValue = bigint | number | string | boolean;

type TemplatePart = { kind: 'lit'; text: string } | { kind: 'field'; name: string; type: FieldType };

export interface CompiledTemplate {
  source: string;
  parts: TemplatePart[];
}

const FIELD_TYPES = new Set<string>(['x', 'X', 'd', 'u', 'b', 's']);

/**
 * Compiles a template of the static event table. A malformed template is a
 * bug in the table, reported by throwing at load time (the tests compile
 * every entry), never something input can cause.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    if (open < 0) {
      parts.push({ kind: 'lit', text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'lit', text: source.slice(i, open) });
    const close = source.indexOf('}', open);
    const body = close < 0 ? '' : source.slice(open + 1, close);
    const colon = body.indexOf(':');
    const name = body.slice(0, colon);
    const type = body.slice(colon + 1);
    if (close < 0 || colon <= 0 || !FIELD_TYPES.has(type)) throw new Error(`bad trace template "${source}"`);
    const prev = parts[parts.length - 1];
    if (prev && prev.kind === 'field') throw new Error(`two adjacent fields in trace template "${source}"`);
    parts.push({ kind: 'field', name, type: type as FieldType });
    i = close + 1;
  }
  return { source, parts };
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isDec(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Significant digits of a digit run (leading zeros dropped, "0" kept). */
function significant(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}

/** Result of matching: the arguments, or why the message does not fit. */
export type MatchResult = { args: Record<string, ArgValue> } | { error: string };

/** Reads `text` (the message after the event name) with a compiled template. */
export function matchTemplate(t: CompiledTemplate, text: string): MatchResult {
  const args: Record<string, ArgValue> = {};
  let pos = 0;
  for (let p = 0; p < t.parts.length; p++) {
    const part = t.parts[p];
    if (part.kind === 'lit') {
      if (!text.startsWith(part.text, pos)) return { error: `expected "${part.text}" at column ${pos}` };
      pos += part.text.length;
      continue;
    }
    const start = pos;
    if (part.type === 's') {
      const next = t.parts[p + 1];
      const end = next === undefined ? text.length : text.indexOf((next as { text: string }).text, pos);
      if (end < 0) return { error: `no "${(next as { text: string }).text}" after the ${part.name} text` };
      args[part.name] = text.slice(start, end);
      pos = end;
      continue;
    }
    if (part.type === 'x' || part.type === 'X') {
      while (pos < text.length && isHex(text.charCodeAt(pos))) pos++;
      if (pos === start) return { error: `expected hex ${part.name} at column ${start}` };
      const digits = significant(text.slice(start, pos));
      if (part.type === 'X') {
        if (digits.length > 16) return { error: `${part.name} is wider than 64 bits` };
        args[part.name] = BigInt('0x' + digits);
      } else {
        if (digits.length > 8) return { error: `${part.name} is wider than 32 bits` };
        args[part.name] = parseInt(digits, 16);
      }
      continue;
    }
    // Decimal kinds.
    if (part.type === 'd' && text.charCodeAt(pos) === 45 /* - */) pos++;
    const digitStart = pos;
    while (pos < text.length && isDec(text.charCodeAt(pos))) pos++;
    if (pos === digitStart) return { error: `expected decimal ${part.name} at column ${start}` };
    const digits = significant(text.slice(digitStart, pos));
    if (digits.length > 10) return { error: `${part.name} is wider than 32 bits` };
    const value = Number(text.slice(start, pos));
    if (part.type === 'b') {
      if (value !== 0 && value !== 1) return { error: `${part.name} is ${value}, not 0 or 1` };
      args[part.name] = value === 1;
    } else args[part.name] = value;
  }
  if (pos !== text.length) return { error: `unexpected text at column ${pos}` };
  return { args };
}
