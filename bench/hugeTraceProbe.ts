// Run by the bench as a child (with peakProbe): a generated trace of N GiB
// (argv[2]) streamed through the same StreamedFile the CLI uses, both passes,
// generated again for each pass and never written to disk. Prints the bytes,
// the time and what the replay counted, as JSON.

import { join } from 'node:path';
import { traceChunks, traceSourceLines } from './generateLarge';
import { buildCapture } from '../src/model/buildCapture';
import { describeStreamed, StreamedFile } from '../src/model/streamedFile';

const gib = Number(process.argv[2] ?? '10');
const bytes = gib * 1024 ** 3;
const root = join(__dirname, '..', '..');
const source = traceSourceLines(root);
const head = source.slice(0, 100).join('\n');
const file = new StreamedFile('huge.trace', head, buildCapture([]));
const t = performance.now();
let read = 0;
for (let pass = 0; pass < file.passes; pass++) {
  file.startPass();
  read = 0;
  for (const chunk of traceChunks(source, bytes, 4 << 20, 4)) {
    file.push(chunk);
    read += chunk.length;
  }
  file.endPass();
}
const ms = performance.now() - t;
const r = file.result(read);
process.stdout.write(JSON.stringify({ bytes: read, ms, summary: describeStreamed(r.file.streamed!) }) + '\n');
