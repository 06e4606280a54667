// Two decoded structures compared field by field, by specification name.
// Reserved fields count only when bits are set in them; address fields are
// compared (and shown) as the address they stand for.

import type { Field, Structure } from '../../vtd/layout';
import { hex } from '../../vtd/u64';
import type { FieldChange } from './types';

function valueOf(f: Field): bigint {
  return f.address ?? f.raw;
}

function shown(f: Field | undefined): string {
  if (!f) return '—';
  const v = hex(valueOf(f));
  return f.meaning && f.meaning !== v && !/^\d+ \(0x[0-9a-f]+\)$/i.test(f.meaning) ? `${v} (${f.meaning})` : v;
}

function worthComparing(f: Field | undefined): boolean {
  return f !== undefined && (!f.reserved || f.raw !== 0n);
}

/** The fields of `a` and `b` that differ; a change of structure type is one change named "type". */
export function fieldChanges(a: Structure, b: Structure): FieldChange[] {
  if (a.type !== b.type) return [{ field: 'type', title: 'Structure', before: a.title, after: b.title }];
  const left = new Map(a.fields.map((f) => [f.name, f]));
  const right = new Map(b.fields.map((f) => [f.name, f]));
  const names = [...new Set([...left.keys(), ...right.keys()])];
  const out: FieldChange[] = [];
  for (const name of names) {
    const l = left.get(name);
    const r = right.get(name);
    if (!worthComparing(l) && !worthComparing(r)) continue;
    if (l && r && valueOf(l) === valueOf(r)) continue;
    out.push({ field: name, title: (l ?? r)?.title ?? name, before: shown(l), after: shown(r) });
  }
  return out;
}

/** A plain value that differs, as a field change. */
export function valueChange(field: string, title: string, before: string | undefined, after: string | undefined): FieldChange[] {
  return before === after ? [] : [{ field, title, before: before ?? '—', after: after ?? '—' }];
}
