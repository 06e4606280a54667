import { strict as assert } from 'node:assert';
import { mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureChildren } from '../../src/server/tree/capture/captureTreeSource';
import { parentIdOf } from '../../src/protocol';
import { fixturesDir } from '../helpers';
import { captureEntryOf, child, children, legacySource } from './tree-captureEntry';

describe('Context Tables view model on the real legacy capture', () => {
  it('has one root: dmar0, legacy, with DMA, IR and QI on and its CAP/ECAP in the tooltip', () => {
    const roots = children('contextTables');
    assert.deepEqual(roots.map((n) => n.label), ['dmar0']);
    const u = roots[0];
    assert.equal(u.id, 'u:dmar0');
    assert.equal(u.description, 'legacy · DMA on · IR on · QI on · 9 devices');
    assert.equal(u.collapsible, 'expanded');
    assert.match(u.tooltip!, /\| CAP \| `0xd2008c22260286` ND\\=65536 SAGAW\\=39 MGAW\\=39 CM PSI/);
    assert.match(u.tooltip!, /\| ECAP \| `0xf00f4e` QI DT IR PT/);
    assert.equal(u.location?.line, 0, 'the unit header of dmar_translation_struct');
    assert.match(u.location!.uri, /dmar_translation_struct$/);
  });

  it('lists CAP, ECAP and bus 00 under the unit; CAP expands to its fields', () => {
    const kids = children('contextTables', 'u:dmar0');
    assert.deepEqual(kids.map((n) => n.label), ['CAP', 'ECAP', 'Bus 00']);
    const cap = children('contextTables', kids[0].id);
    assert.equal(child(cap, 'MGAW [21:16]').description, '0x26 · 39 bits');
    assert.equal(child(cap, 'SAGAW [12:8]').description, '0x2 · 39-bit (0x2)');
    assert.equal(kids[0].location?.line, 19, 'the CAP row of iommu_regset');
    assert.match(kids[0].location!.uri, /iommu_regset$/);
    assert.equal(kids[0].copy?.raw, '0x00d2008c22260286');
  });

  it('shows bus 00 with its root entry and the 9 devices of the capture', () => {
    const bus = child(children('contextTables', 'u:dmar0'), 'Bus 00');
    assert.equal(bus.description, '9 devices · root entry P CTP=0x1a94000');
    const kids = children('contextTables', bus.id);
    assert.deepEqual(
      kids.map((n) => n.label),
      ['Root entry', '00:00.0', '00:01.0', '00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.0', '00:1f.2', '00:1f.3'],
    );
    const root = children('contextTables', kids[0].id);
    assert.deepEqual(root.map((n) => `${n.label} ${n.description}`), ['P [0] 0x1 · present: the context table in use', 'CTP [63:12] 0x1a94000']);
  });

  it('decodes each context entry into P, TT, AW, DID, SLPTPTR, FPD and links to the domain', () => {
    const bus = 'u:dmar0/b:00';
    const nic = child(children('contextTables', bus), '00:02.0');
    assert.equal(nic.description, 'DID 4 · second-level · 3-level · SLPTPTR 0x1a9a000');
    assert.equal(nic.copy?.raw, '0x0000000000000401:0x0000000001a9a001');
    assert.equal(nic.location?.line, 4);
    const fields = children('contextTables', nic.id);
    assert.deepEqual(
      fields.map((n) => `${n.label} = ${n.description}`),
      [
        'P [0] = 0x1 · present',
        'TT [3:2] = 0x0 · 00: untranslated requests translated through second-level tables; ATS blocked',
        'AW [66:64] = 0x1 · 39-bit, 3-level table',
        'DID [87:72] = 0x4',
        'SLPTPTR [63:12] = 0x1a9a000',
        'FPD [1] = 0x0 · faults are recorded',
        'Domain 4 = 3-level · 258 leaves · 00:02.0',
      ],
    );
    const link = fields[6];
    assert.deepEqual(link.link, { view: 'secondLevelTables', id: 'd:4' });
    assert.equal(link.contextValue, 'link');
    // The three ICH9 functions share domain 8.
    for (const f of ['00:1f.0', '00:1f.2', '00:1f.3']) {
      const dev = child(children('contextTables', bus), f);
      assert.equal(child(children('contextTables', dev.id), 'Domain 8').link?.id, 'd:8');
    }
  });

  it('keeps every id a child of its parent id', () => {
    const walk = (parentId?: string, depth = 0) => {
      for (const n of children('contextTables', parentId)) {
        assert.equal(parentIdOf(n.id), parentId, n.id);
        if (depth < 3 && n.collapsible !== 'none') walk(n.id, depth + 1);
      }
    };
    walk();
  });

  it('marks a device that faulted where it is listed: its icon and its description', () => {
    const devices = children('contextTables', 'u:dmar0/b:00').filter((n) => /^device\b/.test(n.contextValue ?? ''));
    const edu = devices.find((n) => n.label === '00:05.0')!;
    assert.equal(edu.icon, 'warning');
    assert.match(edu.description ?? '', /^2 faults · DID 7\b/);
    assert.equal(edu.contextValue, 'device faulted');
    assert.ok(devices.filter((n) => n.label !== '00:05.0').every((n) => n.icon !== 'warning' && !/fault/.test(n.description ?? '')));
  });

  it('filters by B:D.F, DID and text, keeping the path to what matches', () => {
    const devices = (filter: string) =>
      children('contextTables', 'u:dmar0/b:00', { filter })
        .filter((n) => /^device\b/.test(n.contextValue ?? ''))
        .map((n) => n.label);
    assert.deepEqual(devices('00:04.0'), ['00:04.0']);
    assert.deepEqual(devices('did 8'), ['00:1f.0', '00:1f.2', '00:1f.3']);
    assert.deepEqual(devices('8'), ['00:1f.0', '00:1f.2', '00:1f.3']);
    assert.deepEqual(devices('irte 17'), ['00:04.0']);
    assert.deepEqual(devices('iova 0xffefd000'), ['00:02.0', '00:03.0']);
    assert.deepEqual(devices('hpa 0x268e000'), ['00:02.0']);
    assert.deepEqual(devices('dmar0').length, 9, 'the unit name keeps the whole unit');
    assert.deepEqual(children('contextTables', undefined, { filter: '07:00.0' }), [], 'no device 07:00.0: nothing shown');
  });

  it('writes numbers in decimal, both, and padded to the field width', () => {
    const did = (numberFormat: 'hex' | 'decimal' | 'both', pad: boolean) =>
      child(children('contextTables', 'u:dmar0/b:00/d:02.0', { numberFormat, pad }), 'DID [87:72]').description;
    assert.equal(did('hex', false), '0x4');
    assert.equal(did('hex', true), '0x0004');
    assert.equal(did('decimal', false), '4');
    assert.equal(did('both', true), '0x0004 (4)');
    const ptr = child(children('contextTables', 'u:dmar0/b:00/d:02.0', { pad: true }), 'SLPTPTR [63:12]');
    assert.equal(ptr.description, '0x0000000001a9a000');
  });
});

describe('Context Tables view model in scalable mode (hand-built v6.8 layout fixture)', () => {
  it('lists the PASID table entries of a device under it, with their directory and table indices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-tree-'));
    copyFileSync(join(fixturesDir, 'debugfs', 'dmar_translation_struct.v6.8-scalable'), join(dir, 'dmar_translation_struct'));
    const entry = captureEntryOf(dir);
    const ask = (parentId?: string) => captureChildren(entry, { view: 'contextTables', source: legacySource, parentId });
    assert.deepEqual(ask().map((n) => n.label), ['dmar0', 'dmar1', 'dmar2']);
    assert.match(ask()[2].description!, /DMA off/);
    const dev = child(ask('u:dmar0/b:00'), '00:0a.0');
    const pasids = ask(dev.id).filter((n) => n.contextValue === 'pasid');
    assert.deepEqual(pasids.map((n) => n.label), ['PASID 0', 'PASID 1', 'PASID 27']);
    assert.match(pasids[2].description!, /^directory 0, table 27 · /);
    assert.ok(ask(pasids[0].id).some((n) => n.label.startsWith('PGTT')), 'PASID entry fields');
  });
});
