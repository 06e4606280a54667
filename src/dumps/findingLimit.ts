// A 100 MB file with one odd line per record would otherwise produce a
// million findings (out of memory at 20 MB of /proc/interrupts garbage).
// Findings are kept per code up to a limit; the rest are counted and summed
// up in one closing finding per code. Messages quote the file's text, which
// can be megabytes long: they are cut. Every line-based parser keeps its
// findings here (the debugfs parsers' FindingList caps them likewise).

import type { Finding } from './types';

export const FINDINGS_PER_CODE = 200;
/** Longest finding message. */
const MAX_MESSAGE = 300;

export class FindingLimiter {
  readonly findings: Finding[] = [];
  private readonly counts = new Map<string, number>();
  private readonly firstDropped = new Map<string, Finding>();

  add(f: Finding): void {
    if (f.message.length > MAX_MESSAGE) f.message = f.message.slice(0, MAX_MESSAGE - 3) + '...';
    const n = (this.counts.get(f.code) ?? 0) + 1;
    this.counts.set(f.code, n);
    if (n <= FINDINGS_PER_CODE) this.findings.push(f);
    else if (n === FINDINGS_PER_CODE + 1) this.firstDropped.set(f.code, f);
  }

  /** Where the findings are now, to go back to with restore() (a parse resumed before its last, partial line). */
  mark(): LimiterMark {
    return { kept: this.findings.length, counts: new Map(this.counts), firstDropped: new Map(this.firstDropped) };
  }

  restore(m: LimiterMark): void {
    this.findings.length = m.kept;
    this.counts.clear();
    for (const [k, v] of m.counts) this.counts.set(k, v);
    this.firstDropped.clear();
    for (const [k, v] of m.firstDropped) this.firstDropped.set(k, v);
  }

  /** The kept findings plus one summary per code that went over the limit (a new list: adding may go on). */
  finish(): Finding[] {
    const out = this.findings.slice();
    for (const [code, first] of this.firstDropped) {
      const more = (this.counts.get(code) ?? 0) - FINDINGS_PER_CODE;
      out.push({
        severity: first.severity,
        kind: first.kind,
        code,
        message: `${more} more finding(s) like this one (${code}) were not listed; the first of them is here.`,
        span: first.span,
      });
    }
    return out;
  }
}

export interface LimiterMark {
  kept: number;
  counts: Map<string, number>;
  firstDropped: Map<string, Finding>;
}

/** The finding for a line too long to be a line of the format: it is not read. */
export function longLine(line: number, length: number, max: number): Finding {
  return { severity: 'warning', kind: 'syntax', code: 'line-too-long', message: `Line of ${length} characters, longer than any line of this format (${max}): not read.`, span: { line, start: 0, end: 0 } };
}
