import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCapture } from '../../src/model/buildCapture';
import type { CaptureFile } from '../../src/model/types';
import { compareCaptures } from '../../src/model/compare/index';
import { compareMarkdown } from '../../src/server/features/compareMarkdown';
import { legacyCaptureDir } from '../helpers';

function captureFiles(): CaptureFile[] {
  return readdirSync(legacyCaptureDir)
    .filter((n) => statSync(join(legacyCaptureDir, n)).isFile())
    .map((name) => ({ name, text: readFileSync(join(legacyCaptureDir, name), 'utf8') }));
}

/** The same capture with one text replaced in one file; fails when the text is not there. */
function edited(files: CaptureFile[], name: string, from: string, to: string): CaptureFile[] {
  return files.map((f) => {
    if (f.name !== name) return f;
    assert.ok(f.text.includes(from), `${name} has no "${from}"`);
    return { name, text: f.text.replace(from, to) };
  });
}

const original = captureFiles();
const before = buildCapture(original);

// 00:03.0's context entry with DID 5 → 9 (hi bits 87:72 of the entry: 0x501 → 0x901).
const DID_FROM = '00:03.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000501:0x0000000001b18001';
const DID_TO = '00:03.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000901:0x0000000001b18001';
// One leaf of 00:02.0's table: IOVA 0xfff05000 → 0x268a000.
const PTE = '0x00000000fff05 |\t0x0000000000000000\t0x0000000000000000\t0x00000000025b6003\t0x00000000025bc003\t0x000000000268a003\n';
// IRTE 17 (virtio-blk): vector 0x23 → 0x24, in the Vct column and in IRTE_low bits 23:16.
const IRTE_FROM = ' 17    00:04.0 00000200 23  0000000000040020\t000002000023000d';
const IRTE_TO = ' 17    00:04.0 00000200 24  0000000000040020\t000002000024000d';

describe('Compare Captures: semantic diff of two captures', () => {
  it('finds no difference between the real capture and itself', () => {
    const diff = compareCaptures(before, buildCapture(original));
    assert.deepEqual(diff.differences, []);
    assert.deepEqual(diff.counts, { units: 0, requesters: 0, domains: 0, mappings: 0, irtes: 0 });
  });

  it('finds exactly a changed DID, a removed PTE and a changed IRTE vector, named by field', () => {
    let files = edited(original, 'dmar_translation_struct', DID_FROM, DID_TO);
    files = edited(files, 'domain_translation_struct', PTE, '');
    files = edited(files, 'ir_translation_struct', IRTE_FROM, IRTE_TO);
    const diff = compareCaptures(before, buildCapture(files));
    assert.equal(diff.differences.length, 3, JSON.stringify(diff.differences, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)));
    const [ctx, pte, irte] = diff.differences;

    assert.equal(ctx.section, 'requesters');
    assert.equal(ctx.subject, '00:03.0 context entry');
    assert.equal(ctx.change, 'changed');
    assert.deepEqual(ctx.fields, [{ field: 'DID', title: 'Domain Identifier', before: '0x5', after: '0x9' }]);
    assert.equal(ctx.left?.file, 'dmar_translation_struct');

    assert.equal(pte.section, 'mappings');
    assert.equal(pte.change, 'removed');
    assert.equal(pte.subject, 'domain 4 at 0x1a9a000 (00:02.0)');
    assert.equal(pte.detail, 'IOVA 0xfff05000–0xfff05fff (4K) no longer mapped; it was → 0x268a000 RW');
    const ptLines = original.find((f) => f.name === 'domain_translation_struct')?.text.split('\n') ?? [];
    assert.equal(`${ptLines[pte.left?.span.line ?? -1]}\n`, PTE);

    assert.equal(irte.section, 'irtes');
    assert.equal(irte.subject, 'IRTE 17 of dmar0');
    assert.deepEqual(irte.fields, [{ field: 'V', title: 'Vector', before: '0x23', after: '0x24' }]);

    assert.deepEqual(diff.counts, { units: 0, requesters: 1, domains: 0, mappings: 1, irtes: 1 });
  });

  it('reports a remapped range and a register change field by field', () => {
    let files = edited(original, 'domain_translation_struct', '0x000000000268e003\n0x00000000ffefe', '0x000000000368e003\n0x00000000ffefe');
    files = edited(files, 'iommu_regset', 'GSTS            \t0x1c\t\t0x00000000c7000000', 'GSTS            \t0x1c\t\t0x0000000047000000');
    const diff = compareCaptures(before, buildCapture(files));
    const remap = diff.differences.find((d) => d.section === 'mappings');
    assert.equal(remap?.change, 'changed');
    assert.match(remap?.detail ?? '', /^IOVA 0xffefd000–0xffefdfff \(4K\) remapped$/);
    assert.deepEqual(remap?.fields, [{ field: 'ADDR', title: 'Host address', before: '0x268e000', after: '0x368e000' }]);
    const gsts = diff.differences.find((d) => d.section === 'units');
    assert.equal(gsts?.subject, 'dmar0 GSTS');
    assert.deepEqual(gsts?.fields?.map((f) => f.field), ['TES']);
  });

  it('renders the differences as Markdown with every dump string escaped', () => {
    let files = edited(original, 'dmar_translation_struct', DID_FROM, DID_TO);
    files = edited(files, 'ir_translation_struct', IRTE_FROM, IRTE_TO);
    const diff = compareCaptures(before, buildCapture(files));
    const md = compareMarkdown(
      diff,
      { name: 'before <img src=x onerror=alert(1)>', uris: new Map([['dmar_translation_struct', 'file:///caps/a (1)/dmar_translation_struct']]) },
      { name: 'after', uris: new Map() },
    );
    assert.match(md, /^# Capture comparison$/m);
    assert.match(md, /^2 differences: 1 in requesters, root and context entries, 1 in interrupt remapping table entries\.$/m);
    assert.match(md, /^### 00\\:03\\\.0 context entry: changed$/m);
    assert.match(md, /^\| DID \| Domain Identifier \| 0x5 \| 0x9 \|$/m);
    assert.match(md, /^\| V \| Vector \| 0x23 \| 0x24 \|$/m);
    assert.ok(!/(^|[^\\])[<>]/m.test(md), 'no bare < or > anywhere: the folder name is escaped');
    assert.ok(md.includes('before \\<img src\\=x onerror\\=alert\\(1\\)\\>'));
    assert.ok(md.includes('(file:///caps/a%20%281%29/dmar_translation_struct#L6)'), 'link targets keep no bare space or parenthesis');
  });
});
