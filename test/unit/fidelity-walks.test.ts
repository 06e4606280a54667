// Walks and faults as the machine that recorded the capture records them:
// the real scalable-mode capture (QEMU records legacy reasons there), a QEMU
// 10 first-stage capture, a two-segment hardware host whose units both use
// DID 1, and edits of the real legacy capture for the rules check and
// translate share. Hand-built captures say in test/fixtures/captures/README.md
// which kernel and QEMU format lines they follow.
import { strict as assert } from 'node:assert';
import { buildCapture } from '../../src/model/buildCapture';
import { translate } from '../../src/model/walk';
import { findRequester, domainOf } from '../../src/model/keys';
import { ReverseMap } from '../../src/model/reverseMap';
import { mappingsOf } from '../../src/model/mappings';
import { decodedEntries } from '../../src/model/decodeFile';
import { decodeScopeOf } from '../../src/model/decodeScope';
import { isCanonical } from '../../src/model/walkTables';
import type { Capture } from '../../src/model/types';
import { captureFixtureFiles } from '../helpers';

function fixture(name: string, edit?: (files: { name: string; text: string }[]) => { name: string; text: string }[]): Capture {
  const files = captureFixtureFiles(name);
  return buildCapture(edit ? edit(files) : files);
}

function lineOf(c: Capture, file: string, line: number): string {
  return c.files.find((f) => f.name === file)?.lines.line(line) ?? '';
}

describe('walks on the real scalable-mode capture (QEMU 7.2, x-scalable-mode=on)', () => {
  const c = fixture('linux-6.1-qemu-7.2-scalable');

  it('knows it comes from QEMU, and reads every file clean', () => {
    assert.equal(c.platform.kind, 'qemu');
    assert.ok(c.platform.evidence.some((e) => e.includes('0xfed90000')));
    assert.ok(c.platform.evidence.some((e) => e.includes('BOCHS')));
    assert.deepEqual(c.findings.filter((f) => f.kind === 'syntax' && f.severity !== 'info'), []);
    assert.equal(c.units[0].mode, 'scalable');
  });

  it('walks the edu read fault to what QEMU records (0x06, PASID 0 with PP set), with the specification\'s 0x79 beside it', () => {
    const w = translate(c, { sid: 0x28, iova: 0x2345000n });
    assert.equal(w.outcome, 'fault');
    assert.equal(w.fault?.reason, 0x06);
    assert.equal(w.alternative?.on, 'hardware');
    assert.equal(w.alternative?.reason, 0x79);
    assert.equal(w.recordedPasid, 0);
    // The PASID directory entry debugfs does not print comes from the kernel's fault dump.
    const dir = w.steps.find((s) => s.kind === 'pasid-dir')!;
    assert.equal(dir.visible, true);
    assert.equal(dir.entry, 0x206d001n);
    assert.equal(dir.location?.file, 'dmesg');
    assert.match(lineOf(c, 'dmesg', dir.location!.span.line), /pasid dir entry: 0x000000000206d001/);
    // The PDPE the walk stops at is the one the kernel's dump printed (pte level 3).
    const pdpe = w.steps[w.steps.length - 1];
    assert.equal(pdpe.name, 'PDPE');
    assert.equal(pdpe.visible, true);
    assert.match(lineOf(c, 'dmesg', pdpe.location!.span.line), /pte level: 3, pte value: 0x0000000000000000/);
  });

  it('gives the write fault 0x05, and every kernel-log fault agrees with the walk of its request', () => {
    assert.equal(translate(c, { sid: 0x28, iova: 0x7777000n, write: true }).fault?.reason, 0x05);
    const faults = c.findings.filter((f) => f.file === 'dmesg' && f.code.startsWith('fault'));
    assert.deepEqual(
      faults.map((f) => [f.code, f.faultReason]),
      [
        ['fault', 0x06],
        ['fault', 0x05],
      ],
    );
    assert.match(faults[0].message, /agrees: 0x06 .*Real hardware would record 0x79/);
  });

  it('translates a mapped IOVA through the PASID entry to its host page', () => {
    const w = translate(c, { sid: 0x10, iova: 0xffefd123n });
    assert.equal(w.outcome, 'translated');
    assert.equal(w.hpa, 0x26c5123n);
    assert.deepEqual(
      w.steps.map((s) => s.kind),
      ['root', 'context', 'pasid-dir', 'pasid-entry', 'page-table', 'page-table', 'page-table'],
    );
  });

  it('reads IQA, IQH and IQT as 256-bit: QEMU 7.2 drops IQA.DW on read-back, the ring shows four qwords', () => {
    const regset = c.files.find((f) => f.name === 'iommu_regset')!;
    const entries = decodedEntries(regset.parsed!, decodeScopeOf(c), regset.lines);
    const iqh = entries.find((e) => e.label === 'IQH')!;
    assert.equal(iqh.structure.summary, 'QH=242 (256-bit descriptors; offset 0x1e40)');
    const iqa = entries.find((e) => e.label === 'IQA')!;
    assert.ok(iqa.structure.findings.some((f) => f.code === 'iqa-dw-lost'));
  });
});

describe('walks on the real legacy capture, and the rules translate shares with check', () => {
  const c = fixture('linux-6.1-qemu-7.2-legacy');

  it('points the PDPE and PDE steps at the walked IOVA\'s own row, not the last row under the entry', () => {
    const w = translate(c, { sid: 0x10, iova: 0xffefd000n });
    const rowLine = (s: (typeof w.steps)[number]) => s.location!.span.line;
    const ptes = w.steps.filter((s) => s.kind === 'page-table');
    assert.deepEqual(ptes.map((s) => s.name), ['PDPE', 'PDE', 'PTE']);
    assert.deepEqual(new Set(ptes.map(rowLine)).size, 1, 'one row: the IOVA\'s');
    assert.match(lineOf(c, 'domain_translation_struct', rowLine(ptes[0])), /^0x00000000ffefd \|/);
  });

  it('faults with 0x0C on SNP in a leaf when ECAP.SC is clear, as check flags it', () => {
    const snp = fixture('linux-6.1-qemu-7.2-legacy', (files) =>
      files.map((f) => (f.name === 'domain_translation_struct' ? { ...f, text: f.text.replace('0x000000000268e003\n', '0x000000000268e803\n') } : f)),
    );
    const w = translate(snp, { sid: 0x10, iova: 0xffefd000n });
    assert.equal(w.outcome, 'fault');
    assert.equal(w.fault?.reason, 0x0c);
    assert.ok(snp.findings.some((f) => f.code === 'reserved-bits' && f.faultReason === 0x0c && /SNP/.test(f.message)));
  });

  it('faults with 0x0E when a translation ends in the interrupt range', () => {
    const irq = fixture('linux-6.1-qemu-7.2-legacy', (files) =>
      files.map((f) => (f.name === 'domain_translation_struct' ? { ...f, text: f.text.replace('0x000000000268e003\n', '0x00000000fee00003\n') } : f)),
    );
    const w = translate(irq, { sid: 0x10, iova: 0xffefd000n });
    assert.equal(w.fault?.reason, 0x0e);
  });

  it('calls a DMA write to 0xFEExxxxx an interrupt request, not a translation', () => {
    const w = translate(c, { sid: 0x10, iova: 0xfee01004n, write: true });
    assert.equal(w.outcome, 'interrupt-window');
    assert.equal(w.fault, undefined);
    assert.match(w.steps[0].note, /interrupt request/);
  });

  it('answers unknown, never a fault, when the capture lacks the tables; check says which file is missing', () => {
    const logOnly = fixture('linux-6.1-qemu-7.2-legacy', (files) => files.filter((f) => f.name === 'dmesg'));
    const w = translate(logOnly, { sid: 0x28, iova: 0x2345000n });
    assert.equal(w.outcome, 'unknown');
    assert.equal(w.fault, undefined);
    assert.match(w.unknown ?? '', /does not hold dmar_translation_struct/);
    const incomplete = logOnly.findings.find((f) => f.code === 'capture-incomplete');
    assert.match(incomplete?.message ?? '', /dmar_translation_struct/);
    // Without the page tables: unknown at the first level.
    const noTables = fixture('linux-6.1-qemu-7.2-legacy', (files) => files.filter((f) => f.name !== 'domain_translation_struct'));
    const w2 = translate(noTables, { sid: 0x10, iova: 0xffefd000n });
    assert.equal(w2.outcome, 'unknown');
    assert.match(w2.unknown ?? '', /domain_translation_struct/);
  });

  it('says why a file is missing when the reader left it out', () => {
    const left = buildCapture(
      captureFixtureFiles('linux-6.1-qemu-7.2-legacy').filter((f) => f.name !== 'dmar_translation_struct'),
      { leftOut: [{ name: 'dmar_translation_struct', reason: 'permission denied (EACCES)' }] },
    );
    assert.match(translate(left, { sid: 0x28, iova: 0x2345000n }).unknown ?? '', /left out: permission denied/);
  });
});

describe('first-stage walks (QEMU 10 x-flts capture, PGTT = 001)', () => {
  const c = fixture('qemu-10-first-stage');

  it('walks a first-stage table to its leaf, and decodes its rows with first-stage names', () => {
    const w = translate(c, { sid: 0x10, iova: 0xfffff010n });
    assert.equal(w.outcome, 'translated');
    assert.equal(w.hpa, 0x182cac010n);
    assert.equal(w.permissions, 'RW');
    const pte = w.steps[w.steps.length - 1];
    assert.equal(pte.decoded?.type, 'fl-entry');
    assert.ok(pte.decoded?.fields.some((f) => f.name === 'XD'));
    const dump = c.files.find((f) => f.name === 'domain_translation_struct')!;
    const entries = decodedEntries(dump.parsed!, decodeScopeOf(c), dump.lines);
    assert.ok(entries.length > 0 && entries.every((e) => e.structure.type === 'fl-entry'));
    assert.match(c.findings.find((f) => f.code === 'first-stage-table')?.message ?? '', /PGTT = 001 in the PASID 0 entry of 00:02.0/);
  });

  it('faults a write through a read-only first-stage leaf with 0x85 (0x77 is for nested translation only)', () => {
    const w = translate(c, { sid: 0x10, iova: 0xffffe000n, write: true });
    assert.equal(w.fault?.reason, 0x85);
    assert.equal(w.alternative, undefined, 'QEMU and the specification agree');
    assert.equal(translate(c, { sid: 0x10, iova: 0xffffe000n }).outcome, 'translated', 'a read of it is allowed');
  });

  it('checks canonical addresses by the paging mode, and faults a missing entry with 0x71', () => {
    assert.equal(isCanonical(0x00007fffffffffffn, 4), true);
    assert.equal(isCanonical(0xffff800000000000n, 4), true);
    assert.equal(isCanonical(0x0000800000000000n, 4), false);
    assert.equal(isCanonical(0x0000800000000000n, 5), true);
    assert.equal(isCanonical(0x0100000000000000n, 5), false);
    assert.equal(translate(c, { sid: 0x10, iova: 0x0000800000000000n }).fault?.reason, 0x80);
    assert.equal(translate(c, { sid: 0x10, iova: 0x1000n }).fault?.reason, 0x71);
  });

  it('recognises a first-stage table by its entries when no PASID entry names it, and says so', () => {
    const alone = fixture('qemu-10-first-stage', (files) => files.filter((f) => f.name === 'domain_translation_struct'));
    const note = alone.findings.find((f) => f.code === 'first-stage-table');
    assert.match(note?.message ?? '', /entries carry first-stage bits/);
  });
});

describe('a host with two PCI segments whose units both use DID 1', () => {
  const c = fixture('hw-two-segments');

  it('keeps two domains and two requesters apart by unit and segment', () => {
    assert.equal(c.platform.kind, 'hardware');
    assert.deepEqual([...c.domains.keys()].sort(), ['dmar0/1', 'dmar1/1']);
    const a = findRequester(c, 0x0000, { segment: 1 })!;
    const b = findRequester(c, 0x0010, { segment: 0 })!;
    assert.equal(a.unit, 'dmar1');
    assert.equal(a.segment, 1);
    assert.equal(b.unit, 'dmar0');
    assert.equal(domainOf(c, a)?.key, 'dmar1/1');
    assert.equal(domainOf(c, b)?.key, 'dmar0/1');
    assert.equal(c.groups.get(1)?.[0], a);
  });

  it('translates and reverse-maps each segment\'s IOVA to its own host page', () => {
    assert.equal(translate(c, { sid: 0x0000, segment: 1, iova: 0xfffff000n }).hpa, 0x12345000n);
    assert.equal(translate(c, { sid: 0x0010, segment: 0, iova: 0xfffff000n }).hpa, 0x23456000n);
    const hits = new ReverseMap(c).lookup(0x12345000n);
    assert.deepEqual(
      hits.map((h) => [h.hit.domain.key, h.iova]),
      [['dmar1/1', 0xfffff000n]],
    );
  });

  it('walks the fault of 0001:00:00.0 on the unit its dump names, to the reason hardware records', () => {
    const f = c.faults[0];
    assert.equal(f.unit, 'dmar1');
    assert.equal(f.requester?.segment, 1);
    const verdict = c.findings.find((x) => x.code === 'fault');
    assert.match(verdict?.message ?? '', /0001:00:00.0 read of 0x5000\. The walk of the same request agrees/);
  });

  it('decodes the rows at CAP.FRO as the fault records they are', () => {
    const regset = c.files.find((x) => x.name === 'iommu_regset')!;
    const e = decodedEntries(regset.parsed!, decodeScopeOf(c), regset.lines).find((x) => x.label.startsWith('FRCD0 high'));
    assert.equal(e?.structure.summary, 'F FR=0x06 PTE Read access is not set SID=00:00.0 read 0x5000');
  });
});

describe('every mapped row translates to its host page, every kernel-log fault agrees with its walk', () => {
  for (const name of ['linux-6.1-qemu-7.2-legacy', 'linux-6.1-qemu-7.2-scalable', 'linux-6.1-qemu-7.2-vm-legacy', 'qemu-10-first-stage', 'hw-two-segments']) {
    it(name, () => {
      const c = fixture(name);
      let checked = 0;
      for (const r of c.requesters.values()) {
        const d = domainOf(c, r);
        if (!d?.table || !r.context) continue;
        for (const m of mappingsOf(d.table.rows)) {
          const w = translate(c, { sid: r.sid, segment: r.segment, unit: r.unit, iova: m.iova + 0x123n });
          assert.equal(w.hpa, m.hpa + 0x123n, `${r.bdf} IOVA ${m.iova.toString(16)}`);
          checked++;
        }
      }
      assert.ok(checked > 0);
      for (const f of c.faults) {
        const verdict = c.findings.find((x) => x.file === f.location.file && x.span.line === f.location.span.line && x.code.startsWith('fault'));
        assert.ok(verdict && (verdict.code === 'fault' || verdict.code === 'fault-reason-disagrees'), `fault on line ${f.location.span.line + 1}: ${verdict?.code}`);
      }
    });
  }
});
