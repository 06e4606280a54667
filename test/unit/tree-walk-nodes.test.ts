import { strict as assert } from 'node:assert';
import { translate } from '../../src/model/walk';
import { walkStepNodes } from '../../src/server/tree/capture/walkNodes';
import { parseBdf } from '../../src/model/bdf';
import { children, legacyEntry } from './tree-captureEntry';

function walkNodes(bdf: string, iova: bigint): (string | undefined)[] {
  const entry = legacyEntry();
  const walk = translate(entry.capture, { sid: parseBdf(bdf)!, iova });
  return walkStepNodes(entry, walk).map((n) => n && `${n.view}:${n.id}`);
}

describe('IOVA walk → sidebar nodes (real legacy capture)', () => {
  it("links each step of 00:02.0's walk of 0xffefd000 to the node the views list", () => {
    assert.deepEqual(walkNodes('00:02.0', 0xffefd000n), [
      'contextTables:u:dmar0/b:00',
      'contextTables:u:dmar0/b:00/d:02.0',
      'secondLevelTables:d:4/e:3',
      'secondLevelTables:d:4/e:3/e:511',
      'secondLevelTables:d:4/e:3/e:511/e:253',
    ]);
    // The PTE's node is the leaf the Second-Level view lists under its PDE.
    assert.ok(children('secondLevelTables', 'd:4/e:3/e:511').some((n) => n.id === 'd:4/e:3/e:511/e:253'));
  });

  it('gives no node for an entry the dump does not show (the unmapped IOVA of the kernel log fault)', () => {
    const nodes = walkNodes('00:05.0', 0x2345000n);
    assert.equal(nodes[0], 'contextTables:u:dmar0/b:00');
    assert.equal(nodes[1], 'contextTables:u:dmar0/b:00/d:05.0');
    // Its walk stops at an entry no leaf goes through (the kernel's fault dump shows it, debugfs does not):
    // that step has no node, the ones above it do.
    const walk = translate(legacyEntry().capture, { sid: parseBdf('00:05.0')!, iova: 0x2345000n });
    const last = walk.steps.length - 1;
    assert.equal(walk.steps[last].location?.file, 'dmesg');
    assert.equal(nodes[last], undefined);
  });

  it('gives no node for a requester the capture does not have', () => {
    assert.deepEqual(walkNodes('03:00.0', 0x1000n).filter(Boolean), []);
  });
});
