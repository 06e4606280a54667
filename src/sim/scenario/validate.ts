// Checks a positioned YAML tree against the schema and turns it into plain
// values with every default filled in. Each problem becomes an error with
// the line and column of the offending key or value; nothing throws.

import type { PNode, Position, ScenarioError } from './yamlNodes';
import type { ObjectNode, SchemaNode } from './schemaTypes';

export type Plain = string | number | boolean | bigint | null | Plain[] | { [k: string]: Plain };

const BDF = /^([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

export class Validator {
  readonly errors: ScenarioError[] = [];

  error(pos: Position, path: string, message: string): void {
    this.errors.push({ ...pos, path, message: path ? `${path}: ${message}` : message });
  }

  /** The value of `node` under `schema`; undefined when it is invalid (an error was recorded). */
  check(node: PNode, schema: SchemaNode, path: string): Plain | undefined {
    switch (schema.kind) {
      case 'object':
        return this.object(node, schema, path);
      case 'tagged': {
        if (node.kind !== 'map') return this.expected(node, path, 'a map');
        const tagEntry = node.entries.find((e) => e.key === schema.tag);
        const names = Object.keys(schema.variants);
        if (!tagEntry) return void this.error(node.pos, path, `missing "${schema.tag}" (one of ${names.join(', ')})`);
        const tag = tagEntry.value.kind === 'scalar' ? String(tagEntry.value.value) : '';
        // Own keys only: "constructor" or "__proto__" is an unknown name, not Object.prototype's.
        const variant = Object.hasOwn(schema.variants, tag) ? schema.variants[tag] : undefined;
        if (!variant) return void this.error(tagEntry.value.pos, `${path}.${schema.tag}`, `"${tag}" is not one of ${names.join(', ')}`);
        const rest: PNode = { ...node, entries: node.entries.filter((e) => e !== tagEntry) };
        const value = this.object(rest, variant, path);
        return value && typeof value === 'object' && !Array.isArray(value) ? { ...value, [schema.tag]: tag } : undefined;
      }
      case 'array': {
        if (node.kind !== 'seq') return this.expected(node, path, 'a list');
        if (schema.minItems !== undefined && node.items.length < schema.minItems) this.error(node.pos, path, `needs at least ${schema.minItems} items`);
        const out: Plain[] = [];
        node.items.forEach((item, i) => {
          const v = this.check(item, schema.items, `${path}[${i}]`);
          if (v !== undefined) out.push(v);
        });
        return out;
      }
      case 'enum': {
        const v = this.scalarText(node);
        if (v === undefined || !schema.values.includes(v)) return void this.error(node.pos, path, `expected one of ${schema.values.join(', ')}${v !== undefined ? `, got "${v}"` : ''}`);
        return v;
      }
      case 'onoff': {
        if (node.kind === 'scalar') {
          const v = node.value;
          if (v === true || v === 'on') return true;
          if (v === false || v === 'off') return false;
          if (v === 'auto' && schema.allowAuto) return 'auto';
        }
        return void this.error(node.pos, path, `expected on or off${schema.allowAuto ? ' or auto' : ''}`);
      }
      case 'integer':
      case 'number': {
        const n = this.numberOf(node);
        if (n === undefined || (schema.kind === 'integer' && !Number.isInteger(n))) return this.expected(node, path, schema.kind === 'integer' ? 'an integer' : 'a number');
        if (schema.oneOf && !schema.oneOf.includes(n)) return void this.error(node.pos, path, `expected one of ${schema.oneOf.join(', ')}, got ${n}`);
        if (schema.min !== undefined && n < schema.min) return void this.error(node.pos, path, `must be at least ${schema.min}, got ${n}`);
        if (schema.max !== undefined && n > schema.max) return void this.error(node.pos, path, `must be at most ${schema.max}, got ${n}`);
        return n;
      }
      case 'string': {
        if (node.kind !== 'scalar' || node.value === null || typeof node.value === 'boolean') return this.expected(node, path, 'a string');
        const s = String(node.value);
        if (schema.pattern && !schema.pattern.test(s)) return void this.error(node.pos, path, `expected ${schema.patternText ?? schema.pattern.source}`);
        return s;
      }
      case 'address': {
        if (node.kind === 'scalar') {
          const v = node.value;
          if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
          if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
          const t = typeof v === 'string' ? v.replace(/_/g, '') : '';
          if (/^0[xX][0-9a-fA-F]{1,16}$/.test(t)) return BigInt(t);
        }
        return this.expected(node, path, 'a 64-bit address (0x... or an integer)');
      }
      case 'bdf': {
        const s = this.scalarText(node);
        if (s === undefined || !BDF.test(s)) return this.expected(node, path, 'a requester id BB:DD.F such as 00:03.0');
        const m = BDF.exec(s) as RegExpExecArray;
        if (parseInt(m[2], 16) > 0x1f) return void this.error(node.pos, path, `device number ${m[2]} is above 1f`);
        return s.toLowerCase();
      }
      case 'numbers': {
        const items = node.kind === 'seq' ? node.items : [node];
        if (items.length === 0) return void this.error(node.pos, path, 'needs at least one number');
        const out: Plain[] = [];
        for (const item of items) {
          const n = this.numberOf(item);
          if (n === undefined || !Number.isInteger(n)) return this.expected(item, path, 'an integer or a list of integers');
          if ((schema.min !== undefined && n < schema.min) || (schema.max !== undefined && n > schema.max)) return void this.error(item.pos, path, `must be within ${schema.min}..${schema.max}, got ${n}`);
          out.push(n);
        }
        return out;
      }
      case 'range': {
        if (node.kind !== 'seq' || node.items.length !== 2) return this.expected(node, path, '[min, max]');
        const a = this.numberOf(node.items[0]);
        const b = this.numberOf(node.items[1]);
        if (a === undefined || b === undefined) return this.expected(node, path, '[min, max] of numbers');
        if (a > b) return void this.error(node.pos, path, `min ${a} is above max ${b}`);
        return [a, b];
      }
    }
  }

  private object(node: PNode, schema: ObjectNode, path: string): Plain | undefined {
    if (node.kind === 'scalar' && node.value === null) node = { kind: 'map', entries: [], pos: node.pos };
    if (node.kind !== 'map') return this.expected(node, path, 'a map');
    const out: { [k: string]: Plain } = {};
    const known = Object.keys(schema.properties);
    for (const e of node.entries) {
      const sub = Object.hasOwn(schema.properties, e.key) ? schema.properties[e.key] : undefined;
      const p = path ? `${path}.${e.key}` : e.key;
      if (!sub) {
        this.error(e.keyPos, p, `unknown key "${e.key}" (expected one of ${known.join(', ')})`);
        continue;
      }
      const v = this.check(e.value, sub, p);
      if (v !== undefined) out[e.key] = v;
    }
    for (const r of schema.required ?? []) {
      if (!node.entries.some((e) => e.key === r)) this.error(node.pos, path, `missing required key "${r}"`);
    }
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (out[k] !== undefined || node.entries.some((e) => e.key === k)) continue;
      const d = defaultOf(sub);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }

  private expected(node: PNode, path: string, what: string): undefined {
    const got = node.kind === 'map' ? 'a map' : node.kind === 'seq' ? 'a list' : node.value === null ? 'nothing' : JSON.stringify(typeof node.value === 'bigint' ? node.value.toString() : node.value);
    this.error(node.pos, path, `expected ${what}, got ${got}`);
    return undefined;
  }

  private scalarText(node: PNode): string | undefined {
    if (node.kind !== 'scalar' || node.value === null) return undefined;
    return typeof node.value === 'bigint' ? node.value.toString() : String(node.value);
  }

  private numberOf(node: PNode): number | undefined {
    if (node.kind !== 'scalar') return undefined;
    const v = node.value;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
    if (typeof v === 'string' && /^0[xX][0-9a-fA-F]+$/.test(v)) return Number(BigInt(v));
    return undefined;
  }
}

/** The default a schema node gives when its key is absent (objects: their own defaults). */
function defaultOf(node: SchemaNode): Plain | undefined {
  switch (node.kind) {
    case 'object': {
      const out: { [k: string]: Plain } = {};
      for (const [k, sub] of Object.entries(node.properties)) {
        const d = defaultOf(sub);
        if (d !== undefined) out[k] = d;
      }
      return out;
    }
    case 'array':
      return [];
    case 'numbers':
      return node.default ? [...node.default] : undefined;
    case 'enum':
    case 'string':
    case 'integer':
    case 'number':
    case 'onoff':
      return node.default;
    default:
      return undefined;
  }
}
