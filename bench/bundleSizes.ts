// Bundle sizes and the bench process's peak memory.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './report';

export function bundleSection(root: string): BenchSection {
  const dist = join(root, 'dist');
  const files = existsSync(dist) ? readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith('.js')) : [];
  const data = files.map((f) => ({ file: `dist/${f}`, bytes: statSync(join(dist, f)).size }));
  const peakMB = process.resourceUsage().maxRSS / 1024;
  return {
    title: 'Bundles (esbuild, development build with source maps beside them) and the bench process',
    columns: ['what', 'size'],
    rows: [...data.map((d) => [d.file, `${(d.bytes / 1024).toFixed(0)} KiB`]), ['bench process peak RSS', `${peakMB.toFixed(0)} MiB`]],
    data: { bundles: data, benchPeakRssMB: peakMB },
  };
}
