// The scenario schema (schema.ts) as a JSON Schema (draft-07), for YAML
// tooling other than this extension (Red Hat's YAML extension reads
// `contributes.yamlValidation`). Generated from the one schema object by
// scripts/scenario-schema.mjs into schemas/scenario.schema.json; a test
// checks the file is current.

import { SCENARIO_SCHEMA } from './schema';
import type { SchemaNode } from './schemaTypes';

type Json = Record<string, unknown>;

function node(n: SchemaNode): Json {
  const base: Json = { description: n.description, markdownDescription: n.description };
  switch (n.kind) {
    case 'object':
      return {
        ...base,
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, node(v)])),
        ...(n.required?.length ? { required: [...n.required] } : {}),
      };
    case 'tagged':
      return {
        ...base,
        type: 'object',
        required: [n.tag],
        properties: { [n.tag]: { type: 'string', enum: Object.keys(n.variants) } },
        oneOf: Object.entries(n.variants).map(([tag, v]) => {
          const o = node(v);
          const props = { ...(o.properties as Json), [n.tag]: { const: tag } };
          return { ...o, properties: props, required: [...new Set([n.tag, ...((o.required as string[] | undefined) ?? [])])] };
        }),
      };
    case 'array':
      return { ...base, type: 'array', items: node(n.items), ...(n.minItems !== undefined ? { minItems: n.minItems } : {}), ...(n.maxItems !== undefined ? { maxItems: n.maxItems } : {}) };
    case 'enum':
      return { ...base, enum: [...n.values], ...(n.default !== undefined ? { default: n.default } : {}) };
    case 'onoff':
      return { ...base, enum: ['on', 'off', true, false, ...(n.allowAuto ? ['auto'] : [])], ...(n.default !== undefined ? { default: n.default === true ? 'on' : n.default === false ? 'off' : n.default } : {}) };
    case 'integer':
    case 'number':
      return {
        ...base,
        type: n.kind,
        ...(n.oneOf ? { enum: [...n.oneOf] } : {}),
        ...(n.min !== undefined ? { minimum: n.min } : {}),
        ...(n.max !== undefined && n.max < Number.MAX_SAFE_INTEGER ? { maximum: n.max } : {}),
        ...(n.default !== undefined ? { default: n.default } : {}),
      };
    case 'string':
      return { ...base, type: 'string', ...(n.pattern ? { pattern: n.pattern.source } : {}), ...(n.default !== undefined ? { default: n.default } : {}) };
    case 'address':
      return { ...base, oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^0[xX][0-9a-fA-F]{1,16}$' }] };
    case 'bdf':
      return { ...base, type: 'string', pattern: '^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-1]?[0-9a-fA-F]\\.[0-7]$' };
    case 'numbers':
      return { ...base, oneOf: [{ type: 'integer', ...(n.min !== undefined ? { minimum: n.min } : {}) }, { type: 'array', items: { type: 'integer', ...(n.min !== undefined ? { minimum: n.min } : {}) }, minItems: 1 }] };
    case 'range':
      return { ...base, type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };
  }
}

/** The JSON Schema of `*.viommu.yaml` files. */
export function scenarioJsonSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://viommu-inspector.invalid/scenario.schema.json',
    title: 'vIOMMU Inspector scenario (*.viommu.yaml)',
    ...node(SCENARIO_SCHEMA),
  };
}
