// A semantic diff of two captures: what was added, removed or changed, by the
// names the VT-d specification gives the fields, each difference pointing at
// the lines of both captures it comes from.

import type { Location } from '../types';

export type DiffSection = 'units' | 'requesters' | 'domains' | 'mappings' | 'irtes';

export const DIFF_SECTIONS: readonly DiffSection[] = ['units', 'requesters', 'domains', 'mappings', 'irtes'];

/** One field that differs, by its specification name. */
export interface FieldChange {
  field: string;
  /** The field's long name ("Domain Identifier"). */
  title: string;
  before: string;
  after: string;
}

export interface Difference {
  section: DiffSection;
  /** What it is about: "00:03.0 context entry", "IRTE 17 of dmar0", "dmar0 CAP", a domain and an IOVA range. */
  subject: string;
  change: 'added' | 'removed' | 'changed';
  /** Changed entries: the fields that differ. */
  fields?: FieldChange[];
  /** A few words more: what an added or removed entry was, an IOVA range and where it mapped. */
  detail?: string;
  /** Where the first capture shows it, and where the second does. */
  left?: Location;
  right?: Location;
}

export interface CaptureDiff {
  differences: Difference[];
  counts: Record<DiffSection, number>;
  /** How things were matched, and what could not be compared. */
  notes: string[];
}
