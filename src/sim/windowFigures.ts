// The twin table's figures (model/traceReplay/windowFigures.ts) of a
// simulated run, read from its event log, whose kinds mirror QEMU's trace
// events one for one: what a real trace of the same run would count.

import { emptyFigures, maskBucket, type DescriptorKind, type WindowFigures } from '../model/traceReplay/windowFigures';
import { K } from './events/kinds';
import type { EventLog } from './events/log';

/** VT-d descriptor type codes (spec 6.5.2): 1 context-cache, 2 IOTLB, 3 device-TLB, 4 IEC, 5 wait, 6 PASID-IOTLB, 7 PASID-cache. */
const TYPES: Record<number, DescriptorKind> = { 1: 'context-cache', 2: 'iotlb', 3: 'device-tlb', 4: 'iec', 5: 'wait', 6: 'pasid-iotlb', 7: 'pasid-cache' };

export function simWindowFigures(log: EventLog, filter: { sid?: number; did?: number; fromIndex?: number } = {}): WindowFigures {
  const f = emptyFigures();
  for (let i = filter.fromIndex ?? 0; i < log.count; i++) {
    const kind = log.kindAt(i);
    switch (kind) {
      case K.qiSubmit:
        f.submissions++;
        break;
      case K.invDesc: {
        const e = log.get(i);
        f.descriptors[TYPES[e.c] ?? 'other']++;
        break;
      }
      case K.iotlbInvalidate: {
        const e = log.get(i);
        const did = e.bLo;
        if (e.c === 1) f.globalInvalidations++;
        if (filter.did !== undefined && did !== filter.did) break;
        if (e.c === 2 || e.c === 6) f.dsi++;
        if (e.c === 3 || e.c === 7) {
          f.psi++;
          const bucket = maskBucket(e.d >>> 20);
          f.psiByMask[bucket] = (f.psiByMask[bucket] ?? 0) + 1;
        }
        break;
      }
      case K.iotlbUpdate:
        if (filter.sid === undefined || log.get(i).sid === filter.sid) f.fills++;
        break;
      case K.iotlbHit:
        if (filter.sid === undefined || log.get(i).sid === filter.sid) f.hits++;
        break;
      case K.iotlbReset:
        f.resets++;
        break;
      case K.ccInvalidate:
        f.contextCacheInvalidations++;
        break;
      case K.iecNotify:
        f.iecInvalidations++;
        break;
    }
  }
  return f;
}
