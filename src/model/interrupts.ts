// Interrupt remapping: IRTEs with their source ids, the guest IRQs of
// /proc/interrupts, and the links between them.
//
// Linux does not print which IRTE an IRQ uses, so the links are made from
// what the capture does show: QEMU's trace names the IRTE index an IOAPIC pin
// resolves to (`vtd_warn_ir_vector ... index I vec PIN`, Linux writing the pin
// into the RTE vector field); MSIs are matched by requester id and the order
// in which the kernel allocated the vectors and the entries.

import { decodeIrte, irteInfo } from '../vtd/irte';
import { spanOf } from '../dumps/rowColumns';
import type { GuestIrq, IommuUnit, IrteView, ParsedFile } from './types';
import { decodeContextOf } from './units';
import type { RequesterRegistry } from './requesters';

export function collectIrtes(files: readonly ParsedFile[], units: Map<string, IommuUnit>): IrteView[] {
  const out: IrteView[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'ir_translation_struct') continue;
    for (const table of p.records) {
      const ctx = decodeContextOf(units.get(table.unit));
      for (const e of table.entries) {
        out.push({
          unit: table.unit,
          index: e.index,
          hi: e.hi,
          lo: e.lo,
          posted: table.section === 'posted',
          info: irteInfo(e.hi, e.lo, ctx),
          decoded: decodeIrte(e.hi, e.lo, ctx),
          location: { file: f.name, span: spanOf(e, 'line') },
          irqs: [],
        });
      }
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export function collectIrqs(files: readonly ParsedFile[]): GuestIrq[] {
  const out: GuestIrq[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'proc_interrupts') continue;
    for (const table of p.records) {
      for (const row of table.rows) {
        if (!row.chip) continue;
        out.push({
          irq: row.irq,
          chip: row.chip,
          remapped: row.remapped,
          name: row.name,
          hwirq: row.hwirq,
          requesterId: row.requesterId,
          ...(row.segment !== undefined ? { segment: row.segment } : {}),
          msiIndex: row.msiIndex,
          total: row.counts.reduce((a, b) => a + b, 0),
          location: { file: f.name, span: spanOf(row, 'line') },
        });
      }
    }
  }
  return out;
}

/** IOAPIC pin per IRTE index, as QEMU's trace shows it. */
function pinsFromTrace(files: readonly ParsedFile[]): Map<number, number> {
  const pins = new Map<number, number>();
  for (const f of files) {
    const p = f.parsed;
    if (p?.format !== 'qemu_trace') continue;
    for (const e of p.records) {
      if (e.name !== 'vtd_warn_ir_vector') continue;
      const sid = Number(e.args.sid);
      const index = Number(e.args.index);
      const vec = Number(e.args.vec);
      if (sid === 0xffff && Number.isFinite(index) && Number.isFinite(vec)) pins.set(index, vec);
    }
  }
  return pins;
}

/** Links IRTEs, IRQs and requesters. */
export function linkInterrupts(files: readonly ParsedFile[], irtes: IrteView[], irqs: GuestIrq[], registry: RequesterRegistry): void {
  for (const irq of irqs) {
    if (irq.requesterId !== undefined) registry.ensure(irq.requesterId, irq.segment !== undefined ? { segment: irq.segment } : {}).irqs.push(irq);
  }
  // MSI: the k-th IRTE of a source id serves its k-th MSI vector.
  const bySource = new Map<number, IrteView[]>();
  for (const e of irtes) {
    const list = bySource.get(e.info.sid) ?? [];
    list.push(e);
    bySource.set(e.info.sid, list);
  }
  for (const [sid, entries] of bySource) {
    const r = registry.get(sid, { unit: entries[0].unit });
    if (r) r.irteIndices.push(...entries.map((e) => e.index));
    const msis = irqs.filter((q) => q.requesterId === sid).sort((a, b) => (a.msiIndex ?? 0) - (b.msiIndex ?? 0));
    entries.forEach((e, k) => {
      if (msis[k]) {
        e.irqs.push(msis[k]);
        e.linkedBy = 'source-and-order';
      }
    });
  }
  // IOAPIC: the trace names the pin of each IRTE it resolved.
  const pins = pinsFromTrace(files);
  const ioapicIrqs = irqs.filter((q) => q.chip.includes('IO-APIC'));
  for (const e of irtes) {
    const pin = pins.get(e.index);
    if (pin === undefined) continue;
    const irq = ioapicIrqs.find((q) => q.hwirq === pin);
    if (irq && !e.irqs.includes(irq)) {
      e.irqs.push(irq);
      e.linkedBy = 'trace';
    }
  }
  linkLastPin(irtes, irqs, ioapicIrqs);
}

/**
 * A pin that never fired is not in the trace (ACPI's SCI, usually). When one
 * IOAPIC IRQ and one IOAPIC entry are all that is left unlinked, they belong
 * together: Linux gives each IOAPIC pin it sets up one IRTE of the IOAPIC's
 * source id. The IOAPIC's source id is the one of the entries the trace
 * linked to pins (QEMU's is ff:00.0), and no MSI requester uses it.
 */
function linkLastPin(irtes: IrteView[], irqs: GuestIrq[], ioapicIrqs: GuestIrq[]): void {
  const linked = new Set(irtes.flatMap((e) => e.irqs));
  const pinsLeft = ioapicIrqs.filter((q) => q.remapped && !linked.has(q));
  if (pinsLeft.length !== 1) return;
  const ioapicSids = new Set(irtes.filter((e) => e.linkedBy === 'trace').map((e) => e.info.sid));
  if (ioapicSids.size === 0) return;
  const msiSids = new Set(irqs.filter((q) => q.requesterId !== undefined).map((q) => q.requesterId));
  const entriesLeft = irtes.filter((e) => e.irqs.length === 0 && e.info.present && ioapicSids.has(e.info.sid) && !msiSids.has(e.info.sid));
  if (entriesLeft.length !== 1) return;
  entriesLeft[0].irqs.push(pinsLeft[0]);
  entriesLeft[0].linkedBy = 'elimination';
}
