import { strict as assert } from 'node:assert';
import { GuestMemory } from '../../src/sim/memory';
import { DEFAULT_PLATFORM, type PlatformOptions } from '../../src/sim/platform';
import { VtdIommu } from '../../src/sim/iommu/vtdIommu';
import { capOf, ecapOf } from '../../src/sim/iommu/capabilities';
import { Iotlb } from '../../src/sim/iommu/iotlb';
import { FSTS_IQE, GCMD_QIE, GCMD_SRTP, GCMD_TE, REG } from '../../src/sim/iommu/registerFile';
import { emptyTranslateResult, translateDma } from '../../src/sim/iommu/translate';
import { K } from '../../src/sim/events/kinds';
import { PageAllocator } from '../../src/sim/guest/pageAllocator';
import { ContextTables } from '../../src/sim/guest/contextTables';
import { PageTableWriter } from '../../src/sim/guest/pageTableWriter';
import { QueuedInvalidation } from '../../src/sim/guest/qiSubmit';
import { ccDescriptor, descriptorQwords, deviceTlbDescriptor, iecDescriptor, iotlbDescriptor } from '../../src/sim/guest/descriptors';
import { decodeInvDescriptor, deviceTlbRange } from '../../src/vtd/invalidation';
import { hiOf, loOf } from '../../src/sim/halves';

interface Rig {
  iommu: VtdIommu;
  qi: QueuedInvalidation;
  ctx: ContextTables;
  mem: GuestMemory;
  pages: PageAllocator;
  kinds: number[];
}

function gcmd(iommu: VtdIommu, bit: number): void {
  iommu.write32(REG.GCMD, ((iommu.readReg32(REG.GSTS) & 0x96ffffff) | bit) >>> 0);
}

function rig(opts: Partial<PlatformOptions> = {}): Rig {
  const mem = new GuestMemory();
  const pages = new PageAllocator(0x100);
  const kinds: number[] = [];
  const sink = { emit: (k: number) => void kinds.push(k) };
  const iommu = new VtdIommu(mem, { ...DEFAULT_PLATFORM, awBits: 39, ...opts }, sink);
  const ctx = new ContextTables(mem, pages, false);
  const qi = new QueuedInvalidation(mem, pages, iommu, sink);
  iommu.writeReg64(REG.RTADDR, BigInt(ctx.rootPfn) * 4096n);
  gcmd(iommu, GCMD_SRTP);
  iommu.writeReg64(REG.IQA, qi.iqa);
  gcmd(iommu, GCMD_QIE);
  gcmd(iommu, GCMD_TE);
  return { iommu, qi, ctx, mem, pages, kinds };
}

/** Attaches requester `sid` to domain `did` with a fresh 3-level table mapping `pages` 4 KiB pages from IOVA 0x1000. */
function attach(r: Rig, sid: number, did: number, pages = 8): PageTableWriter {
  const pt = new PageTableWriter(r.mem, r.pages, 3);
  r.ctx.setLegacy(sid, { did, aw: 1, tt: 0, rootHi: pt.rootHi, rootLo: pt.rootLo });
  for (let i = 1; i <= pages; i++) pt.map(0, i * 0x1000, 0, 0x100000 + i * 0x1000, 12, true, true);
  return pt;
}

function touch(r: Rig, sid: number, iova: number): boolean {
  const out = emptyTranslateResult();
  return translateDma(r.iommu, sid, -1, 0, iova, false, out);
}

function iotlbPages(r: Rig, did: number): number[] {
  return r.iommu.iotlb
    .entries()
    .filter((e) => e.did === did)
    .map((e) => e.iovaLo)
    .sort((a, b) => a - b);
}

describe('sim: capabilities as QEMU computes them', () => {
  it('intremap=on,caching-mode=on, aw-bits 39, split irqchip: CAP 0xd2008c22260286, ECAP 0xf00f5a (a real QEMU 4.2 guest log)', () => {
    const p = { ...DEFAULT_PLATFORM, awBits: 39, cachingMode: true };
    assert.equal(capOf(p), 0xd2008c22260286n);
    assert.equal(ecapOf(p), 0xf00f5an);
  });

  it('the capture platform (device-iotlb=on, TCG so no EIM): ECAP 0xf00f4e as its iommu_regset shows', () => {
    const p = { ...DEFAULT_PLATFORM, awBits: 39, cachingMode: true, deviceIotlb: true, irqchip: 'off' as const };
    assert.equal(capOf(p), 0xd2008c22260286n);
    assert.equal(ecapOf(p), 0xf00f4en);
  });
});

describe('sim: the IOTLB size limit (QEMU resets the whole table when full)', () => {
  it('1024 distinct pages fill it; the 1025th insert resets it first, leaving 1 entry; the trace has update then reset', () => {
    const r = rig();
    attach(r, 0x18, 5, 1100);
    for (let i = 1; i <= 1024; i++) assert.ok(touch(r, 0x18, i * 0x1000));
    assert.equal(r.iommu.iotlb.size, 1024);
    assert.equal(r.iommu.iotlb.resets, 0);
    r.kinds.length = 0;
    touch(r, 0x18, 1025 * 0x1000);
    assert.equal(r.iommu.iotlb.size, 1);
    assert.equal(r.iommu.iotlb.resets, 1);
    const update = r.kinds.indexOf(K.iotlbUpdate);
    const reset = r.kinds.indexOf(K.iotlbReset);
    assert.ok(update >= 0 && reset === update + 1, 'vtd_iotlb_page_update is traced before vtd_iotlb_reset');
    // N distinct inserts give floor((N - 1) / 1024) resets.
    for (let i = 1026; i <= 1100; i++) touch(r, 0x18, i * 0x1000);
    for (let i = 1; i <= 1024; i++) touch(r, 0x18, i * 0x1000);
    assert.equal(r.iommu.iotlb.inserts, 1100 + 1024);
    assert.equal(r.iommu.iotlb.resets, Math.floor((2124 - 1) / 1024));
  });

  it('the LRU option evicts only the least recently used entry', () => {
    const t = new Iotlb(4, 'lru');
    for (let i = 0; i < 4; i++) t.insert(1, -1, 1, 0, i * 0x1000, 1, 0, 0x5000 + i * 0x1000, 3);
    assert.ok(t.lookup(1, -1, 0, 0) >= 0); // page 0 becomes the most recent
    t.insert(1, -1, 1, 0, 0x9000, 1, 0, 0x9000, 3);
    assert.equal(t.size, 4);
    assert.equal(t.evictions, 1);
    assert.ok(t.lookup(1, -1, 0, 0) >= 0, 'page 0 kept');
    assert.equal(t.lookup(1, -1, 0, 0x1000), -1, 'page 1 (least recent) evicted');
  });
});

describe('sim: queued invalidation and its effect on each cache', () => {
  it('guest descriptors decode with src/vtd exactly as Linux writes them', () => {
    assert.equal(decodeInvDescriptor(descriptorQwords(ccDescriptor(1))).summary, 'context-cache global');
    assert.equal(descriptorQwords(iotlbDescriptor(1))[0], 0xd2n);
    assert.equal(decodeInvDescriptor(descriptorQwords(iotlbDescriptor(3, 5, 0, 0xfffd0000, 1))).summary, 'IOTLB page-selective DID=5 addr=0xfffd0000 AM=1 (8K) DR DW');
    assert.deepEqual(descriptorQwords(iecDescriptor(false, 0x19)), [0x0000001900000014n, 0n]);
    // qi_flush_dev_iotlb(sid 3b:00.0, addr 0x100000, mask 2): 16 KiB, qw1 0x101001.
    const dev = descriptorQwords(deviceTlbDescriptor(0x3b00, 0, 0x100000, 2));
    assert.deepEqual(dev, [0x00003b0000000003n, 0x101001n]);
    assert.deepEqual(deviceTlbRange(dev[1] & ~1n, true), { base: 0x100000n, size: 0x4000n, all: false });
  });

  it('PSI removes exactly the covered pages of its domain', () => {
    const r = rig();
    attach(r, 0x18, 5, 8);
    attach(r, 0x20, 6, 8);
    for (let i = 1; i <= 8; i++) {
      touch(r, 0x18, i * 0x1000);
      touch(r, 0x20, i * 0x1000);
    }
    assert.ok(r.qi.submit([iotlbDescriptor(3, 5, 0, 0x4000, 2)])); // 4 pages 0x4000-0x7fff
    assert.deepEqual(iotlbPages(r, 5), [0x1000, 0x2000, 0x3000, 0x8000]);
    assert.equal(iotlbPages(r, 6).length, 8, 'the other domain is untouched');
  });

  it('PSI inside a 2 MiB entry removes that entry (QEMU matches the page that contains ADDR)', () => {
    const r = rig();
    const pt = new PageTableWriter(r.mem, r.pages, 3);
    r.ctx.setLegacy(0x18, { did: 5, aw: 1, tt: 0, rootHi: pt.rootHi, rootLo: pt.rootLo });
    pt.map(0, 0x200000, 0, 0x40000000, 21, true, true);
    touch(r, 0x18, 0x234000);
    assert.equal(r.iommu.iotlb.entries()[0].level, 2);
    r.qi.submit([iotlbDescriptor(3, 5, 0, 0x3ff000, 0)]);
    assert.equal(r.iommu.iotlb.size, 0);
  });

  it('AM above MAMV (18) is an invalid descriptor: IQE, the queue stops there, the wait is not done', () => {
    const r = rig();
    attach(r, 0x18, 5, 2);
    touch(r, 0x18, 0x1000);
    const done = r.qi.submit([iotlbDescriptor(3, 5, 0, 0, 19)]);
    assert.equal(done, false);
    assert.ok(r.iommu.readReg32(REG.FSTS) & FSTS_IQE);
    assert.equal(r.iommu.iotlb.size, 1, 'nothing invalidated');
    assert.equal(Number(r.iommu.readReg64(REG.IQH)) >> 4, 0, 'IQH stays on the bad descriptor');
  });

  it('DSI removes one domain; global removes everything', () => {
    const r = rig();
    attach(r, 0x18, 5, 4);
    attach(r, 0x20, 6, 4);
    for (let i = 1; i <= 4; i++) {
      touch(r, 0x18, i * 0x1000);
      touch(r, 0x20, i * 0x1000);
    }
    r.qi.submit([iotlbDescriptor(2, 5)]);
    assert.deepEqual(iotlbPages(r, 5), []);
    assert.equal(iotlbPages(r, 6).length, 4);
    r.qi.submit([iotlbDescriptor(1)]);
    assert.equal(r.iommu.iotlb.size, 0);
  });

  it('context cache: global bumps the generation; device-selective honours FM', () => {
    const r = rig();
    for (let fn = 0; fn < 8; fn++) attach(r, 0x18 + fn, 5 + fn, 1);
    const fill = () => {
      for (let fn = 0; fn < 8; fn++) touch(r, 0x18 + fn, 0x1000);
    };
    const valid = () => r.iommu.cc.entries().filter((e) => e.valid).map((e) => e.sid & 7);
    fill();
    assert.equal(valid().length, 8);
    const gen = r.iommu.cc.generation;
    r.qi.submit([ccDescriptor(1)]);
    assert.equal(r.iommu.cc.generation, gen + 1);
    assert.deepEqual(valid(), []);
    fill();
    r.qi.submit([ccDescriptor(3, 0, 0x18, 0)]); // 00:03.0 only
    assert.deepEqual(valid(), [1, 2, 3, 4, 5, 6, 7]);
    fill();
    r.qi.submit([ccDescriptor(3, 0, 0x18, 1)]); // ignore bit 2: 00:03.0 and 00:03.4
    assert.deepEqual(valid(), [1, 2, 3, 5, 6, 7]);
    fill();
    r.qi.submit([ccDescriptor(3, 0, 0x18, 3)]); // ignore bits 2:0: the whole device
    assert.deepEqual(valid(), []);
  });

  it('the wait descriptor writes its status (QI_DONE) into guest memory', () => {
    const r = rig();
    const before = r.kinds.filter((k) => k === K.waitStatus).length;
    assert.equal(r.qi.submit([]), true);
    assert.equal(r.kinds.filter((k) => k === K.waitStatus).length, before + 1);
  });

  it('a descriptor type the unit does not know stops the queue with IQE', () => {
    const r = rig();
    assert.equal(r.qi.submit([[0xa, 0, 0, 0]]), false);
    assert.ok(r.iommu.readReg32(REG.FSTS) & FSTS_IQE);
  });
});

describe('sim: halves helpers', () => {
  it('split and join exactly above 2^53', () => {
    const v = 0xfedcba9876543210n;
    assert.equal(hiOf(v), 0xfedcba98);
    assert.equal(loOf(v), 0x76543210);
  });
});
