import { strict as assert } from 'node:assert';
import { decodeIrte, encodeRemappedIrte, irteInfo, irteSourceMatches, IrteInfo } from '../../src/vtd/irte';
import { fieldAddress } from '../../src/vtd/layout';
import { sidName } from '../../src/vtd/source-id';
import { legacyCaptureText } from '../helpers';
import { CAPTURE_CAP, CAPTURE_CTX, field, fuzzValues } from '../vtdHelpers';

// The unit of the real capture: CAP/ECAP from its iommu_regset, and
// IRTA = 0x120000f, so EIME (bit 11) = 0: xAPIC destinations.
const CAP = CAPTURE_CAP;
const CTX = CAPTURE_CTX;


/** Rows of ir_translation_struct: index, SrcID, DstID, Vct, IRTE_high, IRTE_low. */
function captureIrtes(): { index: number; src: string; dst: number; vct: number; hi: bigint; lo: bigint }[] {
  const rows = [];
  for (const line of legacyCaptureText('ir_translation_struct').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 6 || !/^\d+$/.test(cols[0])) continue;
    rows.push({
      index: Number(cols[0]),
      src: cols[1],
      dst: parseInt(cols[2], 16),
      vct: parseInt(cols[3], 16),
      hi: BigInt('0x' + cols[4]),
      lo: BigInt('0x' + cols[5]),
    });
  }
  return rows;
}

describe('vtd/irte: remapped entries of the real capture', () => {
  it('decodes index 0 (IOAPIC, ff:00.0) field by field', () => {
    const s = decodeIrte(0x000000000004ff00n, 0x000002000026000dn, CTX);
    assert.equal(s.type, 'irte-remapped');
    assert.equal(s.width, 128);
    // lo 0x...000d = P | DM | RH; TM 0, DLM 000; V = bits 23:16 = 0x26.
    assert.equal(field(s, 'P'), 1n);
    assert.equal(field(s, 'FPD'), 0n);
    assert.equal(field(s, 'DM'), 1n);
    assert.equal(field(s, 'RH'), 1n);
    assert.equal(field(s, 'TM'), 0n);
    assert.equal(field(s, 'DLM'), 0n);
    assert.equal(field(s, 'IM'), 0n);
    assert.equal(field(s, 'V'), 0x26n);
    // DST = lo 63:32 = 0x200: xAPIC id 2 in bits 15:8.
    assert.equal(field(s, 'DST'), 0x200n);
    // hi 0x4ff00: SID 0xff00, SQ 00, SVT 01 (bit 18).
    assert.equal(field(s, 'SID'), 0xff00n);
    assert.equal(field(s, 'SQ'), 0n);
    assert.equal(field(s, 'SVT'), 1n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'IRTE P vector 0x26 → CPU 1 (logical 0x02) fixed edge, SID ff:00.0 (SVT=01 SQ=00)');

    const info = irteInfo(0x000000000004ff00n, 0x000002000026000dn, CTX);
    assert.deepEqual(
      { ...info },
      {
        present: true,
        posted: false,
        fpd: false,
        vector: 0x26,
        destination: 2,
        destMode: 'logical',
        redirectionHint: true,
        trigger: 'edge',
        deliveryMode: 'fixed',
        sid: 0xff00,
        sq: 0,
        svt: 1,
        x2apic: false,
      },
    );
  });

  it('decodes index 17 (virtio-blk, 00:04.0)', () => {
    const s = decodeIrte(0x0000000000040020n, 0x000002000023000dn, CTX);
    assert.equal(field(s, 'SID'), 0x20n);
    assert.equal(sidName(0x20), '00:04.0');
    assert.equal(field(s, 'V'), 0x23n);
    assert.equal(irteInfo(0x0000000000040020n, 0x000002000023000dn, CTX).destination, 2);
    assert.equal(s.summary, 'IRTE P vector 0x23 → CPU 1 (logical 0x02) fixed edge, SID 00:04.0 (SVT=01 SQ=00)');
  });

  it('agrees with the columns the kernel printed for every row, with no findings', () => {
    const rows = captureIrtes();
    assert.equal(rows.length, 17);
    for (const r of rows) {
      const s = decodeIrte(r.hi, r.lo, CTX);
      const info = irteInfo(r.hi, r.lo, CTX);
      assert.deepEqual(s.findings, [], `row ${r.index}`);
      assert.equal(sidName(info.sid), r.src, `SrcID of row ${r.index}`);
      assert.equal(info.vector, r.vct, `Vct of row ${r.index}`);
      // DstID is the raw DST; in xAPIC mode the APIC id is its bits 15:8.
      assert.equal(field(s, 'DST'), BigInt(r.dst));
      assert.equal(info.destination, r.dst >> 8);
      assert.equal(info.destMode, 'logical');
    }
  });

  it('guesses xAPIC for a DST with only bits 15:8 set when EIME is unknown', () => {
    assert.equal(irteInfo(0x4ff00n, 0x000002000026000dn).destination, 2);
    // The Kabylake ABI example is an x2APIC unit: DST 0x80 is APIC 128.
    const abi = irteInfo(0x0000000000040050n, 0x000000800024000dn);
    assert.equal(abi.x2apic, true);
    assert.equal(abi.destination, 0x80);
    assert.equal(sidName(abi.sid), '00:0a.0');
  });
});

describe('vtd/irte: posted entries', () => {
  // Built by hand from the layout: descriptor at 0x1_2345_6780 (64-byte
  // aligned). PDA_L = bits 31:6 = 0x23456780 >> 6 = 0x8d159e at lo 63:38,
  // i.e. lo 63:32 = 0x23456780; PDA_H = 1 at hi 63:32. URG (bit 14), IM
  // (bit 15), VV 0x41 (bits 23:16), P: lo = 0x234567800041c001.
  // hi = PDA_H << 32 | SVT 01 << 18 | SID 0x0020 = 0x0000000100040020.
  const hi = 0x0000000100040020n;
  const lo = 0x234567800041c001n;
  const CAP_WITH_PI = CAP | (1n << 59n);

  it('splits the descriptor address over PDA_L and PDA_H', () => {
    const s = decodeIrte(hi, lo, { ...CTX, cap: CAP_WITH_PI });
    assert.equal(s.type, 'irte-posted');
    assert.equal(field(s, 'IM'), 1n);
    assert.equal(field(s, 'URG'), 1n);
    assert.equal(field(s, 'VV'), 0x41n);
    assert.equal(field(s, 'PDA_L'), 0x8d159en);
    assert.equal(fieldAddress(s, 'PDA_L'), 0x23456780n);
    assert.equal(field(s, 'PDA_H'), 1n);
    assert.equal(fieldAddress(s, 'PDA_H'), 0x100000000n);
    assert.equal(field(s, 'SID'), 0x20n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'IRTE P posted vector 0x41 URG → PD 0x123456780, SID 00:04.0 (SVT=01 SQ=00)');
    const info = irteInfo(hi, lo);
    assert.equal(info.posted, true);
    assert.equal(info.pda, 0x123456780n);
    assert.equal(info.urgent, true);
    assert.equal(info.vector, 0x41);
  });

  it('is an error on a unit without CAP.PI (the QEMU unit of the capture has none)', () => {
    const f = decodeIrte(hi, lo, CTX).findings;
    assert.deepEqual(
      f.map((x) => [x.code, x.faultReason]),
      [['posted-without-pi', 0x24]],
    );
  });

  it('flags reserved bits of the posted layout (bits 37:24)', () => {
    const f = decodeIrte(hi, lo | (1n << 24n), { ...CTX, cap: CAP_WITH_PI }).findings;
    assert.deepEqual(
      f.map((x) => [x.code, x.field, x.faultReason]),
      [['reserved-bits', 'RSVD_37_24', 0x24]],
    );
  });
});

describe('vtd/irte: validation', () => {
  const hi = 0x4ff00n;
  const lo = 0x000002000026000dn;

  it('flags reserved bits 14:12, 31:24 and 127:84 with fault 0x24', () => {
    const cases: [bigint, bigint, string][] = [
      [hi, lo | 0x1000n, 'RSVD_14_12'],
      [hi, lo | 0x01000000n, 'RSVD_31_24'],
      [hi | (1n << 20n), lo, 'RSVD_127_84'],
    ];
    for (const [h, l, name] of cases) {
      const f = decodeIrte(h, l, CTX).findings;
      assert.deepEqual(
        f.map((x) => [x.code, x.field, x.faultReason]),
        [['reserved-bits', name, 0x24]],
      );
    }
  });

  it('flags an xAPIC destination with bits outside 15:8 only when EIME = 0', () => {
    const lo2 = (0x201n << 32n) | 0x0026000dn; // DST 0x201: bit 0 set
    const f = decodeIrte(hi, lo2, CTX).findings;
    assert.deepEqual(
      f.map((x) => [x.code, x.faultReason]),
      [['xapic-dst-reserved', 0x24]],
    );
    assert.deepEqual(decodeIrte(hi, lo2, { ...CTX, eime: true }).findings, []);
    assert.equal(irteInfo(hi, lo2, { eime: true }).destination, 0x201);
    assert.equal(irteInfo(hi, lo2, { eime: false }).destination, 2);
  });

  it('flags SVT = 11 (QEMU: source-id failure 0x26) and reserved delivery modes', () => {
    const svt3 = decodeIrte(0xcff00n, lo, CTX).findings;
    assert.deepEqual(
      svt3.map((x) => [x.code, x.faultReason]),
      [['svt-reserved', 0x26]],
    );
    // DLM 011 (bits 7:5 = 0x60) is reserved; 110 (0xc0) too.
    for (const dlm of [0x60n, 0xc0n]) {
      const s = decodeIrte(hi, lo | dlm, CTX);
      assert.deepEqual(
        s.findings.map((x) => x.code),
        ['dlm-reserved'],
      );
      assert.equal(irteInfo(hi, lo | dlm).deliveryMode, 'reserved');
    }
    assert.equal(irteInfo(hi, lo | 0x80n).deliveryMode, 'NMI');
    assert.equal(irteInfo(hi, lo | 0xe0n).deliveryMode, 'ExtINT');
  });

  it('never throws on odd input', () => {
    assert.equal(decodeIrte(0n, 0n).summary, 'IRTE not present');
    const wide = decodeIrte(-1n, 1n << 70n);
    assert.ok(wide.findings.some((f) => f.code === 'value-too-wide'));
    assert.equal(typeof decodeIrte((1n << 64n) - 1n, (1n << 64n) - 1n, CTX).summary, 'string');
    let prev = 0n;
    for (const v of fuzzValues(500)) {
      for (const ctx of [{}, CTX, { eime: true }]) {
        const s = decodeIrte(prev, v, ctx);
        assert.equal(typeof s.summary, 'string');
        const info = irteInfo(prev, v, ctx);
        assert.equal(typeof irteSourceMatches(info, Number(v & 0xffffn)), 'boolean');
      }
      prev = v;
    }
  });
});

describe('vtd/irte: source-id verification', () => {
  const base: IrteInfo = irteInfo(0x0000000000040018n, 0x000001000024000dn); // SID 00:03.0, SVT 01, SQ 00
  const withSq = (sq: number): IrteInfo => ({ ...base, sq });

  it('SVT 01 compares SID under the SQ mask', () => {
    // SQ 00: all 16 bits. 0x18 = 00:03.0, 0x19 = 00:03.1.
    assert.equal(irteSourceMatches(withSq(0), 0x18), true);
    assert.equal(irteSourceMatches(withSq(0), 0x19), false);
    // SQ 01 ignores bit 2: 00:03.4 (0x1c) matches, 00:03.2 (0x1a) does not.
    assert.equal(irteSourceMatches(withSq(1), 0x1c), true);
    assert.equal(irteSourceMatches(withSq(1), 0x1a), false);
    // SQ 10 ignores bits 2:1: 0x1a and 0x1e match, 0x19 (bit 0) does not.
    assert.equal(irteSourceMatches(withSq(2), 0x1a), true);
    assert.equal(irteSourceMatches(withSq(2), 0x1e), true);
    assert.equal(irteSourceMatches(withSq(2), 0x19), false);
    // SQ 11 ignores bits 2:0: every function of 00:03 matches, 00:04.0 not.
    assert.equal(irteSourceMatches(withSq(3), 0x1f), true);
    assert.equal(irteSourceMatches(withSq(3), 0x20), false);
  });

  it('SVT 10 checks the requester bus against start..end', () => {
    // Linux set_irte_verify_bus(start 2, end 5): SID = 0x0205.
    const bus: IrteInfo = { ...base, svt: 2, sid: 0x0205 };
    assert.equal(irteSourceMatches(bus, 0x0200), true);
    assert.equal(irteSourceMatches(bus, 0x0318), true);
    assert.equal(irteSourceMatches(bus, 0x05ff), true);
    assert.equal(irteSourceMatches(bus, 0x0100), false);
    assert.equal(irteSourceMatches(bus, 0x0600), false);
    // QEMU reads SID[15:8] as the upper bound: with 0x0205 nothing matches bus 3,
    // with 0x0502 it does.
    assert.equal(irteSourceMatches(bus, 0x0300, 'qemu'), false);
    assert.equal(irteSourceMatches({ ...bus, sid: 0x0502 }, 0x0300, 'qemu'), true);
  });

  it('SVT 00 accepts anything, SVT 11 nothing', () => {
    assert.equal(irteSourceMatches({ ...base, svt: 0 }, 0xbeef), true);
    assert.equal(irteSourceMatches({ ...base, svt: 3 }, 0x18), false);
  });
});

describe('vtd/irte: encoding like Linux prepare_irte()', () => {
  it('reproduces real entries of the capture', () => {
    assert.deepEqual(encodeRemappedIrte({ vector: 0x26, destination: 2, x2apic: false, logical: true, sid: 0xff00 }), {
      hi: 0x000000000004ff00n,
      lo: 0x000002000026000dn,
    });
    assert.deepEqual(encodeRemappedIrte({ vector: 0x23, destination: 1, x2apic: false, logical: true, sid: 0x00fa }), {
      hi: 0x00000000000400fan,
      lo: 0x000001000023000dn,
    });
  });

  it('reproduces the x2APIC example of the kernel ABI document', () => {
    // "0 00:0a.0 00000080 24 0000000000040050 000000800024000d"
    assert.deepEqual(encodeRemappedIrte({ vector: 0x24, destination: 0x80, x2apic: true, logical: true, sid: 0x50 }), {
      hi: 0x0000000000040050n,
      lo: 0x000000800024000dn,
    });
  });

  it('writes physical mode, level trigger, SQ and SVT when asked', () => {
    // HPET style: SVT 01, SQ 11 → hi 0x30000 | 0x40000 | sid.
    const e = encodeRemappedIrte({ vector: 0x30, destination: 3, x2apic: false, logical: false, sid: 0xf0f8, sq: 3, svt: 1, trigger: 'level' });
    assert.equal(e.hi, 0x7f0f8n);
    // P | RH | TM = 0x19; DST 0x300.
    assert.equal(e.lo, 0x0000030000300019n);
    const info = irteInfo(e.hi, e.lo, { eime: false });
    assert.equal(info.destMode, 'physical');
    assert.equal(info.trigger, 'level');
    assert.equal(info.destination, 3);
  });
});
