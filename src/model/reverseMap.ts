// Reverse map: from a host page to every requester, domain and IOVA that maps
// it (half-page receive buffers map one page from two IOVAs, a domain shared
// by a group maps it for every member).

import type { Capture, Domain, Mapping, Requester } from './types';
import { mappingsOf } from './mappings';

interface ReverseHit {
  domain: Domain;
  did: number;
  requesters: Requester[];
  iova: bigint;
  mapping: Mapping;
  file: string;
  /** 0-based line of the leaf's row in the dump. */
  line: number;
}

/** Host page (4 KiB aligned, or a huge page's base) → the mappings that reach it. */
export class ReverseMap {
  private readonly small = new Map<bigint, ReverseHit[]>();
  private readonly huge: ReverseHit[] = [];

  constructor(capture: Capture) {
    for (const d of capture.domains.values()) this.addDomain(d);
  }

  private addDomain(d: Domain): void {
    const t = d.table;
    if (!t) return;
    for (const m of mappingsOf(t.rows)) {
      const hit: ReverseHit = { domain: d, did: d.did, requesters: d.requesters, iova: m.iova, mapping: m, file: t.file, line: t.rows.line(m.row) };
      if (m.size === 4096n) {
        const list = this.small.get(m.hpa);
        if (list) list.push(hit);
        else this.small.set(m.hpa, [hit]);
      } else {
        this.huge.push(hit);
      }
    }
  }

  /** Every mapping whose page holds `hpa`, with the IOVA of that exact byte. */
  lookup(hpa: bigint): { hit: ReverseHit; iova: bigint }[] {
    const page = hpa & ~0xfffn;
    const out: { hit: ReverseHit; iova: bigint }[] = [];
    for (const hit of this.small.get(page) ?? []) out.push({ hit, iova: hit.iova + (hpa & 0xfffn) });
    for (const hit of this.huge) {
      const m = hit.mapping;
      if (hpa >= m.hpa && hpa < m.hpa + m.size) out.push({ hit, iova: hit.iova + (hpa - m.hpa) });
    }
    return out;
  }

  /** Host pages mapped by more than one IOVA (aliases). */
  aliases(): { hpa: bigint; hits: ReverseHit[] }[] {
    const out: { hpa: bigint; hits: ReverseHit[] }[] = [];
    for (const [hpa, hits] of this.small) if (hits.length > 1) out.push({ hpa, hits });
    return out.sort((a, b) => (a.hpa < b.hpa ? -1 : a.hpa > b.hpa ? 1 : 0));
  }
}
