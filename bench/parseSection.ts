// The parse-throughput section of the bench report.

import { parseBench } from './parseBench';
import type { BenchSection } from './report';

export function parseSection(captureDir: string): BenchSection {
  const figures = parseBench(captureDir);
  return {
    title: 'Parse throughput: real capture files inflated to ~16 MB, best of 3, beside a plain line split of the same text (target: parse within 3x of the split)',
    columns: ['format', 'MB', 'parse MB/s', 'split MB/s', 'parse / split', 'char loop MB/s', 'objects / line', 'findings'],
    rows: figures.map((f) => [
      f.format,
      f.megabytes.toFixed(1),
      f.parseMBps.toFixed(0),
      f.splitMBps.toFixed(0),
      `${f.ratio.toFixed(2)}x${f.ratio > 3 ? ' (over target)' : ''}`,
      f.charLoopMBps.toFixed(0),
      f.objectsPerLine.toFixed(1),
      String(f.findings),
    ]),
    notes: [
      'The split baseline is V8 String.split, which makes lazy sliced strings (about 25 ns a line); merely reading every character once with charCodeAt ("char loop") already costs 1.5-7x that, and each record object, span and 64-bit bigint the parsers return costs about a line of split. bench/parseBench.ts explains the figures.',
    ],
    data: figures,
  };
}
