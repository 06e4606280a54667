import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCapture } from '../../src/model/buildCapture';
import { parseBdf } from '../../src/model/bdf';
import { ReverseMap } from '../../src/model/reverseMap';
import { translate } from '../../src/model/walk';
import { findDomain, findRequester } from '../../src/model/keys';
import type { Capture, CaptureFile } from '../../src/model/types';
import { legacyCaptureDir } from '../helpers';

function readFolder(dir: string): CaptureFile[] {
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .map((n) => ({ name: n, text: readFileSync(join(dir, n), 'utf8') }));
}

const sid = (bdf: string) => parseBdf(bdf) as number;

describe('capture model on the real legacy capture', () => {
  let capture: Capture;
  before(() => {
    capture = buildCapture(readFolder(legacyCaptureDir));
  });

  it('recognises every line of every file (no syntax findings)', () => {
    const syntax = capture.findings.filter((f) => f.kind === 'syntax');
    assert.deepEqual(syntax, []);
    assert.ok(capture.files.every((f) => f.parsed !== undefined), 'every file has a format');
  });

  it('knows the unit: legacy mode, DMA + IR + QI enabled, CAP/ECAP decoded', () => {
    assert.equal(capture.units.length, 1);
    const u = capture.units[0];
    assert.equal(u.name, 'dmar0');
    assert.equal(u.mode, 'legacy');
    assert.equal(u.translationEnabled, true);
    assert.equal(u.interruptRemappingEnabled, true);
    assert.equal(u.queuedInvalidationEnabled, true);
    assert.equal(u.rootTableAddress, 0x1a8e000n);
    assert.equal(u.irTableAddress, 0x1200000n);
    assert.equal(u.x2apic, false);
    assert.equal(u.capInfo?.mgaw, 39);
    assert.equal(u.capInfo?.cm, true);
    assert.equal(u.ecapInfo?.dt, true);
  });

  it('decodes the edu device context entry 0x701:0x1b1f001 (P, TT 0, 39-bit 3-level, DID 7, SLPTPTR 0x1b1f000)', () => {
    const edu = findRequester(capture, sid('00:05.0'))!;
    assert.equal(edu.did, 7);
    assert.equal(edu.aw, 1);
    assert.equal(edu.levels, 3);
    assert.equal(edu.translationType, 0);
    assert.equal(edu.pageTableRoot, 0x1b1f000n);
    assert.equal(edu.context?.decoded.findings.length, 0);
  });

  it('puts the three ICH9 functions of IOMMU group 6 in one domain (DID 8) with one table', () => {
    const d = findDomain(capture, 8, 'dmar0')!;
    assert.equal(d.key, 'dmar0/8');
    assert.deepEqual(d.requesters.map((r) => r.sid), [sid('00:1f.0'), sid('00:1f.2'), sid('00:1f.3')]);
    assert.equal(d.pgd, 0x2004000n);
    assert.equal(d.table?.rows.count, 4234);
    assert.equal(d.duplicateTables.length, 2, 'the 6.1 kernel dumps the group domain once per device');
    assert.deepEqual(capture.groups.get(6)?.map((r) => r.sid), [sid('00:1f.0'), sid('00:1f.2'), sid('00:1f.3')]);
    assert.ok(!capture.findings.some((f) => f.code === 'group-did-mismatch'));
  });

  it('has the two real faults of the edu device, each with its table dump', () => {
    assert.equal(capture.faults.length, 2);
    const [read, write] = capture.faults;
    assert.equal(read.bdf, '00:05.0');
    assert.equal(read.reason, 0x06);
    assert.equal(read.address, 0x2345000n);
    assert.equal(read.write, false);
    assert.ok(read.dumpLocation);
    assert.equal(write.reason, 0x05);
    assert.equal(write.address, 0x7777000n);
    assert.equal(write.write, true);
    assert.ok(write.dumpLocation);
  });

  it('links the IRTEs whose source is the IOAPIC to their pins through the trace', () => {
    const ioapic = capture.irtes.filter((e) => e.info.sid === 0xff00);
    assert.deepEqual(ioapic.map((e) => e.index), [0, 1, 3, 7, 8, 11, 20]);
    const one = ioapic.find((e) => e.index === 1)!;
    assert.equal(one.linkedBy, 'trace');
    assert.equal(one.irqs[0]?.hwirq, 2, 'IRTE 1 serves IOAPIC pin 2 (the timer)');
    // virtio-blk 00:04.0 has three MSI vectors and three IRTEs (17, 18, 19).
    const blk = findRequester(capture, sid('00:04.0'))!;
    assert.deepEqual(blk.irteIndices, [17, 18, 19]);
    assert.deepEqual(blk.irqs.map((q) => q.irq), ['25', '26', '27']);
  });

  it('orders the invalidation history from the tail (oldest) on', () => {
    const inv = capture.invalidations;
    assert.equal(inv.length, 256);
    assert.equal(inv[0].index, 180);
    assert.equal(inv[255].index, 179);
    assert.equal(inv[0].info.name, 'iotlb');
  });

  it('finds the pairs of IOVA pages that map one host page (half-page receive buffers)', () => {
    const aliases = new ReverseMap(capture).aliases();
    assert.ok(aliases.length > 0);
    // 00:02.0's first rows: pfns 0xffefd and 0xffefe both map 0x268e000.
    const pair = aliases.find((a) => a.hpa === 0x268e000n)!;
    assert.deepEqual(pair.hits.map((h) => h.iova), [0xffefd000n, 0xffefe000n]);
    assert.equal(pair.hits[0].did, 4);
  });
});

describe('translation walk on the real legacy capture', () => {
  let capture: Capture;
  before(() => {
    capture = buildCapture(readFolder(legacyCaptureDir));
  });

  it('walks 00:02.0 IOVA 0xffefd123 through PDPE, PDE and PTE to host 0x268e123', () => {
    const r = translate(capture, { sid: sid('00:02.0'), iova: 0xffefd123n });
    assert.equal(r.ok, true);
    assert.equal(r.hpa, 0x268e123n);
    assert.equal(r.pageSize, 4096n);
    assert.equal(r.permissions, 'RW');
    const tables = r.steps.filter((s) => s.kind === 'page-table');
    assert.deepEqual(tables.map((s) => s.name), ['PDPE', 'PDE', 'PTE']);
    assert.deepEqual(tables.map((s) => s.entry), [0x25b6003n, 0x25bc003n, 0x268e003n]);
    // 0xffefd123: bits 38:30 = 3, bits 29:21 = 0x1ff, bits 20:12 = 0xfd.
    assert.deepEqual(tables.map((s) => s.index), [3, 0x1ff, 0xfd]);
    assert.equal(tables[0].tableAddress, 0x1a9a000n);
    assert.ok(tables.every((s) => s.location?.file === 'domain_translation_struct'));
  });

  it('reproduces the kernel log: the edu read of 0x2345000 faults with reason 0x06 at a non-present PDPE', () => {
    const r = translate(capture, { sid: sid('00:05.0'), iova: 0x2345000n });
    assert.equal(r.ok, false);
    assert.equal(r.fault?.reason, 0x06);
    assert.equal(r.fault?.description, 'PTE Read access is not set');
    const last = r.steps[r.steps.length - 1];
    assert.equal(last.name, 'PDPE');
    assert.equal(last.level, 3);
  });

  it('a write faults with reason 0x05', () => {
    const r = translate(capture, { sid: sid('00:05.0'), iova: 0x7777000n, write: true });
    assert.equal(r.fault?.reason, 0x05);
  });

  it('an IOVA beyond the 39-bit width of a 3-level table faults with 0x04', () => {
    const r = translate(capture, { sid: sid('00:02.0'), iova: 1n << 40n });
    assert.equal(r.fault?.reason, 0x04);
  });

  it('a requester with no context entry faults with 0x02 (present root on bus 0)', () => {
    const r = translate(capture, { sid: sid('00:06.0'), iova: 0x1000n });
    assert.equal(r.fault?.reason, 0x02);
  });
});
