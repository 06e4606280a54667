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
      'The split baseline is V8 String.split, which makes lazy sliced strings (about 25 ns a line); merely reading every character once with charCodeAt ("char loop") already costs 1.5-7x that, and each object the parsers keep (a record, its qwords, counts or arguments, a 64-bit bigint) costs about a line of split. Records keep their line and shared columns instead of a Span per field, so objects / line counts records and their arrays. The figures of one build vary by up to a third from run to run (V8 decides per allocation site whether records go straight to the old generation). bench/parseBench.ts explains the figures.',
    ],
    data: figures,
  };
}
