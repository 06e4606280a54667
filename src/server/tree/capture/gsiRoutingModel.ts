// What the GSI Routing view shows, read from the capture: each guest IRQ of
// /proc/interrupts with the IRTE the capture links it to, sorted into MSI,
// IOAPIC and what could not be linked (IRQs without an IRTE, IRTEs without
// an IRQ), with the trigger mode /proc/interrupts gives each IRQ.

import type { ProcInterruptsRow } from '../../../dumps/procInterrupts';
import type { Capture, GuestIrq, IrteView } from '../../../model/types';

export type GsiGroup = 'msi' | 'ioapic' | 'other';

export interface RoutedIrq {
  irq: GuestIrq;
  irte?: IrteView;
  group: GsiGroup;
  /** The /proc/interrupts row (its trigger, its per-CPU counts). */
  row?: ProcInterruptsRow;
}

interface GsiLayout {
  irqs: RoutedIrq[];
  /** IRTEs no IRQ of the capture is linked to. */
  unlinkedIrtes: IrteView[];
}

const cache = new WeakMap<Capture, GsiLayout>();

function isIoapic(irq: GuestIrq): boolean {
  return irq.chip.includes('IO-APIC');
}

function procRow(capture: Capture, irq: GuestIrq): ProcInterruptsRow | undefined {
  const p = capture.files.find((f) => f.name === irq.location.file)?.parsed;
  if (p?.format !== 'proc_interrupts') return undefined;
  for (const table of p.records) for (const row of table.rows) if (row.line === irq.location.span.line) return row;
  return undefined;
}

export function gsiLayoutOf(capture: Capture): GsiLayout {
  let out = cache.get(capture);
  if (out) return out;
  const irteOf = new Map<GuestIrq, IrteView>();
  for (const e of capture.irtes) for (const q of e.irqs) if (!irteOf.has(q)) irteOf.set(q, e);
  const irqs: RoutedIrq[] = capture.irqs.map((irq) => {
    const irte = irteOf.get(irq);
    const group: GsiGroup = !irte ? 'other' : isIoapic(irq) ? 'ioapic' : 'msi';
    return { irq, irte, group, row: procRow(capture, irq) };
  });
  irqs.sort((a, b) => Number(a.irq.irq) - Number(b.irq.irq));
  out = { irqs, unlinkedIrtes: capture.irtes.filter((e) => e.irqs.length === 0) };
  cache.set(capture, out);
  return out;
}

/** Level-triggered pins ("fasteoi", "level" in /proc/interrupts) and edge ones. */
export function isLevelTriggered(r: RoutedIrq): boolean {
  const t = r.row?.trigger;
  return t === 'fasteoi' || t === 'level';
}

/** Why an IRQ has no IRTE in the capture. */
export function whyUnlinked(r: RoutedIrq, capture: Capture): string {
  const chip = r.irq.chip;
  if (chip === 'DMAR-MSI') return 'the IOMMU\'s own fault-event interrupt: never remapped';
  if (!r.irq.remapped) return 'not remapped (the chip is not an interrupt-remapping one)';
  if (isIoapic(r.irq)) {
    const traced = capture.files.some((f) => f.parsed?.format === 'qemu_trace');
    return traced ? 'the QEMU trace does not name this pin\'s IRTE' : 'no QEMU trace in the capture to name this pin\'s IRTE';
  }
  return 'no IRTE with this requester id in the capture';
}
