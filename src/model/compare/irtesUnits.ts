// IRTEs compared by unit and index, field by field; IOMMU units by name, each
// register by its name and, when it changed, field by field.

import { decodeRegister } from '../../vtd/registers';
import { hex } from '../../vtd/u64';
import type { Capture, IommuUnit, IrteView } from '../types';
import { fieldChanges } from './fieldDiff';
import type { Difference } from './types';

function irteKey(e: IrteView): string {
  return `${e.unit}:${e.index}`;
}

export function compareIrtes(a: Capture, b: Capture): Difference[] {
  const left = new Map(a.irtes.map((e) => [irteKey(e), e]));
  const right = new Map(b.irtes.map((e) => [irteKey(e), e]));
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort((x, y) => {
    const [ux, ix] = x.split(':');
    const [uy, iy] = y.split(':');
    return ux < uy ? -1 : ux > uy ? 1 : Number(ix) - Number(iy);
  });
  const out: Difference[] = [];
  for (const key of keys) {
    const l = left.get(key);
    const r = right.get(key);
    const e = (l ?? r) as IrteView;
    const subject = `IRTE ${e.index} of ${e.unit}`;
    if (l && r) {
      const fields = fieldChanges(l.decoded, r.decoded);
      if (fields.length) out.push({ section: 'irtes', subject, change: 'changed', fields, left: l.location, right: r.location });
    } else if (l) {
      out.push({ section: 'irtes', subject, change: 'removed', detail: l.decoded.summary, left: l.location });
    } else if (r) {
      out.push({ section: 'irtes', subject, change: 'added', detail: r.decoded.summary, right: r.location });
    }
  }
  return out;
}

function registerDiffs(l: IommuUnit, r: IommuUnit): Difference[] {
  const out: Difference[] = [];
  const names = [...new Set([...l.registers.keys(), ...r.registers.keys()])];
  for (const name of names) {
    const a = l.registers.get(name);
    const b = r.registers.get(name);
    if (a === b) continue;
    const subject = `${l.name} ${name}`;
    const left = l.registerLocations.get(name);
    const right = r.registerLocations.get(name);
    if (a !== undefined && b !== undefined) {
      const fields = fieldChanges(decodeRegister(name, a), decodeRegister(name, b));
      out.push({ section: 'units', subject, change: 'changed', fields: fields.length ? fields : [{ field: name, title: 'Register', before: hex(a), after: hex(b) }], left, right });
    } else if (a !== undefined) {
      out.push({ section: 'units', subject, change: 'removed', detail: hex(a), left });
    } else if (b !== undefined) {
      out.push({ section: 'units', subject, change: 'added', detail: hex(b), right });
    }
  }
  return out;
}

export function compareUnits(a: Capture, b: Capture): Difference[] {
  const left = new Map(a.units.map((u) => [u.name, u]));
  const right = new Map(b.units.map((u) => [u.name, u]));
  const out: Difference[] = [];
  for (const name of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const l = left.get(name);
    const r = right.get(name);
    if (l && r) out.push(...registerDiffs(l, r));
    else if (l) out.push({ section: 'units', subject: name, change: 'removed', detail: `${l.registers.size} registers`, left: l.locations[0] });
    else if (r) out.push({ section: 'units', subject: name, change: 'added', detail: `${r.registers.size} registers`, right: r.locations[0] });
  }
  return out;
}
