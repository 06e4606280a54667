// Where the fields of a table row lie on its line, shared by the rows that
// print their fields in the same columns.
//
// A Span object for each field of each row was most of what the parsers
// allocated, and as the records are kept, each of them cost about as much
// again in garbage collection. The kernel prints its tables with fixed
// widths, so the rows of a table nearly always have their fields in the same
// columns: a row record keeps its line number, the length of its line and a
// RowColumns shared with the rows printed alike, and spanOf() makes the Span
// of a field when someone asks for it. (The length of the line stays in the
// record, as lines of the same fields differ in length where values are not
// padded.)

import type { Span } from './types';

/** The fields of one shape of row, in the order their columns are stored. */
export class FieldOrder<F extends string> {
  private readonly index = new Map<string, number>();

  constructor(readonly names: readonly F[]) {
    names.forEach((name, k) => this.index.set(name, k));
  }

  /** Position of `field` in the order, or -1 when rows of this shape do not print it. */
  position(field: F): number {
    return this.index.get(field) ?? -1;
  }
}

/** [start, end) of each field of a row on its line. */
export class RowColumns<F extends string> {
  constructor(
    readonly order: FieldOrder<F>,
    /** The start and the end of each field of `order`. */
    private readonly bounds: Int32Array,
  ) {}

  /** Where `field` starts on the line, -1 when the row does not print it. */
  start(field: F): number {
    const k = this.order.position(field);
    return k < 0 ? -1 : this.bounds[2 * k];
  }

  /** Where `field` ends on the line, -1 when the row does not print it. */
  end(field: F): number {
    const k = this.order.position(field);
    return k < 0 ? -1 : this.bounds[2 * k + 1];
  }

  /** True when `bounds` holds the same numbers for the same order. */
  sameAs(order: FieldOrder<F>, bounds: Int32Array): boolean {
    const b = this.bounds;
    if (this.order !== order || b.length !== 2 * order.names.length) return false;
    for (let k = 0; k < b.length; k++) if (b[k] !== bounds[k]) return false;
    return true;
  }

  /** As JSON (`viommu decode --json`): the columns of each field by name. */
  toJSON(): Record<string, { start: number; end: number }> {
    const out: Record<string, { start: number; end: number }> = {};
    this.order.names.forEach((name, k) => (out[name] = { start: this.bounds[2 * k], end: this.bounds[2 * k + 1] }));
    return out;
  }
}

/** A row record: its line, the line's length and the columns of its fields. */
interface ColumnRow<F extends string> {
  line: number;
  lineEnd: number;
  columns: RowColumns<F>;
}

/**
 * The span of a field of a row ('line': the whole line). A field the row
 * does not print gets an empty span at the end of its line.
 */
export function spanOf<F extends string>(row: ColumnRow<F>, field: F | 'line'): Span {
  const { line, lineEnd } = row;
  if (field === 'line') return { line, start: 0, end: lineEnd };
  const start = row.columns.start(field);
  return start < 0 ? { line, start: lineEnd, end: lineEnd } : { line, start, end: row.columns.end(field) };
}

/** The table of recent columns has 2^SLOT_BITS slots. */
const SLOT_BITS = 6;
const SLOTS = 1 << SLOT_BITS;

/**
 * Hands out the RowColumns of the rows a parser reads, the same object for
 * rows with the same columns: the previous row's when nothing moved (the
 * usual case), else a recent one with the same numbers (found by a hash).
 */
export class RowColumnsCache<F extends string> {
  /** Where the parser writes the columns of the row it reads: start and end of each field. */
  readonly bounds: Int32Array;
  private last: RowColumns<F> | undefined;
  private readonly recent: (RowColumns<F> | undefined)[] = new Array<RowColumns<F> | undefined>(SLOTS).fill(undefined);

  constructor(maxFields: number) {
    this.bounds = new Int32Array(2 * maxFields);
  }

  /** The RowColumns of `bounds` for rows of shape `order`. */
  get(order: FieldOrder<F>): RowColumns<F> {
    const bounds = this.bounds;
    const last = this.last;
    if (last !== undefined && last.sameAs(order, bounds)) return last;
    const n = 2 * order.names.length;
    let h = n;
    for (let k = 0; k < n; k++) h = (Math.imul(h, 31) + bounds[k]) | 0;
    const slot = Math.imul(h, 0x9e3779b1) >>> (32 - SLOT_BITS);
    let found = this.recent[slot];
    if (found === undefined || !found.sameAs(order, bounds)) {
      found = new RowColumns(order, bounds.slice(0, n));
      this.recent[slot] = found;
    }
    this.last = found;
    return found;
  }
}
