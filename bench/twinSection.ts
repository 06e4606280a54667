// The VM lane's twin table in the bench report: the figures come from the
// last `npm run test:qemu` (test-results/qemu/twin.json), since booting
// guests is the lane's job, not the bench's.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TWIN_KNOWN_DIFFERENCES, type TwinRow } from '../src/vm/twin';
import type { BenchSection } from './report';

const FIGURES = ['queued-invalidation submissions', 'page-selective invalidations', 'domain-selective invalidations', 'device-TLB descriptors', 'IOTLB fills (misses)', 'IOTLB hits'];

export function twinSection(root: string): BenchSection {
  const path = join(root, 'test-results', 'qemu', 'twin.json');
  const title = 'VM lane twin: each real guest\'s twin phase (100 echoes over virtio-net) against the simulator\'s scenario of it, per echo, simulated / real';
  if (!existsSync(path)) {
    return { title, columns: ['variant'], rows: [], notes: ['No twin table yet: `npm run test:qemu` writes test-results/qemu/twin.json.'], data: null };
  }
  const twins = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { rows?: TwinRow[]; problem?: string }>;
  const rows = Object.entries(twins).map(([variant, t]) => {
    if (!t.rows) return [variant, t.problem ?? 'no twin', ...FIGURES.map(() => '')];
    const cell = (f: string) => {
      const r = t.rows!.find((x) => x.figure === f);
      return r ? `${r.simulated.toFixed(2)} / ${r.real.toFixed(2)}${r.within ? '' : ' (off)'}` : '';
    };
    return [variant, `${t.rows.filter((r) => r.within).length} of ${t.rows.length}`, ...FIGURES.map(cell)];
  });
  return {
    title,
    columns: ['variant', 'within ±10 %', ...FIGURES],
    rows,
    notes: [`From the VM lane run of ${statSync(path).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC (test-results/qemu/twin.md has every figure).`, ...TWIN_KNOWN_DIFFERENCES],
    data: twins,
  };
}
