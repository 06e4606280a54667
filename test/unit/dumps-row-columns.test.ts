import { strict as assert } from 'node:assert';
import { parseInvalidationQueue } from '../../src/dumps/debugfs/invalidationQueue';
import { parseIommuRegset } from '../../src/dumps/debugfs/iommuRegset';
import { FieldOrder, RowColumnsCache, spanOf } from '../../src/dumps/rowColumns';
import { U64Cache } from '../../src/dumps/fastScan';
import { legacyCaptureText } from '../helpers';

describe('row columns and shared values of the parsers', () => {
  it('gives rows printed alike one RowColumns, and each row its own spans', () => {
    const rows = parseInvalidationQueue(legacyCaptureText('invalidation_queue')).records[0].descriptors;
    // "%5d": slots 10 to 99 print their index in the same two columns.
    assert.equal(rows[10].columns, rows[99].columns);
    assert.notEqual(rows[9].columns, rows[10].columns);
    assert.deepEqual(spanOf(rows[10], 'index'), { line: 13, start: 3, end: 5 });
    assert.deepEqual(spanOf(rows[99], 'index'), { line: 102, start: 3, end: 5 });
  });

  it('spans a field a row does not print as empty at the end of its line', () => {
    const order = new FieldOrder<'a' | 'b'>(['a']);
    const cache = new RowColumnsCache<'a' | 'b'>(2);
    cache.bounds[0] = 2;
    cache.bounds[1] = 5;
    const row = { line: 7, lineEnd: 9, columns: cache.get(order) };
    assert.deepEqual(spanOf(row, 'a'), { line: 7, start: 2, end: 5 });
    assert.deepEqual(spanOf(row, 'b'), { line: 7, start: 9, end: 9 });
    assert.deepEqual(spanOf(row, 'line'), { line: 7, start: 0, end: 9 });
    assert.deepEqual(JSON.parse(JSON.stringify(row.columns)), { a: { start: 2, end: 5 } });
  });

  it('hands out one RowColumns for the same columns, even after others', () => {
    const order = new FieldOrder<'a'>(['a']);
    const cache = new RowColumnsCache<'a'>(1);
    const at = (start: number, end: number) => {
      cache.bounds[0] = start;
      cache.bounds[1] = end;
      return cache.get(order);
    };
    const first = at(1, 4);
    assert.equal(at(1, 4), first);
    assert.notEqual(at(2, 4), first);
    assert.equal(at(1, 4), first);
  });

  it('shares the bigint of a value met again, and keeps every value exact', () => {
    const cache = new U64Cache();
    assert.equal(cache.get(0, 0), 0n);
    assert.equal(cache.get(0xffffffff, 0xffffffff), 0xffffffffffffffffn);
    assert.equal(cache.get(0x1fffff, 0xffffffff), 0x1fffffffffffffn);
    assert.equal(cache.get(0x200000, 1), 0x20000000000001n);
    for (let k = 0; k < 2000; k++) assert.equal(cache.get(k >>> 1, k * 7919), (BigInt(k >>> 1) << 32n) | BigInt((k * 7919) >>> 0));
  });

  it('keeps register values exact and their rows spanned', () => {
    const unit = parseIommuRegset(legacyCaptureText('iommu_regset')).records[0];
    const cap = unit.registers.find((r) => r.name === 'CAP')!;
    assert.equal(cap.value, 0x00d2008c22260286n);
    assert.deepEqual(spanOf(cap, 'line'), { line: cap.line, start: 0, end: 41 });
  });
});
