// `npm run bench`: prints the speed figures, each beside its baseline from the same run.

import { join } from 'node:path';
import { parseBench } from './parseBench';
import { lspBench } from './lspBench';

const root = join(__dirname, '..', '..');
const capture = join(root, 'test', 'fixtures', 'captures', 'linux-6.1-qemu-7.2-legacy');

function pad(s: string, n: number): string {
  return s.padEnd(n);
}

console.log('Parse throughput (real capture files repeated to ~16 MB; best of 3):');
console.log(`${pad('format', 28)}${pad('MB', 8)}${pad('parse MB/s', 12)}${pad('split MB/s', 12)}parse/split`);
for (const f of parseBench(capture)) {
  console.log(`${pad(f.format, 28)}${pad(f.megabytes.toFixed(1), 8)}${pad(f.parseMBps.toFixed(0), 12)}${pad(f.splitMBps.toFixed(0), 12)}${f.ratio.toFixed(2)}x${f.ratio > 3 ? '  (above the 3x target)' : ''}`);
}

async function lspFigures(): Promise<void> {
  console.log('');
  console.log('Language server over stdio (generated per-device page-table dumps; 300 hovers on random rows):');
  console.log(`${pad('file MB', 10)}${pad('rows', 10)}${pad('first diag ms', 15)}${pad('edit diag ms', 14)}${pad('hover p50 ms', 14)}${pad('hover p99 ms', 14)}${pad('RSS MB', 10)}${pad('retained MB', 13)}retained / file`);
  for (const mb of [10, 50]) {
    const f = await lspBench(mb);
    console.log(
      `${pad(f.megabytes.toFixed(1), 10)}${pad(String(f.rows), 10)}${pad(f.firstDiagnosticsMs.toFixed(0), 15)}${pad(f.editDiagnosticsMs.toFixed(0), 14)}${pad(f.hoverP50Ms.toFixed(2), 14)}${pad(f.hoverP99Ms.toFixed(2), 14)}${pad(f.rssMB.toFixed(0), 10)}${pad(f.retainedMB.toFixed(0), 13)}${f.retainedPerFileSize.toFixed(2)}x`,
    );
  }
  console.log('targets: first diagnostics of 50 MB within 2000 ms, hover p99 under 10 ms, memory under 4x the file size (retained: heap + typed arrays after a full collection; RSS also holds freed heap V8 has not returned)');
}

void lspFigures().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
