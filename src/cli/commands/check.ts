// viommu check PATH... [--json]: findings of each file or capture; exit 1 on any error.
//
// A folder is one capture; other capture folders inside it (before/ and
// after/) are checked each on their own and named, never merged. A file of a
// capture folder is checked with its folder (its faults against the tables)
// and only its findings are listed. A path that holds no file the tool reads
// is not a capture: said, and exit 1. So is a file that was left out (too
// large, not a regular file): a silent "no findings" would be a lie.
// Exit 0 clean, 1 an error (not-a-capture among them), 3 a file left out.

import { join } from 'node:path';
import type { Finding } from '../../dumps/types';
import { loadCapture, type Loaded } from '../loadCapture';
import { parseArgs, UsageError } from '../args';
import { toJson } from '../json';
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

export function runCheck(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, [], ['json']);
  if (args.positional.length === 0) throw new UsageError('check takes one or more PATHs');
  const all: Located[] = [];
  for (const given of args.positional) {
    for (const { path, loaded } of capturesOf(given, io)) {
      const { capture, focus, read } = loaded;
      if (!capture.files.some((f) => f.parsed)) {
        const why = read.files.length === 0 ? 'no file of it could be read' : 'none of its files is a format vIOMMU Inspector reads';
        all.push({ severity: 'error', kind: 'syntax', code: 'not-a-capture', message: `not a capture: ${why}`, span: { line: 0, start: 0, end: 0 }, path });
      }
      const base = focus !== undefined ? read.root : path;
      for (const f of capture.findings) {
        if (focus !== undefined && f.file !== focus) continue;
        all.push({ ...f, path: f.file ? join(base, f.file) : path });
      }
      // What the reader left out is a finding too: the check did not see it.
      for (const l of read.leftOut) {
        if (focus !== undefined && l.name !== focus) continue;
        all.push({ severity: 'warning', kind: 'syntax', code: 'left-out', message: `${l.name} was not read: ${l.reason}`, span: { line: 0, start: 0, end: 0 }, path: join(base, l.name) });
      }
    }
  }
  all.sort((a, b) => (a.path === b.path ? a.span.line - b.span.line || ORDER[a.severity] - ORDER[b.severity] : a.path < b.path ? -1 : 1));
  if (args.flags.has('json')) {
    io.out(
      toJson(
        all.map((f) => ({
          file: f.path,
          line: f.span.line + 1,
          column: f.span.start + 1,
          severity: f.severity,
          kind: f.kind,
          code: f.code,
          message: f.message,
          ...(f.faultReason !== undefined ? { faultReason: f.faultReason } : {}),
        })),
      ),
    );
  } else {
    for (const f of all) io.out(`${f.path}:${f.span.line + 1}:${f.span.start + 1}: ${f.severity} [${f.kind}/${f.code}] ${f.message}`);
    const count = (s: string) => all.filter((f) => f.severity === s).length;
    io.out(`${all.length === 0 ? 'no findings' : `${count('error')} error(s), ${count('warning')} warning(s), ${count('info') + count('hint')} note(s)`} in ${args.positional.join(', ')}`);
  }
  if (all.some((f) => f.severity === 'error')) return 1;
  // A file left out means the check is incomplete: not a success.
  return all.some((f) => f.code === 'left-out') ? 3 : 0;
}
