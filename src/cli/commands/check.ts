// viommu check PATH... [--json]: findings of each file or capture; exit 1 on any error.
//
// A folder is one capture; other capture folders inside it (before/ and
// after/) are checked each on their own and named, never merged. A file of a
// capture folder is checked with its folder (its faults against the tables)
// and only its findings are listed. A path that holds no file the tool reads
// is not a capture: said, and exit 1. So is a file that was left out (too
// large, not a regular file): a silent "no findings" would be a lie.
// Traces and page-table dumps too large to hold are streamed (any size, in
// bounded memory) and say so in a note with what their stream held.
// Output: lines for people, --json a JSON array, --json-lines one JSON
// object per line; written capture by capture as each is checked.
// Exit 0 clean, 1 an error (not-a-capture among them), 3 a file left out.

import { join, sep } from 'node:path';
import type { Finding } from '../../dumps/types';
import { loadCapture, type Loaded } from '../loadCapture';
import { flagString, parseArgs, UsageError } from '../args';
import { version } from '../version';
import { toJson, toJsonLine } from '../json';
import { describeStreamed } from '../../model/streamedFile';
import type { CommandIO } from './io';

const ORDER: Record<string, number> = { error: 0, warning: 1, info: 2, hint: 3 };

interface Located extends Finding {
  path: string;
}

/** The captures PATH stands for: itself, and each capture folder nested in it. */
function capturesOf(path: string, io: CommandIO): { path: string; loaded: Loaded }[] {
  const first = loadCapture(path, io);
  const out = [{ path, loaded: first }];
  for (const n of first.read.nested) out.push({ path: n, loaded: loadCapture(n, io) });
  if (first.read.nested.length > 0) {
    io.err(`viommu check: ${path} holds ${out.length - (first.read.files.length === 0 ? 1 : 0)} captures, checked one by one: ${first.read.nested.join(', ')}`);
  }
  return first.read.files.length === 0 && first.read.nested.length > 0 ? out.slice(1) : out;
}

function findingJson(f: Located): Record<string, unknown> {
  return {
    file: f.path,
    line: f.span.line + 1,
    column: f.span.start + 1,
    severity: f.severity,
    kind: f.kind,
    code: f.code,
    message: f.message,
    ...(f.faultReason !== undefined ? { faultReason: f.faultReason } : {}),
  };
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** The findings as one SARIF 2.1.0 log (what CI systems and code-scanning read). */
function sarif(findings: readonly Located[]): unknown {
  const rules = [...new Set(findings.map((f) => f.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'viommu', fullName: 'vIOMMU Inspector', version: version(), rules: rules.map((id) => ({ id, name: id })) } },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: rules.indexOf(f.code),
          level: SARIF_LEVEL[f.severity] ?? 'note',
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.path.split(sep).join('/') }, region: { startLine: f.span.line + 1, startColumn: f.span.start + 1 } } }],
          properties: { kind: f.kind, ...(f.faultReason !== undefined ? { faultReason: f.faultReason } : {}) },
        })),
      },
    ],
  };
}

const FORMATS = ['text', 'json', 'json-lines', 'sarif'];

export function runCheck(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, ['format'], ['json', 'json-lines']);
  if (args.positional.length === 0) throw new UsageError('check takes one or more PATHs');
  const format = flagString(args, 'format') ?? (args.flags.has('json-lines') ? 'json-lines' : args.flags.has('json') ? 'json' : 'text');
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}: expected one of ${FORMATS.join(', ')}`);
  const mode = format === 'json-lines' ? 'lines' : format === 'json' ? 'array' : format === 'sarif' ? 'sarif' : 'text';
  const forSarif: Located[] = [];
  const counts: Record<string, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  let total = 0;
  let leftOut = false;
  let pending: string | undefined;
  // Each capture's findings are written once it is checked (sorted within it): nothing waits for the last one.
  const write = (list: Located[]) => {
    list.sort((a, b) => (a.path === b.path ? a.span.line - b.span.line || ORDER[a.severity] - ORDER[b.severity] : a.path < b.path ? -1 : 1));
    for (const f of list) {
      counts[f.severity]++;
      if (f.code === 'left-out') leftOut = true;
      if (mode === 'sarif') forSarif.push(f);
      else if (mode === 'lines') io.out(toJsonLine(findingJson(f)));
      else if (mode === 'array') {
        // One item behind: its comma is known once the next one comes.
        if (pending === undefined) io.out('[');
        else io.out(pending + ',');
        pending = toJson(findingJson(f)).replace(/^/gm, '  ');
      }
      else io.out(`${f.path}:${f.span.line + 1}:${f.span.start + 1}: ${f.severity} [${f.kind}/${f.code}] ${f.message}`);
      total++;
    }
  };
  for (const given of args.positional) {
    for (const { path, loaded } of capturesOf(given, io)) {
      const all: Located[] = [];
      const { capture, focus, read } = loaded;
      if (!capture.files.some((f) => f.parsed)) {
        const why = read.files.length === 0 ? 'no file of it could be read' : 'none of its files is a format vIOMMU Inspector reads';
        all.push({ severity: 'error', kind: 'syntax', code: 'not-a-capture', message: `not a capture: ${why}`, span: { line: 0, start: 0, end: 0 }, path });
      }
      const base = focus !== undefined ? read.root : path;
      for (const f of capture.files) {
        if (!f.streamed || (focus !== undefined && f.name !== focus)) continue;
        all.push({ severity: 'info', kind: 'syntax', code: 'streamed', message: `${f.name}: ${describeStreamed(f.streamed)}`, span: { line: 0, start: 0, end: 0 }, path: join(base, f.name) });
      }
      for (const f of capture.findings) {
        if (focus !== undefined && f.file !== focus) continue;
        all.push({ ...f, path: f.file ? join(base, f.file) : path });
      }
      // What the reader left out is a finding too: the check did not see it.
      for (const l of read.leftOut) {
        if (focus !== undefined && l.name !== focus) continue;
        all.push({ severity: 'warning', kind: 'syntax', code: 'left-out', message: `${l.name} was not read: ${l.reason}`, span: { line: 0, start: 0, end: 0 }, path: join(base, l.name) });
      }
      write(all);
    }
  }
  if (mode === 'array') io.out(pending === undefined ? '[]' : `${pending}\n]`);
  else if (mode === 'sarif') io.out(JSON.stringify(sarif(forSarif), null, 2));
  else if (mode === 'text') {
    const notes = counts.info + counts.hint;
    io.out(`${total === 0 ? 'no findings' : `${counts.error} error(s), ${counts.warning} warning(s), ${notes} note(s)`} in ${args.positional.join(', ')}`);
  }
  if (counts.error > 0) return 1;
  // A file left out means the check is incomplete: not a success.
  return leftOut ? 3 : 0;
}
