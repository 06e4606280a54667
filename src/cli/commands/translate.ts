// viommu translate CAPTURE --bdf [SSSS:]BB:DD.F --iova ADDR [--pasid N] [--unit dmarN] [--write] [--json]

import { parseRequesterName } from '../../model/bdf';
import { translate, type WalkResult } from '../../model/walk';
import { hex, parseNumber, qwordsHex, sizeName } from '../../vtd/u64';
import { loadOneCapture } from '../loadCapture';
import { flagString, parseArgs, UsageError } from '../args';
import { renderTable } from '../table';
import { toJson } from '../json';
import type { CommandIO } from './io';

export function runTranslate(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, ['bdf', 'iova', 'pasid', 'unit'], ['write', 'json']);
  if (args.positional.length !== 1) throw new UsageError('translate takes one CAPTURE folder');
  const bdfText = flagString(args, 'bdf');
  const iovaText = flagString(args, 'iova');
  if (!bdfText || !iovaText) throw new UsageError('translate needs --bdf BB:DD.F and --iova ADDR');
  const name = parseRequesterName(bdfText);
  if (name === undefined) throw new UsageError(`--bdf ${bdfText}: expected BB:DD.F such as 00:02.0, or SSSS:BB:DD.F with its PCI segment`);
  const iova = parseNumber(iovaText);
  if (iova === undefined) throw new UsageError(`--iova ${iovaText}: expected a 64-bit number (0x... or decimal)`);
  const pasidText = flagString(args, 'pasid');
  const pasid = pasidText === undefined ? undefined : parseNumber(pasidText, 20);
  if (pasidText !== undefined && pasid === undefined) throw new UsageError(`--pasid ${pasidText}: expected a 20-bit number`);

  const { capture } = loadOneCapture(args.positional[0], io);
  const unit = flagString(args, 'unit');
  const result = translate(capture, { sid: name.sid, segment: name.segment, unit, iova, pasid: pasid === undefined ? undefined : Number(pasid), write: args.flags.has('write') });
  if (args.flags.has('json')) {
    io.out(toJson(walkJson(result)));
  } else {
    io.out(renderWalk(result, bdfText, io.width));
  }
  // 0 translated; 1 a fault (or an interrupt-window request); 3 unknown: the capture lacks what the walk needs.
  return result.ok ? 0 : result.outcome === 'unknown' ? 3 : 1;
}

function walkJson(r: WalkResult): unknown {
  return {
    ok: r.ok,
    outcome: r.outcome,
    platform: r.platform,
    hpa: r.hpa,
    pageSize: r.pageSize,
    permissions: r.permissions,
    steps: r.steps.map((s) => ({
      kind: s.kind,
      name: s.name,
      level: s.level,
      tableAddress: s.tableAddress,
      index: s.index,
      iovaBits: s.iovaBits,
      entry: s.entry,
      visible: s.visible,
      note: s.note,
      fields: s.decoded ? Object.fromEntries(s.decoded.fields.filter((f) => !f.reserved).map((f) => [f.name, hex(f.raw)])) : undefined,
      location: s.location ? { file: s.location.file, line: s.location.span.line + 1, column: s.location.span.start + 1 } : undefined,
    })),
    fault: r.fault ? { reason: r.fault.reason, name: r.fault.name, description: r.fault.description } : undefined,
    alternative: r.alternative ? { on: r.alternative.on, reason: r.alternative.reason, name: r.alternative.name, description: r.alternative.description } : undefined,
    suppressed: r.suppressed,
    recordedPasid: r.recordedPasid,
    unknown: r.unknown,
    notes: r.notes,
  };
}

function renderWalk(r: WalkResult, bdf: string, width?: number): string {
  const rows = r.steps.map((s) => [
    s.name,
    s.tableAddress !== undefined ? hex(s.tableAddress) : '',
    s.index !== undefined ? String(s.index) : '',
    s.iovaBits ? `${s.iovaBits[0]}:${s.iovaBits[1]}` : '',
    s.entry !== undefined ? qwordsHex(s.entry) : s.visible ? '' : '(not shown)',
    s.location ? `${s.location.file}:${s.location.span.line + 1}` : '',
    s.note,
  ]);
  const head = `${r.request.write ? 'write' : 'read'} ${bdf} IOVA ${hex(r.request.iova)}${r.request.pasid !== undefined ? ` PASID ${r.request.pasid}` : ''}`;
  const table = renderTable(['step', 'table', 'index', 'IOVA bits', 'entry', 'where', 'decoded'], rows, width);
  const outcome =
    r.outcome === 'translated'
      ? `=> host address ${hex(r.hpa!)} (${sizeName(r.pageSize!)} page, ${r.permissions})`
      : r.outcome === 'fault' && r.fault
        ? `=> fault ${hex(r.fault.reason, 2)} ${r.fault.name}: ${r.fault.description}${r.platform === 'qemu' ? " (as QEMU's intel-iommu records it)" : ''}${r.suppressed ? ' (not recorded: FPD = 1)' : ''}`
        : r.outcome === 'interrupt-window'
          ? '=> not a DMA translation: the interrupt window'
          : `=> unknown: ${r.unknown ?? 'the capture does not show enough to finish the walk'}`;
  return [head, table, outcome, ...r.notes.map((n) => `note: ${n}`)].join('\n');
}
