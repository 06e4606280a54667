// viommu check PATH... [--json]: findings of each file or capture; exit 1 on any error.

import { buildCapture } from '../../model/buildCapture';
import type { Finding } from '../../dumps/types';
import { readCapture } from '../captureFolder';
import { parseArgs, UsageError } from '../args';
import { toJson } from '../json';
import type { CommandIO } from './io';
import { join } from 'node:path';
import { statSync } from 'node:fs';

const ORDER: Record<string, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function runCheck(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, [], ['json']);
  if (args.positional.length === 0) throw new UsageError('check takes one or more PATHs');
  const all: (Finding & { path: string })[] = [];
  for (const path of args.positional) {
    const read = readCapture(path);
    for (const s of read.skipped) io.err(`viommu: skipped ${s.name}: ${s.reason}`);
    const capture = buildCapture(read.files, { leftOut: read.skipped });
    const isDir = statSync(path).isDirectory();
    for (const f of capture.findings) all.push({ ...f, path: isDir && f.file ? join(path, f.file) : path });
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
  return all.some((f) => f.severity === 'error') ? 1 : 0;
}
