import { strict as assert } from 'node:assert';
import { FAULT_REASONS, decodeFrcd, faultReason, faultReasonLabel, withoutFault } from '../../src/vtd/faultReasons';
import { fieldValue, Structure } from '../../src/vtd/layout';
import { legacyCaptureText } from '../helpers';

function val(s: Structure, name: string): bigint {
  const v = fieldValue(s, name);
  assert.notEqual(v, undefined, `field ${name} missing`);
  return v as bigint;
}

describe('vtd/faultReasons', () => {
  it('gives the exact Linux strings and QEMU names of sample codes', () => {
    const cases: [number, string, string, string, boolean][] = [
      [0x05, 'WRITE', 'PTE Write access is not set', 'dma', true],
      [0x06, 'READ', 'PTE Read access is not set', 'dma', true],
      [0x0a, 'ROOT_ENTRY_RSVD', 'non-zero reserved fields in RTP', 'dma', false],
      [0x0b, 'CONTEXT_ENTRY_RSVD', 'non-zero reserved fields in CTP', 'dma', false],
      [0x0d, 'CONTEXT_ENTRY_TT', 'PCE for translation request specifies blocking', 'dma', true],
      [0x0e, 'INTERRUPT_ADDR', 'Unknown', 'dma', true],
      [0x25, 'IR_REQ_COMPAT', 'Blocked a compatibility format interrupt request', 'interrupt', false],
      [0x26, 'IR_SID_ERR', 'Blocked an interrupt request due to source-id verification failure', 'interrupt', true],
      [0x3a, 'SM_ROOT_ENTRY_RSVD', 'SM: Non-zero reserved field set in Root Entry', 'scalable', false],
      [0x59, 'PASID_ENTRY_P', 'SM: Present bit in PASID Table Entry is clear', 'scalable', true],
      [0x79, 'SM_SS_PERMISSION', 'SM: Read/Write permission error in second-level paging entry', 'scalable', true],
      [0x85, 'SM_WRITE', 'SM: No write permission for Write/AtomicOp request', 'scalable', true],
      [0x90, 'SM_FS_AD_NO_SNOOP', 'SM: A/D bit update needed in first-level entry when set up in no snoop', 'scalable', true],
      [0x91, 'FS_BIT_UPDATE_FAILED', 'Unknown', 'scalable', true],
    ];
    for (const [code, name, description, kind, qualified] of cases) {
      const r = faultReason(code);
      assert.deepEqual(r, { code, name, description, kind, qualified }, `code ${code.toString(16)}`);
    }
  });

  it('matches the reason text Linux printed in the real capture', () => {
    const re = /\[fault reason 0x([0-9a-f]{2})\] (.*)$/;
    const seen: number[] = [];
    for (const line of legacyCaptureText('dmesg').split('\n')) {
      const m = re.exec(line);
      if (!m) continue;
      const code = parseInt(m[1], 16);
      seen.push(code);
      assert.equal(faultReason(code).description, m[2]);
    }
    assert.deepEqual(seen, [0x06, 0x05]);
  });

  it('is total: codes nobody names, and non-codes, give Unknown', () => {
    assert.deepEqual(faultReason(0x33), { code: 0x33, name: 'UNKNOWN', description: 'Unknown', kind: 'scalable', qualified: false });
    assert.equal(faultReason(0x1f).kind, 'dma');
    assert.equal(faultReason(0x27).kind, 'interrupt');
    assert.equal(faultReason(0x27).description, 'Unknown');
    for (const odd of [-1, 256, 1.5, NaN, Infinity, 1e300]) {
      const r = faultReason(odd);
      assert.equal(r.name, 'UNKNOWN');
      assert.equal(r.description, 'Unknown');
    }
  });

  it('lists every code once, in order, with all 67 Linux strings', () => {
    const codes = FAULT_REASONS.map((r) => r.code);
    assert.deepEqual([...codes].sort((a, b) => a - b), codes);
    assert.equal(new Set(codes).size, codes.length);
    // 14 legacy + 7 interrupt + 46 scalable-mode strings in dmar.c, plus QEMU's 0xE and 0x91.
    assert.equal(FAULT_REASONS.filter((r) => r.description !== 'Unknown').length, 67);
    assert.equal(FAULT_REASONS.length, 69);
    for (const r of FAULT_REASONS) {
      if (r.kind === 'scalable' && r.description !== 'Unknown') assert.ok(r.description.startsWith('SM: '), r.name);
    }
  });

  it('labels a code the way Linux logs it', () => {
    assert.equal(faultReasonLabel(6), '0x06 PTE Read access is not set');
    assert.equal(faultReasonLabel(0x91), '0x91 Unknown');
  });

  it('takes the fault out of findings of an unused entry', () => {
    const out = withoutFault(
      [
        { severity: 'error', code: 'reserved-bits', message: 'bits set', faultReason: 0xa },
        { severity: 'info', code: 'note', message: 'fyi' },
      ],
      'entry not present',
    );
    assert.deepEqual(out[0], { severity: 'warning', code: 'reserved-bits', message: 'bits set (entry not present)', faultReason: undefined });
    assert.deepEqual(out[1], { severity: 'info', code: 'note', message: 'fyi' });
  });
});

describe('vtd/faultReasons decodeFrcd', () => {
  // The record QEMU's vtd_report_dmar_fault() builds for the capture's first
  // fault: SID 00:05.0 = 0x0028, FR 6, read (T, hi bit 62), F (hi bit 63).
  it('decodes the record of the capture read fault', () => {
    const s = decodeFrcd(0xc000000600000028n, 0x2345000n);
    assert.equal(s.type, 'reg-frcd');
    assert.equal(s.width, 128);
    assert.equal(val(s, 'FI') << 12n, 0x2345000n);
    assert.equal(val(s, 'SID'), 0x28n);
    assert.equal(val(s, 'FR'), 6n);
    assert.equal(val(s, 'T'), 1n);
    assert.equal(val(s, 'F'), 1n);
    assert.equal(val(s, 'PP'), 0n);
    assert.deepEqual(s.findings, []);
    assert.equal(s.summary, 'F FR=0x06 PTE Read access is not set SID=00:05.0 read 0x2345000');
    assert.match(s.fields.find((f) => f.name === 'FR')!.meaning, /PTE Read access is not set/);
  });

  it('decodes the write fault and a PASID', () => {
    const w = decodeFrcd(0x8000000500000028n, 0x7777000n);
    assert.equal(w.summary, 'F FR=0x05 PTE Write access is not set SID=00:05.0 write 0x7777000');
    // PP (bit 95 = hi bit 31) and PV 0x1234 (bits 123:104 = hi bits 59:40).
    const p = decodeFrcd(0x8000000600000028n | (1n << 31n) | (0x1234n << 40n), 0x1000n);
    assert.equal(val(p, 'PP'), 1n);
    assert.equal(val(p, 'PV'), 0x1234n);
    assert.match(p.summary, /PASID 0x1234$/);
  });

  it('reads the interrupt index of an interrupt-remapping fault from bits 63:48', () => {
    // QEMU vtd_report_ir_fault(): lo = index << 48, hi = SID | FR << 32.
    const s = decodeFrcd(0x800000220000ff00n, 0x0019000000000000n);
    assert.equal(val(s, 'FR'), 0x22n);
    assert.equal(s.summary, 'F FR=0x22 Present field in the IRTE entry is clear SID=ff:00.0 interrupt index 0x19');
    assert.match(s.fields.find((f) => f.name === 'FI')!.meaning, /bits 63:48 = 0x19/);
  });

  it('flags reserved bits and never throws', () => {
    assert.equal(decodeFrcd(0n, 0x2345001n).findings[0].code, 'reserved-bits');
    assert.equal(decodeFrcd(0n, 0n).summary.startsWith('no fault:'), true);
    assert.doesNotThrow(() => decodeFrcd(-1n, 1n << 90n));
  });
});
