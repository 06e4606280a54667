// The hot path of ir_translation_struct: an IRTE row
//   remapped: " %-5d %02x:%02x.%01x %08x %02x  %016llx\t%016llx"
//   posted:   " %-5d %02x:%02x.%01x %08x %08x %02x  %016llx\t%016llx"
// read in place from the file text in one pass, with the 32-bit halves of
// both qwords kept so the column checks need no bigint arithmetic. A row in
// any other shape is left to the general parser (parseRow).

import type { IrRow, IrRowField } from './irTranslation';
import { LineScanner, U64Cache } from '../fastScan';
import { FieldOrder, RowColumnsCache } from '../rowColumns';

/** The fields of an IRTE row whose columns are kept, in this order. */
export const IR_ROW = new FieldOrder<IrRowField>(['index', 'sid', 'hi', 'lo']);

export class IrRowScanner {
  /** IRTE bits 127:96, 95:64, 63:32 and 31:0 of the last row scan() returned. */
  readonly words = new Uint32Array(4);
  /** The columns of the rows of the file, scanned or not. */
  readonly columns = new RowColumnsCache<IrRowField>(4);
  /** The bigints of the file's IRTE qwords. */
  readonly values = new U64Cache();

  /**
   * The row on the scanner's line, or undefined when it is not one in the
   * canonical shape. On success `words` holds the IRTE's 32-bit words.
   */
  scan(sc: LineScanner): IrRow | undefined {
    const from = sc.start;
    const end = sc.end;
    // The index: decimal.
    const is = sc.skipBlanks(from);
    const ie = sc.decimalDigits(is);
    if (ie <= is || ie - is > 9 || !sc.wordEndsAt(ie)) return undefined;
    const index = sc.decimal;
    const bs = sc.skipBlanks(ie);
    const sid = sc.bdfAt(bs);
    const be = bs + 7;
    if (sid < 0 || be >= end) return undefined;
    // DstID (remapped) or PDA_high and PDA_low (posted), then the vector:
    // two or three words of at most 8 hex digits.
    const hex = sc.hex;
    const w1s = sc.skipBlanks(be);
    const w1e = sc.hexDigits(w1s);
    if (w1e <= w1s || w1e - w1s > 8 || !sc.wordEndsAt(w1e)) return undefined;
    const a = hex[1];
    const w2s = sc.skipBlanks(w1e);
    const w2e = sc.hexDigits(w2s);
    if (w2e <= w2s || w2e - w2s > 8 || !sc.wordEndsAt(w2e)) return undefined;
    const b = hex[1];
    // Then the vector (posted rows) or the high qword (remapped rows).
    let vector: number;
    let posted: boolean;
    let hs = sc.skipBlanks(w2e);
    let he = sc.hexDigits(hs);
    if (he <= hs || !sc.wordEndsAt(he)) return undefined;
    if (he - hs <= 2) {
      // A third short word: the vector of a posted row.
      posted = true;
      vector = hex[1];
      hs = sc.skipBlanks(he);
      he = sc.hexDigits(hs);
      if (he <= hs || !sc.wordEndsAt(he)) return undefined;
    } else {
      if (w2e - w2s > 2) return undefined;
      posted = false;
      vector = b;
    }
    if (he - hs > 16) return undefined;
    const words = this.words;
    words[0] = hex[0];
    words[1] = hex[1];
    const ls = sc.skipBlanks(he);
    // "%016llx" as printed, else any run of at most 16 digits.
    const le = sc.hex16At(ls) ? ls + 16 : sc.hexDigits(ls);
    if (le <= ls || le - ls > 16 || !sc.restIsBlank(le)) return undefined;
    words[2] = hex[0];
    words[3] = hex[1];
    const hi = this.values.get(words[0], words[1]);
    const lo = this.values.get(words[2], words[3]);
    const bounds = this.columns.bounds;
    bounds[0] = is - from;
    bounds[1] = ie - from;
    bounds[2] = bs - from;
    bounds[3] = be - from;
    bounds[4] = hs - from;
    bounds[5] = he - from;
    bounds[6] = ls - from;
    bounds[7] = le - from;
    const line = sc.line;
    const lineEnd = end - from;
    const columns = this.columns.get(IR_ROW);
    // One literal per shape (the optional columns come last, as parseRow adds
    // them), so no row grows a property store after it is made.
    if (posted) return { kind: 'irte-row', index, sid, vector, hi, lo, line, lineEnd, columns, pdaHigh: a, pdaLow: b };
    return { kind: 'irte-row', index, sid, vector, hi, lo, line, lineEnd, columns, destId: a };
  }
}
