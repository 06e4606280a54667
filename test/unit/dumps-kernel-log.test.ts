import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { legacyCaptureDir, legacyCaptureText, fixtureText } from '../helpers';
import {
  parseKernelLog,
  looksLikeKernelLog,
  FAULT_ERAS,
  recordLine,
  type KernelLogRecord,
  type DmarFaultRecord,
  type IrFaultRecord,
  type FaultDumpRecord,
  type DmarInfoRecord,
  type UnitInfoRecord,
} from '../../src/dumps/kernelLog/index';
import type { Span } from '../../src/dumps/types';

function of<K extends KernelLogRecord['kind']>(records: KernelLogRecord[], kind: K): Extract<KernelLogRecord, { kind: K }>[] {
  return records.filter((r): r is Extract<KernelLogRecord, { kind: K }> => r.kind === kind);
}

/** The text a span covers, in the file's lines. */
function spanText(text: string, s: Span): string {
  return text.split('\n')[s.line].replace(/\r$/, '').slice(s.start, s.end);
}

function info(records: KernelLogRecord[], key: string): DmarInfoRecord[] {
  return of(records, 'dmar-info').filter((r) => r.key === key);
}

describe('kernel log parser', () => {
  describe('the real Linux 6.1 guest dmesg', () => {
    const text = legacyCaptureText('dmesg');
    const r = parseKernelLog(text);

    it('reads every line without a finding', () => {
      assert.deepEqual(r.findings, []);
      assert.equal(r.format, 'dmesg');
      assert.equal(r.lineCount, 434);
      // One record per line, except the 8 dump lines folded into their dump records.
      const dumpLines = of(r.records, 'fault-dump').reduce((n, d) => n + d.lines.length, 0);
      assert.equal(dumpLines, 8);
      assert.equal(r.records.length + dumpLines, 434);
      assert.deepEqual(r.dialect, [`fault format: ${FAULT_ERAS.hex}`, 'line prefix: [seconds since boot]']);
    });

    it('decodes the read fault of the edu device at 0x2345000', () => {
      const [f] = of(r.records, 'dmar-fault');
      assert.equal(f.type, 'read');
      assert.deepEqual([f.bus, f.dev, f.fn, f.sid], [0, 5, 0, 0x28]);
      assert.equal(f.address, 0x2345000n);
      assert.equal(f.reason, 0x06);
      assert.equal(f.reasonText, 'PTE Read access is not set');
      assert.equal(f.pasid, undefined);
      assert.equal(f.era, 'hex');
      assert.equal(f.time, 7.918118);
      assert.equal(f.span.line, 421);
      assert.equal(spanText(text, f.deviceSpan), '00:05.0');
      assert.equal(spanText(text, f.addressSpan), '0x2345000');
      assert.equal(spanText(text, f.reasonSpan), '0x06');
      assert.ok(spanText(text, f.span).startsWith('[DMA Read NO_PASID] Request device'));
    });

    it('decodes the write fault at 0x7777000', () => {
      const f = of(r.records, 'dmar-fault')[1];
      assert.equal(f.type, 'write');
      assert.equal(f.sid, 0x28);
      assert.equal(f.address, 0x7777000n);
      assert.equal(f.reason, 0x05);
      assert.equal(f.reasonText, 'PTE Write access is not set');
      assert.equal(f.span.line, 428);
      assert.equal(of(r.records, 'dmar-fault').length, 2);
      assert.equal(of(r.records, 'ir-fault').length, 0);
    });

    it('keeps the fault status before each fault', () => {
      const st = of(r.records, 'fault-status');
      assert.deepEqual(
        st.map((s) => [s.fsts, s.span.line]),
        [
          [2, 420],
          [2, 427],
        ],
      );
    });

    it('reads both table-walk dumps: root, context, the empty level-3 table', () => {
      const dumps = of(r.records, 'fault-dump');
      assert.deepEqual(
        dumps.map((d) => [d.unit, d.iova]),
        [
          ['dmar0', 0x2345000n],
          ['dmar0', 0x7777000n],
        ],
      );
      for (const d of dumps) {
        assert.deepEqual(
          d.lines.map((l) => l.kind),
          ['root', 'context', 'pte', 'not-present'],
        );
        assert.deepEqual(d.lines[0].values, [0x1a94001n]);
        assert.deepEqual(d.lines[1].values, [0x701n, 0x1b1f001n]); // hi, low as printed
        assert.equal(d.lines[2].level, 3);
        assert.deepEqual(d.lines[2].values, [0n]);
        assert.equal(d.lines[3].level, 2);
        assert.equal(d.lines[3].text, 'page table not present at level 2');
      }
      assert.equal(spanText(text, dumps[0].lines[1].span), 'context entry: hi 0x0000000000000701, low 0x0000000001b1f001');
    });

    it('reads the unit line with its CAP and ECAP', () => {
      const [u] = of(r.records, 'unit-info') as UnitInfoRecord[];
      assert.equal(u.unit, 'dmar0');
      assert.equal(u.regBase, 0xfed90000n);
      assert.deepEqual([u.verMajor, u.verMinor], [1, 0]);
      assert.equal(u.cap, 0xd2008c22260286n);
      assert.equal(u.ecap, 0xf00f4en);
      assert.equal(spanText(text, u.capSpan), 'd2008c22260286');
      assert.equal(spanText(text, u.ecapSpan), 'f00f4e');
      assert.equal(u.time, 0.161251);
    });

    it('reads the boot information lines', () => {
      assert.equal(info(r.records, 'iommu-enabled').length, 1);
      assert.equal(info(r.records, 'host-address-width')[0].value, '39');
      assert.equal(info(r.records, 'ir-mode')[0].value, 'xapic');
      assert.equal(info(r.records, 'queued-invalidation')[0].value, 'dmar0');
      assert.equal(info(r.records, 'batching-disallowed').length, 1);
      assert.equal(info(r.records, 'strict-policy')[0].value, 'strict');
      assert.equal(info(r.records, 'default-domain')[0].value, 'Translated');
      assert.equal(info(r.records, 'scalable-mode')[0].value, 'not enabled');
      assert.equal(info(r.records, 'ioapic-under-drhd')[0].value, 'IOAPIC id 0 under DRHD base  0xfed90000 IOMMU 0');
      assert.deepEqual(
        info(r.records, 'not-found').map((x) => x.value),
        ['RMRR', 'SATC'],
      );
    });

    it('reads the group of every device', () => {
      const groups = info(r.records, 'group-add');
      assert.equal(groups.length, 9);
      const sata = groups.find((g) => g.value === '0000:00:1f.2');
      assert.ok(sata);
      assert.equal(sata.group, 6);
      assert.equal(sata.bdf, 0xfa);
      assert.equal(sata.segment, 0);
    });

    it('keeps unrelated lines that mention DMAR or iommu as other, and reads the lines that name the machine', () => {
      const acpi = r.records.find((x) => recordLine(x) === 33);
      assert.equal(acpi?.kind, 'dmar-info'); // "ACPI: DMAR 0x000000003FFE2347 ..."
      assert.equal(acpi?.kind === 'dmar-info' && acpi.key, 'acpi-dmar');
      assert.ok(acpi?.kind === 'dmar-info' && acpi.value.includes('BOCHS  BXPC'), 'the OEM ids of the ACPI DMAR table');
      assert.equal(info(r.records, 'dmi')[0].value, 'QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014');
      const reserving = r.records.find((x) => recordLine(x) === 41);
      assert.equal(reserving?.kind, 'other'); // "ACPI: Reserving DMAR table memory at ..."
      const cmdline = r.records.find((x) => recordLine(x) === 1);
      assert.equal(cmdline?.kind, 'other'); // "Command line: ... intel_iommu=on ..."
    });

    it('reads the same from a CRLF copy', () => {
      const crlf = parseKernelLog(text.replace(/\n/g, '\r\n'));
      assert.deepEqual(crlf.findings, []);
      assert.deepEqual(
        of(crlf.records, 'dmar-fault').map((f) => [f.address, f.reason, f.reasonText]),
        [
          [0x2345000n, 6, 'PTE Read access is not set'],
          [0x7777000n, 5, 'PTE Write access is not set'],
        ],
      );
    });

    it('is recognised as a kernel log, and no other capture file is', () => {
      for (const name of readdirSync(legacyCaptureDir)) {
        assert.equal(looksLikeKernelLog(legacyCaptureText(name).slice(0, 8192)), name === 'dmesg', name);
      }
    });
  });

  describe('fault formats of older kernels', () => {
    it('3.x: joins the two-line DMA and INTR-REMAP faults ("[[" quirk, decimal reason)', () => {
      const text = fixtureText('logs', 'dmesg-3.x-two-line.log');
      const r = parseKernelLog(text);
      assert.deepEqual(r.findings, []);
      const [read, write] = of(r.records, 'dmar-fault');
      assert.equal(read.era, 'two-line');
      assert.equal(read.type, 'read');
      assert.deepEqual([read.bus, read.dev, read.fn, read.sid], [7, 0, 0, 0x700]);
      assert.equal(read.address, 0xffe45000n); // %llx without 0x
      assert.equal(read.reason, 6);
      assert.equal(read.span.line, 2);
      assert.equal(read.reasonSpan.line, 3);
      assert.equal(spanText(text, read.reasonSpan), '06');
      assert.equal(write.address, 0x7b4c0000n);
      assert.equal(write.reason, 5);
      assert.equal(write.sid, 0x10);
      const [ir] = of(r.records, 'ir-fault');
      assert.equal(ir.era, 'two-line');
      assert.equal(ir.sid, 0xf0f8); // f0:1f.0
      assert.equal(spanText(text, ir.deviceSpan), 'f0:1f.0');
      assert.equal(ir.index, 0);
      assert.equal(ir.reason, 0x25); // printed "37" in decimal
      assert.equal(ir.reasonText, 'Blocked a compatibility format interrupt request');
      assert.equal(of(r.records, 'fault-status')[1].fsts, 0x102);
      assert.ok(r.dialect.includes(`fault format: ${FAULT_ERAS['two-line']}`));
    });

    it('3.x in syslog: joins an indented continuation line', () => {
      const r = parseKernelLog(fixtureText('logs', 'syslog-3.x-two-line-indented.log'));
      assert.deepEqual(r.findings, []);
      const [ir] = of(r.records, 'ir-fault');
      assert.equal(ir.reason, 37);
      assert.equal(ir.time, 31.771222);
      assert.equal(ir.reasonSpan.line, 1);
      assert.equal(r.records[r.records.length - 1].kind, 'other'); // the systemd line
      assert.deepEqual(r.dialect, [`fault format: ${FAULT_ERAS['two-line']}`, 'line prefix: syslog header']);
    });

    it('4.x: single-line faults with decimal reasons; fault index is hex', () => {
      const text = fixtureText('logs', 'dmesg-4.x-single-line.log');
      const r = parseKernelLog(text);
      assert.deepEqual(r.findings, []);
      const [f] = of(r.records, 'dmar-fault');
      assert.equal(f.era, 'single-line');
      assert.equal(f.sid, 0x90); // 00:12.0
      assert.equal(f.address, 0n);
      assert.equal(f.reason, 5);
      const [ir] = of(r.records, 'ir-fault');
      assert.equal(ir.era, 'single-line');
      assert.equal(ir.index, 0x1600); // "fault index 1600" is %llx
      assert.equal(spanText(text, ir.indexSpan), '1600');
      assert.equal(ir.reason, 37);
      assert.equal(info(r.records, 'callbacks-suppressed')[0].value, '42');
      const units = of(r.records, 'unit-info');
      assert.deepEqual(
        units.map((u) => [u.unit, u.regBase, u.cap, u.ecap]),
        [
          ['dmar0', 0xfed90000n, 0x1c0000c40660462n, 0x19e2ff0505en],
          ['dmar1', 0xfed91000n, 0xd2008c40660462n, 0xf050dan],
        ],
      );
      assert.equal(info(r.records, 'ir-mode')[0].value, 'x2apic');
      assert.equal(info(r.records, 'hpet-under-drhd').length, 1);
      assert.equal(info(r.records, 'ir-queued-invalidation').length, 1);
      assert.equal(info(r.records, 'rmrr')[0].value, '0x0000003e2e0000 end: 0x0000003e2fffff');
      assert.deepEqual(
        info(r.records, 'queued-invalidation').map((x) => x.value),
        ['dmar0', 'dmar1'],
      );
    });

    it('5.5-5.13: PASID mid-line, "PASID ffffffff" meaning none', () => {
      const r = parseKernelLog(fixtureText('logs', 'dmesg-5.5-pasid-midline.log'));
      assert.deepEqual(r.findings, []);
      const faults = of(r.records, 'dmar-fault');
      assert.deepEqual(
        faults.map((f) => [f.era, f.type, f.sid, f.address, f.reason, f.pasid]),
        [
          ['pasid', 'read', 0x10, 0x9c000000n, 6, undefined],
          ['pasid', 'write', 0x400, 0x69974000n, 5, undefined],
          ['pasid', 'read', 0x3b01, 0x7f001000n, 6, 1],
        ],
      );
      assert.equal(faults[0].pasid, undefined);
      assert.ok(!('pasid' in faults[0]));
    });

    it('5.14: hex reasons and the [0x%02x:0x%02x.%d] device', () => {
      const text = fixtureText('logs', 'dmesg-5.14-0x-bdf.log');
      const r = parseKernelLog(text);
      assert.deepEqual(r.findings, []);
      const [noPasid, withPasid] = of(r.records, 'dmar-fault');
      assert.equal(noPasid.era, 'hex-0x-bdf');
      assert.equal(spanText(text, noPasid.deviceSpan), '0x00:0x02.0');
      assert.equal(noPasid.sid, 0x10);
      assert.equal(noPasid.address, 0x7c346000n);
      assert.equal(noPasid.pasid, undefined);
      assert.equal(withPasid.pasid, 2);
      assert.equal(withPasid.type, 'write');
      const [ir] = of(r.records, 'ir-fault');
      assert.equal(ir.era, 'hex-0x-bdf');
      assert.equal(ir.index, 0xa00);
      assert.equal(ir.reason, 0x25);
      assert.deepEqual(r.dialect, [`fault format: ${FAULT_ERAS['hex-0x-bdf']}`, 'line prefix: [seconds since boot]']);
    });
  });

  describe('scalable mode, syslog and journal wrappings', () => {
    const text = fixtureText('logs', 'journal-6.x-scalable-dump.log');
    const r = parseKernelLog(text);

    it('has no findings and reads the PASID fault', () => {
      assert.deepEqual(r.findings, []);
      const [w, rd] = of(r.records, 'dmar-fault') as DmarFaultRecord[];
      assert.equal(w.type, 'write');
      assert.equal(w.pasid, 1);
      assert.equal(w.sid, 0x3b00);
      assert.equal(w.reason, 0x79);
      assert.equal(w.reasonText, 'SM: Read/Write permission error in second-level paging entry');
      assert.equal(w.time, 7.91742);
      assert.equal(rd.pasid, 5);
      assert.equal(rd.reason, 0x59);
      assert.equal(rd.time, undefined); // journal line without "[ time]"
    });

    it('reads the scalable-mode dump across an unrelated syslog line', () => {
      const [d] = of(r.records, 'fault-dump') as FaultDumpRecord[];
      assert.equal(d.unit, 'dmar1');
      assert.equal(d.iova, 0xffffe000n);
      assert.deepEqual(
        d.lines.map((l) => l.kind),
        ['sm-root', 'context', 'pasid-dir', ...Array(8).fill('pasid-table'), 'pte', 'pte', 'pte', 'pte'],
      );
      assert.deepEqual(d.lines[0].values, [0n, 0x103a2c001n]);
      assert.deepEqual(d.lines[2].values, [0x103a2e001n]);
      const table = d.lines.filter((l) => l.kind === 'pasid-table');
      assert.deepEqual(
        table.map((l) => l.index),
        [0, 1, 2, 3, 4, 5, 6, 7],
      );
      assert.deepEqual(table[0].values, [0x10479e089n]);
      assert.deepEqual(table[1].values, [0x2n]);
      const ptes = d.lines.filter((l) => l.kind === 'pte');
      assert.deepEqual(
        ptes.map((l) => [l.level, l.values[0]]),
        [
          [4, 0x104795003n],
          [3, 0x104794003n],
          [2, 0x104793003n],
          [1, 0x204e1a001n],
        ],
      );
    });

    it('reads the status line of the second dump, the rate limit and an ISO-stamped IR fault', () => {
      const d = of(r.records, 'fault-dump')[1];
      assert.deepEqual(
        d.lines.map((l) => l.kind),
        ['sm-root', 'context', 'pasid-dir', 'status'],
      );
      assert.equal(d.lines[3].text, 'pasid table is not present');
      assert.equal(info(r.records, 'callbacks-suppressed')[0].value, '3');
      const [ir] = of(r.records, 'ir-fault') as IrFaultRecord[];
      assert.equal(ir.span.line, 27);
      assert.equal(ir.reason, 0x25);
      assert.equal(spanText(text, ir.deviceSpan), 'f0:1f.0');
    });

    it('reads printk levels, caller ids, dmesg -T stamps and bare lines', () => {
      const m = parseKernelLog(fixtureText('logs', 'dmesg-6.x-mixed-prefixes.log'));
      assert.deepEqual(m.findings, []);
      assert.equal(info(m.records, 'iommu-enabled')[0].time, 0.099785); // "<6>[ ...]"
      assert.equal(info(m.records, 'host-address-width')[0].value, '48'); // "[ ...][    T0]"
      assert.equal(info(m.records, 'host-address-width')[0].time, 0.160361);
      const [u] = of(m.records, 'unit-info');
      assert.deepEqual([u.verMajor, u.verMinor, u.cap, u.time], [4, 0, 0x1ed008c40780466n, undefined]);
      const noRmrr = info(m.records, 'not-found')[0]; // "kern  :info  : [ ...]" of dmesg -x
      assert.deepEqual([noRmrr.value, noRmrr.time], ['RMRR', 0.706431]);
      assert.equal(info(m.records, 'default-domain')[0].value, 'Passthrough');
      assert.equal(info(m.records, 'strict-policy')[0].value, 'lazy');
      const g = info(m.records, 'group-add')[0];
      assert.deepEqual([g.group, g.bdf], [3, 0xa0]);
      const [d] = of(m.records, 'fault-dump');
      assert.deepEqual(
        d.lines.map((l) => [l.kind, l.level]),
        [
          ['root', undefined],
          ['context', undefined],
          ['not-present', 4],
        ],
      );
      const [ir] = of(m.records, 'ir-fault');
      assert.equal(ir.time, undefined);
      assert.equal(ir.era, 'hex');
      assert.ok(m.dialect.includes('line prefix: none'));
      assert.ok(m.dialect.includes('line prefix: dmesg -T wall-clock time'));
    });
  });

  describe('bad input', () => {
    const codes = (t: string) => parseKernelLog(t).findings.map((f) => f.code);

    it('reports fault lines it cannot read', () => {
      const lines = [
        '[    1.0] DMAR: [DMA Read NO_PASID] Request device [00:zz.0] fault addr 0x2345000 [fault reason 0x06] PTE Read access is not set',
        '[    1.0] DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x12345678901234567 [fault reason 0x06] X',
        '[    1.0] DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x2345000 [fault reason 0x1ff] X',
        '[    1.0] DMAR: [DMA Peek] Request device [00:05.0] fault addr 0x2345000 [fault reason 0x06] X',
        '[    1.0] DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x10000 [fault reason 0x25] X',
        '[    1.0] DMAR: [DMA Read NO_PASID] Request device [00:20.0] fault addr 0x2345000 [fault reason 0x06] X',
      ];
      const r = parseKernelLog(lines.join('\n'));
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.span.line, f.kind, f.severity]),
        lines.map((_, i) => ['malformed-fault-line', i, 'syntax', 'warning']),
      );
      assert.equal(of(r.records, 'dmar-fault').length, 0);
    });

    it('reports a two-line fault whose reason line never comes, and a lone reason line', () => {
      assert.deepEqual(codes('[    1.0] DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x23'), ['fault-reason-missing']);
      assert.deepEqual(codes('[ 1.0] DMAR:[DMA Read] Request device [00:05.0] fault addr 23 \n[ 1.0] a\n[ 1.0] b\n[ 1.0] c\n[ 1.0] d\n[ 1.0] DMAR:[fault reason 06] PTE Read access is not set'), [
        'fault-reason-missing',
        'fault-reason-without-fault',
      ]);
    });

    it('reports an unreadable second line of a two-line fault', () => {
      assert.deepEqual(codes('[ 1.0] DMAR:[DMA Read] Request device [00:05.0] fault addr 23 \n[ 1.0] DMAR:[fault reason 0x] X'), ['malformed-fault-line']);
    });

    it('reports unreadable unit lines and dump lines', () => {
      assert.deepEqual(codes('DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap zz ecap f00f4e'), ['malformed-iommu-line']);
      assert.deepEqual(codes('DMAR: Dump dmar0 table entries for IOVA 0x1000\nDMAR: pte level: 3, pte value: 0xnothex'), ['malformed-fault-dump']);
      assert.deepEqual(codes('DMAR: root entry: 0x0000000001a94001'), ['dump-line-without-header']);
    });

    it('survives garbage, truncated lines and a 10 MB line', () => {
      const garbage = '\u0000\u0001\u00ff garbage \ud800\n[[[[[[\n[ 1.0\nDMAR\nDMAR: [\nDMAR: [DMA \nDMAR: [DMA Read\nINTR-REMAP\n[INTR-REMAP] Request device [';
      const r = parseKernelLog(garbage);
      assert.ok(r.findings.length > 0);
      assert.equal(r.lineCount, 9);
      const big = 'DMAR: [DMA Read] Request device ['.repeat(310_000);
      assert.ok(big.length > 10_000_000);
      const t0 = Date.now();
      const b = parseKernelLog(`[    0.1] DMAR: IOMMU enabled\n${big}\n${'9'.repeat(10_000_000)}`);
      assert.ok(Date.now() - t0 < 2000);
      assert.deepEqual(
        b.findings.map((f) => [f.code, f.span.line]),
        [
          ['line-too-long', 1],
          ['line-too-long', 2],
        ],
      );
      assert.equal(b.records[0].kind, 'dmar-info');
    });

    it('says so when no line looks like a kernel log', () => {
      const r = parseKernelLog('hello\nworld\n');
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.severity]),
        [['no-kernel-log-lines', 'info']],
      );
      assert.deepEqual(parseKernelLog('').findings, []);
    });

    it('classifies a large log quickly', () => {
      const block = legacyCaptureText('dmesg');
      const text = block.repeat(200); // about 86 000 lines, 8 MB
      const t0 = Date.now();
      const r = parseKernelLog(text);
      const ms = Date.now() - t0;
      assert.equal(of(r.records, 'dmar-fault').length, 400);
      assert.ok(ms < 3000, `took ${ms} ms`);
    });
  });
});
