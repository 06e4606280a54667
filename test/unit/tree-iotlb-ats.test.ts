import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaptureWorkspace } from '../../src/server/captureWorkspace';
import { atsFlowOf, traceSourceInfo, traceTreeChildren, traceTreeNodeAt } from '../../src/server/features/traceTreeRequests';
import type { SourceRef, TreeNodeDto, ViewKey } from '../../src/protocol';
import { fixturesDir, legacyCaptureDir } from '../helpers';

const workspace = new CaptureWorkspace();
const folder = pathToFileURL(legacyCaptureDir).toString();
const traceUri = pathToFileURL(join(legacyCaptureDir, 'qemu-vtd.trace')).toString();
const atsUri = pathToFileURL(join(fixturesDir, 'traces', 'ats-device-tlb.trace')).toString();
const traceLines = readFileSync(join(legacyCaptureDir, 'qemu-vtd.trace'), 'utf8').split('\n');
/** The trace's lines as editors count them (the file ends with a newline). */
const LINE_COUNT = 23861;

function kids(view: ViewKey, source: SourceRef, parentId?: string, filter?: string): TreeNodeDto[] {
  return traceTreeChildren({ view, source, parentId, filter }, workspace);
}

function find(nodes: TreeNodeDto[], label: string): TreeNodeDto {
  const n = nodes.find((x) => x.label === label);
  assert.ok(n, `no node "${label}" in ${nodes.map((x) => x.label).join(', ')}`);
  return n;
}

describe('IOTLB view of the real trace', () => {
  const whole: SourceRef = { kind: 'trace', uri: folder };

  it('finds the trace of a capture folder and shows the counters, the context cache and the last reset', () => {
    const roots = kids('iotlb', whole);
    assert.deepEqual(roots.map((n) => n.label), ['Counters', 'Context cache', 'Before the reset at line 23851']);
    assert.equal(roots[0].description, '701 hits · 1263 misses · 35.7 % hit rate');
    const counters = kids('iotlb', whole, roots[0].id);
    assert.equal(find(counters, 'Hits').description, '701');
    assert.equal(find(counters, 'Misses (fills)').description, '1263');
    assert.equal(find(counters, 'Hit rate').description, '35.7 %');
    assert.equal(find(counters, 'Replay check').description, 'agrees with every hit, fill and reset of the trace');
    assert.equal(find(counters, 'PSI mask').description, '8 bits (QEMU before 9.1)');
    assert.match(find(counters, 'Invalidations').description ?? '', /^global 1 · domain 9 · page 1300 · 1240 entries removed \(3 outside the range named\)$/);
    const info = traceSourceInfo({ source: whole, view: 'iotlb' }, workspace);
    assert.equal(info?.name, 'qemu-vtd.trace');
    assert.equal(traceLines.length, LINE_COUNT + 1);
    assert.equal(info?.note, `whole trace (${LINE_COUNT} lines)`);
    assert.match(info?.message ?? '', /The IOTLB is empty after line 23851/);
  });

  it('shows what the reset dropped, grouped by domain, each entry at the line that filled it', () => {
    const reset = kids('iotlb', whole).find((n) => n.contextValue === 'iotlbReset') as TreeNodeDto;
    const domains = kids('iotlb', whole, reset.id);
    assert.deepEqual(domains.map((d) => `${d.label}: ${d.description}`), ['Domain 0x4: 1 entry · 00:02.0', 'Domain 0x5: 5 entries · 00:03.0', 'Domain 0x6: 3 entries · 00:04.0', 'Domain 0x8: 14 entries · 00:1f.2']);
    const entries = kids('iotlb', whole, domains[2].id);
    assert.deepEqual(entries.map((e) => e.label), ['IOVA 0xffffc000', 'IOVA 0xffffd000', 'IOVA 0xfffff000']);
    for (const e of entries) {
      assert.equal(e.location?.uri, traceUri);
      const line = traceLines[e.location?.line ?? -1];
      assert.ok(line.startsWith('vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x' + e.label.slice(7, 12)), line);
      assert.ok(e.id.startsWith(`${reset.id}/d:6/e:`), e.id);
    }
    assert.match(entries[1].description ?? '', /^00:04\.0 · 4K · → 0x2210000 · RW · \d+ hits$/);
    const fields = kids('iotlb', whole, entries[1].id).map((f) => f.label);
    assert.ok(fields.includes('R [0]') && fields.includes('W [1]') && fields.some((f) => f.startsWith('ADDR')), fields.join(', '));
  });

  it('replays to a line: the IOTLB and the context cache as of it, and the node of a fill line', () => {
    const at: SourceRef = { kind: 'trace', uri: traceUri, asOfLine: 5000 };
    const roots = kids('iotlb', at);
    assert.deepEqual(roots.map((n) => n.label), ['Counters', 'Domain 0x6', 'Domain 0x8', 'Context cache']);
    assert.equal(traceSourceInfo({ source: at, view: 'iotlb' }, workspace)?.note, `as of line 5001 of ${LINE_COUNT}`);
    const cache = kids('iotlb', at, 'cc:context');
    assert.deepEqual(cache.map((c) => c.label), ['00:03.0', '00:04.0', '00:1f.2']);
    assert.match(cache[1].description ?? '', /^P DID=6 AW=39 SLPTPTR=0x1b1c000 · valid \(generation 1\)/);
    const entry = kids('iotlb', at, 'd:6')[0];
    const id = traceTreeNodeAt({ view: 'iotlb', source: at, uri: traceUri, line: entry.location?.line ?? -1 }, workspace);
    assert.equal(id, entry.id);
    // Filtered to one requester: only its domain.
    assert.deepEqual(kids('iotlb', at, undefined, '00:1f.2').map((n) => n.label), ['Counters', 'Domain 0x8', 'Context cache']);
  });
});

describe('ATS Flow view', () => {
  it('says the real trace has no device TLB, and lists the context entries it saw', () => {
    const source: SourceRef = { kind: 'trace', uri: folder };
    const roots = kids('atsFlow', source);
    assert.deepEqual(roots.map((n) => n.label), ['Devices without a device TLB']);
    const seen = kids('atsFlow', source, roots[0].id);
    const virtio = find(seen, '00:03.0');
    assert.equal(virtio.description, 'TT=00 (untranslated requests only) · DID 5 · line 2206');
    assert.match(traceLines[virtio.location?.line ?? -1], /^vtd_iotlb_cc_update .* devfn 0x18 high 0x501 low 0x1b18001/);
    const info = traceSourceInfo({ source, view: 'atsFlow' }, workspace);
    assert.match(info?.message ?? '', /^No device in this trace has a device TLB/);
    assert.match(info?.message ?? '', /QEMU has no trace event for ATS translation requests/);
  });

  it('shows the device-TLB flow of 00:03.0 in time order, each event at its line, descriptors decoded', () => {
    const source: SourceRef = { kind: 'trace', uri: atsUri };
    const [dev] = kids('atsFlow', source);
    assert.equal(dev.label, '00:03.0');
    assert.equal(dev.description, 'device TLB on · DID 5 · 5 device-TLB invalidations · 4 translations');
    assert.match(dev.tooltip ?? '', /no trace event for a PCIe ATS translation request/);
    const events = kids('atsFlow', source, dev.id);
    const lines = events.map((e) => e.location?.line ?? -1);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    const inv64 = find(events, 'device-TLB invalidation 0xfff00000 (64K)');
    assert.equal(inv64.description, 'driver → IOMMU · line 41');
    const fields = kids('atsFlow', source, inv64.id);
    assert.match(find(fields, 'S [64]').description ?? '', /^0x1 · range from ADDR trailing ones/);
    assert.deepEqual(fields.map((f) => f.label.split(' ')[0]).filter((n) => ['SID', 'ADDR', 'S'].includes(n)).sort(), ['ADDR', 'S', 'SID']);
    const unmap = find(events, 'invalidate 0xfff00000 (64K) (DEVIOTLB_UNMAP)');
    assert.equal(unmap.description, 'IOMMU → device · line 41, implied');
    assert.equal(unmap.copy?.raw, undefined); // no trace line of its own
    const id = traceTreeNodeAt({ view: 'atsFlow', source, uri: atsUri, line: 40 }, workspace);
    assert.equal(id, inv64.id);
    const flow = atsFlowOf({ source }, workspace);
    assert.equal(flow?.devices.length, 1);
    assert.equal(flow?.devices[0].events.length, events.length);
  });

  it('escapes trace text in tooltips', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-ats-'));
    const text = readFileSync(join(fixturesDir, 'traces', 'ats-device-tlb.trace'), 'utf8').replace('vtd_inv_desc_wait_irq Generating complete event', 'vtd_inv_desc_wait_irq <img src=x onerror=alert(1)>');
    writeFileSync(join(dir, 'hostile.trace'), text);
    const source: SourceRef = { kind: 'trace', uri: pathToFileURL(join(dir, 'hostile.trace')).toString() };
    const events = kids('atsFlow', source, 'dev:24');
    const bad = events.find((e) => e.label.includes('<img'));
    assert.ok(bad, 'the label keeps the text as the trace prints it (the view shows labels as plain text)');
    assert.ok(!/(^|[^\\])[<>()]/.test(bad.tooltip ?? ''), bad.tooltip); // every < > ( ) escaped
    assert.ok((bad.tooltip ?? '').includes('\\<img src\\=x onerror\\=alert\\(1\\)\\>'), bad.tooltip);
  });
});
