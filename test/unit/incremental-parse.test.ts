import { strict as assert } from 'node:assert';
import { parseDomainTranslation } from '../../src/dumps/debugfs/domainTranslation';
import type { AnyParseResult } from '../../src/dumps/registry';
import { splitLines } from '../../src/dumps/types';
import { LineIndex } from '../../src/dumps/lineIndex';
import { reparseIncrementally, changedLines } from '../../src/server/incrementalParse';
import fc from 'fast-check';
import { legacyCaptureText } from '../helpers';

/** The line index of a text made of `lines`, each ended by `eol`. */
function indexOf(lines: readonly string[], eol = '\n'): LineIndex {
  return new LineIndex(lines.map((l) => l + eol).join(''));
}

describe('incremental re-parsing of page-table dumps', () => {
  const text = legacyCaptureText('domain_translation_struct');
  const lines = splitLines(text);
  const index = new LineIndex(text);
  const prev = parseDomainTranslation(text, 'domain_translation_struct') as AnyParseResult & { format: 'domain_translation_struct' };

  it('re-parses only the edited block and keeps the others', () => {
    // Line 9 (0-based 8) is 00:02.0's first row: 0x00000000ffefd | ... PTE 0x000000000268e003.
    const edited = lines.slice();
    edited[8] = edited[8].replace('0x000000000268e003', '0x000000000268e001');
    const next = reparseIncrementally(prev, index, indexOf(edited), 'domain_translation_struct');
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

  it('re-parses a block of a CRLF text as a full parse does', () => {
    const crlf = indexOf(lines, '\r\n');
    const before = parseDomainTranslation(crlf.text, 'domain_translation_struct') as AnyParseResult;
    const edited = lines.slice();
    edited[8] = edited[8].replace('0x000000000268e003', '0x000000000268e001');
    const after = indexOf(edited, '\r\n');
    const next = reparseIncrementally(before, crlf, after, 'domain_translation_struct');
    assert.ok(next && next.format === 'domain_translation_struct');
    const full = parseDomainTranslation(after.text, 'domain_translation_struct');
    const b = next.records.findIndex((r) => r.bus === 0 && r.dev === 2);
    assert.equal(next.records[b].rows.count, full.records[b].rows.count);
    assert.equal(next.records[b].rows.entry(0, 1), 0x268e001n);
    assert.deepEqual(next.findings, full.findings);
  });

  it('reports a broken row in the edited block, and forgets it once fixed', () => {
    const broken = lines.slice();
    broken[20] = '0x00000000fff0b |\t0xZZZZ';
    const brokenIndex = indexOf(broken);
    const next = reparseIncrementally(prev, index, brokenIndex, 'domain_translation_struct');
    assert.ok(next);
    assert.ok(next.findings.some((f) => f.span.line === 20 && f.kind === 'syntax'));
    const fixed = reparseIncrementally(next, brokenIndex, index, 'domain_translation_struct');
    assert.ok(fixed);
    assert.equal(fixed.findings.filter((f) => f.kind === 'syntax').length, 0);
  });

  it('falls back to a full parse when lines are added or a header is edited', () => {
    assert.equal(reparseIncrementally(prev, index, indexOf([...lines, 'extra']), 'domain_translation_struct'), undefined);
    const header = lines.slice();
    header[6] = header[6].replace('@0x1a9a000', '@0x1a9b000');
    assert.equal(reparseIncrementally(prev, index, indexOf(header), 'domain_translation_struct'), undefined);
  });

  it('returns the same parse for the same text', () => {
    assert.equal(reparseIncrementally(prev, index, new LineIndex(text.slice()), 'domain_translation_struct'), prev);
  });
});

describe('changed lines between two texts', () => {
  const changed = (a: string, b: string) => changedLines(new LineIndex(a), new LineIndex(b));

  it('finds the first and last line that differ', () => {
    assert.deepEqual(changed('a\nb\nc\n', 'a\nx\nc\n'), { first: 1, last: 1 });
    assert.deepEqual(changed('a\nb\nc\nd\n', 'a\nx\nc\ny\n'), { first: 1, last: 3 });
    assert.deepEqual(changed('a\nb\nc', 'x\nb\nc'), { first: 0, last: 0 });
    assert.deepEqual(changed('a\nb\nc', 'a\nb\ncc'), { first: 2, last: 2 });
  });

  it('finds an edit that moves text between lines', () => {
    assert.deepEqual(changed('ab\nc\n', 'a\nbc\n'), { first: 0, last: 1 });
    assert.deepEqual(changed('ab\n', 'a\n'), { first: 0, last: 0 });
    assert.deepEqual(changed('xa\nb\n', 'a\nb\n'), { first: 0, last: 0 });
  });

  it('finds the change in lines longer than the compared chunks, far into a long text', () => {
    const row = 'r'.repeat(5000);
    const rows = Array.from({ length: 300 }, () => row);
    const edited = rows.slice();
    edited[250] = row.slice(0, 4500) + 's' + row.slice(4501);
    assert.deepEqual(changedLines(indexOf(rows), indexOf(edited)), { first: 250, last: 250 });
  });

  it('is undefined when the line count differs, and empty for equal texts', () => {
    assert.equal(changed('a\nb\n', 'a\nb\nc\n'), undefined);
    assert.deepEqual(changed('a\nb\n', 'a\nb\n'), { first: -1, last: -1 });
    assert.deepEqual(changed('', ''), { first: -1, last: -1 });
  });

  it('counts a line whose line end alone changed as changed', () => {
    assert.deepEqual(changed('a\nb\nc\n', 'a\nb\r\nc\n'), { first: 1, last: 1 });
    assert.deepEqual(changed('a\nb\n', 'a\nb'), { first: 1, last: 1 });
  });
});

describe('incremental re-parsing under random edits', () => {
  // The real dump with each block cut to its first 300 rows: every case costs
  // the same whatever the block its edits land in (a fixed number of cases, not time luck).
  const text = (() => {
    let rows = 0;
    return splitLines(legacyCaptureText('domain_translation_struct'))
      .filter((l) => {
        if (l.startsWith('Device ')) rows = 0;
        return !l.startsWith('0x') || rows++ < 300;
      })
      .join('\n');
  })();
  const lines = splitLines(text);
  const full0 = parseDomainTranslation(text, 'domain_translation_struct') as AnyParseResult & { format: 'domain_translation_struct' };

  /**
   * Everything a consumer reads from a parse: blocks, findings, and every
   * row's values and lines in the blocks holding an edited line (rows of the
   * others are compared by count and ends, to keep the test quick).
   */
  function observable(r: AnyParseResult, edited: ReadonlySet<number>): unknown {
    assert.equal(r.format, 'domain_translation_struct');
    const d = r as AnyParseResult & { format: 'domain_translation_struct' };
    const row = (b: (typeof d.records)[number], i: number) => {
      const entries: unknown[] = [];
      for (let level = 0; level < 6; level++) entries.push(b.rows.hasEntry(i, level) ? b.rows.entry(i, level) : null);
      return [b.rows.line(i), b.rows.pfn(i), b.rows.entryCount(i), entries];
    };
    return {
      blocks: d.records.map((b) => {
        const touched = [...edited].some((l) => l >= b.span.line && l <= b.lastLine);
        const picked = touched ? Array.from({ length: b.rows.count }, (_, i) => i) : b.rows.count > 0 ? [0, b.rows.count - 1] : [];
        return { header: b.span, pgd: b.pgd, lastLine: b.lastLine, count: b.rows.count, rows: picked.map((i) => row(b, i)) };
      }),
      // Diagnostics have no order: compare them by position.
      findings: d.findings.map((f) => ({ ...f })).sort((x, y) => x.span.line - y.span.line || x.span.start - y.span.start || x.code.localeCompare(y.code)),
    };
  }

  // Edits that keep the line count: they never insert a line end.
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('digit' as const), at: fc.nat(200), to: fc.constantFrom(...'0123456789abcdefxX') }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(200), n: fc.nat(6) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(200), s: fc.constantFrom('|', '\t', ' ', '0x', 'zz', '\r', 'Device', 'ü') }),
  );
  const rowLines = full0.records.flatMap((b) => Array.from({ length: b.lastLine - b.span.line }, (_, k) => b.span.line + 1 + k));

  it('gives what a full parse of the same text gives, edit after edit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...rowLines), edit), { minLength: 1, maxLength: 12 }), (edits) => {
        let current = lines.slice();
        let index = new LineIndex(text);
        let parse: AnyParseResult = full0;
        const edited = new Set<number>();
        for (const [line, e] of edits) {
          edited.add(line);
          const next = current.slice();
          const l = next[line];
          const at = Math.min(e.at, l.length);
          next[line] = e.kind === 'digit' ? l.slice(0, at) + e.to + l.slice(at + 1) : e.kind === 'cut' ? l.slice(0, at) + l.slice(at + e.n) : l.slice(0, at) + e.s + l.slice(at);
          const nextIndex = indexOf(next);
          const full = parseDomainTranslation(nextIndex.text, 'domain_translation_struct') as AnyParseResult;
          const incremental = reparseIncrementally(parse, index, nextIndex, 'domain_translation_struct') ?? full;
          assert.deepStrictEqual(observable(incremental, edited), observable(full, edited));
          current = next;
          index = nextIndex;
          parse = incremental;
        }
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
