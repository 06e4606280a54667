// The parse-throughput section of the bench report.

import { parseBench } from './parseBench';
import type { BenchSection } from './report';

export function parseSection(captureDir: string): BenchSection {
  const figures = parseBench(captureDir);
  return {
    title: 'Parse throughput of the in-memory parsers (the language server\'s, records as objects): real capture files inflated to ~16 MB, best of 3, beside a loop over every byte of the same text',
    columns: ['format', 'MB', 'parse MB/s', 'byte loop MB/s', 'byte loop / parse', 'char loop MB/s', 'objects / line', 'findings'],
    rows: figures.map((f) => [
      f.format,
      f.megabytes.toFixed(1),
      f.parseMBps.toFixed(0),
      f.byteLoopMBps.toFixed(0),
      `${f.ratio.toFixed(2)}x`,
      f.charLoopMBps.toFixed(0),
      f.objectsPerLine.toFixed(1),
      String(f.findings),
    ]),
    notes: [
      'The byte loop reads every byte of the text as a Buffer once and does nothing else: the floor of any parser in JavaScript (String.split, the old yardstick, never reads the characters). Reading a string\'s characters ("char loop") costs more, and each object the parsers keep (a record, its qwords, counts or arguments, a 64-bit bigint) costs its allocation and collection; objects / line counts records and their arrays. The streamed parsers of traces and page-table dumps (columns, no objects) are in the "Any size" section, beside the byte loop and a C parser. Figures of one build vary by up to a third from run to run (V8 decides per allocation site whether records go straight to the old generation). bench/parseBench.ts explains the figures.',
    ],
    data: figures,
  };
}
