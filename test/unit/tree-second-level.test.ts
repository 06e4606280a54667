import { strict as assert } from 'node:assert';
import { pathToFileURL } from 'node:url';
import { parentIdOf, type TreeNodeDto } from '../../src/protocol';
import { buildCapture } from '../../src/model/buildCapture';
import { captureChildren, captureNodeAtLine } from '../../src/server/tree/capture/captureTreeSource';
import { generatePageTableDump } from '../../bench/generatePageTable';
import { legacyCaptureText } from '../helpers';
import { child, children } from './tree-captureEntry';

/** Every leaf under a node in the levels mode (entries expanded down to their leaves). */
function leavesUnder(id: string, options = {}): TreeNodeDto[] {
  const out: TreeNodeDto[] = [];
  for (const n of children('secondLevelTables', id, options)) {
    if (n.contextValue === 'leaf') out.push(n);
    else if (n.contextValue === 'entry') out.push(...leavesUnder(n.id, options));
  }
  return out;
}

describe('Second-Level Tables view model on the real legacy capture', () => {
  it('lists the domains DID 2..8 with their devices, depth and leaves', () => {
    const roots = children('secondLevelTables');
    assert.deepEqual(roots.map((n) => n.label), ['DID 2', 'DID 3', 'DID 4', 'DID 5', 'DID 6', 'DID 7', 'DID 8']);
    assert.equal(child(roots, 'DID 4').description, '00:02.0 · 3-level · 258 leaves · 1032K');
    assert.equal(child(roots, 'DID 8').description, '00:1f.0, 00:1f.2, 00:1f.3 · 3-level · 4234 leaves · 16936K');
    const edu = child(roots, 'DID 7');
    assert.equal(edu.description, '2 faults · 00:05.0 · 3-level · no present leaf');
    assert.equal(edu.icon, 'warning', 'a domain whose device faulted is marked where it is listed');
    assert.equal(edu.collapsible, 'none');
    assert.match(child(roots, 'DID 8').tooltip!, /dumped 2 more time\(s\)/);
  });

  it('derives each level from the rows: PDPE → PDE → PTE with index and IOVA span', () => {
    const pdpe = children('secondLevelTables', 'd:4');
    assert.deepEqual(pdpe.map((n) => `${n.label}: ${n.description}`), ['PDPE 3: 0xc0000000–0xffffffff → table 0x25b6000 · 258 leaves']);
    const pde = children('secondLevelTables', pdpe[0].id);
    assert.deepEqual(pde.map((n) => `${n.label}: ${n.description}`), ['PDE 511: 0xffe00000–0xffffffff → table 0x25bc000 · 258 leaves']);
    const ptes = children('secondLevelTables', pde[0].id);
    assert.equal(ptes.length, 258);
    assert.equal(ptes[0].label, 'PTE 253');
    assert.equal(ptes[0].id, 'd:4/e:3/e:511/e:253');
    assert.equal(ptes[0].location?.line, 8, 'the first row of the 00:02.0 block');
    assert.equal(ptes[0].copy?.raw, '0x000000000268e003');
    // DID 8: the identity map of the first 16 MiB (PDPE 0) and the buffers below 4 GiB (PDPE 3).
    const did8 = children('secondLevelTables', 'd:8').map((n) => n.label);
    assert.deepEqual(did8, ['PDPE 0', 'PDPE 3']);
  });

  it('gives 00:02.0 its 258 leaves, with the alias pair 0xffefd000/0xffefe000 → 0x268e000', () => {
    const leaves = leavesUnder('d:4');
    assert.equal(leaves.length, 258);
    const a = leaves[0];
    const b = leaves[1];
    assert.equal(a.description, '0xffefd000–0xffefdfff → 0x268e000 · 4K · RW · alias 0xffefe000');
    assert.equal(b.description, '0xffefe000–0xffefefff → 0x268e000 · 4K · RW · alias 0xffefd000');
    const under = children('secondLevelTables', a.id);
    const alias = under[0];
    assert.equal(alias.label, 'alias 0xffefe000');
    assert.equal(alias.description, 'DID 4 · 00:02.0');
    assert.deepEqual(alias.link, { view: 'secondLevelTables', id: b.id });
    assert.equal(alias.location?.line, 9);
    assert.deepEqual(
      under.slice(1).map((n) => n.label),
      ['R [0]', 'W [1]', 'X [2]', 'EMT [5:3]', 'IPAT [6]', 'A [8]', 'D [9]', 'SNP [11]', 'ADDR [51:12]', 'TM [62]'],
    );
    assert.equal(child(under, 'ADDR [51:12]').description, '0x268e000');
  });

  it('merges contiguous leaves into ranges in the coalesced mode', () => {
    const runs = children('secondLevelTables', 'd:6', { coalesce: true });
    assert.deepEqual(
      runs.map((n) => `${n.label}: ${n.description}`),
      ['0xffffc000–0xffffdfff: → 0x220f000–0x2210fff · 8K in 2 leaves · RW', '0xffffe000–0xffffffff: → 0x220a000–0x220bfff · 8K in 2 leaves · RW'],
    );
    assert.deepEqual(children('secondLevelTables', runs[0].id, { coalesce: true }).map((n) => n.label), ['0xffffc000', '0xffffd000']);
    // The 16 MiB identity map of DID 8 is one run of 4096 leaves, listed in slices of 256.
    const big = children('secondLevelTables', 'd:8', { coalesce: true })[0];
    assert.equal(big.label, '0x0–0xffffff');
    assert.equal(big.description, '→ 0x0–0xffffff · 16M in 4096 leaves · RW');
    const slices = children('secondLevelTables', big.id, { coalesce: true });
    assert.equal(slices.length, 16);
    assert.equal(slices[1].description, 'leaves 257–512 of 4096');
    assert.equal(children('secondLevelTables', slices[1].id, { coalesce: true }).length, 256);
    // Aliased pages stay single leaves: nothing of DID 4 is contiguous in both address spaces.
    const did4 = children('secondLevelTables', 'd:4', { coalesce: true });
    assert.equal(did4.filter((n) => n.contextValue === 'range').length + did4.filter((n) => n.contextValue === 'leaf').length, did4.length);
  });

  it('filters by IOVA, host address, DID and B:D.F, opening the path to the leaves', () => {
    const roots = (filter: string) => children('secondLevelTables', undefined, { filter }).map((n) => n.label);
    assert.deepEqual(roots('00:1f.2'), ['DID 8']);
    assert.deepEqual(roots('did 6'), ['DID 6']);
    assert.deepEqual(roots('hpa 0x268e000'), ['DID 4']);
    assert.deepEqual(roots('iova 0x7000'), ['DID 8']);
    const hpa = leavesUnder('d:4', { filter: 'hpa 0x268e123' });
    assert.deepEqual(hpa.map((n) => n.label), ['PTE 253', 'PTE 254']);
    const d4 = children('secondLevelTables', undefined, { filter: 'hpa 0x268e000' })[0];
    assert.equal(d4.collapsible, 'expanded', 'a filtered domain opens on the path');
    const iova = leavesUnder('d:8', { filter: 'iova 0xfff41234' });
    assert.equal(iova.length, 1);
    assert.match(iova[0].description!, /^0xfff41000–0xfff41fff → /);
  });

  it('keeps every id a child of its parent id', () => {
    for (const mode of [false, true]) {
      const walk = (parentId?: string, depth = 0) => {
        for (const n of children('secondLevelTables', parentId, { coalesce: mode }).slice(0, 20)) {
          assert.equal(parentIdOf(n.id), parentId, n.id);
          if (depth < 4 && n.collapsible !== 'none') walk(n.id, depth + 1);
        }
      };
      walk();
    }
  });
});

describe('Second-Level Tables view model on a large table (the real context entries, a generated 4-level page-table dump)', function () {
  this.timeout(60000);
  it('keeps every level and every slice of a run under 512 nodes, and reveals a leaf deep in a run', () => {
    const { text, rows } = generatePageTableDump(8 * 1024 * 1024);
    const capture = buildCapture([
      { name: 'dmar_translation_struct', text: legacyCaptureText('dmar_translation_struct') },
      { name: 'domain_translation_struct', text },
    ]);
    const uri = (n: string) => pathToFileURL(`/capture/${n}`).toString();
    const entry = { folder: '/capture', capture, uris: new Map(['dmar_translation_struct', 'domain_translation_struct'].map((n) => [n, uri(n)])) };
    const source = { kind: 'capture' as const, uri: uri('') };
    const ask = (parentId?: string, coalesce = false) => captureChildren(entry, { view: 'secondLevelTables', source, parentId, coalesce });
    assert.ok(rows > 70000);
    // The generator's consecutive pages: one run, sliced 256 at a time, slices of slices above that.
    const run = ask('d:4', true);
    assert.equal(run.length, 1);
    const end = (0x10000000 + rows * 0x1000 - 1).toString(16);
    assert.match(run[0].description!, new RegExp(`^→ 0x10000000–0x${end} · \\S+ in ${rows} leaves · RW$`));
    const top = ask(run[0].id, true);
    assert.ok(top.length <= 256 && top.length > 1);
    const inner = ask(top[0].id, true);
    assert.equal(inner.length, 256);
    assert.equal(ask(inner[0].id, true).length, 256);
    // The row on line 50000 is a leaf of the run, found through the slices.
    const id = captureNodeAtLine(entry, { view: 'secondLevelTables', source, uri: uri('domain_translation_struct'), line: 50000, coalesce: true });
    assert.match(id!, /^d:4\/r:0x100000000\/c:0-65536\/c:\d+-\d+\/l:0x[0-9a-f]+$/);
    const levels = captureNodeAtLine(entry, { view: 'secondLevelTables', source, uri: uri('domain_translation_struct'), line: 50000 });
    assert.match(levels!, /^d:4\/e:\d+\/e:\d+\/e:\d+$/);
    for (const level of [ask('d:4'), ask(ask('d:4')[0].id)]) assert.ok(level.length <= 512);
  });
});
