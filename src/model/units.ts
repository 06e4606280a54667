// IOMMU units (DMAR units: dmar0, dmar1, ...) from the register dump, with the
// kernel log's "reg_base_addr ... cap ... ecap" line as a fallback.

import { capInfo, ecapInfo } from '../vtd/registers';
import { spanOf } from '../dumps/rowColumns';
import { bitSet, bitsOf } from '../vtd/u64';
import type { DecodeContext } from '../vtd/layout';
import type { IommuUnit, ParsedFile } from './types';

function unitOf(units: Map<string, IommuUnit>, name: string): IommuUnit {
  let u = units.get(name);
  if (!u) {
    u = { name, registers: new Map(), registerLocations: new Map(), mode: 'unknown', locations: [] };
    units.set(name, u);
  }
  return u;
}

/** Builds the units from every file that names one. */
export function collectUnits(files: readonly ParsedFile[]): Map<string, IommuUnit> {
  const units = new Map<string, IommuUnit>();
  let iqaWrite: string | undefined;
  for (const f of files) {
    const p = f.parsed;
    if (!p) continue;
    if (p.format === 'iommu_regset') {
      for (const r of p.records) {
        const u = unitOf(units, r.unit);
        u.baseAddress = r.baseAddress;
        u.locations.push({ file: f.name, span: r.span });
        for (const reg of r.registers) {
          u.registers.set(reg.name, reg.value);
          u.registerLocations.set(reg.name, { file: f.name, span: spanOf(reg, 'value') });
        }
      }
    } else if (p.format === 'dmesg') {
      for (const r of p.records) {
        if (r.kind !== 'unit-info') continue;
        const u = unitOf(units, r.unit);
        u.baseAddress ??= r.regBase;
        if (!u.registers.has('CAP')) {
          u.registers.set('CAP', r.cap);
          u.registerLocations.set('CAP', { file: f.name, span: r.capSpan });
        }
        if (!u.registers.has('ECAP')) {
          u.registers.set('ECAP', r.ecap);
          u.registerLocations.set('ECAP', { file: f.name, span: r.ecapSpan });
        }
        u.locations.push({ file: f.name, span: r.span });
      }
    } else if (p.format === 'dmar_translation_struct') {
      for (const r of p.records) {
        const u = unitOf(units, r.unit);
        u.rootTableAddress ??= r.rootTableAddress;
        if (r.notEnabled) u.translationEnabled = false;
        if (r.rows.some((row) => row.pasid >= 0) && u.mode === 'unknown') u.mode = 'scalable';
      }
    } else if (p.format === 'invalidation_queue') {
      for (const q of p.records) if (q.wide) unitOf(units, q.unit).queue256From ??= `${f.name} (qw0..qw3 columns)`;
    } else if (p.format === 'qemu_trace') {
      // The guest's write of IQA (offset 0x90) with DW set; QEMU emulates one unit.
      const w = p.records.find((e) => e.name === 'vtd_reg_write' && e.args.addr === 0x90n && typeof e.args.val === 'bigint' && (e.args.val & 0x800n) !== 0n);
      if (w) iqaWrite = `${f.name} line ${w.line + 1} (the guest wrote IQA with DW = 1)`;
    } else if (p.format === 'ir_translation_struct') {
      for (const r of p.records) {
        const u = unitOf(units, r.unit);
        if (r.tableAddress !== undefined) u.irTableAddress ??= r.tableAddress;
      }
    }
  }
  if (iqaWrite && units.size === 1) for (const u of units.values()) u.queue256From ??= iqaWrite;
  for (const u of units.values()) deriveUnitState(u);
  return units;
}

/** Fills in what the registers say: mode, what is enabled, table addresses. */
function deriveUnitState(u: IommuUnit): void {
  const r = u.registers;
  const cap = r.get('CAP');
  const ecap = r.get('ECAP');
  if (cap !== undefined) {
    u.cap = cap;
    u.capInfo = capInfo(cap);
  }
  if (ecap !== undefined) {
    u.ecap = ecap;
    u.ecapInfo = ecapInfo(ecap);
  }
  const gsts = r.get('GSTS');
  if (gsts !== undefined) {
    u.translationEnabled = bitSet(gsts, 31);
    u.queuedInvalidationEnabled = bitSet(gsts, 26);
    u.interruptRemappingEnabled = bitSet(gsts, 25);
  }
  const rtaddr = r.get('RTADDR');
  if (rtaddr !== undefined) {
    u.rootTableAddress = rtaddr & ~0xfffn;
    u.mode = bitsOf(rtaddr, 11, 10) === 1n ? 'scalable' : 'legacy';
  } else if (u.mode === 'unknown' && u.rootTableAddress !== undefined) {
    u.mode = 'legacy';
  }
  const irta = r.get('IRTA');
  if (irta !== undefined) {
    u.irTableAddress = irta & ~0xfffn;
    u.x2apic = bitSet(irta, 11);
    u.x2apicFrom = 'IRTA.EIME';
  }
}

/**
 * Whether each unit's IRTEs carry x2APIC destinations, decided once per unit:
 * IRTA.EIME when the registers show it (deriveUnitState), else the kernel
 * log's "Enabled IRQ remapping in x2apic|xapic mode", else all of the unit's
 * remapped entries together: a destination with bits outside 15:8 is only
 * possible in x2APIC mode, so one such entry decides x2APIC for them all.
 */
export function decideIrteModes(files: readonly ParsedFile[], units: Map<string, IommuUnit>): void {
  let logMode: boolean | undefined;
  const outside15to8 = new Map<string, boolean>();
  for (const f of files) {
    const p = f.parsed;
    if (p?.format === 'dmesg') {
      for (const r of p.records) if (r.kind === 'dmar-info' && r.key === 'ir-mode') logMode = r.value.toLowerCase().startsWith('x2apic');
    } else if (p?.format === 'ir_translation_struct') {
      for (const t of p.records) {
        if (t.section === 'posted') continue;
        let any = outside15to8.get(t.unit) ?? false;
        for (const e of t.entries) if ((Number((e.lo >> 32n) & 0xffffffffn) & 0xffff00ff) !== 0) any = true;
        outside15to8.set(t.unit, any);
      }
    }
  }
  for (const [name, any] of outside15to8) {
    const u = unitOf(units, name);
    if (u.x2apicFrom === 'IRTA.EIME') continue;
    if (logMode !== undefined) {
      u.x2apic = logMode;
      u.x2apicFrom = 'kernel log';
    } else {
      u.x2apic = any;
      u.x2apicFrom = 'entries';
    }
  }
}

/** What decoders may know about entries of this unit. */
export function decodeContextOf(u: IommuUnit | undefined): DecodeContext {
  if (!u) return {};
  const ctx: DecodeContext = {};
  if (u.cap !== undefined) ctx.cap = u.cap;
  if (u.ecap !== undefined) ctx.ecap = u.ecap;
  if (u.capInfo) ctx.haw = u.capInfo.mgaw;
  if (u.x2apic !== undefined) ctx.eime = u.x2apic;
  if (u.mode !== 'unknown') ctx.scalable = u.mode === 'scalable';
  if (u.queue256From !== undefined) ctx.queue256From = u.queue256From;
  return ctx;
}
