// The hot path of dmar_translation_struct: a v5.3+ row
//   "%02x:%02x.%x\t0x%016llx:0x%016llx\t0x%016llx:0x%016llx\t%-6d\t0x%016llx:0x%016llx:0x%016llx"
// read in place from the file text. The root entry is the same on every row
// of a bus and the PASID entry is all zeros on every legacy-mode row, so each
// of those two columns is first compared with the previous row's text (a
// native comparison, no string made) and its values reused when it matches;
// the rest is read character by character. A row in any other shape is left
// to the general parser (parseNewRow), which reads it as a string.

import type { DmarRow, DmarRowField } from './dmarTranslation';
import { LineScanner, U64Cache } from '../fastScan';
import { FieldOrder, RowColumnsCache } from '../rowColumns';

/** The fields of a v5.3+ row, in the order their columns are kept. */
export const NEW_ROW = new FieldOrder<DmarRowField>(['bdf', 'root', 'context', 'pasid', 'pasidEntry']);

/** One column of "0x<hex>:0x<hex>[:0x<hex>]" groups: its last text and values. */
class GroupColumn {
  /** The text of the last group read with `remember`, '' when there is none. */
  private text = '';
  readonly values: bigint[];
  /**
   * The values of the last group read with `remember`, the last printed
   * first: one array, shared by the rows that print the same group.
   */
  lastFirst: readonly bigint[] = [];

  constructor(
    readonly count: number,
    private readonly cache: U64Cache,
  ) {
    this.values = new Array<bigint>(count).fill(0n);
  }

  /**
   * Reads the group at i (its values into `values`); returns its end, or -1
   * when the word there is not such a group. With `remember`, a group equal
   * to the previous one is recognised by one comparison, and `lastFirst` is
   * a new array only when the group is a new one.
   */
  read(sc: LineScanner, i: number, remember: boolean): number {
    const text = sc.text;
    if (remember) {
      const last = this.text;
      const e = i + last.length;
      if (last.length > 0 && sc.textAt(i, last) && sc.wordEndsAt(e)) return e;
      // `values` no longer goes with `text` once a value below is read.
      this.text = '';
    }
    const start = i;
    const hex = sc.hex;
    for (let k = 0; k < this.count; k++) {
      if (k > 0) {
        if (text.charCodeAt(i) !== 58 /* : */) return -1;
        i++;
      }
      if (!sc.has0x(i)) return -1;
      // "0x%016llx" as printed, else any run of at most 16 significant digits.
      const e = sc.hex16At(i + 2) ? i + 18 : sc.hexDigits(i + 2);
      if (e <= i + 2 || e - i > 66) return -1;
      this.values[k] = this.cache.get(hex[0], hex[1]);
      i = e;
    }
    if (!sc.wordEndsAt(i)) return -1;
    if (remember) {
      this.text = text.slice(start, i);
      this.lastFirst = this.values.slice().reverse();
    }
    return i;
  }
}

export class DmarRowScanner {
  /** The bigints of the file's entries. */
  readonly values = new U64Cache();
  /** The columns of the rows of the file, scanned or not. */
  readonly columns = new RowColumnsCache<DmarRowField>(5);
  private readonly root = new GroupColumn(2, this.values);
  private readonly context = new GroupColumn(2, this.values);
  private readonly entry = new GroupColumn(3, this.values);

  /**
   * The row on the scanner's line, or undefined when it is not one in the
   * canonical shape. Its PASID entry holds the printed qwords last first (see
   * PendingRow in dmarTranslation.ts).
   */
  scan(sc: LineScanner): DmarRow | undefined {
    const text = sc.text;
    const from = sc.start;
    const bs = sc.skipBlanks(from);
    const sid = sc.bdfAt(bs);
    const be = bs + 7;
    if (sid < 0 || be >= sc.end) return undefined;

    const rs = sc.skipBlanks(be);
    const re = this.root.read(sc, rs, true);
    if (re < 0) return undefined;
    const cs = sc.skipBlanks(re);
    const ce = this.context.read(sc, cs, false);
    if (ce < 0) return undefined;
    // The PASID: -1 (legacy mode) or a decimal below 2^20.
    const ps = sc.skipBlanks(ce);
    let pasid: number;
    let pe: number;
    if (text.charCodeAt(ps) === 45) {
      if (text.charCodeAt(ps + 1) !== 49) return undefined;
      pasid = -1;
      pe = ps + 2;
    } else {
      pe = sc.decimalDigits(ps);
      if (pe <= ps || pe - ps > 7 || sc.decimal >= 1 << 20) return undefined;
      pasid = sc.decimal;
    }
    if (!sc.wordEndsAt(pe)) return undefined;
    const es = sc.skipBlanks(pe);
    const ee = this.entry.read(sc, es, true);
    if (ee < 0 || !sc.restIsBlank(ee)) return undefined;

    const bounds = this.columns.bounds;
    bounds[0] = bs - from;
    bounds[1] = be - from;
    bounds[2] = rs - from;
    bounds[3] = re - from;
    bounds[4] = cs - from;
    bounds[5] = ce - from;
    bounds[6] = ps - from;
    bounds[7] = pe - from;
    bounds[8] = es - from;
    bounds[9] = ee - from;
    const dev = (sid >> 3) & 0x1f;
    const fn = sid & 7;
    const r = this.root.values;
    const c = this.context.values;
    const line = sc.line;
    return {
      kind: 'dmar-row',
      bus: sid >> 8,
      dev,
      fn,
      devfn: (dev << 3) | fn,
      rootHi: r[0],
      rootLo: r[1],
      ctxHi: c[0],
      ctxLo: c[1],
      pasid,
      // The printed qwords last first, as a pending row holds them (see PendingRow).
      pasidEntry: this.entry.lastFirst as DmarRow['pasidEntry'],
      pasidColumns: true,
      line,
      lineEnd: sc.end - from,
      rootLine: line,
      columns: this.columns.get(NEW_ROW),
    };
  }
}
