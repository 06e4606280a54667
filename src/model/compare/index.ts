// "vIOMMU: Compare Captures…": a semantic diff of two captures, by section
// (units and their registers, requesters and their context entries, domains,
// mappings, IRTEs), each change named by specification field.

import type { Capture } from '../types';
import { compareDomains } from './domains';
import { compareIrtes, compareUnits } from './irtesUnits';
import { compareRequesters } from './requesters';
import { DIFF_SECTIONS, type CaptureDiff, type DiffSection } from './types';

export type { CaptureDiff, Difference, DiffSection, FieldChange } from './types';
export { DIFF_SECTIONS } from './types';

const COMPARE_NOTES: readonly string[] = [
  'Requesters are matched by source id, IRTEs by unit and index, units by name, registers by name.',
  'Domains are matched by unit and page-table root (SLPTPTR): a changed DID shows on the context entries that carry it, not as a domain removed and another added.',
  'Mappings are compared leaf by leaf in IOVA order; contiguous leaves with the same change are one range.',
];

export function compareCaptures(a: Capture, b: Capture): CaptureDiff {
  const differences = [...compareUnits(a, b), ...compareRequesters(a, b), ...compareDomains(a, b), ...compareIrtes(a, b)];
  const counts = Object.fromEntries(DIFF_SECTIONS.map((s) => [s, 0])) as Record<DiffSection, number>;
  for (const d of differences) counts[d.section]++;
  return { differences, counts, notes: [...COMPARE_NOTES] };
}
