// What happened: the invalidation descriptors still in the queue ring, the
// faults of the kernel log, and the IOMMU groups.

import { decodeInvDescriptor, invDescriptorInfo } from '../vtd/invalidation';
import { spanOf } from '../dumps/rowColumns';
import type { FaultView, IommuUnit, InvalidationView, ParsedFile, Requester } from './types';
import { decodeContextOf } from './units';
import { formatBdf, makeSid } from './bdf';
import type { RequesterRegistry } from './requesters';
import { QEMU_MESSAGE } from '../dumps/qemuTrace/index';
import { faultReason } from '../vtd/faultReasons';

/**
 * Descriptors of the invalidation queue, oldest first. The slot at the tail is
 * the next one software writes, so the ring's history starts there.
 */
export function collectInvalidations(files: readonly ParsedFile[], units: Map<string, IommuUnit>): InvalidationView[] {
  const out: InvalidationView[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'invalidation_queue') continue;
    for (const q of p.records) {
      const ctx = decodeContextOf(units.get(q.unit));
      const size = Math.max(q.descriptors.length, 1);
      for (const d of q.descriptors) {
        if (d.qwords.every((w) => w === 0n)) continue;
        out.push({
          unit: q.unit,
          index: d.index,
          order: (d.index - q.tail + size) % size,
          qwords: d.qwords,
          info: invDescriptorInfo(d.qwords),
          decoded: decodeInvDescriptor(d.qwords, ctx),
          status: d.status,
          location: { file: f.name, span: spanOf(d, 'line') },
        });
      }
    }
  }
  return out.sort((a, b) => (a.unit === b.unit ? a.order - b.order : a.unit < b.unit ? -1 : 1));
}

/** DMA and interrupt-remapping faults of the kernel log, with the table dump after each. */
export function collectFaults(files: readonly ParsedFile[], registry: RequesterRegistry): FaultView[] {
  const out: FaultView[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'dmesg') continue;
    let last: FaultView | undefined;
    for (const r of p.records) {
      if (r.kind === 'dmar-fault' || r.kind === 'ir-fault') {
        const sid = makeSid(r.bus, r.dev, r.fn);
        last = {
          id: out.length,
          kind: r.kind === 'dmar-fault' ? 'dma' : 'interrupt',
          source: 'kernel-log',
          sid,
          bdf: formatBdf(sid),
          reason: r.reason,
          reasonText: r.reasonText,
          time: r.time,
          location: { file: f.name, span: r.span },
        };
        if (r.kind === 'dmar-fault') {
          last.address = r.address;
          last.write = r.type === 'write';
          last.pasid = r.pasid;
        } else {
          last.index = r.index;
        }
        out.push(last);
      } else if (r.kind === 'fault-dump' && last?.address !== undefined && (r.iova === last.address || r.iova === (last.address & ~0xfffn))) {
        // The kernel dumps the walk of the fault it just printed, naming its unit.
        last.dumpLocation = { file: f.name, span: r.span };
        last.unit = r.unit;
      }
    }
  }
  out.push(...qemuMessageFaults(files, out.length));
  // Tie each fault to its requester once the dump after it has named the unit.
  for (const fault of out) {
    const r = registry.ensure(fault.sid, fault.unit !== undefined ? { unit: fault.unit } : {});
    r.faults.push(fault.id);
    fault.requester = r;
  }
  return out;
}

/**
 * QEMU's "detected translation failure (dev=BB:DD:FF, iova=0x...)" messages
 * among a trace's events, as faults; the reason is the one of the
 * vtd_dmar_fault event QEMU traced just before for the same request, when
 * there is one.
 */
function qemuMessageFaults(files: readonly ParsedFile[], firstId: number): FaultView[] {
  const out: FaultView[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'qemu_trace') continue;
    let lastFault: (typeof p.records)[number] | undefined;
    for (const e of p.records) {
      if (e.name === 'vtd_dmar_fault') lastFault = e;
      if (e.name !== QEMU_MESSAGE || typeof e.args.iova !== 'bigint' || typeof e.args.bus !== 'number') continue;
      const sid = makeSid(e.args.bus, Number(e.args.dev), Number(e.args.fn));
      const iova = e.args.iova;
      const traced = lastFault && lastFault.args.sid === sid && typeof lastFault.args.addr === 'bigint' && lastFault.args.addr >> 12n === iova >> 12n ? lastFault : undefined;
      const reason = traced && typeof traced.args.fault === 'number' ? traced.args.fault : undefined;
      out.push({
        id: firstId + out.length,
        kind: 'dma',
        source: 'qemu-message',
        sid,
        bdf: formatBdf(sid),
        address: iova,
        ...(traced && typeof traced.args.is_write === 'boolean' ? { write: traced.args.is_write } : {}),
        ...(reason !== undefined ? { reason } : {}),
        reasonText: reason !== undefined ? faultReason(reason).description : 'QEMU does not print the reason',
        ...(e.time !== undefined ? { time: e.time } : {}),
        location: { file: f.name, span: { line: e.line, start: 0, end: e.lineEnd } },
      });
    }
  }
  return out;
}

/** IOMMU groups: from the iommu_groups listing, else from the kernel log's "Adding to iommu group". */
export function collectGroups(files: readonly ParsedFile[], registry: RequesterRegistry): Map<number, Requester[]> {
  const groups = new Map<number, Requester[]>();
  const add = (group: number, sid: number, segment?: number) => {
    const list = groups.get(group) ?? [];
    const r = registry.ensure(sid, segment !== undefined ? { segment } : {});
    if (!list.includes(r)) list.push(r);
    groups.set(group, list);
    r.group = group;
  };
  for (const f of files) {
    const p = f.parsed;
    if (p?.format === 'iommu_groups') {
      for (const g of p.records) for (const d of g.devices) add(g.group, makeSid(d.bus, d.dev, d.fn), d.segment);
    }
  }
  if (groups.size === 0) {
    for (const f of files) {
      const p = f.parsed;
      if (p?.format !== 'dmesg') continue;
      for (const r of p.records) {
        if (r.kind === 'dmar-info' && r.key === 'group-add' && r.bdf !== undefined && r.group !== undefined) add(r.group, r.bdf, r.segment);
      }
    }
  }
  return groups;
}
