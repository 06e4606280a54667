import { strict as assert } from 'node:assert';
import { parseDomainTranslation } from '../../src/dumps/debugfs/domainTranslation';
import type { AnyParseResult } from '../../src/dumps/registry';
import { splitLines } from '../../src/dumps/types';
import { reparseIncrementally, changedLines } from '../../src/server/incrementalParse';
import { legacyCaptureText } from '../helpers';

describe('incremental re-parsing of page-table dumps', () => {
  const text = legacyCaptureText('domain_translation_struct');
  const lines = splitLines(text);
  const prev = parseDomainTranslation(text, 'domain_translation_struct') as AnyParseResult & { format: 'domain_translation_struct' };

  it('re-parses only the edited block and keeps the others', () => {
    // Line 9 (0-based 8) is 00:02.0's first row: 0x00000000ffefd | ... PTE 0x000000000268e003.
    const edited = lines.slice();
    edited[8] = edited[8].replace('0x000000000268e003', '0x000000000268e001');
    const next = reparseIncrementally(prev, lines, edited, 'domain_translation_struct');
    assert.ok(next && next.format === 'domain_translation_struct');
    const b = next.records.findIndex((r) => r.bus === 0 && r.dev === 2);
    assert.equal(next.records[b].rows.entry(0, 1), 0x268e001n);
    assert.notEqual(next.records[b].rows, prev.records[b].rows);
    next.records.forEach((r, i) => {
      if (i !== b) assert.equal(r.rows, prev.records[i].rows, `block ${i} kept`);
    });
    // Same result as a full parse of the edited text.
    const full = parseDomainTranslation(edited.join('\n') + '\n', 'domain_translation_struct');
    assert.equal(next.records[b].rows.count, full.records[b].rows.count);
    assert.equal(next.records[b].rows.entry(0, 1), full.records[b].rows.entry(0, 1));
  });

  it('reports a broken row in the edited block, and forgets it once fixed', () => {
    const broken = lines.slice();
    broken[20] = '0x00000000fff0b |\t0xZZZZ';
    const next = reparseIncrementally(prev, lines, broken, 'domain_translation_struct');
    assert.ok(next);
    assert.ok(next.findings.some((f) => f.span.line === 20 && f.kind === 'syntax'));
    const fixed = reparseIncrementally(next, broken, lines, 'domain_translation_struct');
    assert.ok(fixed);
    assert.equal(fixed.findings.filter((f) => f.kind === 'syntax').length, 0);
  });

  it('falls back to a full parse when lines are added or a header is edited', () => {
    assert.equal(reparseIncrementally(prev, lines, [...lines, 'extra'], 'domain_translation_struct'), undefined);
    const header = lines.slice();
    header[6] = header[6].replace('@0x1a9a000', '@0x1a9b000');
    assert.equal(reparseIncrementally(prev, lines, header, 'domain_translation_struct'), undefined);
  });

  it('finds the changed range and returns the same parse for the same text', () => {
    assert.deepEqual(changedLines(['a', 'b', 'c'], ['a', 'x', 'c']), { first: 1, last: 1 });
    assert.equal(reparseIncrementally(prev, lines, lines.slice(), 'domain_translation_struct'), prev);
  });
});
