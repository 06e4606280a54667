import { strict as assert } from 'node:assert';
import {
  REGISTERS,
  capInfo,
  checkRegisterSet,
  decodeRegister,
  ecapInfo,
  registerByName,
  registerByOffset,
} from '../../src/vtd/registers';
import { fieldAddress, fieldValue, Structure } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';

/** name → [offset, value] of the real capture's iommu_regset (rows are name TAB offset TAB TAB value). */
function captureRegisters(): Map<string, [number, bigint]> {
  const out = new Map<string, [number, bigint]>();
  for (const line of legacyCaptureText('iommu_regset').split('\n')) {
    const cols = line.split('\t').filter((c) => c !== '');
    if (cols.length !== 3 || !cols[1].startsWith('0x')) continue;
    out.set(cols[0].trim(), [parseInt(cols[1], 16), BigInt(cols[2])]);
  }
  return out;
}

const REAL = captureRegisters();
const value = (name: string): bigint => REAL.get(name)![1];
const CAP = 0x00d2008c22260286n;
const ECAP = 0x0000000000f00f4en;

function val(s: Structure, name: string): bigint {
  const v = fieldValue(s, name);
  assert.notEqual(v, undefined, `field ${name} missing`);
  return v as bigint;
}

/** The fields tile the register: contiguous, no overlap, and put back together give raw. */
function assertTiles(s: Structure): void {
  const sorted = [...s.fields].sort((a, b) => a.lsb - b.lsb);
  let next = 0;
  let back = 0n;
  for (const f of sorted) {
    assert.equal(f.lsb, next, `${s.type}: gap or overlap before ${f.name}`);
    next = f.msb + 1;
    back |= f.raw << BigInt(f.lsb);
  }
  assert.equal(next, s.width, `${s.type}: fields end at bit ${next}`);
  assert.equal(back, s.raw);
}

describe('vtd/registers: table', () => {
  it('knows every register of the real iommu_regset at its printed offset', () => {
    assert.equal(REAL.size, 67);
    for (const [name, [offset]] of REAL) {
      const r = registerByName(name);
      assert.ok(r, name);
      assert.equal(r.offset, offset, name);
      assert.equal(registerByOffset(offset)?.name, name);
    }
  });

  it('has the registers iommu_regset prints in other eras, and the never-printed ones', () => {
    const expect: [string, number, number][] = [
      ['AFLOG', 0x58, 64],
      ['CCMD', 0x28, 64],
      ['IECTL', 0xa0, 32],
      ['IEDATA', 0xa4, 32],
      ['IEADDR', 0xa8, 32],
      ['IEUADDR', 0xac, 32],
      ['IQER', 0xb0, 64],
      ['VCCAP', 0xe30, 64],
      ['VCMD', 0xe00, 64],
      ['VCRSP', 0xe10, 64],
      ['GSTS', 0x1c, 32],
      ['MTRR_PHYSMASK9', 0x218, 64],
    ];
    for (const [name, offset, width] of expect) {
      assert.deepEqual([registerByName(name)?.offset, registerByName(name)?.width], [offset, width], name);
    }
    assert.equal(registerByName(' gsts ')?.name, 'GSTS');
    assert.equal(new Set(REGISTERS.map((r) => r.offset)).size, REGISTERS.length);
    assert.equal(registerByName('FOO'), undefined);
    assert.equal(registerByOffset(0x4), undefined);
  });
});

describe('vtd/registers: CAP and ECAP of the real capture', () => {
  it('reads CAP 0x00d2008c22260286 field by field', () => {
    assert.equal(value('CAP'), CAP);
    const c = capInfo(CAP);
    // ND=6 → 2^(4+12); CM bit 7; SAGAW bits 12:8 = 0b00010; MGAW 21:16 = 38 → 39;
    // FRO 33:24 = 0x22 → 0x220; SLLPS 37:34 = 0b11; PSI bit 39; NFR 47:40 = 0 → 1;
    // MAMV 53:48 = 18; DWD bit 54, DRD bit 55.
    assert.deepEqual(c, {
      nd: 6,
      domains: 65536,
      afl: false,
      rwbf: false,
      plmr: false,
      phmr: false,
      cm: true,
      sagaw: 2,
      supportedAws: [1],
      mgaw: 39,
      zlr: false,
      froOffset: 0x220,
      nfr: 1,
      sllps2M: true,
      sllps1G: true,
      psi: true,
      mamv: 18,
      dwd: true,
      drd: true,
      fl1gp: false,
      pi: false,
      fl5lp: false,
      ecmds: false,
      esirtps: false,
      esrtps: false,
    });
    const s = decodeRegister('CAP', CAP);
    assert.equal(s.type, 'reg-cap');
    assert.equal(s.summary, 'ND=65536 SAGAW=39 MGAW=39 CM PSI SLLPS=2M,1G NFR=1 FRO=0x220 MAMV=18 DWD DRD');
    assert.deepEqual(s.findings, []);
    assert.equal(val(s, 'FRO'), 0x22n);
    assertTiles(s);
  });

  it('reads ECAP 0x0000000000f00f4e field by field', () => {
    assert.equal(value('ECAP'), ECAP);
    const e = ecapInfo(ECAP);
    // 0x4e = bits 1 (QI), 2 (DT), 3 (IR), 6 (PT); IRO 17:8 = 0xf → 0xf0; MHMV 23:20 = 15.
    assert.deepEqual(
      [e.c, e.qi, e.dt, e.ir, e.eim, e.pt, e.sc, e.iroOffset, e.mhmv, e.smts, e.pasid, e.slts, e.flts],
      [false, true, true, true, false, true, false, 0xf0, 15, false, false, false, false],
    );
    const s = decodeRegister('ecap', ECAP);
    assert.equal(s.summary, 'QI DT IR PT IRO=0xf0 MHMV=15');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('reads the QEMU 4.2 ECAP f00f5a (EIM, no DT) and the aw-bits=48 CAP', () => {
    const e = ecapInfo(0xf00f5an);
    assert.deepEqual([e.qi, e.dt, e.ir, e.eim, e.pt], [true, false, true, true, true]);
    const c = capInfo(0x00d2008c222f0686n);
    assert.deepEqual([c.supportedAws, c.mgaw], [[1, 2], 48]);
    assert.match(decodeRegister('CAP', 0x00d2008c222f0686n).summary, /^ND=65536 SAGAW=39,48 MGAW=48 /);
  });
});

describe('vtd/registers: decodeRegister', () => {
  it('decodes GSTS 0xc7000000 as TES RTPS QIES IRES IRTPS', () => {
    const s = decodeRegister('GSTS', value('GSTS'));
    assert.equal(s.type, 'reg-gsts');
    assert.equal(s.width, 32);
    assert.equal(s.summary, 'TES RTPS QIES IRES IRTPS');
    for (const [name, bit] of [['TES', 1n], ['RTPS', 1n], ['FLS', 0n], ['AFLS', 0n], ['WBFS', 0n], ['QIES', 1n], ['IRES', 1n], ['IRTPS', 1n], ['CFIS', 0n]] as const) {
      assert.equal(val(s, name), bit, name);
    }
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('decodes IRTA 0x120000f: base 0x1200000, 65536 entries, xAPIC', () => {
    const s = decodeRegister('IRTA', value('IRTA'));
    assert.equal(fieldAddress(s, 'IRTA'), 0x1200000n);
    assert.equal(val(s, 'S'), 15n);
    assert.equal(val(s, 'EIME'), 0n);
    assert.equal(s.summary, 'IRTA=0x1200000 S=15 (65536 entries) xAPIC');
    assert.match(s.fields.find((f) => f.name === 'S')!.meaning, /^65536 entries/);
    assert.deepEqual(s.findings, []);
  });

  it('decodes the queue registers: IQA 0x10db000 (256 × 128-bit), IQH = IQT = descriptor 180', () => {
    const iqa = decodeRegister('IQA', value('IQA'));
    assert.equal(fieldAddress(iqa, 'IQA'), 0x10db000n);
    assert.deepEqual([val(iqa, 'QS'), val(iqa, 'DW')], [0n, 0n]);
    assert.equal(iqa.summary, 'IQA=0x10db000 QS=0 (256 × 128-bit)');
    const iqh = decodeRegister('IQH', value('IQH'));
    assert.equal(val(iqh, 'QH'), 180n);
    assert.equal(iqh.summary, 'QH=180 (offset 0xb40)');
  });

  it('decodes RTADDR, VER, FEADDR, FEDATA of the capture', () => {
    assert.equal(decodeRegister('RTADDR', value('RTADDR')).summary, 'RTA=0x1a8e000 legacy');
    assert.equal(decodeRegister('VER', value('VER')).summary, 'VT-d 1.0');
    assert.equal(fieldAddress(decodeRegister('FEADDR', value('FEADDR')), 'MA'), 0xfee01004n);
    assert.equal(decodeRegister('FEDATA', value('FEDATA')).summary, 'IMD=0x21');
  });

  it('decodes every register of the capture without findings, tiling each', () => {
    const ctx = { cap: CAP, ecap: ECAP };
    for (const [name, [, v]] of REAL) {
      const s = decodeRegister(name, v, ctx);
      assert.equal(s.type, `reg-${name.toLowerCase()}`);
      assert.deepEqual(s.findings, [], name);
      assertTiles(s);
    }
  });

  it('gives registers without a layout one VALUE field, and unknown names an info finding', () => {
    const mtrr = decodeRegister('MTRR_FIX64K_00000', 0x0606060606060606n);
    assert.deepEqual(mtrr.fields.map((f) => f.name), ['VALUE']);
    assert.deepEqual(mtrr.findings, []);
    assert.equal(fieldAddress(decodeRegister('PLMBASE', 0x100000n), 'PLMB'), 0x100000n);
    const foo = decodeRegister('FOO', 0x1234n);
    assert.equal(foo.type, 'reg-foo');
    assert.deepEqual(foo.fields.map((f) => f.name), ['VALUE']);
    assert.deepEqual(foo.findings.map((f) => [f.severity, f.code]), [['info', 'unknown-register']]);
  });

  it('keeps a 32-bit register to its own half (pre-5.7 64-bit reads)', () => {
    // The notes' pre-5.7 GCMD row: GSTS 0xc7000000 in the upper half.
    const s = decodeRegister('GCMD', 0xc700000000000000n);
    assert.equal(s.raw, 0n);
    assert.equal(s.summary, '0');
    assert.deepEqual(s.findings.map((f) => f.code), ['upper-half-ignored']);
  });

  it('reports reserved bits and CAP/ECAP conflicts of one register', () => {
    const gsts = decodeRegister('GSTS', 0xc7000001n);
    assert.deepEqual(gsts.findings.map((f) => [f.severity, f.code, f.field]), [['warning', 'reserved-bits', 'RSVD_22_0']]);
    const rt = decodeRegister('RTADDR', 0x1a8e400n, { ecap: ECAP });
    assert.equal(val(rt, 'TTM'), 1n);
    assert.deepEqual(rt.findings.map((f) => f.code), ['ttm-scalable-unsupported']);
    assert.deepEqual(decodeRegister('IRTA', 0x120080fn, { ecap: ECAP }).findings.map((f) => f.code), ['eime-without-eim']);
    // With the capture's MGAW (39), an IRT at 2^40 is beyond the address width.
    assert.deepEqual(decodeRegister('IRTA', (1n << 40n) | 0xfn, { cap: CAP }).findings.map((f) => f.code), ['address-beyond-haw']);
    // Reserved CAP bits are information (newer revisions define them).
    assert.deepEqual(decodeRegister('CAP', CAP | (1n << 57n)).findings.map((f) => [f.severity, f.code]), [['info', 'undefined-bits']]);
  });
});

describe('vtd/registers: checkRegisterSet', () => {
  const realSet = () => new Map([...REAL].map(([n, [, v]]) => [n, v]));
  const codesOf = (changes: Record<string, bigint>) => {
    const regs = realSet();
    for (const [n, v] of Object.entries(changes)) regs.set(n, v);
    return checkRegisterSet(regs).map((f) => `${f.field}:${f.code}`);
  };

  it('finds nothing wrong with the real unit', () => {
    assert.deepEqual(checkRegisterSet(realSet()), []);
  });

  it('fires on each inconsistency, naming the register', () => {
    assert.deepEqual(codesOf({ GSTS: 0x87000000n }), ['GSTS:tes-without-rtps']);
    assert.deepEqual(codesOf({ GSTS: 0xc6000000n }), ['GSTS:ires-without-irtps']);
    assert.deepEqual(codesOf({ IQA: 0n }), ['IQA:qi-without-queue']);
    assert.deepEqual(codesOf({ RTADDR: 0x1a8e400n }), ['RTADDR:ttm-scalable-unsupported']);
    assert.deepEqual(codesOf({ IRTA: 0x120080fn }), ['IRTA:eime-without-eim']);
    // DW=1 without SMTS; the queue is then 128 × 256-bit and IQH/IQT (index 0xb40>>5 = 90) still fit.
    assert.deepEqual(codesOf({ IQA: 0x10db800n }), ['IQA:iqa-dw-without-smts']);
    assert.deepEqual(codesOf({ CAP: CAP & ~0x1f00n }), ['CAP:tes-without-sagaw']);
    assert.deepEqual(codesOf({ ECAP: ECAP & ~0xan }), ['GSTS:qies-without-qi', 'GSTS:ires-without-ir']);
    assert.deepEqual(codesOf({ IRTA: 0xfn }), ['IRTA:ir-without-table']);
  });

  it('checks IQH/IQT against the queue size', () => {
    // QS=0, 128-bit: 256 descriptors; index 256 is offset 0x1000.
    assert.deepEqual(codesOf({ IQH: 0x1000n, IQT: 0x1000n }), ['IQH:queue-index-beyond-size', 'IQT:queue-index-beyond-size']);
    assert.deepEqual(codesOf({ IQT: 0xb50n }), ['IQH:queue-not-drained']);
  });

  it('flags fault state worth a look', () => {
    assert.deepEqual(codesOf({ FSTS: 0x2n }), ['FSTS:fault-pending']);
    assert.deepEqual(codesOf({ FSTS: 0x13n }), ['FSTS:fault-pending', 'FSTS:fault-overflow', 'FSTS:invalidation-queue-error']);
    assert.deepEqual(codesOf({ FECTL: 0x80000000n }), ['FECTL:fault-interrupt-masked']);
    assert.deepEqual(codesOf({ FEADDR: 0x12340000n }), ['FEADDR:fault-msi-address']);
  });

  it('says which MTRR rows really show fault records (FRO inside 0x100-0x21f)', () => {
    // A Skylake-SP style CAP: FRO = 0x10 (records at 0x100), NFR = 7 + 1, SAGAW 48-bit, ND 6.
    const cap = (0x10n << 24n) | (7n << 40n) | (1n << 10n) | 6n;
    const f = checkRegisterSet(new Map([['CAP', cap], ['MTRRCAP', 0n], ['MTRR_FIX4K_F8000', 0n], ['MTRR_PHYSBASE0', 0n]]));
    assert.equal(f.length, 1);
    assert.equal(f[0].code, 'fault-records-in-mtrr-rows');
    assert.match(f[0].message, /rows MTRRCAP, MTRR_FIX4K_F8000 show fault records/);
  });

  it('copes with an empty or partial set', () => {
    assert.deepEqual(checkRegisterSet(new Map()), []);
    assert.deepEqual(checkRegisterSet(new Map([['GSTS', 0x80000000n]])).map((f) => f.code), ['tes-without-rtps']);
  });
});

describe('vtd/registers: fuzz', () => {
  it('decodes random values of every register, and random register sets, without throwing', () => {
    let x = 0x9e3779b97f4a7c15n;
    const mask = (1n << 64n) - 1n;
    const next = () => {
      x ^= (x << 13n) & mask;
      x ^= x >> 7n;
      x ^= (x << 17n) & mask;
      return x;
    };
    const names = [...REGISTERS.map((r) => r.name), 'IVA', 'IOTLB', 'NOPE', ''];
    for (let i = 0; i < 100; i++) {
      const regs = new Map<string, bigint>();
      for (const name of names) {
        const v = next();
        regs.set(name, v);
        assertTiles(decodeRegister(name, v, { cap: next(), ecap: next() }));
      }
      assert.doesNotThrow(() => checkRegisterSet(regs));
    }
  });
});
