import { strict as assert } from 'node:assert';
import { GuestMemory } from '../../src/sim/memory';
import { DEFAULT_PLATFORM, type PlatformOptions } from '../../src/sim/platform';
import { VtdIommu } from '../../src/sim/iommu/vtdIommu';
import { GCMD_SRTP, GCMD_TE, REG } from '../../src/sim/iommu/registerFile';
import { emptyTranslateResult, translateDma } from '../../src/sim/iommu/translate';
import { K, kindName } from '../../src/sim/events/kinds';
import { hiOf, loOf, joinHalves } from '../../src/sim/halves';
import { decodeContextEntry } from '../../src/vtd/contextEntry';
import { decodeSlEntry } from '../../src/vtd/paging';
import { decodePasidEntry } from '../../src/vtd/pasidEntry';
import { decodeScalableContextEntry } from '../../src/vtd/contextEntry';
import { loadScenario, Simulation } from '../../src/sim/index';

// Hand-built tables at fixed guest addresses: root 0x10000, context table of
// bus 0 at 0x11000, page tables from 0x20000. Requester 00:03.0 (devfn 0x18).
const ROOT = 0x10000n;
const CTX = 0x11000n;
const SID = 0x0018;

interface Rig {
  mem: GuestMemory;
  iommu: VtdIommu;
  events: { kind: number; c: number; d: number }[];
}

function rig(opts: Partial<PlatformOptions> = {}): Rig {
  const mem = new GuestMemory();
  const events: Rig['events'] = [];
  const iommu = new VtdIommu(mem, { ...DEFAULT_PLATFORM, ...opts }, { emit: (kind, _s, _a, _b, _c, _d, c, d) => events.push({ kind, c, d }) });
  mem.write64(ROOT, CTX | 1n); // bus 0 → context table, P
  iommu.writeReg64(REG.RTADDR, ROOT);
  iommu.write32(REG.GCMD, GCMD_SRTP);
  iommu.write32(REG.GCMD, GCMD_TE);
  return { mem, iommu, events };
}

/** A legacy context entry: lo = table | TT << 2 | FPD << 1 | P, hi = DID << 8 | AW. */
function context(r: Rig, devfn: number, table: bigint, aw: number, did: number, fpd = false, tt = 0): void {
  r.mem.write64(CTX + BigInt(devfn * 16), table | BigInt(tt << 2) | (fpd ? 2n : 0n) | 1n);
  r.mem.write64(CTX + BigInt(devfn * 16) + 8n, BigInt(did << 8) | BigInt(aw));
}

function entry(r: Rig, table: bigint, index: number, value: bigint): void {
  r.mem.write64(table + BigInt(index * 8), value);
}

function translate(r: Rig, iova: bigint, write = false, sid = SID) {
  const out = emptyTranslateResult();
  translateDma(r.iommu, sid, -1, hiOf(iova), loOf(iova), write, out);
  return { ...out, hpa: joinHalves(out.outHi, out.outLo) };
}

describe('sim: second-level walks against hand-built tables', () => {
  it('4-level: IOVA 0x123456789ab indexes PML4[2] PDPT[0x8d] PD[0x2b] PT[0x78] and reaches 0x76543219ab', () => {
    // 0x123456789ab: bits 47:39 = 2, 38:30 = 0x8d, 29:21 = 0x2b, 20:12 = 0x78, offset 0x9ab.
    const r = rig({ awBits: 48 });
    context(r, 0x18, 0x20000n, 2, 5);
    entry(r, 0x20000n, 2, 0x21003n);
    entry(r, 0x21000n, 0x8d, 0x22003n);
    entry(r, 0x22000n, 0x2b, 0x23003n);
    entry(r, 0x23000n, 0x78, 0x7654321003n);
    const t = translate(r, 0x123456789abn);
    assert.equal(t.ok, true);
    assert.equal(t.hpa, 0x76543219abn);
    assert.equal(t.shift, 12);
    assert.equal(t.did, 5);
    assert.equal(t.source, 'walk');
    // The walk read four entries and filled the IOTLB at level 1.
    const walk = r.events.find((e) => e.kind === K.pageWalk)!;
    assert.deepEqual([walk.c, walk.d], [1, 4]);
    assert.equal(r.iommu.iotlb.size, 1);
    // Second time: IOTLB hit, same answer.
    const again = translate(r, 0x123456789abn);
    assert.equal(again.source, 'iotlb');
    assert.equal(again.hpa, 0x76543219abn);
  });

  it('3-level: IOVA 0x2345678abc (bits 38:30 = 0x8d, 29:21 = 0x2b, 20:12 = 0x78) reaches 0x1234abc', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    entry(r, 0x30000n, 0x8d, 0x31003n);
    entry(r, 0x31000n, 0x2b, 0x32003n);
    entry(r, 0x32000n, 0x78, 0x1234001n); // read-only
    const t = translate(r, 0x2345678abcn);
    assert.equal(t.ok, true);
    assert.equal(t.hpa, 0x1234abcn);
    assert.equal(t.write, false);
  });

  it('5-level: IOVA 0xabcdef12345678 (PML5[0xab] PML4[0x19b] PDPT[0x1bc] PD[0x91] PT[0x145]) with aw-bits 57', () => {
    const r = rig({ awBits: 57 });
    context(r, 0x18, 0x40000n, 3, 7);
    entry(r, 0x40000n, 0xab, 0x41003n);
    entry(r, 0x41000n, 0x19b, 0x42003n);
    entry(r, 0x42000n, 0x1bc, 0x43003n);
    entry(r, 0x43000n, 0x91, 0x44003n);
    entry(r, 0x44000n, 0x145, 0x1_0000_0000_0003n);
    const t = translate(r, 0xabcdef12345678n);
    assert.equal(t.ok, true);
    assert.equal(t.hpa, 0x1_0000_0000_0678n);
  });

  it('2 MiB page: a PDE with PS maps IOVA 0x123456789ab to 0x40000000 + 0x0789ab', () => {
    const r = rig({ awBits: 48 });
    context(r, 0x18, 0x20000n, 2, 5);
    entry(r, 0x20000n, 2, 0x21003n);
    entry(r, 0x21000n, 0x8d, 0x22003n);
    entry(r, 0x22000n, 0x2b, 0x40000083n); // R W PS
    const t = translate(r, 0x123456789abn);
    assert.equal(t.hpa, 0x400789abn); // IOVA bits 20:0 = 0x0789ab
    assert.equal(t.shift, 21);
    // A neighbour in the same 2 MiB page hits the IOTLB's 2 MiB key.
    assert.equal(translate(r, 0x12345600000n).source, 'iotlb');
    assert.equal(translate(r, 0x12345600000n).hpa, 0x40000000n);
  });

  it('1 GiB page: a PDPE with PS maps IOVA 0x123456789ab to 0x80000000 + 0x056789ab', () => {
    const r = rig({ awBits: 48 });
    context(r, 0x18, 0x20000n, 2, 5);
    entry(r, 0x20000n, 2, 0x21003n);
    entry(r, 0x21000n, 0x8d, 0x80000083n);
    const t = translate(r, 0x123456789abn);
    assert.equal(t.hpa, 0x856789abn); // IOVA bits 29:0 = 0x056789ab
    assert.equal(t.shift, 30);
  });

  it('the tables decode with src/vtd: the context entry and the leaf read back as bigints', () => {
    const r = rig({ awBits: 48 });
    context(r, 0x18, 0x20000n, 2, 5);
    const lo = r.mem.read64(CTX + 0x180n);
    const hi = r.mem.read64(CTX + 0x188n);
    const d = decodeContextEntry(hi, lo);
    assert.equal(d.summary, 'P DID=5 AW=48 SLPTPTR=0x20000');
    assert.equal(decodeSlEntry(0x40000083n, 2).summary, 'R W → 0x40000000 2M');
  });
});

describe('sim: DMA fault reasons where they belong', () => {
  function faultOf(r: Rig, iova: bigint, write = false, sid = SID): number {
    const t = translate(r, iova, write, sid);
    assert.equal(t.ok, false);
    return t.fault;
  }

  it('0x1 root entry not present (bus 1 has none)', () => {
    assert.equal(faultOf(rig(), 0x1000n, false, 0x0100), 0x1);
  });

  it('0x2 context entry not present', () => {
    assert.equal(faultOf(rig(), 0x1000n, false, 0x0020), 0x2);
  });

  it('0x3 AW not in SAGAW (4-level context on an aw-bits=39 unit)', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x20000n, 2, 5);
    assert.equal(faultOf(r, 0x1000n), 0x3);
  });

  it('0x4 IOVA beyond the address width (3-level context, IOVA 2^39)', () => {
    const r = rig({ awBits: 48 });
    context(r, 0x18, 0x20000n, 1, 5);
    assert.equal(faultOf(r, 1n << 39n), 0x4);
  });

  it('0x5 write to a read-only page, 0x6 read of an unmapped one', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    entry(r, 0x30000n, 0, 0x31003n);
    entry(r, 0x31000n, 0, 0x32003n);
    entry(r, 0x32000n, 1, 0x5000001n); // IOVA 0x1000 → 0x5000000, R only
    assert.equal(faultOf(r, 0x1000n, true), 0x5);
    assert.equal(faultOf(r, 0x2000n, false), 0x6);
  });

  it('0xC reserved bits: SNP in a non-leaf entry, or address bits above aw-bits', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    entry(r, 0x30000n, 0, 0x31803n); // bit 11 in a PDPE pointing to a table
    assert.equal(faultOf(r, 0x1000n), 0xc);
    entry(r, 0x30000n, 0, 0x31003n);
    entry(r, 0x31000n, 0, 0x32003n);
    entry(r, 0x32000n, 1, (1n << 40n) | 0x3n); // bit 40 >= HAW 39
    assert.equal(faultOf(r, 0x1000n), 0xc);
  });

  it('0xE: a translation into the interrupt range 0xfee00000', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    entry(r, 0x30000n, 0, 0x31003n);
    entry(r, 0x31000n, 0, 0x32003n);
    entry(r, 0x32000n, 1, 0xfee00003n);
    assert.equal(faultOf(r, 0x1000n), 0xe);
  });

  it('records one fault in FRCD with PPF, overflows (PFO) on another requester, compresses the same one', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    context(r, 0x20, 0x30000n, 1, 6);
    faultOf(r, 0x2000n); // read, reason 6
    const frcd = r.iommu.faults.frcd();
    // hi: F | T (read) | FR 6 | SID 0x18, as QEMU builds it.
    assert.equal(frcd.hi, 0xc000000600000018n);
    assert.equal(frcd.lo, 0x2000n);
    assert.equal(r.iommu.readReg32(REG.FSTS) & 3, 2, 'PPF set, PFO clear');
    faultOf(r, 0x3000n); // same requester: compressed
    assert.ok(r.events.some((e) => e.kind === K.faultCompressed));
    faultOf(r, 0x3000n, false, 0x20); // another requester: overflow
    assert.equal(r.iommu.readReg32(REG.FSTS) & 1, 1, 'PFO set');
    assert.deepEqual(
      r.iommu.faults.history.map((h) => h.outcome),
      ['recorded', 'compressed', 'overflow'],
    );
  });

  it('FPD = 1 suppresses qualified faults (0x6) but not the root-entry fault (0x1)', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6, true);
    faultOf(r, 0x2000n);
    assert.ok(r.events.some((e) => e.kind === K.faultDisabled), kindName(K.faultDisabled));
    assert.equal(r.iommu.faults.frcd().hi, 0n);
    faultOf(r, 0x1000n, false, 0x0100);
    assert.equal(r.iommu.faults.history.at(-1)?.outcome, 'recorded');
  });

  it('an IOTLB hit without the write right aborts the write without a fault record (QEMU memory core)', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0x30000n, 1, 6);
    entry(r, 0x30000n, 0, 0x31003n);
    entry(r, 0x31000n, 0, 0x32003n);
    entry(r, 0x32000n, 1, 0x5000001n);
    assert.equal(translate(r, 0x1000n).ok, true); // read fills the IOTLB with R only
    const w = translate(r, 0x1000n, true);
    assert.equal(w.ok, false);
    assert.equal(w.fault, -1);
    assert.equal(r.iommu.faults.history.length, 0);
  });

  it('pass-through context entries (TT=10) translate to the IOVA itself', () => {
    const r = rig({ awBits: 39 });
    context(r, 0x18, 0n, 1, 6, false, 2);
    const t = translate(r, 0x12345000n);
    assert.equal(t.source, 'pass-through');
    assert.equal(t.hpa, 0x12345000n);
  });
});

describe('sim: scalable mode', () => {
  it('writes scalable root/context/PASID entries that src/vtd decodes, and translates through them', () => {
    const text = [
      'name: sm',
      'platform: { x-scalable-mode: on, caching-mode: on, irqchip: split, vhost: off }',
      'devices: [{ name: net0, bdf: "00:03.0", kind: virtio-net }]',
      'guest: { dma: dynamic }',
      'workload: { packets: 20 }',
    ].join('\n');
    const sim = new Simulation(loadScenario(text).scenario!).run();
    const w = sim.world;
    assert.equal(w.iommu!.shape.scalable, true);
    assert.deepEqual(w.iommu!.faults.history, []);
    assert.ok(w.iommu!.iotlb.hits + w.iommu!.iotlb.misses > 0);
    // Root entry of bus 0 (lower half) -> context entry of devfn 0x18 -> PASID directory -> PASID 0.
    const root = BigInt(w.driver!.ctx.rootPfn) * 4096n;
    const ctp = w.mem.read64(root) & ~0xfffn;
    const ctx = w.mem.readQwords(ctp + 0x18n * 32n, 4);
    const c = decodeScalableContextEntry(ctx);
    assert.match(c.summary, /^P PDTS=2 PASIDDIRPTR=0x[0-9a-f]+$/);
    const dir = ctx[0] & ~0xfffn;
    const table = w.mem.read64(dir) & ~0xfffn;
    const pe = decodePasidEntry(w.mem.readQwords(table, 8));
    assert.equal(pe.fields.find((f) => f.name === 'PGTT')?.raw, 2n);
    assert.equal(pe.fields.find((f) => f.name === 'DID')?.raw, 2n);
  });
});
