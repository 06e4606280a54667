// viommu reverse CAPTURE --hpa ADDR [--json]: who maps this host page; exit 1 when nothing does.

import { ReverseMap } from '../../model/reverseMap';
import { multiUnit, requesterName } from '../../model/keys';
import { hex, parseNumber, sizeName } from '../../vtd/u64';
import { loadOneCapture } from '../loadCapture';
import { flagString, parseArgs, UsageError } from '../args';
import { renderTable } from '../table';
import { toJson } from '../json';
import type { CommandIO } from './io';

export function runReverse(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, ['hpa'], ['json']);
  if (args.positional.length !== 1) throw new UsageError('reverse takes one CAPTURE folder');
  const hpaText = flagString(args, 'hpa');
  if (!hpaText) throw new UsageError('reverse needs --hpa ADDR');
  const hpa = parseNumber(hpaText);
  if (hpa === undefined) throw new UsageError(`--hpa ${hpaText}: expected a 64-bit number`);
  const { capture } = loadOneCapture(args.positional[0], io);
  const hits = new ReverseMap(capture).lookup(hpa);
  const list = hits.map(({ hit, iova }) => ({
    did: hit.did,
    unit: hit.domain.unit,
    requesters: hit.requesters.map((r) => requesterName(capture, r)),
    iova,
    pageIova: hit.mapping.iova,
    pageSize: hit.mapping.size,
    hpaPage: hit.mapping.hpa,
    permissions: (hit.mapping.read ? 'R' : '') + (hit.mapping.write ? 'W' : ''),
    file: hit.file,
    line: hit.line + 1,
  }));
  if (args.flags.has('json')) {
    io.out(toJson({ hpa, mappings: list }));
  } else if (list.length === 0) {
    io.out(`no IOVA of the capture maps host address ${hex(hpa)}`);
  } else {
    io.out(`host address ${hex(hpa)} is reached by ${list.length} mapping(s):`);
    io.out(
      renderTable(
        ['DID', 'requesters', 'IOVA', 'page', 'perm', 'where'],
        list.map((m) => [multiUnit(capture) && m.unit ? `${m.unit} ${m.did}` : String(m.did), m.requesters.join(' '), hex(m.iova), `${hex(m.pageIova)} (${sizeName(m.pageSize)})`, m.permissions, `${m.file}:${m.line}`]),
        io.width,
      ),
    );
  }
  // No mapping reaches it: exit 1, as grep does when nothing matches.
  return list.length === 0 ? 1 : 0;
}
