// A 100 MB trace with one odd line per event would otherwise produce a
// million findings. Findings are kept per code up to a limit; the rest are
// counted and summed up in one closing finding per code.

import type { Finding } from '../types';

export const FINDINGS_PER_CODE = 200;

export class FindingLimiter {
  readonly findings: Finding[] = [];
  private readonly counts = new Map<string, number>();
  private readonly firstDropped = new Map<string, Finding>();

  add(f: Finding): void {
    const n = (this.counts.get(f.code) ?? 0) + 1;
    this.counts.set(f.code, n);
    if (n <= FINDINGS_PER_CODE) this.findings.push(f);
    else if (n === FINDINGS_PER_CODE + 1) this.firstDropped.set(f.code, f);
  }

  /** The kept findings plus one summary per code that went over the limit. */
  finish(): Finding[] {
    for (const [code, first] of this.firstDropped) {
      const more = (this.counts.get(code) ?? 0) - FINDINGS_PER_CODE;
      this.findings.push({
        severity: first.severity,
        kind: first.kind,
        code,
        message: `${more} more finding(s) like this one (${code}) were not listed; the first of them is here.`,
        span: first.span,
      });
    }
    return this.findings;
  }
}
