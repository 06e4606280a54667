import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { legacyCaptureDir, legacyCaptureText, fixtureText } from '../helpers';
import { parseProcInterrupts, looksLikeProcInterrupts, type ProcInterruptsRow } from '../../src/dumps/procInterrupts';
import { spanOf } from '../../src/dumps/rowColumns';

function rowsOf(text: string): ProcInterruptsRow[] {
  const r = parseProcInterrupts(text);
  assert.equal(r.records.length, 1);
  return r.records[0].rows;
}

function row(rows: ProcInterruptsRow[], irq: string): ProcInterruptsRow {
  const found = rows.find((x) => x.irq === irq);
  assert.ok(found, `row ${irq}`);
  return found;
}

describe('/proc/interrupts parser', () => {
  describe('the real Linux 6.1 guest (2 vCPUs, xAPIC interrupt remapping)', () => {
    const text = legacyCaptureText('interrupts');
    const r = parseProcInterrupts(text);
    const rows = r.records[0].rows;

    it('reads every line without a finding', () => {
      assert.deepEqual(r.findings, []);
      assert.equal(r.format, 'proc_interrupts');
      assert.deepEqual(r.records[0].cpus, ['CPU0', 'CPU1']);
      assert.equal(r.records[0].span.line, 0);
      assert.equal(rows.length, 37);
      assert.deepEqual(r.dialect, []);
    });

    it('reads IO-APIC pins through the remapping chip', () => {
      const timer = row(rows, '0');
      assert.deepEqual(timer.counts, [231, 0]);
      assert.equal(timer.chip, 'IR-IO-APIC');
      assert.equal(timer.hwirq, 2); // the timer is on pin 2
      assert.equal(timer.trigger, 'edge');
      assert.equal(timer.name, 'timer');
      assert.equal(timer.remapped, true);
      assert.equal(row(rows, '9').trigger, 'fasteoi');
      assert.equal(row(rows, '4').counts[0], 191300);
    });

    it('reads the DMAR fault interrupt, which is not remapped', () => {
      const dmar = row(rows, '24');
      assert.equal(dmar.chip, 'DMAR-MSI');
      assert.equal(dmar.hwirq, 0);
      assert.equal(dmar.name, 'dmar0');
      assert.deepEqual(dmar.counts, [2, 0]); // the two faults of the capture
      assert.equal(dmar.remapped, false);
      assert.equal(dmar.requesterId, undefined);
    });

    it('decodes IR-PCI-MSI hwirqs of rows 25-34 into requester ids and vector indexes', () => {
      // hwirq = index | bus:devfn << 11
      const expected: [string, number, number, number, string][] = [
        ['25', 65536, 0x20, 0, 'virtio1-config'], // 00:04.0 virtio-blk
        ['26', 65537, 0x20, 1, 'virtio1-req.0'],
        ['27', 65538, 0x20, 2, 'virtio1-req.1'],
        ['28', 512000, 0xfa, 0, 'ahci[0000:00:1f.2]'], // 00:1f.2
        ['29', 49152, 0x18, 0, 'virtio0-config'], // 00:03.0 virtio-net
        ['30', 49153, 0x18, 1, 'virtio0-input.0'],
        ['31', 49154, 0x18, 2, 'virtio0-output.0'],
        ['32', 32768, 0x10, 0, 'eth1-rx-0'], // 00:02.0 e1000e
        ['33', 32769, 0x10, 1, 'eth1-tx-0'],
        ['34', 32770, 0x10, 2, 'eth1'],
      ];
      for (const [irq, hwirq, rid, index, name] of expected) {
        const x = row(rows, irq);
        assert.equal(x.chip, 'IR-PCI-MSI', irq);
        assert.equal(x.hwirq, hwirq, irq);
        assert.equal(x.requesterId, rid, irq);
        assert.equal(x.msiIndex, index, irq);
        assert.equal(x.segment, 0, irq);
        assert.equal(x.name, name, irq);
        assert.equal(x.remapped, true, irq);
        const at = spanOf(x, 'name');
        assert.equal(text.split('\n')[x.line].slice(at.start, at.end), name);
      }
      assert.deepEqual(row(rows, '27').counts, [0, 26]);
    });

    it('reads the x86 summary rows', () => {
      const loc = row(rows, 'LOC');
      assert.deepEqual(loc.counts, [8021, 1113]);
      assert.equal(loc.description, 'Local timer interrupts');
      assert.equal(loc.chip, undefined);
      assert.deepEqual(row(rows, 'ERR').counts, [0]);
      assert.equal(row(rows, 'ERR').description, undefined);
      assert.equal(row(rows, 'PIW').description, 'Posted-interrupt wakeup event');
    });

    it('is recognised, and no other capture file is', () => {
      for (const name of readdirSync(legacyCaptureDir)) {
        assert.equal(looksLikeProcInterrupts(legacyCaptureText(name).slice(0, 8192)), name === 'interrupts', name);
      }
    });
  });

  describe('hand-built variants', () => {
    it('1 CPU, with a device on PCI segment 1 (hwirq bits 27 and up)', () => {
      const r = parseProcInterrupts(fixtureText('logs', 'proc-interrupts-1cpu.txt'));
      assert.deepEqual(r.findings, []);
      const rows = r.records[0].rows;
      assert.deepEqual(r.records[0].cpus, ['CPU0']);
      assert.deepEqual(row(rows, '25').counts, [1311]);
      assert.equal(row(rows, '25').requesterId, 0xfa);
      const nvme1 = row(rows, '28');
      assert.equal(nvme1.hwirq, 134742017); // 1 << 27 | 0x100 << 11 | 1
      assert.equal(nvme1.segment, 1);
      assert.equal(nvme1.requesterId, 0x100); // 01:00.0
      assert.equal(nvme1.msiIndex, 1);
      assert.equal(row(rows, '24').chip, 'DMAR-MSI');
      assert.deepEqual(row(rows, 'MIS').counts, [0]);
    });

    it('4 CPUs with per-device MSI domains (IR-PCI-MSIX-0000:00:03.0)', () => {
      const r = parseProcInterrupts(fixtureText('logs', 'proc-interrupts-4cpu-per-device-msi.txt'));
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.dialect, ['per-device MSI chips (6.2+)']);
      const rows = r.records[0].rows;
      assert.deepEqual(r.records[0].cpus, ['CPU0', 'CPU1', 'CPU2', 'CPU3']);
      const out = row(rows, '27');
      assert.equal(out.chip, 'IR-PCI-MSIX');
      assert.equal(out.chipDevice, '0000:00:03.0');
      assert.equal(out.requesterId, 0x18);
      assert.equal(out.hwirq, 2);
      assert.equal(out.msiIndex, 2);
      assert.deepEqual(out.counts, [0, 87, 0, 0]);
      assert.equal(row(rows, '28').chip, 'IR-PCI-MSI');
      assert.equal(row(rows, '28').requesterId, 0xfa);
      assert.equal(row(rows, '29').name, 'PCIe PME, pciehp');
      assert.equal(row(rows, '29').requesterId, 0xe0); // 00:1c.0
      const noAction = row(rows, '31');
      assert.equal(noAction.name, undefined);
      assert.equal(noAction.hwirq, 16);
      assert.deepEqual(row(rows, 'LOC').counts, [8021, 1113, 977, 1502]);
      assert.equal(row(rows, '24').hwirq, 0);
    });

    it('3.x: the flow handler in the chip word and no hwirq', () => {
      const r = parseProcInterrupts(fixtureText('logs', 'proc-interrupts-3.x-flow-in-chip.txt'));
      assert.deepEqual(r.findings, []);
      const rows = r.records[0].rows;
      const eth = row(rows, '41');
      assert.deepEqual([eth.chip, eth.trigger, eth.hwirq, eth.name, eth.requesterId], ['IR-PCI-MSI', 'edge', undefined, 'eth0', undefined]);
      assert.equal(row(rows, '40').chip, 'DMAR_MSI');
      assert.equal(row(rows, '0').remapped, true);
    });

    it('starts a new record for each header (two snapshots in one file)', () => {
      const t = legacyCaptureText('interrupts');
      const r = parseProcInterrupts(t + t);
      assert.equal(r.records.length, 2);
      assert.equal(r.records[1].span.line, 38);
      assert.equal(r.records[1].rows.length, 37);
    });
  });

  describe('bad input', () => {
    it('reports lines that are not rows', () => {
      const t = '           CPU0       CPU1\n  0:        231          0  IR-IO-APIC   2-edge      timer\nhello world\n 25: x\n';
      const r = parseProcInterrupts(t);
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.span.line]),
        [
          ['unrecognised-line', 2],
          ['unrecognised-line', 3],
        ],
      );
      assert.equal(rowsOf('           CPU0\n  0:  1  IO-APIC   2-edge  timer\n').length, 1);
    });

    it('reports a row with fewer counts than CPUs, and rows without a header', () => {
      const short = parseProcInterrupts('           CPU0       CPU1\n  0:        231  IR-IO-APIC   2-edge      timer\n');
      assert.deepEqual(
        short.findings.map((f) => f.code),
        ['missing-cpu-counts'],
      );
      const headless = parseProcInterrupts(' 25:          0          0  IR-PCI-MSI 65536-edge      virtio1-config\n');
      assert.deepEqual(
        headless.findings.map((f) => f.code),
        ['missing-cpu-header'],
      );
      assert.equal(headless.records[0].rows[0].requesterId, 0x20);
    });

    it('survives garbage, truncation and a 10 MB line', () => {
      const text = legacyCaptureText('interrupts');
      const truncated = text.slice(0, text.indexOf('virtio1-req.0') + 5);
      const t = parseProcInterrupts(truncated);
      assert.equal(t.records[0].rows[t.records[0].rows.length - 1].name, 'virti');
      const big = parseProcInterrupts('           CPU0\n' + '1'.repeat(10_000_000) + '\n' + ':'.repeat(10_000_000) + '\n\u0000\u00ff');
      assert.equal(big.findings.length, 3);
      assert.ok(!looksLikeProcInterrupts('hello\n'));
      assert.ok(!looksLikeProcInterrupts(''));
    });
  });
});
