// Plain JSON views of parse results and decoded structures: bigints as hex
// strings, columnar page-table rows as row objects, fields by spec name.

import type { AnyParseResult } from '../dumps/registry';
import type { Structure } from '../vtd/layout';
import { hex } from '../vtd/u64';
import type { DecodedEntry } from '../model/decodeFile';

/** A decoded structure with its fields keyed by their specification names. */
export function structureJson(s: Structure): unknown {
  const fields: Record<string, unknown> = {};
  for (const f of s.fields) {
    fields[f.name] = {
      bits: f.msb === f.lsb ? `${f.msb}` : `${f.msb}:${f.lsb}`,
      value: hex(f.raw),
      ...(f.address !== undefined ? { address: hex(f.address) } : {}),
      meaning: f.meaning,
    };
  }
  return { type: s.type, title: s.title, raw: hex(s.raw), summary: s.summary, fields, findings: s.findings };
}

export function decodedJson(e: DecodedEntry): unknown {
  return { line: e.span.line + 1, column: e.span.start + 1, label: e.label, ...(structureJson(e.structure) as object) };
}

/** Records of a parse result as plain data. */
export function recordsJson(parsed: AnyParseResult): unknown[] {
  if (parsed.format === 'domain_translation_struct') {
    return parsed.records.map((b) => {
      const { rows, ...rest } = b;
      const list: unknown[] = [];
      for (let i = 0; i < rows.count; i++) list.push(rows.row(i));
      return { ...rest, rowCount: rows.count, rows: list };
    });
  }
  return parsed.records as unknown[];
}

/** JSON.stringify with bigints as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v), 2);
}
