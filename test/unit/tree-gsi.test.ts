import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureChildren } from '../../src/server/tree/capture/captureTreeSource';
import { legacyCaptureDir } from '../helpers';
import { captureEntryOf, child, children, legacySource } from './tree-captureEntry';

describe('GSI Routing view model on the real legacy capture', () => {
  it('sorts the guest IRQs into MSI, IOAPIC pins and what could not be linked', () => {
    const roots = children('gsiRouting');
    assert.deepEqual(roots.map((n) => `${n.label} (${n.description})`), ['MSI and MSI-X (10)', 'IOAPIC pins (5)', 'Not linked (5)']);
    const msi = children('gsiRouting', roots[0].id).map((n) => n.label);
    assert.deepEqual(msi, [
      'IRQ 25 virtio1-config',
      'IRQ 26 virtio1-req.0',
      'IRQ 27 virtio1-req.1',
      'IRQ 28 ahci[0000:00:1f.2]',
      'IRQ 29 virtio0-config',
      'IRQ 30 virtio0-input.0',
      'IRQ 31 virtio0-output.0',
      'IRQ 32 eth1-rx-0',
      'IRQ 33 eth1-tx-0',
      'IRQ 34 eth1',
    ]);
    const other = children('gsiRouting', roots[2].id).map((n) => `${n.label}: ${n.description}`);
    assert.deepEqual(other, [
      "IRQ 9 acpi: pin 9 · the QEMU trace does not name this pin's IRTE",
      "IRQ 16 i801_smbus: pin 16 · the QEMU trace does not name this pin's IRTE",
      "IRQ 24 dmar0: DMAR-MSI · the IOMMU's own fault-event interrupt: never remapped",
      'IRTE 8: ff:00.0 · vector 0x21 → CPU 1 (logical 0x02) · fixed · edge · remapped',
      'IRTE 20: ff:00.0 · vector 0x27 → CPU 1 (logical 0x02) · fixed · edge · remapped',
    ]);
  });

  it('follows virtio-blk 00:04.0 IRQs 25–27 to IRTEs 17–19', () => {
    const irqs = children('gsiRouting', 'g:msi').filter((n) => n.label.includes('virtio1'));
    assert.deepEqual(
      irqs.map((n) => children('gsiRouting', n.id).find((c) => c.contextValue === 'irte')?.label),
      ['IRTE 17', 'IRTE 18', 'IRTE 19'],
    );
    const path = children('gsiRouting', irqs[0].id);
    assert.deepEqual(path.map((n) => n.label), ['MSI (remappable format)', 'IRTE 17', 'KVM route (compatibility format)']);
    // Linux's remappable MSI: handle 17 in address bits 19:5, SHV, format bit 4; subhandle 0.
    assert.equal(path[0].description, 'address 0xfee00238 data 0x0 · handle 17 · SHV · subhandle 0');
    const msiFields = children('gsiRouting', path[0].id);
    assert.equal(child(msiFields, 'HANDLE[14:0] [19:5]').description, '0x11');
    assert.equal(child(msiFields, 'SHV [3]').description, '0x1 · set');
    assert.equal(path[1].description, '00:04.0 · vector 0x23 → CPU 1 (logical 0x02) · fixed · edge · remapped');
    assert.equal(path[1].location?.line, 9, 'the IRTE 17 row of ir_translation_struct');
    assert.equal(path[1].copy?.raw, '17    00:04.0 00000200 23  0000000000040020\t000002000023000d');
    // QEMU: dest 2 in address 19:12, RH and DM set; data = vector, level-assert, edge.
    assert.equal(path[2].description, 'address 0xfee0200c data 0x4023 → CPU 1 (logical 0x02) vector 0x23');
  });

  it('takes the IOAPIC timer pin 2 through its remappable RTE to IRTE 1, vector 0x30, APIC 1', () => {
    const timer = child(children('gsiRouting', 'g:ioapic'), 'IRQ 0 timer');
    assert.equal(timer.description, 'pin 2 · IRTE 1 · vector 0x30 → CPU 0 (logical 0x01) · fixed · edge · remapped');
    const path = children('gsiRouting', timer.id);
    assert.deepEqual(path.map((n) => n.label), ['IOAPIC redirection entry (remappable format)', 'IRTE 1', 'KVM route (compatibility format)']);
    assert.equal(path[0].description, 'pin 2 · 0x3000000000002 · index 1 · edge');
    const rte = children('gsiRouting', path[0].id);
    const fromIoapic = child(rte, 'MSI sent by the IOAPIC');
    assert.match(fromIoapic.description!, /remappable MSI → IRTE 1 \(handle 0x1, no SHV/);
    assert.equal(path[2].description, 'address 0xfee0100c data 0x4030 → CPU 0 (logical 0x01) vector 0x30');
    assert.equal(child(children('gsiRouting', path[1].id), 'V [23:16]').description, '0x30');
  });

  it('filters by IRTE index, guest IRQ, B:D.F and name', () => {
    const irqs = (filter: string) =>
      children('gsiRouting', undefined, { filter }).flatMap((g) => children('gsiRouting', g.id, { filter }).map((n) => n.label));
    assert.deepEqual(irqs('irte 17'), ['IRQ 25 virtio1-config']);
    assert.deepEqual(irqs('irte 1'), ['IRQ 0 timer']);
    assert.deepEqual(irqs('irte 8'), ['IRTE 8']);
    assert.deepEqual(irqs('irq 26'), ['IRQ 26 virtio1-req.0']);
    assert.deepEqual(irqs('00:04.0'), ['IRQ 25 virtio1-config', 'IRQ 26 virtio1-req.0', 'IRQ 27 virtio1-req.1']);
    assert.deepEqual(irqs('eth1'), ['IRQ 32 eth1-rx-0', 'IRQ 33 eth1-tx-0', 'IRQ 34 eth1']);
    assert.deepEqual(irqs('19'), ['IRQ 27 virtio1-req.1'], 'a bare number: an IRTE index or a guest IRQ');
    assert.deepEqual(irqs('did 6'), ['IRQ 25 virtio1-config', 'IRQ 26 virtio1-req.0', 'IRQ 27 virtio1-req.1']);
  });

  it('escapes what the dump says before it goes into Markdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-tree-'));
    for (const f of ['ir_translation_struct', 'iommu_regset', 'dmar_translation_struct']) copyFileSync(join(legacyCaptureDir, f), join(dir, f));
    const text = readFileSync(join(legacyCaptureDir, 'interrupts'), 'utf8').replace('virtio1-config', '[run](command:x)_**bold**');
    writeFileSync(join(dir, 'interrupts'), text);
    const entry = captureEntryOf(dir);
    const msi = captureChildren(entry, { view: 'gsiRouting', source: legacySource, parentId: 'g:msi' });
    const irq = msi.find((n) => n.label.includes('[run]'));
    assert.ok(irq, 'the IRQ with the odd name is listed');
    assert.ok(!irq.tooltip!.includes('[run](command:x)'), 'no live link');
    assert.ok(irq.tooltip!.includes('\\[run\\]\\(command\\:x\\)\\_\\*\\*bold\\*\\*'));
  });
});
