import { strict as assert } from 'node:assert';
import { compatMsiInfo, decodeMsi, encodeCompatMsi, encodeRemappableMsi, msiRemapIndex } from '../../src/vtd/msi';
import { decodeIoapicRte, encodeRemappableIoapicRte, ioapicRteIndex, ioapicRteToMsi } from '../../src/vtd/ioapic';
import { irteInfo } from '../../src/vtd/irte';
import { fieldValue } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';
import { field, fuzzValues } from '../vtdHelpers';


describe('vtd/msi: remappable format', () => {
  it('encodes index 0x19 as Linux does and decodes it back', () => {
    // 0xfee00000 | 0x19 << 5 (0x320) | IF 0x10 | SHV 0x08 = 0xfee00338.
    assert.deepEqual(encodeRemappableMsi(0x19), { address: 0xfee00338n, data: 0n });
    const s = decodeMsi(0xfee00338n, 0n);
    assert.equal(s.type, 'msi-remappable');
    assert.equal(field(s, 'HANDLE[14:0]'), 0x19n);
    assert.equal(field(s, 'HANDLE[15]'), 0n);
    assert.equal(field(s, 'SHV'), 1n);
    assert.equal(field(s, 'IF'), 1n);
    assert.equal(field(s, 'SUBHANDLE'), 0n);
    assert.deepEqual(s.findings, []);
    assert.deepEqual(msiRemapIndex(0xfee00338n, 0n), { index: 0x19, handle: 0x19, shv: true, subhandle: 0 });
    assert.equal(s.summary, 'remappable MSI → IRTE 25 (handle 0x19 + subhandle 0x0)');
  });

  it('puts handle bit 15 in address bit 2 and adds the subhandle', () => {
    // 0x8001: bits 14:0 = 1 → 0x20, bit 15 → address bit 2.
    assert.deepEqual(encodeRemappableMsi(0x8001), { address: 0xfee0003cn, data: 0n });
    assert.deepEqual(msiRemapIndex(0xfee0003cn, 0n), { index: 0x8001, handle: 0x8001, shv: true, subhandle: 0 });
    // Multi-MSI: base 0x20 (0x400 in the address), vector offset 3 in data.
    assert.deepEqual(encodeRemappableMsi(0x20, 3), { address: 0xfee00418n, data: 3n });
    assert.deepEqual(msiRemapIndex(0xfee00418n, 3n), { index: 0x23, handle: 0x20, shv: true, subhandle: 3 });
  });

  it('decodes the IOAPIC request of the real trace: handle 1, no SHV', () => {
    // vtd_ir_remap_msi (addr 0xfee00030, data 0x2): 0x30 = IF (bit 4) | bit 5,
    // so HANDLE[14:0] = 1, SHV = 0, HANDLE[15] = 0; data (pin 2) is not used.
    const s = decodeMsi(0xfee00030n, 0x2n);
    assert.equal(s.type, 'msi-remappable');
    assert.equal(field(s, 'HANDLE[14:0]'), 1n);
    assert.equal(field(s, 'SHV'), 0n);
    assert.equal(fieldValue(s, 'SUBHANDLE'), undefined);
    assert.equal(field(s, 'DATA'), 2n);
    assert.deepEqual(msiRemapIndex(0xfee00030n, 0x2n), { index: 1, handle: 1, shv: false, subhandle: 0 });
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'remappable MSI → IRTE 1 (handle 0x1, no SHV, data 0x2 ignored)');
  });

  it('reports the reserved bits QEMU faults with 0x20', () => {
    const high = decodeMsi(0x1fee00338n, 0n).findings;
    assert.deepEqual(
      high.map((f) => [f.code, f.field, f.faultReason]),
      [['reserved-bits', 'RSVD_63_32', 0x20]],
    );
    const data = decodeMsi(0xfee00338n, 0x10000n).findings;
    assert.deepEqual(
      data.map((f) => [f.code, f.field, f.faultReason]),
      [['reserved-bits', 'RSVD_95_80', 0x20]],
    );
    // Without SHV the data is not looked at.
    assert.deepEqual(decodeMsi(0xfee00030n, 0x10002n).findings, []);
    const notFee = decodeMsi(0xfed00030n, 0n).findings;
    assert.deepEqual(
      notFee.map((f) => [f.code, f.faultReason]),
      [['msi-address-not-fee', 0x20]],
    );
  });
});

describe('vtd/msi: compatibility format', () => {
  it('decodes the remapped result of the real trace: (0xfee0100c, 0x4030)', () => {
    // Address: dest 19:12 = 0x01, RH (bit 3), DM (bit 2), format 0.
    // Data 0x4030: vector 0x30, delivery mode 000, level (bit 14) 1, trigger (bit 15) 0.
    const s = decodeMsi(0xfee0100cn, 0x4030n);
    assert.equal(s.type, 'msi-compat');
    assert.equal(field(s, 'DEST_ID'), 1n);
    assert.equal(field(s, 'RH'), 1n);
    assert.equal(field(s, 'DM'), 1n);
    assert.equal(field(s, 'IF'), 0n);
    assert.equal(field(s, 'VECTOR'), 0x30n);
    assert.equal(field(s, 'DLM'), 0n);
    assert.equal(field(s, 'LEVEL'), 1n);
    assert.equal(field(s, 'TM'), 0n);
    assert.deepEqual(s.findings, []);
    assert.equal(msiRemapIndex(0xfee0100cn, 0x4030n), undefined);
    assert.deepEqual(compatMsiInfo(0xfee0100cn, 0x4030n), {
      destination: 1,
      logical: true,
      redirectionHint: true,
      vector: 0x30,
      deliveryMode: 0,
      level: true,
      trigger: 'edge',
    });
    assert.equal(s.summary, 'compat MSI → APIC 1 logical RH fixed vector 0x30 edge (assert)');
  });

  it('encodes like QEMU x86_iommu_irq_to_msi_message', () => {
    assert.deepEqual(encodeCompatMsi({ destination: 1, vector: 0x30, logical: true, redirectionHint: true }), {
      address: 0xfee0100cn,
      data: 0x4030n,
    });
    // x2APIC destination 0x1234: low byte in 19:12, bits 31:8 in address 63:40.
    const wide = encodeCompatMsi({ destination: 0x1234, vector: 0x41, trigger: 'level', deliveryMode: 4 });
    assert.deepEqual(wide, { address: 0x00001200fee34000n, data: 0xc441n });
    assert.equal(compatMsiInfo(wide.address, wide.data).destination, 0x1234);
    const s = decodeMsi(wide.address, wide.data);
    assert.deepEqual(
      s.findings.map((f) => [f.code, f.severity]),
      [['msi-address-high', 'info']],
    );
  });

  it('keeps a data word wider than 32 bits from breaking the decode', () => {
    const s = decodeMsi(0xfee0100cn, 0x1_0000_4030n);
    assert.ok(s.findings.some((f) => f.code === 'msi-data-too-wide'));
    assert.equal(field(s, 'VECTOR'), 0x30n);
  });
});

describe('vtd/msi: the whole remapping path of the real capture', () => {
  it('every vtd_ir_remap_msi pair follows from the IRTE table', () => {
    const irtes = new Map<number, [bigint, bigint]>();
    for (const line of legacyCaptureText('ir_translation_struct').split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols.length === 6 && /^\d+$/.test(cols[0])) irtes.set(Number(cols[0]), [BigInt('0x' + cols[4]), BigInt('0x' + cols[5])]);
    }
    const prefix = 'vtd_ir_remap_msi (addr ';
    const pairs = new Set<string>();
    for (const line of legacyCaptureText('qemu-vtd.trace').split('\n')) if (line.startsWith(prefix)) pairs.add(line);
    let remapped = 0;
    for (const line of pairs) {
      const nums = (line.match(/0x[0-9a-f]+/g) ?? []).map((t) => BigInt(t));
      assert.equal(nums.length, 4, line);
      const [addr, data, addr2, data2] = nums;
      const ix = msiRemapIndex(addr, data);
      if (!ix) {
        // Compatibility format passes through unchanged.
        assert.deepEqual([addr2, data2], [addr, data], line);
        continue;
      }
      const irte = irtes.get(ix.index);
      assert.ok(irte, `IRTE ${ix.index} for ${line}`);
      const i = irteInfo(irte[0], irte[1], { eime: false });
      const out = encodeCompatMsi({
        destination: i.destination,
        vector: i.vector,
        logical: i.destMode === 'logical',
        redirectionHint: i.redirectionHint,
        trigger: i.trigger,
      });
      assert.deepEqual([out.address, out.data], [addr2, data2], line);
      remapped++;
    }
    assert.equal(remapped, 12);
  });
});

describe('vtd/ioapic', () => {
  it('builds the remappable RTE Linux writes for pin 2 → IRTE 1', () => {
    // index 1 at 63:49 (1 << 49), format bit 48, pin 2 in the vector field.
    const rte = encodeRemappableIoapicRte({ index: 1, pin: 2 });
    assert.equal(rte, 0x0003000000000002n);
    const s = decodeIoapicRte(rte);
    assert.equal(s.type, 'ioapic-rte-remappable');
    assert.equal(field(s, 'INDEX[14:0]'), 1n);
    assert.equal(field(s, 'INDEX[15]'), 0n);
    assert.equal(field(s, 'IF'), 1n);
    assert.equal(field(s, 'VECTOR'), 2n);
    assert.ok(s.fields.find((f) => f.name === 'VECTOR')?.meaning.includes('pin'));
    assert.equal(field(s, 'TM'), 0n);
    assert.deepEqual(s.findings, []);
    assert.equal(ioapicRteIndex(rte), 1);
    assert.equal(s.summary, 'IOAPIC RTE remappable → IRTE 1, vector field 0x02 (pin), edge active-high');
  });

  it('turns remappable RTEs into the MSI requests seen in the real trace', () => {
    // vtd_ir_remap_msi_req addr 0xfee00030 data 0x2 (pin 2, IRTE 1) and
    // addr 0xfee00070 data 0x4 (pin 4, IRTE 3).
    assert.deepEqual(ioapicRteToMsi(encodeRemappableIoapicRte({ index: 1, pin: 2 })), { address: 0xfee00030n, data: 0x2n });
    assert.deepEqual(ioapicRteToMsi(encodeRemappableIoapicRte({ index: 3, pin: 4 })), { address: 0xfee00070n, data: 0x4n });
  });

  it('carries index bit 15 in RTE bit 11 and level/polarity/mask bits', () => {
    const rte = encodeRemappableIoapicRte({ index: 0x8005, pin: 16, level: true, activeLow: true, masked: true });
    // 5 << 49 | 1 << 48 | mask 1 << 16 | TM 1 << 15 | polarity 1 << 13 | index15 1 << 11 | 0x10.
    assert.equal(rte, 0x000b00000001a810n);
    assert.equal(ioapicRteIndex(rte), 0x8005);
    // MSI: index 14:0 in 19:5 (0xa0), IF 0x10, index 15 in bit 2; data 0x10 | TM << 15.
    assert.deepEqual(ioapicRteToMsi(rte), { address: 0xfee000b4n, data: 0x8010n });
    assert.deepEqual(msiRemapIndex(0xfee000b4n, 0x8010n), { index: 0x8005, handle: 0x8005, shv: false, subhandle: 0 });
    assert.equal(decodeIoapicRte(rte).summary, 'IOAPIC RTE remappable → IRTE 32773, vector field 0x10 (pin), level active-low masked');
  });

  it('decodes a compatibility-format RTE', () => {
    // Vector 0x30, fixed, physical, destination APIC 1 in bits 63:56.
    const rte = 0x0100000000000030n;
    const s = decodeIoapicRte(rte);
    assert.equal(s.type, 'ioapic-rte-compat');
    assert.equal(field(s, 'DEST'), 1n);
    assert.equal(field(s, 'VECTOR'), 0x30n);
    assert.equal(field(s, 'DESTMOD'), 0n);
    assert.equal(ioapicRteIndex(rte), undefined);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'IOAPIC RTE vector 0x30 fixed → APIC 1 physical, edge active-high');
    // The IOAPIC's MSI: RTE 63:48 to address 19:4 → dest 1 in 19:12.
    assert.deepEqual(ioapicRteToMsi(rte), { address: 0xfee01000n, data: 0x30n });
  });

  it('flags reserved bits and survives garbage', () => {
    const f = decodeIoapicRte(0x0003000000000002n | (1n << 20n)).findings;
    assert.deepEqual(
      f.map((x) => [x.code, x.field]),
      [['reserved-bits', 'RSVD_47_17']],
    );
    const bits10to8 = decodeIoapicRte(0x0003000000000102n).findings;
    assert.deepEqual(
      bits10to8.map((x) => x.field),
      ['RSVD_10_8'],
    );
    assert.ok(decodeIoapicRte(-5n).findings.some((x) => x.code === 'value-too-wide'));
    let prev = 0n;
    for (const v of fuzzValues(500)) {
      assert.equal(typeof decodeIoapicRte(v).summary, 'string');
      assert.equal(typeof decodeMsi(v, prev).summary, 'string');
      assert.equal(typeof decodeMsi(v | 0x10n, prev).summary, 'string');
      ioapicRteToMsi(v);
      msiRemapIndex(v, prev);
      prev = v;
    }
  });
});
