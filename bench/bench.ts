// `npm run bench`: prints the speed figures, each beside its baseline from the same run.

import { join } from 'node:path';
import { parseBench } from './parseBench';

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
