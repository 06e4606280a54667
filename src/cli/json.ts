// Plain JSON views of parse results and decoded structures: bigints as hex
// strings, columnar page-table rows as row objects, fields by spec name.

import type { AnyParseResult } from '../dumps/registry';
import type { Structure } from '../vtd/layout';
import { hex } from '../vtd/u64';
import type { DecodedEntry } from '../model/decodeFile';
import type { DomainBlock } from '../dumps/debugfs/domainTranslation';

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

/** One record as plain data: a page-table block's columnar rows as row objects (left out when `compact`). */
export function recordJson(r: unknown, compact = false): unknown {
  if (r && typeof r === 'object' && (r as { kind?: unknown }).kind === 'domain') {
    const { rows, ...rest } = r as DomainBlock;
    if (compact) return { ...rest, rowCount: rows.rowsInFile };
    const list: unknown[] = [];
    for (let i = 0; i < rows.count; i++) list.push(rows.row(i));
    return { ...rest, rowCount: rows.rowsInFile, rows: list };
  }
  return r;
}

/** Records of a parse result as plain data. */
export function recordsJson(parsed: AnyParseResult, compact = false): unknown[] {
  return (parsed.records as unknown[]).map((r) => recordJson(r, compact));
}

/** JSON.stringify with bigints as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v), 2);
}

/** The same on one line (a JSON-lines record). */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v));
}
