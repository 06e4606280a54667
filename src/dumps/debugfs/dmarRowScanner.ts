// The hot path of dmar_translation_struct: a v5.3+ row
//   "%02x:%02x.%x\t0x%016llx:0x%016llx\t0x%016llx:0x%016llx\t%-6d\t0x%016llx:0x%016llx:0x%016llx"
// read in place from the file text. The root entry is the same on every row
// of a bus and the PASID entry is all zeros on every legacy-mode row, so each
// of those two columns is first compared with the previous row's text (a
// native string comparison) and its values reused when it matches; the rest
// is read character by character. A row in any other shape is left to the
// general parser (parseNewRow), which reads it as a string.

import type { DmarRow } from './dmarTranslation';
import { LineScanner, U64Column } from '../fastScan';

/** One column of "0x<hex>:0x<hex>[:0x<hex>]" groups: its last text and values. */
class GroupColumn {
  text = '';
  readonly values: bigint[];
  private readonly columns: U64Column[] = [];

  constructor(readonly count: number) {
    this.values = new Array<bigint>(count).fill(0n);
    for (let k = 0; k < count; k++) this.columns.push(new U64Column());
  }

  /**
   * Reads the group at i (its values into `values`); returns its end, or -1
   * when the word there is not such a group. With `remember`, a group equal
   * to the previous one is recognised by one comparison.
   */
  read(sc: LineScanner, i: number, remember: boolean): number {
    const text = sc.text;
    if (remember) {
      const last = this.text;
      const e = i + last.length;
      if (last.length > 0 && e <= sc.end && text.slice(i, e) === last && sc.wordEndsAt(e)) return e;
      // `values` no longer goes with `text` once a value below is read.
      this.text = '';
    }
    const start = i;
    for (let k = 0; k < this.count; k++) {
      if (k > 0) {
        if (text.charCodeAt(i) !== 58 /* : */) return -1;
        i++;
      }
      if (!sc.has0x(i)) return -1;
      const e = sc.hexDigits(i + 2);
      if (e <= i + 2 || e - i > 66) return -1;
      this.values[k] = this.columns[k].get(sc.hex);
      i = e;
    }
    if (!sc.wordEndsAt(i)) return -1;
    if (remember) this.text = text.slice(start, i);
    return i;
  }
}

export class DmarRowScanner {
  private readonly root = new GroupColumn(2);
  private readonly context = new GroupColumn(2);
  private readonly entry = new GroupColumn(3);

  /**
   * The row on the scanner's line, or undefined when it is not one in the
   * canonical shape. Its PASID entry holds the printed qwords last first (see
   * PendingRow in dmarTranslation.ts).
   */
  scan(sc: LineScanner): DmarRow | undefined {
    const text = sc.text;
    const from = sc.start;
    const line = sc.line;
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

    const dev = (sid >> 3) & 0x1f;
    const fn = sid & 7;
    const r = this.root.values;
    const c = this.context.values;
    const p = this.entry.values;
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
      pasidEntry: [p[2], p[1], p[0]],
      span: { line, start: 0, end: sc.end - from },
      bdfSpan: { line, start: bs - from, end: be - from },
      rootSpan: { line, start: rs - from, end: re - from },
      contextSpan: { line, start: cs - from, end: ce - from },
      pasidSpan: { line, start: ps - from, end: pe - from },
      pasidEntrySpan: { line, start: es - from, end: ee - from },
    };
  }
}
