import { strict as assert } from 'node:assert';
import { looksLikeIommuRegset, parseIommuRegset } from '../../src/dumps/debugfs/iommuRegset';
import { spanOf } from '../../src/dumps/rowColumns';
import { fixtureText, legacyCaptureText } from '../helpers';

const syntax = (r: { findings: { kind: string }[] }) => r.findings.filter((f) => f.kind === 'syntax');

describe('debugfs iommu_regset', () => {
  const real = parseIommuRegset(legacyCaptureText('iommu_regset'));

  it('reads every line of the real capture', () => {
    assert.deepEqual(real.findings, []);
    assert.equal(real.lineCount, 70);
    assert.equal(real.records.length, 1);
    const unit = real.records[0];
    assert.equal(unit.unit, 'dmar0');
    assert.equal(unit.baseAddress, 0xfed90000n);
    // 70 lines = unit header + column header + 67 registers + blank line.
    assert.equal(unit.registers.length, 67);
  });

  it('keeps exact values, offsets and spans', () => {
    const regs = new Map(real.records[0].registers.map((r) => [r.name, r]));
    const rtaddr = regs.get('RTADDR')!;
    assert.equal(rtaddr.value, 0x1a8e000n);
    assert.equal(rtaddr.offset, 0x20);
    // Line 22 of the file: "RTADDR" padded to 16, TAB, "0x20", two TABs, value.
    assert.deepEqual(spanOf(rtaddr, 'value'), { line: 21, start: 23, end: 41 });
    assert.deepEqual(spanOf(rtaddr, 'name'), { line: 21, start: 0, end: 6 });
    assert.deepEqual(spanOf(rtaddr, 'line'), { line: 21, start: 0, end: 41 });
    assert.equal(regs.get('IRTA')!.value, 0x120000fn);
    assert.equal(regs.get('CAP')!.value, 0x00d2008c22260286n);
    assert.equal(regs.get('GSTS')!.value, 0xc7000000n);
    assert.equal(regs.get('GSTS')!.maskedFrom, undefined);
    // 17-character name overflowing %-16s: the TAB follows at once.
    const fix = regs.get('MTRR_FIX64K_00000')!;
    assert.equal(fix.offset, 0x120);
    assert.deepEqual(spanOf(fix, 'offset'), { line: fix.line, start: 18, end: 23 });
    const vccap = regs.get('VCCAP')!;
    assert.equal(vccap.offset, 0xe30);
    assert.equal(vccap.value, 0n);
  });

  it('names the v6.1 dialect', () => {
    assert.deepEqual(real.dialect, ['v5.7+ register order (32-bit registers first)', 'VCCAP/VCMD/VCRSP present: v6.7 or older']);
  });

  it('masks 32-bit rows of a pre-5.7 dump read 64 bits wide', () => {
    const r = parseIommuRegset(fixtureText('debugfs', 'iommu_regset.v5.4-64bit-reads'));
    assert.deepEqual(r.findings, []);
    assert.ok(r.dialect[0].startsWith('pre-v5.7 register order'));
    const regs = new Map(r.records[0].registers.map((x) => [x.name, x]));
    assert.equal(regs.size, 64);
    assert.equal(regs.get('GCMD')!.value, 0n);
    assert.equal(regs.get('GCMD')!.maskedFrom, 0xc700000000000000n);
    assert.equal(regs.get('GSTS')!.value, 0xc7000000n);
    assert.equal(regs.get('GSTS')!.maskedFrom, 0x01a8e000c7000000n);
    assert.equal(regs.get('FEDATA')!.value, 0x21n);
    assert.equal(regs.get('FEDATA')!.maskedFrom, 0xfee0100400000021n);
    // 64-bit registers are left alone.
    assert.equal(regs.get('CAP')!.value, 0x00d2008c22260286n);
    assert.equal(regs.get('CAP')!.maskedFrom, undefined);
    assert.equal(regs.has('VCCAP'), false);
  });

  it('dates v6.8 (no VCCAP) and v6.18 (no AFLOG/CCMD) dumps', () => {
    const v68 = parseIommuRegset(fixtureText('debugfs', 'iommu_regset.v6.8-two-units'));
    assert.deepEqual(v68.findings, []);
    assert.deepEqual(v68.records.map((u) => [u.unit, u.baseAddress, u.registers.length]), [
      ['dmar1', 0xfed91000n, 64],
      ['dmar0', 0xfed90000n, 64],
    ]);
    assert.ok(v68.dialect.includes('no VCCAP/VCMD/VCRSP: v6.8 or newer'));
    assert.ok(!v68.dialect.some((d) => d.includes('AFLOG')));
    const v618 = parseIommuRegset(fixtureText('debugfs', 'iommu_regset.v6.18-no-aflog-ccmd'));
    assert.deepEqual(v618.findings, []);
    assert.equal(v618.records[0].registers.length, 62);
    assert.ok(v618.dialect.includes('no AFLOG/CCMD: about v6.18 or newer'));
  });

  it('does not date a list that was cut short', () => {
    const text = legacyCaptureText('iommu_regset').split('\n').slice(0, 30).join('\n');
    const r = parseIommuRegset(text);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.dialect, ['v5.7+ register order (32-bit registers first)']);
  });

  it('reports offsets that do not match the name, duplicates and unknown names', () => {
    const text = [
      'IOMMU: dmar0 Register Base Address: fed90000',
      'Name\t\t\tOffset\t\tContents',
      'VER             \t0x00\t\t0x0000000000000010',
      'GCMD            \t0x1c\t\t0x0000000000000000',
      'VER             \t0x00\t\t0x0000000000000010',
      'FOO             \t0x70\t\t0x0000000000000000',
    ].join('\n');
    const r = parseIommuRegset(text);
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.kind, f.span.line, f.span.start]),
      [
        ['offset-mismatch', 'semantic', 3, 17],
        ['duplicate-register', 'semantic', 4, 0],
        ['unknown-register', 'semantic', 5, 0],
      ],
    );
  });

  it('reports lines it does not understand at their line, and the invalid-base message', () => {
    const text = [
      'IOMMU: dmar0 Register Base Address: fed90000',
      'Name\t\t\tOffset\t\tContents',
      'VER             \t0x00\t\t0x00000000000000zz',
      'CAP             \t0x08',
      'IOMMU: Invalid base address',
    ].join('\n');
    const r = parseIommuRegset(text);
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.kind, f.span.line]),
      [
        ['unrecognised-line', 'syntax', 2],
        ['unrecognised-line', 'syntax', 3],
        ['invalid-base-address', 'semantic', 4],
      ],
    );
    assert.equal(r.records[0].registers.length, 0);
  });

  it('flags a 32-bit register with bits 63:32 set in the v5.7+ order', () => {
    const text = legacyCaptureText('iommu_regset').replace('GSTS            \t0x1c\t\t0x00000000c7000000', 'GSTS            \t0x1c\t\t0x00000001c7000000');
    const r = parseIommuRegset(text);
    assert.deepEqual(r.findings.map((f) => [f.code, f.span.line]), [['value-wider-than-register', 4]]);
    assert.equal(syntax(r).length, 0);
  });

  it('is detected from its first lines, not confused with dmar_perf_latency', () => {
    assert.equal(looksLikeIommuRegset(legacyCaptureText('iommu_regset')), true);
    assert.equal(looksLikeIommuRegset(legacyCaptureText('dmar_perf_latency')), false);
    assert.equal(looksLikeIommuRegset(legacyCaptureText('dmar_translation_struct')), false);
    assert.equal(looksLikeIommuRegset(''), false);
  });
});
