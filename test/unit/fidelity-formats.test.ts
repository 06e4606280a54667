// The newest formats, and the older ones users still paste: kernel logs in
// every wrapping (decided by the IOMMU lines inside), the 6.13 fault-dump
// status lines and prq.c messages, /proc/interrupts with "vIR-" chips, QEMU
// 10.1 trace prefixes and QEMU's own messages, the 2019 three-column
// dmar_translation_struct and rows cut off before their PASID columns,
// x2APIC decided per unit. Each fixture says in its folder's README which
// source format line it follows.
import { strict as assert } from 'node:assert';
import { detectFormat, parseDump } from '../../src/dumps/registry';
import { parseKernelLog } from '../../src/dumps/kernelLog/index';
import { parseProcInterrupts } from '../../src/dumps/procInterrupts';
import { parseQemuTrace, TRACE_EVENT_FORMATS, QEMU_MESSAGE } from '../../src/dumps/qemuTrace/index';
import { parseDmarTranslation } from '../../src/dumps/debugfs/dmarTranslation';
import { buildCapture } from '../../src/model/buildCapture';
import { translate } from '../../src/model/walk';
import { irteDestinationName, irteInfo } from '../../src/vtd/irte';
import { captureFixtureFiles, fixtureText } from '../helpers';

describe('kernel logs in every wrapping, decided by their IOMMU lines', () => {
  const files: [string, string][] = [
    ['dmesg-t-no-prefix.log', 'line prefix: none'],
    ['dmesg-T-wall-clock.log', 'line prefix: dmesg -T wall-clock time'],
    ['journal-k-short.log', 'line prefix: syslog header'],
    ['journal-k-short-iso.log', 'line prefix: syslog header'],
    ['serial-console-interleaved.log', 'line prefix: [seconds since boot]'],
  ];
  for (const [file, prefix] of files) {
    it(`${file}: a kernel log under any name, with its two faults`, () => {
      const text = fixtureText('logs', file);
      assert.equal(detectFormat(text, 'capture.txt'), 'dmesg', 'the content decides, not the name');
      const r = parseKernelLog(text);
      assert.deepEqual(r.findings, []);
      assert.ok(r.dialect.includes(prefix), r.dialect.join('; '));
      const faults = r.records.filter((x) => x.kind === 'dmar-fault');
      assert.deepEqual(
        faults.map((f) => (f.kind === 'dmar-fault' ? [f.address, f.reason, f.type] : [])),
        [
          [0x2345000n, 0x06, 'read'],
          [0x7777000n, 0x05, 'write'],
        ],
      );
    });
  }

  it('keeps the 6.13 status lines inside their fault dump, and reads the page-request messages', () => {
    const r = parseKernelLog(fixtureText('logs', 'dmesg-6.13-dump-status-and-prq.log'));
    assert.deepEqual(r.findings, []);
    const dumps = r.records.filter((x) => x.kind === 'fault-dump');
    assert.deepEqual(
      dumps.map((d) => (d.kind === 'fault-dump' ? d.lines.map((l) => `${l.kind}:${l.text}`) : [])),
      [
        ['root:root entry: 0x0000000001a94001', 'context:context entry: hi 0x0000000000000000, low 0x0000000000000000', 'status:legacy mode page table is not present'],
        ['status:root table is not present'],
      ],
    );
    const prq = r.records.filter((x) => x.kind === 'dmar-info' && x.key === 'page-request');
    assert.deepEqual(
      prq.map((x) => (x.kind === 'dmar-info' ? [x.unit, x.value] : [])),
      [
        ['dmar0', 'PRQ overflow detected'],
        ['dmar0', 'Invalid page request: 0000000000000021 0000000001234003'],
        ['dmar0', 'PRQ overflow cleared'],
      ],
    );
  });
});

describe('/proc/interrupts with the "vIR-" chips of Linux 6.2-6.9 under caching mode', () => {
  it('keeps each vector\'s requester and knows the chip remaps', () => {
    const r = parseProcInterrupts(fixtureText('logs', 'proc-interrupts-6.5-vir-per-device.txt'));
    assert.deepEqual(r.findings, []);
    const rows = r.records[0].rows.filter((x) => x.chip?.startsWith('vIR-'));
    assert.deepEqual(
      rows.map((x) => [x.irq, x.chip, x.requesterId, x.segment, x.msiIndex, x.remapped]),
      [
        ['25', 'vIR-PCI-MSIX', 0x20, 0, 0, true],
        ['26', 'vIR-PCI-MSIX', 0x20, 0, 1, true],
        ['27', 'vIR-PCI-MSIX', 0x18, 0, 0, true],
        ['28', 'vIR-PCI-MSIX', 0x18, 0, 1, true],
        ['29', 'vIR-PCI-MSIX', 0x18, 0, 2, true],
        ['30', 'vIR-PCI-MSI', 0xfa, 0, 0, true],
      ],
    );
  });
});

describe('QEMU traces: 10.1 ISO time stamps, the proposed thread prefix, QEMU\'s own messages, the newest events', () => {
  it('reads the ISO 8601 stamp of QEMU 10.1 as the event time', () => {
    const r = parseQemuTrace(fixtureText('traces', 'qemu-10.1-iso-timestamps.trace'));
    assert.deepEqual(r.findings, []);
    assert.equal(r.records[0].time, Date.UTC(2026, 2, 2, 10, 15, 42) / 1000 + 0.118338);
    assert.deepEqual(
      r.records.map((e) => e.name),
      ['vtd_reg_write', 'vtd_inv_qi_setup', 'vtd_inv_desc_pasid_cache_gsi', 'vtd_pasid_cache_devsi', 'vtd_iotlb_page_update', 'vtd_dmar_fault', 'vtd_frr_new', 'vtd_device_attach_hwpt', 'vtd_prq_read_fault'],
    );
    assert.deepEqual(r.records[3].args, { bus: 0, dev: 5, fn: 0 });
  });

  it('reads the "(pid:thread)" prefix and turns QEMU\'s "detected translation failure" lines into faults with the traced reason', () => {
    const text = fixtureText('traces', 'qemu-thread-prefix-with-messages.trace');
    const r = parseQemuTrace(text);
    assert.deepEqual(r.findings, []);
    assert.equal(r.records[0].pid, 4242);
    assert.equal(r.records.filter((e) => e.name === QEMU_MESSAGE).length, 2);
    const c = buildCapture([{ name: 'qemu.trace', text }]);
    assert.deepEqual(
      c.faults.map((f) => [f.source, f.sid, f.address, f.reason, f.write]),
      [
        ['qemu-message', 0x28, 0x2345000n, 6, false],
        ['qemu-message', 0x28, 0x7777000n, 5, true],
      ],
    );
  });

  it('has a template for every event of the newest hw/i386/trace-events read, and they all compile', () => {
    for (const name of ['vtd_inv_desc_pasid_cache_gsi', 'vtd_inv_desc_pasid_cache_dsi', 'vtd_inv_desc_pasid_cache_psi', 'vtd_pasid_cache_devsi', 'vtd_pasid_cache_reset', 'vtd_device_attach_hwpt', 'vtd_device_detach_hwpt', 'vtd_device_reattach_def_hwpt', 'vtd_prq_read_fault', 'vtd_reset_exit', 'amdvi_ir_irte_ga_val']) {
      assert.ok(TRACE_EVENT_FORMATS[name], name);
    }
    const lines = Object.keys(TRACE_EVENT_FORMATS).map((n) => `${n} `);
    const r = parseQemuTrace(lines.join('\n'));
    assert.ok(!r.findings.some((f) => f.code === 'unknown-trace-event'));
  });
});

describe('dmar_translation_struct without PASID columns', () => {
  it('reads the 2019 three-column layout', () => {
    const r = parseDmarTranslation(fixtureText('debugfs', 'dmar_translation_struct.2019-three-columns'));
    assert.deepEqual(r.findings, []);
    assert.ok(r.dialect.some((d) => d.startsWith('2019 intermediate layout')));
    assert.deepEqual(
      r.records[0].rows.map((x) => [x.bus, x.dev, x.fn, x.ctxHi, x.pasid, x.pasidColumns]),
      [
        [0, 2, 0, 0x401n, -1, false],
        [0, 5, 0, 0x701n, -1, false],
      ],
    );
  });

  it('reads rows cut before their PASID columns, and a walk through them is unknown, not a fault', () => {
    const text = fixtureText('debugfs', 'dmar_translation_struct.v6.1-pasid-columns-cut');
    const r = parseDump(text, 'dmar_translation_struct');
    assert.ok(r && r.findings.every((f) => f.severity === 'info'));
    const regset = captureFixtureFiles('linux-6.1-qemu-7.2-scalable').find((f) => f.name === 'iommu_regset')!;
    const c = buildCapture([{ name: 'dmar_translation_struct', text }, regset]);
    const w = translate(c, { sid: 0, iova: 0x1000n });
    assert.equal(w.outcome, 'unknown');
    assert.match(w.unknown ?? '', /no PASID columns/);
  });
});

describe('IRTE destinations: x2APIC decided once per unit, logical destinations as CPUs', () => {
  it('decides from all of a unit\'s entries when no register says (one destination outside 15:8 makes it x2APIC)', () => {
    const c = buildCapture([{ name: 'ir_translation_struct', text: fixtureText('debugfs', 'ir_translation_struct.x2apic-from-entries') }]);
    const unit = (n: string) => c.units.find((u) => u.name === n)!;
    assert.deepEqual([unit('dmar1').x2apic, unit('dmar1').x2apicFrom], [true, 'entries']);
    assert.deepEqual([unit('dmar0').x2apic, unit('dmar0').x2apicFrom], [false, 'entries']);
    const dmar1 = c.irtes.filter((e) => e.unit === 'dmar1');
    assert.deepEqual(dmar1.map((e) => irteDestinationName(e.info)), ['cluster 0 member 8 (x2APIC id 8)', 'cluster 0 members 1, 8 (x2APIC ids 1, 8)']);
    const dmar0 = c.irtes.filter((e) => e.unit === 'dmar0');
    assert.deepEqual(dmar0.map((e) => irteDestinationName(e.info)), ['APIC 1', 'APIC 2']);
  });

  it('takes the kernel log\'s IR mode over the entries', () => {
    const c = buildCapture([
      { name: 'ir_translation_struct', text: fixtureText('debugfs', 'ir_translation_struct.x2apic-from-entries') },
      { name: 'dmesg', text: '[    0.5] DMAR-IR: Enabled IRQ remapping in x2apic mode\n' },
    ]);
    assert.ok(c.units.every((u) => u.x2apic === true && u.x2apicFrom === 'kernel log'));
  });

  it('names a flat logical xAPIC destination by its CPUs (0x02 is CPU 1)', () => {
    assert.equal(irteDestinationName(irteInfo(0x40000n, 0x000002000024000dn, { eime: false })), 'CPU 1 (logical 0x02)');
    assert.equal(irteDestinationName(irteInfo(0x40000n, 0x000006000024000dn, { eime: false })), 'CPUs 1, 2 (logical 0x06)');
  });
});
