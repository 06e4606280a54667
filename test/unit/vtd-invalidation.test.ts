import { strict as assert } from 'node:assert';
import {
  decodeInvDescriptor,
  deviceTlbRange,
  INV_DESC_TYPE_NAMES,
  invDescriptorInfo,
  invDescriptorType,
} from '../../src/vtd/invalidation';
import { fieldAddress, Structure } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';
import { CAPTURE_CTX, CAPTURE_ECAP, field, fuzzValues } from '../vtdHelpers';

// The unit of the real capture (iommu_regset): CAP.MAMV (53:48) = 0x12 = 18,
// CAP.PSI set; ECAP 0xf00f4e = QI, DT, IR, PT, MHMV 15; no DIT, no SMTS, no PRS.
const ECAP = CAPTURE_ECAP;
const CTX = CAPTURE_CTX;


function codes(s: Structure): string[] {
  return s.findings.map((f) => f.code);
}

describe('vtd/invalidation: the real invalidation_queue', () => {
  it('decodes an IOTLB page-selective descriptor (slot 0)', () => {
    // qw0 0x600f2: type 2, G (5:4) = 11 PSI, DW (bit 6), DR (bit 7), DID (31:16) = 6.
    // qw1 0xfffe0000: ADDR 0xfffe0000, IH 0, AM 0.
    const s = decodeInvDescriptor([0x00000000000600f2n, 0x00000000fffe0000n], CTX);
    assert.equal(s.type, 'inv-iotlb');
    assert.equal(s.width, 128);
    assert.equal(field(s, 'G'), 3n);
    assert.equal(field(s, 'DR'), 1n);
    assert.equal(field(s, 'DW'), 1n);
    assert.equal(field(s, 'DID'), 6n);
    assert.equal(field(s, 'AM'), 0n);
    assert.equal(field(s, 'IH'), 0n);
    assert.equal(fieldAddress(s, 'ADDR'), 0xfffe0000n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'IOTLB page-selective DID=6 addr=0xfffe0000 AM=0 (4K) DR DW');
    const info = invDescriptorInfo([0x00000000000600f2n, 0x00000000fffe0000n]);
    assert.equal(info.granularity, 'page');
    assert.equal(info.did, 6);
    assert.equal(info.addr, 0xfffe0000n);
    assert.equal(info.size, 4096n);
  });

  it('decodes the wait descriptor Linux appends (slot 1)', () => {
    // qw0 0x200000025: type 5, SW (bit 5), status data 2 (QI_DONE) in 63:32.
    const s = decodeInvDescriptor([0x0000000200000025n, 0x0000000001055004n], CTX);
    assert.equal(s.type, 'inv-wait');
    assert.equal(field(s, 'SW'), 1n);
    assert.equal(field(s, 'IF'), 0n);
    assert.equal(field(s, 'FN'), 0n);
    assert.equal(field(s, 'STATDATA'), 2n);
    assert.equal(fieldAddress(s, 'STATADDR'), 0x1055004n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'wait SW status 0x2 → 0x1055004');
    const info = invDescriptorInfo([0x0000000200000025n, 0x0000000001055004n]);
    assert.equal(info.statusAddress, 0x1055004n);
    assert.equal(info.statusData, 2);
    assert.equal(info.sw, true);
  });

  it('decodes AM 5 (32 pages) at 0xfff60000, which is aligned to 2^5 pages', () => {
    // 0xfff60000 = 0x7ffb * 0x20000, so the 128 KiB block starts exactly there.
    const s = decodeInvDescriptor([0x00000000000600f2n, 0x00000000fff60005n], CTX);
    assert.equal(field(s, 'AM'), 5n);
    assert.equal(fieldAddress(s, 'ADDR'), 0xfff60000n);
    assert.equal(invDescriptorInfo([0x00000000000600f2n, 0x00000000fff60005n]).size, 32n * 4096n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'IOTLB page-selective DID=6 addr=0xfff60000 AM=5 (128K) DR DW');
    // Two pages further on the same AM is not aligned.
    const bad = decodeInvDescriptor([0x00000000000600f2n, 0x00000000fff62005n], CTX);
    assert.deepEqual(codes(bad), ['psi-addr-unaligned']);
  });

  it('decodes all 256 slots with no findings', () => {
    const text = legacyCaptureText('invalidation_queue');
    const byType = new Map<string, number>();
    let rows = 0;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols.length !== 4 || !/^\d+$/.test(cols[0])) continue;
      rows++;
      const s = decodeInvDescriptor([BigInt('0x' + cols[1]), BigInt('0x' + cols[2])], CTX);
      assert.deepEqual(s.findings, [], `slot ${cols[0]}`);
      byType.set(s.type, (byType.get(s.type) ?? 0) + 1);
    }
    assert.equal(rows, 256);
    // Every descriptor is followed by its wait: 128 of each.
    assert.deepEqual(Object.fromEntries(byType), { 'inv-iotlb': 128, 'inv-wait': 128 });
  });
});

describe('vtd/invalidation: other types', () => {
  it('context-cache: global, domain and device-selective', () => {
    // 0x11 (real trace: "context-cache high 0x0 low 0x11"): type 1, G 01.
    const g = decodeInvDescriptor([0x11n, 0n], CTX);
    assert.equal(g.type, 'inv-context-cache');
    assert.equal(field(g, 'G'), 1n);
    assert.equal(g.summary, 'context-cache global');
    // 0x50021 (notes): G 10, DID 5.
    assert.equal(decodeInvDescriptor([0x50021n, 0n]).summary, 'context-cache domain-selective DID=5');
    // 0x1000000031 (real trace): G 11, SID 0x0010 = 00:02.0, FM 0, DID 0.
    const d = decodeInvDescriptor([0x1000000031n, 0n], CTX);
    assert.equal(field(d, 'SID'), 0x10n);
    assert.equal(field(d, 'FM'), 0n);
    assert.deepEqual(d.findings, []);
    assert.equal(d.summary, 'context-cache device-selective SID 00:02.0 FM=0 DID=0');
    // 0x00003b0000050031 (notes): device 3b:00.0 in DID 5.
    const info = invDescriptorInfo([0x00003b0000050031n, 0n]);
    assert.deepEqual([info.granularity, info.sid, info.did, info.fm], ['device', 0x3b00, 5, 0]);
  });

  it('IOTLB global and domain-selective (real trace values)', () => {
    // 0xd2: type 2, G 01, DW, DR. 0x200e2: G 10, DW, DR, DID 2.
    assert.equal(decodeInvDescriptor([0xd2n, 0n], CTX).summary, 'IOTLB global DR DW');
    const dsi = decodeInvDescriptor([0x200e2n, 0n], CTX);
    assert.equal(dsi.summary, 'IOTLB domain-selective DID=2 DR DW');
    assert.deepEqual(dsi.findings, []);
  });

  it('interrupt entry cache: global, one index, 2^IM indexes', () => {
    // 0x4 (real trace): G 0 = global. 0x1100000014: G 1, IIDX 0x11.
    assert.equal(decodeInvDescriptor([0x4n, 0n], CTX).summary, 'IEC global');
    const one = decodeInvDescriptor([0x1100000014n, 0n], CTX);
    assert.equal(one.type, 'inv-iec');
    assert.equal(field(one, 'IIDX'), 0x11n);
    assert.equal(field(one, 'IM'), 0n);
    assert.equal(one.summary, 'IEC index 17 (0x11)');
    // Notes: 0x0000004030000014 = IIDX 0x40, IM (31:27) = 0x30000000 >> 27 = 6.
    const many = invDescriptorInfo([0x0000004030000014n, 0n]);
    assert.deepEqual([many.granularity, many.iidx, many.im], ['index', 0x40, 6]);
    assert.equal(decodeInvDescriptor([0x0000004030000014n, 0n], CTX).summary, 'IEC index 64 (0x40) IM=6 (64 entries)');
    // IM beyond ECAP.MHMV (15 here) is an error.
    const tooMany = (0x40n << 32n) | (16n << 27n) | 0x14n;
    assert.deepEqual(codes(decodeInvDescriptor([tooMany, 0n], CTX)), ['im-above-mhmv']);
  });

  it('device-TLB: size encoding and PFSID only with ECAP.DIT', () => {
    // Notes: PF 3b:00.0, QDEP 0, 16 KiB at 0x100000 on a DIT=0 unit.
    const s = decodeInvDescriptor([0x00003b0000000003n, 0x0000000000101001n], CTX);
    assert.equal(s.type, 'inv-device-tlb');
    assert.equal(field(s, 'SID'), 0x3b00n);
    assert.equal(field(s, 'S'), 1n);
    assert.equal(fieldAddress(s, 'ADDR'), 0x101000n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'device-TLB SID 3b:00.0 addr=0x100000 (16K)');
    // The same for VF 3b:00.2 with PFSID 3b:00.0: 0x3b0 in 63:52, 0 in 15:12.
    const vf = [0x3b003b0200000003n, 0x0000000000101001n];
    assert.equal(invDescriptorInfo(vf).pfsid, 0x3b00);
    assert.deepEqual(codes(decodeInvDescriptor(vf, CTX)), ['pfsid-without-dit']);
    assert.deepEqual(decodeInvDescriptor(vf, { ecap: ECAP | (1n << 41n) }).findings, []);
    // Without ECAP.DT there is no device-TLB to invalidate.
    assert.deepEqual(codes(decodeInvDescriptor([0x00003b0000000003n, 0n], { ecap: ECAP & ~4n })), ['device-tlb-unsupported']);
  });

  it('PASID-based IOTLB, cache and device-TLB', () => {
    // Type 6, G 11, DID 1, PASID 5; qw1 ADDR 0x200000 AM 1.
    const p = decodeInvDescriptor([0x0000000500010036n, 0x0000000000200001n]);
    assert.equal(p.type, 'inv-pasid-iotlb');
    assert.equal(field(p, 'PASID'), 5n);
    assert.deepEqual(p.findings, []);
    assert.equal(p.summary, 'PASID-IOTLB page-selective DID=1 PASID=0x5 addr=0x200000 AM=1 (8K)');
    // On the legacy-only unit of the capture these types are invalid.
    assert.deepEqual(codes(decodeInvDescriptor([0x0000000500010036n, 0x200001n], CTX)), ['pasid-descriptor-without-smts']);
    // Type 7, G 01 (PASID-selective), DID 1, PASID 5.
    assert.equal(decodeInvDescriptor([0x0000000500010017n, 0n]).summary, 'PASID-cache PASID-selective DID=1 PASID=0x5');
    assert.equal(decodeInvDescriptor([0x37n, 0n]).summary, 'PASID-cache global');
    // Type 8: SID 00:03.0 in 31:16, PASID 5; S is qw1 bit 11 here.
    // ADDR 0x5000: one trailing 1 → 16 KiB, aligned down to 0x4000.
    const d = decodeInvDescriptor([0x0000000500180008n, 0x0000000000005800n]);
    assert.equal(d.type, 'inv-pasid-device-tlb');
    assert.equal(field(d, 'S'), 1n);
    assert.equal(field(d, 'G'), 0n);
    assert.equal(d.summary, 'PASID device-TLB SID 00:03.0 PASID=0x5 addr=0x4000 (16K)');
  });

  it('knows every type name and the split type field', () => {
    assert.equal(INV_DESC_TYPE_NAMES[4], 'iec');
    assert.equal(INV_DESC_TYPE_NAMES[9], 'page-group-response');
    // Bits 11:9 are type bits 6:4: 0x202 is type 0x12, not IOTLB.
    assert.equal(invDescriptorType(0x202n), 0x12);
    assert.equal(decodeInvDescriptor([0x202n, 0n]).type, 'inv-unknown');
  });
});

describe('vtd/invalidation: validation', () => {
  it('rejects unknown types as the hardware does (IQE)', () => {
    for (const qw0 of [0n, 0xan, 0xfn]) {
      const s = decodeInvDescriptor([qw0, 0n], CTX);
      assert.equal(s.type, 'inv-unknown');
      assert.deepEqual(codes(s), ['invalid-descriptor-type']);
      assert.match(s.findings[0].message, /invalid descriptor type/);
    }
  });

  it('flags reserved bits in qw0, qw1 and, for 256-bit descriptors, qw2/qw3', () => {
    const qw0 = 0x00000000000600f2n;
    const qw1 = 0x00000000fffe0000n;
    assert.deepEqual(
      decodeInvDescriptor([qw0 | 0x100n, qw1], CTX).findings.map((f) => f.field),
      ['RSVD_8_8'],
    );
    assert.deepEqual(
      decodeInvDescriptor([qw0, qw1 | 0x80n], CTX).findings.map((f) => f.field),
      ['RSVD_75_71'],
    );
    const wide = decodeInvDescriptor([qw0, qw1, 0n, 0n], CTX);
    assert.equal(wide.width, 256);
    assert.deepEqual(wide.findings, []);
    assert.deepEqual(
      decodeInvDescriptor([qw0, qw1, 1n, 0n], CTX).findings.map((f) => f.field),
      ['RSVD_191_128'],
    );
    assert.deepEqual(
      decodeInvDescriptor([qw0, qw1, 0n, 1n << 63n], CTX).findings.map((f) => f.field),
      ['RSVD_255_192'],
    );
    // A context-cache descriptor reserves all of qw1.
    assert.deepEqual(
      decodeInvDescriptor([0x11n, 1n], CTX).findings.map((f) => f.field),
      ['RSVD_127_64'],
    );
  });

  it('checks AM against CAP.MAMV and reserved granularities', () => {
    // AM 19 > MAMV 18 (address aligned to 2^19 pages: 2 GiB).
    const s = decodeInvDescriptor([0x00000000000600f2n, 0x0000000080000013n], CTX);
    assert.deepEqual(codes(s), ['am-above-mamv']);
    assert.deepEqual(decodeInvDescriptor([0x00000000000600f2n, 0x0000000080000012n], CTX).findings, []);
    // G 00 of an IOTLB descriptor is reserved.
    assert.deepEqual(codes(decodeInvDescriptor([0x2n, 0n], CTX)), ['reserved-granularity']);
  });

  it('never throws on short, long or oversized input', () => {
    assert.deepEqual(codes(decodeInvDescriptor([])), ['truncated-descriptor', 'invalid-descriptor-type']);
    assert.ok(codes(decodeInvDescriptor([0x25n])).includes('truncated-descriptor'));
    assert.equal(decodeInvDescriptor([0x25n, 0x1000n, 0n]).width, 256);
    assert.ok(codes(decodeInvDescriptor([0x25n, 0n, 0n, 0n, 7n])).includes('extra-quadwords'));
    assert.equal(typeof decodeInvDescriptor([-1n, 1n << 90n], CTX).summary, 'string');
    assert.equal(invDescriptorInfo([]).name, 'unknown');
    // Random descriptors of every type (type bits forced to 1..10 half the time).
    let prev = 0n;
    let n = 0;
    for (const v of fuzzValues(1000)) {
      const qw0 = n++ % 2 ? (v & ~0xe0fn) | BigInt(1 + (n % 10)) : v;
      const s = decodeInvDescriptor(n % 3 ? [qw0, prev] : [qw0, prev, v, prev], CTX);
      assert.equal(typeof s.summary, 'string');
      invDescriptorInfo([qw0, prev]);
      deviceTlbRange(v, (n & 4) !== 0);
      prev = v;
    }
  });
});

describe('vtd/invalidation: device-TLB range encoding', () => {
  it('S = 0 is one 4 KiB page', () => {
    assert.deepEqual(deviceTlbRange(0x5000n, false), { base: 0x5000n, size: 4096n, all: false });
    assert.deepEqual(deviceTlbRange(0x5001n, false), { base: 0x5000n, size: 4096n, all: false });
  });

  it('S = 1 counts trailing ones of ADDR[63:12]', () => {
    // No trailing one: 8 KiB.
    assert.deepEqual(deviceTlbRange(0x100000n, true), { base: 0x100000n, size: 0x2000n, all: false });
    // 0x101000: one trailing 1 → 16 KiB, base aligned down to 0x100000.
    assert.deepEqual(deviceTlbRange(0x101000n, true), { base: 0x100000n, size: 0x4000n, all: false });
    // Low bits (S itself in qw1 bit 0) are ignored.
    assert.deepEqual(deviceTlbRange(0x101001n, true), { base: 0x100000n, size: 0x4000n, all: false });
    // 0x103000: two trailing 1s → 32 KiB.
    assert.deepEqual(deviceTlbRange(0x103000n, true), { base: 0x100000n, size: 0x8000n, all: false });
  });

  it('all ones up to bit 62 means everything', () => {
    assert.deepEqual(deviceTlbRange(0x7ffffffffffff000n, true), { base: 0n, size: 1n << 64n, all: true });
    const s = decodeInvDescriptor([0x1800000003n, 0x7ffffffffffff001n], CTX);
    assert.equal(s.summary, 'device-TLB SID 00:03.0 all addresses');
  });
});
