import { strict as assert } from 'node:assert';
import { decodeRootEntry, decodeScalableRootEntry } from '../../src/vtd/rootEntry';
import { awBits, awLevels, decodeContextEntry, decodeScalableContextEntry } from '../../src/vtd/contextEntry';
import { decodePasidDirEntry, decodePasidEntry } from '../../src/vtd/pasidEntry';
import { DecodeContext, fieldAddress, fieldValue, SpecFinding, Structure } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';

// The unit of the real capture (iommu_regset): SAGAW 39-bit only, MGAW 39,
// ND 6, CM; ECAP QI DT IR PT, no SC/SMTS/PASID.
const CAP = 0x00d2008c22260286n;
const ECAP = 0x0000000000f00f4en;
const REAL_CTX: DecodeContext = { cap: CAP, ecap: ECAP };
/** QEMU's CAP with aw-bits=48: SAGAW 39 + 48. */
const CAP48 = 0x00d2008c222f0686n;
/** A scalable-mode unit: QI DT PT, SMTS, PASID, PRS, SLTS, FLTS (bits 1 2 6 29 40 43 46 47). */
const SM_ECAP = [1, 2, 6, 29, 40, 43, 46, 47].reduce((v, b) => v | (1n << BigInt(b)), 0n);

function val(s: Structure, name: string): bigint {
  const v = fieldValue(s, name);
  assert.notEqual(v, undefined, `field ${name} missing`);
  return v as bigint;
}

const codes = (s: Structure) => s.findings.map((f) => f.code);
const errorsWithFault = (s: Structure) => s.findings.filter((f) => f.severity === 'error').map((f: SpecFinding) => [f.code, f.faultReason]);

/** The fields tile the structure: contiguous, no overlap, and put back together give raw. */
function assertTiles(s: Structure): void {
  const sorted = [...s.fields].sort((a, b) => a.lsb - b.lsb);
  let next = 0;
  let back = 0n;
  for (const f of sorted) {
    assert.equal(f.lsb, next, `${s.type}: gap or overlap before ${f.name}`);
    next = f.msb + 1;
    back |= f.raw << BigInt(f.lsb);
  }
  assert.equal(next, s.width);
  assert.equal(back, s.raw);
}

/** Root and context entries of the real dmar_translation_struct, by B.D.F. */
function captureRows(): Map<string, { root: [bigint, bigint]; ctx: [bigint, bigint] }> {
  const rows = new Map();
  const pair = (t: string): [bigint, bigint] => {
    const [hi, lo] = t.split(':');
    return [BigInt(hi), BigInt(lo)];
  };
  for (const line of legacyCaptureText('dmar_translation_struct').split('\n')) {
    const cols = line.split('\t');
    if (cols.length < 5 || !/^[0-9a-f]{2}:/.test(cols[0])) continue;
    rows.set(cols[0], { root: pair(cols[1]), ctx: pair(cols[2]) });
  }
  return rows;
}

describe('vtd/rootEntry', () => {
  it('decodes the real root entry 0x0000000000000000:0x0000000001a94001', () => {
    const s = decodeRootEntry(0n, 0x1a94001n, REAL_CTX);
    assert.equal(s.type, 'root-entry');
    assert.equal(val(s, 'P'), 1n);
    assert.equal(fieldAddress(s, 'CTP'), 0x1a94000n);
    assert.equal(s.summary, 'P CTP=0x1a94000');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('reports reserved bits with fault 0xA, and the address width from MGAW', () => {
    assert.deepEqual(errorsWithFault(decodeRootEntry(0n, 0x1a94003n)), [['reserved-bits', 0xa]]);
    assert.deepEqual(errorsWithFault(decodeRootEntry(1n, 0x1a94001n)), [['reserved-bits', 0xa]]);
    // Bit 39 is beyond the capture's 39-bit MGAW, not beyond the default 52.
    assert.deepEqual(errorsWithFault(decodeRootEntry(0n, (1n << 39n) | 0x1a94001n, REAL_CTX)), [['address-beyond-haw', 0xa]]);
    assert.deepEqual(decodeRootEntry(0n, (1n << 39n) | 0x1a94001n).findings, []);
    assert.deepEqual(errorsWithFault(decodeRootEntry(0n, (1n << 45n) | 0x1a94001n, { cap: CAP, haw: 46 })), []);
  });

  it('records no fault for a not-present entry', () => {
    const s = decodeRootEntry(0n, 0x1a94002n);
    assert.equal(s.summary, 'not present');
    assert.deepEqual(s.findings.map((f) => [f.severity, f.faultReason]), [['warning', undefined]]);
  });

  it('decodes scalable root entries: lower and upper halves, fault 0x3A', () => {
    const s = decodeScalableRootEntry(0x12345001n, 0x460d1001n);
    assert.equal(s.type, 'sm-root-entry');
    assert.deepEqual([val(s, 'LP'), val(s, 'UP')], [1n, 1n]);
    assert.equal(fieldAddress(s, 'LCTP'), 0x460d1000n);
    assert.equal(fieldAddress(s, 'UCTP'), 0x12345000n);
    assert.equal(s.summary, 'LP LCTP=0x460d1000 UP UCTP=0x12345000');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
    assert.deepEqual(errorsWithFault(decodeScalableRootEntry(0x12345005n, 0x460d1001n)), [['reserved-bits', 0x3a]]);
    assert.equal(decodeScalableRootEntry(0n, 0x460d1001n).summary, 'LP LCTP=0x460d1000');
  });
});

describe('vtd/contextEntry (legacy)', () => {
  it('decodes the real context entry of 00:05.0, hi 0x701 lo 0x1b1f001', () => {
    const s = decodeContextEntry(0x701n, 0x1b1f001n, REAL_CTX);
    assert.equal(s.type, 'context-entry');
    assert.deepEqual(['P', 'FPD', 'TT', 'AW', 'DID'].map((n) => val(s, n)), [1n, 0n, 0n, 1n, 7n]);
    assert.equal(fieldAddress(s, 'SLPTPTR'), 0x1b1f000n);
    assert.deepEqual([awBits(1), awLevels(1)], [39, 3]);
    assert.equal(s.summary, 'P DID=7 AW=39 SLPTPTR=0x1b1f000');
    assert.match(s.fields.find((f) => f.name === 'TT')!.meaning, /^00: untranslated requests translated through second-level tables; ATS blocked/);
    assert.match(s.fields.find((f) => f.name === 'AW')!.meaning, /39-bit, 3-level/);
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('finds nothing to report in any real root or context entry', () => {
    const rows = captureRows();
    assert.equal(rows.size, 9);
    for (const [bdf, r] of rows) {
      assert.deepEqual(decodeRootEntry(r.root[0], r.root[1], REAL_CTX).findings, [], bdf);
      assert.deepEqual(decodeContextEntry(r.ctx[0], r.ctx[1], REAL_CTX).findings, [], bdf);
    }
    // The kernel's fault dump printed the same entry as the debugfs file.
    assert.match(legacyCaptureText('dmesg'), /context entry: hi 0x0000000000000701, low 0x0000000001b1f001/);
  });

  it('maps AW to widths and levels', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map(awBits), [30, 39, 48, 57, 64]);
    assert.deepEqual([0, 1, 2, 3, 4].map(awLevels), [2, 3, 4, 5, 6]);
    assert.equal(awBits(7), 64);
  });

  it('checks TT against ECAP (fault 0x3, invalid context entry)', () => {
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x701n, 0x1b1f00dn, REAL_CTX)), [['tt-reserved', 0x3]]);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x701n, 0x1b1f009n, { ecap: ECAP & ~0x40n })), [['tt-pt-unsupported', 0x3]]);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x701n, 0x1b1f005n, { ecap: ECAP & ~0x4n })), [['tt-dt-unsupported', 0x3]]);
    assert.deepEqual(decodeContextEntry(0x701n, 0x1b1f005n, REAL_CTX).findings, []);
    assert.equal(decodeContextEntry(0x701n, 0x1b1f005n, REAL_CTX).summary, 'P TT=DT DID=7 AW=39 SLPTPTR=0x1b1f000');
  });

  it('decodes a pass-through entry as Linux writes it (lo 0x9, AW and DID kept)', () => {
    const s = decodeContextEntry(0x102n, 0x9n, { cap: CAP48, ecap: ECAP });
    assert.equal(val(s, 'TT'), 2n);
    assert.equal(s.summary, 'P TT=PT DID=1 AW=48');
    assert.deepEqual(s.findings, []);
    // QEMU checks AW against SAGAW whatever TT says.
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x102n, 0x9n, REAL_CTX)), [['aw-not-in-sagaw', 0x3]]);
  });

  it('checks AW against SAGAW and DID against ND', () => {
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x702n, 0x1b1f001n, REAL_CTX)), [['aw-not-in-sagaw', 0x3]]);
    assert.deepEqual(decodeContextEntry(0x702n, 0x1b1f001n, { cap: CAP48 }).findings, []);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x5n, 0x1b1f001n)), [['aw-reserved', 0x3]]);
    // ND=2: 256 domain ids, so DID 0x107 is out of range (no fault code: QEMU does not check it).
    const nd2 = (CAP & ~7n) | 2n;
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x10701n, 0x1b1f001n, { cap: nd2 })), [['did-beyond-nd', undefined]]);
    assert.deepEqual(codes(decodeContextEntry(0x1n, 0x1b1f001n, REAL_CTX)), ['did-zero-with-cm']);
  });

  it('reports reserved bits with fault 0xB (QEMU RSVD_LO/RSVD_HI), but not AVAIL', () => {
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x701n, 0x1b1f011n)), [['reserved-bits', 0xb]]);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x781n, 0x1b1f001n)), [['reserved-bits', 0xb]]);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x40000701n, 0x1b1f001n)), [['reserved-bits', 0xb]]);
    assert.deepEqual(decodeContextEntry(0x779n, 0x1b1f001n).findings, []);
    assert.deepEqual(errorsWithFault(decodeContextEntry(0x701n, (1n << 40n) | 0x1b1f001n, REAL_CTX)), [['address-beyond-haw', 0xb]]);
  });

  it('keeps findings of a not-present entry as warnings without a fault', () => {
    const s = decodeContextEntry(0x781n, 0xcn, REAL_CTX);
    assert.equal(s.summary, 'not present');
    assert.ok(s.findings.length > 0);
    assert.ok(s.findings.every((f) => f.severity !== 'error' && f.faultReason === undefined));
  });
});

describe('vtd/contextEntry (scalable mode)', () => {
  it('decodes …e1d: P DTE PASIDE PRE, PDTS 7', () => {
    const s = decodeScalableContextEntry([0x460d1e1dn, 0n]);
    assert.equal(s.type, 'sm-context-entry');
    assert.equal(s.width, 256);
    assert.deepEqual(['P', 'FPD', 'DTE', 'PASIDE', 'PRE', 'PDTS', 'RID_PASID'].map((n) => val(s, n)), [1n, 0n, 1n, 1n, 1n, 7n, 0n]);
    assert.equal(fieldAddress(s, 'PASIDDIRPTR'), 0x460d1000n);
    assert.match(s.fields.find((f) => f.name === 'PDTS')!.meaning, /^16384 directory entries/);
    assert.equal(s.summary, 'P DTE PASIDE PRE PDTS=7 PASIDDIRPTR=0x460d1000');
    assert.deepEqual(s.findings, []);
    assert.deepEqual(decodeScalableContextEntry([0x460d1e1dn], { ecap: SM_ECAP }).findings, []);
    assertTiles(s);
  });

  it('checks switches against ECAP and RID_PASID against RPS', () => {
    const s = decodeScalableContextEntry([0x460d1e1dn, 0n], REAL_CTX);
    assert.deepEqual(s.findings.map((f) => [f.code, f.field, f.faultReason]), [
      ['feature-unsupported', 'PASIDE', 0x42],
      ['feature-unsupported', 'PRE', 0x42],
      ['sm-without-smts', undefined, undefined],
    ]);
    assert.deepEqual(errorsWithFault(decodeScalableContextEntry([0x460d1401n, 5n], { ecap: SM_ECAP })), [['rid-pasid-unsupported', 0x48]]);
  });

  it('reports reserved bits with 0x42; bits 8:5 only as a warning', () => {
    assert.deepEqual(errorsWithFault(decodeScalableContextEntry([0x460d1401n, 1n << 21n])), [['reserved-bits', 0x42]]);
    assert.deepEqual(errorsWithFault(decodeScalableContextEntry([0x460d1401n, 0n, 1n])), [['reserved-bits', 0x42]]);
    // The ABI document's Kabylake entry has bits 6:5 set.
    const abi = decodeScalableContextEntry([0x0000000103220e7dn, 0n]);
    assert.deepEqual(abi.findings.map((f) => [f.severity, f.code, f.faultReason]), [['warning', 'reserved-bits', 0x42]]);
  });

  it('survives missing and oversized qwords', () => {
    assert.equal(decodeScalableContextEntry([]).summary, 'not present');
    assert.doesNotThrow(() => decodeScalableContextEntry([1n << 80n, -1n, 3n, 4n, 5n]));
  });
});

describe('vtd/pasidEntry', () => {
  it('decodes the pass-through entry 0:0x800001:0x109 (DID 1, PWSNP)', () => {
    const s = decodePasidEntry([0x109n, 0x800001n, 0n]);
    assert.equal(s.type, 'pasid-entry');
    assert.equal(s.width, 512);
    assert.deepEqual(['P', 'AW', 'PGTT', 'DID', 'PWSNP', 'PGSNP'].map((n) => val(s, n)), [1n, 2n, 4n, 1n, 1n, 0n]);
    assert.equal(s.summary, 'P PGTT=PT DID=1 PWSNP');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x109n, 0x800001n], { ecap: SM_ECAP & ~0x40n })), [['pgtt-unsupported', 0x5b]]);
  });

  it('decodes the second-stage entry 0:0x800003:ptr|0x089 (AW 2, DID 3)', () => {
    const s = decodePasidEntry([0x7f3c5000n | 0x89n, 0x800003n, 0n]);
    assert.deepEqual(['PGTT', 'AW', 'DID'].map((n) => val(s, n)), [2n, 2n, 3n]);
    assert.equal(fieldAddress(s, 'SSPTPTR'), 0x7f3c5000n);
    assert.equal(s.summary, 'P PGTT=SL AW=48 DID=3 SSPTPTR=0x7f3c5000 PWSNP');
    assert.deepEqual(decodePasidEntry([0x7f3c5089n, 0x800003n], { cap: CAP48, ecap: SM_ECAP }).findings, []);
    // The capture's unit has no 48-bit SAGAW: QEMU records 0x5B.
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x7f3c5089n, 0x800003n], { cap: CAP })), [['aw-not-in-sagaw', 0x5b]]);
  });

  it('decodes the first-stage entry 0x105a86000:0x2:0x49 and checks its pointer against HAW', () => {
    const s = decodePasidEntry([0x49n, 0x2n, 0x105a86000n]);
    assert.deepEqual(['PGTT', 'DID', 'FLPM', 'SRE'].map((n) => val(s, n)), [1n, 2n, 0n, 0n]);
    assert.equal(fieldAddress(s, 'FSPTPTR'), 0x105a86000n);
    assert.equal(s.summary, 'P PGTT=FL DID=2 FSPTPTR=0x105a86000 4-level');
    assert.deepEqual(s.findings, []);
    // Bit 32 of the pointer is beyond a 32-bit host address width.
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x49n, 0x2n, 0x105a86000n], { haw: 32 })), [['address-beyond-haw', 0x5a]]);
    // FLPM = 01 (5-level) on the capture's unit, which lacks FL5LP.
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x49n, 0x2n, 0x105a86004n], { cap: CAP })), [['flpm-5level-unsupported', 0x5b]]);
  });

  it('rejects reserved PGTT values and reserved bits', () => {
    for (const pgtt of [0n, 5n, 6n, 7n]) {
      assert.deepEqual(errorsWithFault(decodePasidEntry([(pgtt << 6n) | 1n])), [['pgtt-reserved', 0x5b]], `PGTT ${pgtt}`);
    }
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x509n])), [['reserved-bits', 0x5a]]);
    assert.deepEqual(errorsWithFault(decodePasidEntry([0x109n, 0n, 0n, 0n, 1n])), [['reserved-bits', 0x5a]]);
    assert.equal(decodePasidEntry([0x108n]).summary, 'not present');
  });

  it('keeps 64-bit pointers exact', () => {
    const ptr = 0x000ffffffffff000n;
    const s = decodePasidEntry([0x49n, 0x2n, ptr | 0x1n]);
    assert.equal(fieldAddress(s, 'FSPTPTR'), ptr);
    assert.equal(val(s, 'SRE'), 1n);
    assert.equal(s.raw >> 128n, ptr | 0x1n);
  });

  it('decodes PASID directory entries (reserved bits: 0x52)', () => {
    const s = decodePasidDirEntry(0x12345001n);
    assert.equal(s.type, 'pasid-dir-entry');
    assert.equal(fieldAddress(s, 'SMPTBLPTR'), 0x12345000n);
    assert.equal(s.summary, 'P SMPTBLPTR=0x12345000');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
    assert.deepEqual(errorsWithFault(decodePasidDirEntry(0x12345005n)), [['reserved-bits', 0x52]]);
  });
});

describe('vtd root/context/PASID: fuzz', () => {
  it('decodes random values without throwing, fields always tiling', () => {
    let x = 0x9e3779b97f4a7c15n;
    const mask = (1n << 64n) - 1n;
    const next = () => {
      x ^= (x << 13n) & mask;
      x ^= x >> 7n;
      x ^= (x << 17n) & mask;
      return x;
    };
    const contexts: DecodeContext[] = [{}, REAL_CTX, { cap: next(), ecap: next(), haw: 7 }, { haw: 99 }];
    for (let i = 0; i < 500; i++) {
      const q = Array.from({ length: 8 }, next);
      for (const ctx of contexts) {
        assertTiles(decodeRootEntry(q[1], q[0], ctx));
        assertTiles(decodeScalableRootEntry(q[1], q[0], ctx));
        assertTiles(decodeContextEntry(q[1], q[0], ctx));
        assertTiles(decodeScalableContextEntry(q.slice(0, 4), ctx));
        assertTiles(decodePasidEntry(q, ctx));
        assertTiles(decodePasidDirEntry(q[0], ctx));
      }
    }
  });
});
