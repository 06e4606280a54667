// viommu decode PATH [--json]: every raw value of a file or capture, decoded.

import { decodedEntries } from '../../model/decodeFile';
import { decodeScopeOf } from '../../model/decodeScope';
import { loadOneCapture } from '../loadCapture';
import { decodedJson, recordsJson, toJson } from '../json';
import { parseArgs, UsageError } from '../args';
import type { CommandIO } from './io';

export function runDecode(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, [], ['json']);
  if (args.positional.length !== 1) throw new UsageError('decode takes one PATH (a dump file or a capture folder)');
  const path = args.positional[0];
  const { capture, focus } = loadOneCapture(path, io);
  const scope = decodeScopeOf(capture);
  // A file of a capture folder is decoded with what its folder says (its unit's CAP, its table's stage).
  const shown = focus !== undefined ? capture.files.filter((f) => f.name === focus) : capture.files;
  const files = shown.map((f) => {
    const p = f.parsed;
    if (!p) return { file: f.name, format: null, records: [], decoded: [] };
    return {
      file: f.name,
      format: p.format,
      dialect: p.dialect,
      lineCount: p.lineCount,
      records: recordsJson(p),
      decoded: decodedEntries(p, scope, f.lines).map(decodedJson),
      findings: p.findings.map((x) => ({ ...x, line: x.span.line + 1 })),
    };
  });
  if (args.flags.has('json')) {
    io.out(toJson(focus !== undefined || files.length === 1 ? files[0] : { capture: path, files }));
    return 0;
  }
  for (const f of shown) {
    const p = f.parsed;
    io.out(`== ${f.name}: ${p ? p.format : 'unknown format'}${p && p.dialect.length ? ` (${p.dialect.join('; ')})` : ''}`);
    if (!p) continue;
    const entries = decodedEntries(p, scope, f.lines);
    const width = String(p.lineCount).length;
    for (const e of entries) {
      const flag = e.structure.findings.length ? ' !' : '';
      io.out(`${String(e.span.line + 1).padStart(width)}  ${e.label}: ${e.structure.summary}${flag}`);
      for (const x of e.structure.findings) io.out(`${' '.repeat(width)}    ${x.severity}: ${x.message}`);
    }
    if (entries.length === 0) io.out(`${p.records.length} record(s), nothing to decode bit by bit`);
    io.out('');
  }
  return 0;
}
