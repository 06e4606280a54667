// A trace QEMU is still writing grows while it is open: the parse goes on
// from where it stopped and must give exactly what a full parse gives,
// wherever the file was cut (mid-line, between a CR and its LF, past the
// findings cap), however many times it grew.

import { strict as assert } from 'node:assert';
import { appendFileSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseQemuTrace, parseQemuTraceAppended } from '../../src/dumps/qemuTrace/index';
import { DocumentAnalysis } from '../../src/server/analysis';
import { CaptureWorkspace } from '../../src/server/captureWorkspace';
import { traceTreeChildren } from '../../src/server/features/traceTreeRequests';
import type { SourceRef } from '../../src/protocol';
import { fixtureText, legacyCaptureDir, legacyCaptureText } from '../helpers';

function mixedTrace(): string {
  const real = legacyCaptureText('qemu-vtd.trace').split('\n').slice(0, 2500);
  const odd = [
    'vtd_unknown_future_event key 0x1 other=2',
    'Hello there, not a trace line',
    'vtd_dmar_fault sid 0x28 fault 6 addr 0xzz write 0',
    'qemu-system-x86_64: vtd_iommu_translate: detected translation failure (dev=00:05:00, iova=0x2345000)',
    '12345@1719999999.123456:vtd_ir_enable enable 1',
  ];
  const lines: string[] = [];
  for (let i = 0; i < real.length; i++) {
    lines.push(real[i]);
    if (i % 7 === 0) lines.push(odd[i % odd.length]);
    if (i === 1200) for (let k = 0; k < 250; k++) lines.push(`garbage line ${k}`);
  }
  // CR-LF lines among LF ones, and a run of bad lines past the per-code cap.
  return lines.map((l, i) => (i % 11 === 0 ? l + '\r' : l)).join('\n') + '\n' + fixtureText('traces/qemu-10.1-iso-timestamps.trace');
}

describe('QEMU trace: a grown file is parsed from where its last parse stopped', () => {
  const text = mixedTrace();
  const whole = parseQemuTrace(text);

  it('the mixed trace has what makes resuming hard: findings past the cap, CR-LF, stamps of two kinds', () => {
    assert.ok(whole.findings.some((f) => /more finding\(s\) like this one/.test(f.message)), 'a capped code');
    assert.ok(whole.dialect.length >= 2, whole.dialect.join('; '));
    assert.ok(whole.records.length > 2500, String(whole.records.length));
  });

  it('gives what a full parse gives, cut anywhere once (120 cases)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const cuts = [0, 1, text.indexOf('\r') + 1, text.indexOf('\r'), text.length - 1, text.length];
    while (cuts.length < 120) cuts.push(rand(text.length));
    for (const k of cuts) {
      const before = parseQemuTrace(text.slice(0, k));
      const records = before.records;
      const after = parseQemuTraceAppended(before, text);
      assert.ok(after, `cut at ${k}`);
      assert.equal(after.records, records, 'the same records array, grown: not a parse from the start');
      assert.deepEqual(after, whole, `cut at ${k}`);
    }
  });

  it('gives what a full parse gives after growing many times (20 cases of 6 steps)', () => {
    let seed = 99;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let c = 0; c < 20; c++) {
      const points = Array.from({ length: 5 }, () => rand(text.length)).sort((a, b) => a - b);
      let r = parseQemuTrace(text.slice(0, points[0]));
      for (const p of [...points.slice(1), text.length]) {
        const next = parseQemuTraceAppended(r, text.slice(0, p));
        assert.ok(next);
        assert.deepEqual(next, parseQemuTrace(text.slice(0, p)), `case ${c}, at ${p}`);
        r = next;
      }
    }
  });

  it('answers undefined when the old text is not where the new one starts (an edit, a rotated log), and for a result it did not make', () => {
    const before = parseQemuTrace(text.slice(0, 5000));
    assert.equal(parseQemuTraceAppended(before, 'x' + text), undefined);
    assert.equal(parseQemuTraceAppended(before, text.slice(0, 4000)), undefined);
    assert.equal(parseQemuTraceAppended({ ...before }, text), undefined);
  });
});

describe('language server: a trace that grows while open, or on disk beside an open file', () => {
  const full = legacyCaptureText('qemu-vtd.trace');
  const half = full.slice(0, Math.floor(full.length / 2) + 17); // mid-line

  it('an open trace: the edit that appends is parsed from where the last parse stopped', () => {
    const uri = 'file:///nowhere/qemu-vtd.trace';
    const first = new DocumentAnalysis(uri, 1, half, 'qemu-vtd.trace', 'viommu-trace');
    const records = first.parsed?.records;
    const grown = new DocumentAnalysis(uri, 2, full, 'qemu-vtd.trace', 'viommu-trace', first);
    assert.equal(grown.parsed?.records, records, 'resumed, not parsed again');
    assert.deepEqual(grown.parsed, parseQemuTrace(full));
    // An edit that is not an append parses the whole text.
    const edited = new DocumentAnalysis(uri, 3, 'x' + full, 'qemu-vtd.trace', 'viommu-trace', grown);
    assert.notEqual(edited.parsed?.records, records);
  });

  it('a trace on disk: the views count what was appended after a change notice, and the parse goes on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-growing-'));
    copyFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), join(dir, 'dmar_translation_struct'));
    const path = join(dir, 'qemu-vtd.trace');
    writeFileSync(path, half);
    const workspace = new CaptureWorkspace();
    const source: SourceRef = { kind: 'trace', uri: pathToFileURL(dir).toString() };
    const counters = () => traceTreeChildren({ view: 'iotlb', source }, workspace)[0].description;
    const traceRecords = () => workspace.captureOfFolder(dir).capture.files.find((f) => f.name === 'qemu-vtd.trace')?.parsed?.records;
    const before = counters();
    const records = traceRecords();
    assert.notEqual(before, '701 hits · 1263 misses · 35.7 % hit rate');
    appendFileSync(path, full.slice(half.length));
    workspace.fileChanged(pathToFileURL(path).toString());
    assert.equal(counters(), '701 hits · 1263 misses · 35.7 % hit rate');
    assert.equal(traceRecords(), records, 'resumed, not parsed again');
  });
});
