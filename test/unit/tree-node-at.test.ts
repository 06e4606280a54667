import { strict as assert } from 'node:assert';
import { legacyCaptureText } from '../helpers';
import { children, nodeAt } from './tree-captureEntry';

describe('sidebar reveal: the node a dump line stands for (real legacy capture)', () => {
  it('Context Tables: the unit header, a device row, a register row, a page-table block header', () => {
    assert.equal(nodeAt('contextTables', 'dmar_translation_struct', 0), 'u:dmar0');
    assert.equal(nodeAt('contextTables', 'dmar_translation_struct', 4), 'u:dmar0/b:00/d:02.0');
    assert.equal(nodeAt('contextTables', 'dmar_translation_struct', 10), 'u:dmar0/b:00/d:1f.3');
    assert.equal(nodeAt('contextTables', 'iommu_regset', 19), 'u:dmar0/r:CAP');
    assert.equal(nodeAt('contextTables', 'iommu_regset', 4), 'u:dmar0', 'GSTS: the unit');
    assert.equal(nodeAt('contextTables', 'domain_translation_struct', 6), 'u:dmar0/b:00/d:02.0', '"Device 0000:00:02.0 @0x1a9a000"');
    assert.equal(nodeAt('contextTables', 'dmar_translation_struct', 1), null, 'the column header stands for nothing');
  });

  it('Second-Level Tables: a row is its leaf, in either mode, and a block header its domain', () => {
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 6), 'd:4');
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 8), 'd:4/e:3/e:511/e:253');
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 9), 'd:4/e:3/e:511/e:254');
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 8, { coalesce: true }), 'd:4/r:0xffefd000');
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 700, { coalesce: true }), 'd:8/r:0x0/c:0-256/l:0x61000');
    assert.equal(nodeAt('secondLevelTables', 'dmar_translation_struct', 4), 'd:4', 'a context entry: the domain it names');
    // The node is in the tree the view shows.
    const id = nodeAt('secondLevelTables', 'domain_translation_struct', 700)!;
    assert.ok(children('secondLevelTables', id.split('/').slice(0, -1).join('/')).some((n) => n.id === id));
  });

  it('reveals the leaf of the main dump for a row of a duplicate dump of the same table (DID 8, dumped once per device)', () => {
    // The 6.0–6.6 kernels print DID 8's table once per device of the group (each block labelled 00:1f.0).
    const lines = legacyCaptureText('domain_translation_struct').split('\n');
    const headers = lines.flatMap((l, i) => (l.startsWith('Device 0000:00:1f.0 @0x2004000') ? [i] : []));
    assert.deepEqual(headers, [601, 4838, 9075]);
    const leaf = nodeAt('secondLevelTables', 'domain_translation_struct', 603);
    assert.equal(leaf, 'd:8/e:0/e:0/e:0');
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 4840), leaf);
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 4838), 'd:8');
  });

  it('GSI Routing: an IRTE row and a /proc/interrupts row', () => {
    assert.equal(nodeAt('gsiRouting', 'ir_translation_struct', 4), 'g:ioapic/q:0/i:1');
    assert.equal(nodeAt('gsiRouting', 'ir_translation_struct', 9), 'g:msi/q:25/i:17');
    assert.equal(nodeAt('gsiRouting', 'ir_translation_struct', 7), 'g:other/i:8');
    assert.equal(nodeAt('gsiRouting', 'interrupts', 1), 'g:ioapic/q:0');
    assert.equal(nodeAt('gsiRouting', 'interrupts', 9), 'g:msi/q:25');
  });

  it('gives nothing the view does not show (filtered out, or another view\'s file)', () => {
    assert.equal(nodeAt('secondLevelTables', 'domain_translation_struct', 8, { filter: 'did 5' }), null);
    assert.equal(nodeAt('gsiRouting', 'interrupts', 9, { filter: 'irte 1' }), null);
    assert.equal(nodeAt('gsiRouting', 'interrupts', 9, { filter: 'irte 17' }), 'g:msi/q:25');
    assert.equal(nodeAt('gsiRouting', 'dmesg', 100), null);
  });
});
