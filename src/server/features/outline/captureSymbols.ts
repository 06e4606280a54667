// What one capture offers the workspace symbol search: its units,
// requesters, domains, IRTEs and faults, each at the line that defines it
// (a requester and its domain at the context entry, an IRTE at its row, a
// fault at its kernel-log line).

import { SymbolKind, type SymbolInformation } from 'vscode-languageserver/node';
import { basename } from 'node:path';
import type { Capture, Location } from '../../../model/types';
import { formatBdf } from '../../../model/bdf';
import { domainName, requesterName } from '../../../model/keys';
import { hex } from '../../../vtd/u64';
import type { CaptureEntry } from '../../captureWorkspace';
import { spanRange } from './symbolBuild';

/** Whether a symbol name is wanted; false once enough symbols are found. */
interface SymbolSink {
  wants(name: string): boolean;
  add(s: SymbolInformation): void;
  full(): boolean;
}

function captureName(entry: CaptureEntry): string {
  if (entry.folder) return basename(entry.folder);
  const first = entry.uris.keys().next();
  return first.done ? 'untitled' : first.value;
}

function faultName(f: Capture['faults'][number]): string {
  if (f.kind === 'interrupt') return `INTR-REMAP fault ${f.bdf}${f.index !== undefined ? ` index ${hex(f.index)}` : ''}`;
  return `DMA ${f.write ? 'write' : 'read'} fault ${f.bdf}${f.address !== undefined ? ` ${hex(f.address)}` : ''}`;
}

/** Adds the capture's symbols that the sink wants. */
export function captureSymbols(entry: CaptureEntry, sink: SymbolSink): void {
  const capture = entry.capture;
  const where = captureName(entry);
  const push = (name: string, kind: SymbolKind, location: Location | undefined, container: string) => {
    if (!location || sink.full() || !sink.wants(name)) return;
    const uri = entry.uris.get(location.file);
    if (!uri) return;
    sink.add({ name, kind, location: { uri, range: spanRange(location.span) }, containerName: container });
  };

  for (const u of capture.units) push(u.name, SymbolKind.Module, u.locations[0], where);

  for (const r of capture.requesters.values()) {
    const location = r.context?.location ?? r.tables[0]?.location;
    const facts = [r.unit, r.did !== undefined ? `DID ${r.did}` : undefined, r.group !== undefined ? `group ${r.group}` : undefined].filter((x) => x);
    push(requesterName(capture, r), SymbolKind.Struct, location, `${where}${facts.length ? ': ' + facts.join(', ') : ''}`);
  }

  for (const d of capture.domains.values()) {
    const first = d.requesters.find((r) => r.context);
    const devices = d.requesters.map((r) => requesterName(capture, r)).join(' ');
    push(domainName(capture, d), SymbolKind.Namespace, first?.context?.location ?? d.table?.location, `${where}: ${devices}`);
  }

  for (const e of capture.irtes) {
    const requester = formatBdf(e.info.sid);
    push(`IRTE ${e.index}`, SymbolKind.Field, e.location, `${where}: ${e.unit} ${e.posted ? 'posted' : 'remapped'}, ${requester}, vector ${hex(e.info.vector)}`);
  }

  for (const f of capture.faults) push(faultName(f), SymbolKind.Event, f.location, `${where}: ${f.reason !== undefined ? `reason ${hex(f.reason, 2)} ` : ''}${f.reasonText}`);
}
