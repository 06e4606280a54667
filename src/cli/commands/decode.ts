// viommu decode PATH [--json | --json-lines] [--compact]: every raw value of a
// file or capture, decoded.
//
// Output is written as it is made: for people, lines; --json one JSON value
// (the file's, or the capture's with its files); --json-lines one JSON
// object per line ({"type": "file" | "record" | "decoded" | "finding" |
// "end", "file": ...}). --compact leaves out the page-table rows of each
// block (their decoded entries stay). A trace or page-table dump too large
// to hold is streamed: its records and entries go out as they are read.

import type { DecodedEntry } from '../../model/decodeFile';
import { decodedEntries, forEachDecodedEntry } from '../../model/decodeFile';
import { decodeScopeOf, type DecodeScope } from '../../model/decodeScope';
import type { ParsedFile } from '../../model/types';
import type { Finding } from '../../dumps/types';
import type { LargeFile } from '../../io/captureReader';
import { loadOneCapture } from '../loadCapture';
import { decodedJson, recordJson, recordsJson, toJson, toJsonLine } from '../json';
import { parseArgs, UsageError } from '../args';
import { streamDecode } from '../streamDecode';
import type { CommandIO } from './io';

const findingsJson = (list: readonly Finding[]) => list.map((x) => ({ ...x, line: x.span.line + 1 }));

/** Writes one JSON value in pieces: an object's members and an array's items as they come. */
class JsonWriter {
  private first = [true];
  constructor(private readonly io: CommandIO) {}
  private sep(): string {
    const top = this.first.length - 1;
    const s = this.first[top] ? '' : ',';
    this.first[top] = false;
    return s;
  }
  open(key: string | undefined, bracket: '{' | '['): void {
    this.io.out(`${this.sep()}${key !== undefined ? `${JSON.stringify(key)}: ` : ''}${bracket}`);
    this.first.push(true);
  }
  value(key: string | undefined, v: unknown): void {
    this.io.out(`${this.sep()}${key !== undefined ? `${JSON.stringify(key)}: ` : ''}${toJson(v)}`);
  }
  close(bracket: '}' | ']'): void {
    this.first.pop();
    this.io.out(bracket);
  }
}

export function runDecode(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, [], ['json', 'json-lines', 'compact']);
  if (args.positional.length !== 1) throw new UsageError('decode takes one PATH (a dump file or a capture folder)');
  const path = args.positional[0];
  const compact = args.flags.has('compact');
  const mode = args.flags.has('json-lines') ? 'lines' : args.flags.has('json') ? 'json' : 'text';
  const { capture, focus, read } = loadOneCapture(path, io, { streamLarge: false });
  const scope = decodeScopeOf(capture);
  // A file of a capture folder is decoded with what its folder says (its unit's CAP, its table's stage).
  const shown = focus !== undefined ? capture.files.filter((f) => f.name === focus) : capture.files;
  const large = focus !== undefined ? read.large.filter((f) => f.name === focus) : read.large;
  const records = (f: ParsedFile) => (f.parsed ? recordsJson(f.parsed, compact) : []);

  if (mode === 'lines') {
    const line = (type: string, file: string, v: object) => io.out(toJsonLine({ type, file, ...v }));
    for (const f of shown) {
      const p = f.parsed;
      line('file', f.name, { format: p?.format ?? null, dialect: p?.dialect ?? [], lineCount: p?.lineCount ?? f.lines.count });
      if (!p) continue;
      for (const r of records(f)) line('record', f.name, r as object);
      forEachDecodedEntry(p, scope, (e) => line('decoded', f.name, decodedJson(e) as object), f.lines);
      for (const x of findingsJson(p.findings)) line('finding', f.name, x);
    }
    for (const l of large) {
      line('file', l.name, { format: l.format, bytes: l.size, streamed: true });
      const end = streamDecode(l, scope, { record: (r) => line('record', l.name, recordJson(r, compact) as object), decoded: (e) => line('decoded', l.name, decodedJson(e) as object) });
      for (const x of findingsJson(end.findings)) line('finding', l.name, x);
      line('end', l.name, { dialect: end.dialect, lineCount: end.lineCount });
    }
    return 0;
  }

  if (mode === 'json') {
    if (large.length === 0) {
      const files = shown.map((f) => {
        const p = f.parsed;
        if (!p) return { file: f.name, format: null, records: [], decoded: [] };
        return { file: f.name, format: p.format, dialect: p.dialect, lineCount: p.lineCount, records: records(f), decoded: decodedEntries(p, scope, f.lines).map(decodedJson), findings: findingsJson(p.findings) };
      });
      io.out(toJson(focus !== undefined || files.length === 1 ? files[0] : { capture: path, files }));
      return 0;
    }
    // A streamed file: the same shape, written as it goes (its records, then its entries: two passes).
    const w = new JsonWriter(io);
    const whole = focus === undefined;
    if (whole) {
      w.open(undefined, '{');
      w.value('capture', path);
      w.open('files', '[');
      for (const f of shown) {
        const p = f.parsed;
        w.value(undefined, p ? { file: f.name, format: p.format, dialect: p.dialect, lineCount: p.lineCount, records: records(f), decoded: decodedEntries(p, scope, f.lines).map(decodedJson), findings: findingsJson(p.findings) } : { file: f.name, format: null, records: [], decoded: [] });
      }
    }
    for (const l of large) streamedJson(w, l, scope, compact);
    if (whole) {
      w.close(']');
      w.close('}');
    }
    return 0;
  }

  for (const f of shown) {
    const p = f.parsed;
    io.out(`== ${f.name}: ${p ? p.format : 'unknown format'}${p && p.dialect.length ? ` (${p.dialect.join('; ')})` : ''}`);
    if (!p) continue;
    const width = String(p.lineCount).length;
    let count = 0;
    forEachDecodedEntry(p, scope, (e) => {
      count++;
      textEntry(io, e, width);
    }, f.lines);
    if (count === 0) io.out(`${p.records.length} record(s), nothing to decode bit by bit`);
    io.out('');
  }
  for (const l of large) {
    io.out(`== ${l.name}: ${l.format} (${(l.size / 2 ** 20).toFixed(1)} MiB, streamed: columns are not shown)`);
    const end = streamDecode(l, scope, { decoded: (e) => textEntry(io, e, 9) });
    for (const x of end.findings) io.out(`${String(x.span.line + 1).padStart(9)}  ${x.severity}: ${x.message}`);
    io.out(`${end.lineCount} lines${end.dialect.length ? ` (${end.dialect.join('; ')})` : ''}`);
    io.out('');
  }
  return 0;
}

function textEntry(io: CommandIO, e: DecodedEntry, width: number): void {
  const flag = e.structure.findings.length ? ' !' : '';
  io.out(`${String(e.span.line + 1).padStart(width)}  ${e.label}: ${e.structure.summary}${flag}`);
  for (const x of e.structure.findings) io.out(`${' '.repeat(width)}    ${x.severity}: ${x.message}`);
}

/** One streamed file as a JSON object, written as it is read. */
function streamedJson(w: JsonWriter, l: LargeFile, scope: DecodeScope, compact: boolean): void {
  w.open(undefined, '{');
  w.value('file', l.name);
  w.value('format', l.format);
  w.value('bytes', l.size);
  w.open('records', '[');
  streamDecode(l, scope, { record: (r) => w.value(undefined, recordJson(r, compact)) });
  w.close(']');
  w.open('decoded', '[');
  const end = streamDecode(l, scope, { decoded: (e) => w.value(undefined, decodedJson(e)) });
  w.close(']');
  w.value('dialect', end.dialect);
  w.value('lineCount', end.lineCount);
  w.value('findings', findingsJson(end.findings));
  w.close('}');
}
