import { strict as assert } from 'node:assert';
import { LEVEL_NAMES, decodeFlEntry, decodeSlEntry, iovaIndex, levelShift, slEntryInfo } from '../../src/vtd/paging';
import { DecodeContext, fieldAddress, fieldValue, Structure } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';

const CAP = 0x00d2008c22260286n;
const ECAP = 0x0000000000f00f4en;
const REAL_CTX: DecodeContext = { cap: CAP, ecap: ECAP };
/** The real ECAP plus SC (snoop control, bit 7). */
const ECAP_SC = ECAP | 0x80n;

function val(s: Structure, name: string): bigint {
  const v = fieldValue(s, name);
  assert.notEqual(v, undefined, `field ${name} missing`);
  return v as bigint;
}

const faults = (s: Structure) => s.findings.map((f) => [f.severity, f.code, f.field, f.faultReason]);

/** The fields tile the entry: contiguous, no overlap, and put back together give raw. */
function assertTiles(s: Structure): void {
  const sorted = [...s.fields].sort((a, b) => a.lsb - b.lsb);
  let next = 0;
  let back = 0n;
  for (const f of sorted) {
    assert.equal(f.lsb, next, `${s.title}: gap or overlap before ${f.name}`);
    next = f.msb + 1;
    back |= f.raw << BigInt(f.lsb);
  }
  assert.equal(next, 64);
  assert.equal(back, s.raw);
}

describe('vtd/paging: levels', () => {
  it('names levels and their IOVA bits', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((l) => LEVEL_NAMES[l]), ['PTE', 'PDE', 'PDPE', 'PML4E', 'PML5E']);
    assert.deepEqual([1, 2, 3, 4, 5].map(levelShift), [12, 21, 30, 39, 48]);
  });

  it('indexes each level with 9 IOVA bits (the capture row IOVA_PFN 0xffefd)', () => {
    const iova = 0xffefd000n;
    assert.deepEqual([1, 2, 3, 4, 5].map((l) => iovaIndex(iova, l)), [0xfd, 0x1ff, 3, 0, 0]);
    assert.equal(iovaIndex(0x00ff800000000000n, 5), 0xff);
    assert.equal(iovaIndex((1n << 64n) - 1n, 4), 0x1ff);
    assert.equal(iovaIndex(0x1000n, NaN), 0);
  });
});

describe('vtd/paging: second level', () => {
  it('decodes the real PTE 0x000000000268e003', () => {
    const s = decodeSlEntry(0x268e003n, 1, REAL_CTX);
    assert.equal(s.type, 'sl-entry');
    assert.equal(s.title, 'Second-level PTE (4 KiB page)');
    assert.deepEqual(['R', 'W', 'X', 'SNP', 'TM'].map((n) => val(s, n)), [1n, 1n, 0n, 0n, 0n]);
    assert.equal(fieldAddress(s, 'ADDR'), 0x268e000n);
    assert.equal(s.summary, 'R W → 0x268e000 4K');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
    assert.deepEqual(slEntryInfo(0x268e003n, 1), {
      present: true,
      read: true,
      write: true,
      execute: false,
      leaf: true,
      superpage: false,
      snoop: false,
      address: 0x268e000n,
      pageSize: 4096n,
    });
  });

  it('decodes the real upper levels as tables', () => {
    const pde = decodeSlEntry(0x25bc003n, 2, REAL_CTX);
    assert.equal(pde.title, 'Second-level PDE (next table)');
    assert.equal(pde.summary, 'R W → table 0x25bc000');
    assert.deepEqual(pde.findings, []);
    assertTiles(pde);
    assert.equal(decodeSlEntry(0x25b6003n, 3).summary, 'R W → table 0x25b6000');
    const info = slEntryInfo(0x25bc003n, 2);
    assert.deepEqual([info.leaf, info.pageSize, info.address], [false, undefined, 0x25bc000n]);
  });

  it('finds nothing to report in any entry of the real domain_translation_struct', () => {
    let checked = 0;
    for (const line of legacyCaptureText('domain_translation_struct').split('\n')) {
      if (!line.includes('|')) continue;
      const entries = line.split('|')[1].trim().split(/\s+/).map((t) => BigInt(t));
      assert.equal(entries.length, 5);
      entries.forEach((v, i) => {
        const level = 5 - i;
        if (v === 0n) return;
        const s = decodeSlEntry(v, level, REAL_CTX);
        assert.deepEqual(s.findings, [], `${line.trim()} level ${level}`);
        checked++;
      });
      const pte = slEntryInfo(entries[4], 1);
      assert.ok(pte.present && pte.leaf && pte.read, line);
    }
    assert.ok(checked > 100, `only ${checked} entries checked`);
  });

  it('decodes a 2 MiB leaf …883 (R W PS SNP)', () => {
    const v = 0x0000000012a00883n;
    const s = decodeSlEntry(v, 2, { cap: CAP, ecap: ECAP_SC });
    assert.equal(s.title, 'Second-level PDE (2 MiB page)');
    assert.deepEqual(['R', 'W', 'PS', 'SNP'].map((n) => val(s, n)), [1n, 1n, 1n, 1n]);
    assert.equal(fieldAddress(s, 'ADDR'), 0x12a00000n);
    assert.equal(s.summary, 'R W SNP → 0x12a00000 2M');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
    const info = slEntryInfo(v, 2);
    assert.deepEqual([info.leaf, info.superpage, info.snoop, info.pageSize, info.address], [true, true, true, 2n << 20n, 0x12a00000n]);
    // No ECAP known: not judged. Scalable mode: SNP allowed.
    assert.deepEqual(decodeSlEntry(v, 2).findings, []);
    assert.deepEqual(decodeSlEntry(v, 2, { ecap: ECAP, scalable: true }).findings, []);
    // The capture's unit has no SC: QEMU faults SNP in a legacy leaf with 0xC.
    assert.deepEqual(faults(decodeSlEntry(v, 2, REAL_CTX)), [['error', 'reserved-bits', 'SNP', 0xc]]);
  });

  it('reports large-page alignment bits and unsupported page sizes', () => {
    assert.deepEqual(faults(decodeSlEntry(0x12a01083n, 2)), [['error', 'reserved-bits', 'RSVD_20_12', 0xc]]);
    assert.deepEqual(faults(decodeSlEntry(0x40001083n, 3)), [['error', 'reserved-bits', 'RSVD_29_12', 0xc]]);
    const no1G = CAP & ~(1n << 35n);
    assert.deepEqual(faults(decodeSlEntry(0x40000083n, 3, { cap: no1G })), [['error', 'reserved-bits', 'PS', 0xc]]);
    assert.deepEqual(decodeSlEntry(0x40000083n, 3, { cap: CAP }).findings, []);
    assert.equal(decodeSlEntry(0x40000083n, 3).title, 'Second-level PDPE (1 GiB page)');
    // PS in a PML4E or PML5E is reserved (QEMU L4 mask 0x880).
    assert.deepEqual(faults(decodeSlEntry(0x25b6083n, 4)), [['error', 'reserved-bits', 'PS', 0xc]]);
    assert.deepEqual(faults(decodeSlEntry(0x25b6083n, 5, { scalable: true })), [['error', 'reserved-bits', 'PS', 0x7a]]);
    assert.equal(slEntryInfo(0x25b6083n, 4).leaf, false);
  });

  it('reports bit 11 of a table entry, bits above HAW (0xC legacy, 0x7A scalable), and TM', () => {
    assert.deepEqual(faults(decodeSlEntry(0x25bc803n, 2)), [['error', 'reserved-bits', 'RSVD_11_11', 0xc]]);
    const high = (1n << 39n) | 0x268e003n;
    assert.deepEqual(faults(decodeSlEntry(high, 1, REAL_CTX)), [['error', 'address-beyond-haw', 'ADDR', 0xc]]);
    assert.deepEqual(faults(decodeSlEntry(high, 1, { ...REAL_CTX, scalable: true })), [['error', 'address-beyond-haw', 'ADDR', 0x7a]]);
    assert.deepEqual(decodeSlEntry(high, 1).findings, []);
    // Bits 61:52 and 63 are ignored.
    assert.deepEqual(decodeSlEntry(0xbff000000268e003n, 1).findings, []);
    assert.deepEqual(faults(decodeSlEntry(0x400000000268e003n, 1)), [['warning', 'reserved-bits', 'TM', 0xc]]);
  });

  it('keeps a not-present entry free of fault codes', () => {
    assert.equal(decodeSlEntry(0n, 1).summary, 'not present');
    const s = decodeSlEntry(0x800n, 1, REAL_CTX);
    assert.equal(s.summary, 'not present (0x800)');
    assert.deepEqual(s.findings.map((f) => [f.severity, f.faultReason]), [['warning', undefined]]);
    assert.equal(slEntryInfo(0x268e000n, 1).present, false);
  });

  it('never throws on odd levels or values', () => {
    for (const level of [0, 6, -1, NaN, 2.5]) {
      const s = decodeSlEntry(0x268e003n, level);
      assert.equal(s.findings[0].code, 'bad-level');
      assert.doesNotThrow(() => decodeFlEntry(0x268e003n, level));
    }
    assert.equal(decodeSlEntry((1n << 70n) | 0x268e003n, 1).raw, 0x268e003n);
  });
});

describe('vtd/paging: first level', () => {
  it('decodes the Linux leaf 0x8000000182cac867 exactly (XD above 2^53)', () => {
    const v = 0x8000000182cac867n;
    const s = decodeFlEntry(v, 1);
    assert.equal(s.type, 'fl-entry');
    assert.equal(s.title, 'First-level PTE (4 KiB page)');
    assert.equal(s.raw, v);
    assert.deepEqual(['P', 'R/W', 'U/S', 'PWT', 'PCD', 'A', 'D', 'PAT', 'G', 'XD'].map((n) => val(s, n)), [1n, 1n, 1n, 0n, 0n, 1n, 1n, 0n, 0n, 1n]);
    // Bit 11 (Linux's SNP flag) lands in the ignored bits 11:9.
    assert.equal(val(s, 'IGN_11_9'), 4n);
    assert.equal(fieldAddress(s, 'ADDR'), 0x182cac000n);
    assert.equal(s.summary, 'P R/W U/S A D XD → 0x182cac000 4K');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('decodes the Linux table entry 0x8000000107eeb027', () => {
    const s = decodeFlEntry(0x8000000107eeb027n, 4);
    assert.equal(s.title, 'First-level PML4E (next table)');
    assert.equal(s.summary, 'P R/W U/S A XD → table 0x107eeb000');
    assert.deepEqual(s.findings, []);
    assertTiles(s);
  });

  it('reports first-level reserved bits with 0x72', () => {
    // 2 MiB page: bit 12 is PAT, bits 20:13 reserved.
    assert.deepEqual(decodeFlEntry(0x12a010a7n, 2).findings, []);
    assert.deepEqual(faults(decodeFlEntry(0x12a020a7n, 2)), [['error', 'reserved-bits', 'RSVD_20_13', 0x72]]);
    assert.deepEqual(faults(decodeFlEntry(0x107eeb0a7n, 4)), [['error', 'reserved-bits', 'PS', 0x72]]);
    assert.deepEqual(faults(decodeFlEntry(0x40000087n, 3, { cap: CAP })), [['error', 'reserved-bits', 'PS', 0x72]]);
    assert.deepEqual(decodeFlEntry(0x40000087n, 3, { cap: CAP | (1n << 56n) }).findings, []);
    assert.deepEqual(faults(decodeFlEntry((1n << 40n) | 0x1007n, 1, { haw: 39 })), [['error', 'address-beyond-haw', 'ADDR', 0x72]]);
    assert.equal(decodeFlEntry(0x1006n, 1).summary, 'not present (0x1006)');
  });
});

describe('vtd/paging: fuzz', () => {
  it('decodes random values at every level without throwing, fields always tiling', () => {
    let x = 0x9e3779b97f4a7c15n;
    const mask = (1n << 64n) - 1n;
    for (let i = 0; i < 2000; i++) {
      x ^= (x << 13n) & mask;
      x ^= x >> 7n;
      x ^= (x << 17n) & mask;
      const level = 1 + (i % 5);
      for (const ctx of [{}, REAL_CTX, { ...REAL_CTX, scalable: true }]) {
        assertTiles(decodeSlEntry(x, level, ctx));
        assertTiles(decodeFlEntry(x, level, ctx));
      }
    }
  });
});
