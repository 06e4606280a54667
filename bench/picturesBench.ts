// The pictures section of `npm run bench`: the trace timeline of a
// generated trace of a million events (real lines of the fixture traces,
// addresses and stamps moved on), from its parsed events to the message the
// webview draws: the columns' build and their JSON, beside the parse the
// open trace already paid, best of 3. (The drawing itself runs in the
// webview's canvas: the lane checks it draws, not how fast.)

import { join } from 'node:path';
import { parseQemuTrace } from '../src/dumps/qemuTrace/index';
import { traceTimeline } from '../src/model/traceReplay/timeline';
import { traceChunks, traceSourceLines } from './generateLarge';
import type { BenchSection } from './report';

export function picturesSection(root: string): BenchSection {
  const source = traceSourceLines(root);
  const parts: string[] = [];
  let lines = 0;
  for (const chunk of traceChunks(source, 80 * 1024 * 1024)) {
    parts.push(chunk);
    lines += chunk.split('\n').length - 1;
    if (lines >= 1_000_000) break;
  }
  const text = parts.join('');
  let parseMs = Infinity;
  let events: ReturnType<typeof parseQemuTrace>['records'] = [];
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    events = parseQemuTrace(text).records;
    parseMs = Math.min(parseMs, performance.now() - t);
  }
  let buildMs = Infinity;
  let jsonMs = Infinity;
  let bytes = 0;
  let columns = 0;
  let lanes = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const t = traceTimeline(events);
    const t1 = performance.now();
    const json = JSON.stringify(t);
    const t2 = performance.now();
    buildMs = Math.min(buildMs, t1 - t0);
    jsonMs = Math.min(jsonMs, t2 - t1);
    bytes = json.length;
    columns = t.x.length;
    lanes = t.lanes.length;
  }
  const first = buildMs + jsonMs;
  return {
    title: `Pictures: the timeline of a ${(events.length / 1e6).toFixed(2)} M-event trace (target: first picture within 1 s)`,
    columns: ['what', 'ms (best of 3)', 'note'],
    rows: [
      ['parse (paid when the trace is opened)', parseMs.toFixed(0), `${(text.length / 1e6).toFixed(0)} MB`],
      ['timeline columns from the events', buildMs.toFixed(0), `${columns} columns, ${lanes} lanes`],
      ['the message to the webview (JSON)', jsonMs.toFixed(0), `${(bytes / 1024).toFixed(0)} KiB`],
      ['first picture (columns + message)', first.toFixed(0), first < 1000 ? 'within 1 s' : 'over 1 s'],
    ],
    data: { events: events.length, parseMs, buildMs, jsonMs, bytes, columns, lanes },
  };
}

if (require.main === module) {
  const { printSection } = require('./report') as typeof import('./report');
  printSection(picturesSection(join(__dirname, '..', '..')));
}
