import { strict as assert } from 'node:assert';
import { bitsOf, fromHiLo, hex, parseHex, parseNumber, toQwords, fromQwords, sizeName } from '../../src/vtd/u64';

describe('u64', () => {
  it('parses 64-bit hex exactly, above 2^53', () => {
    assert.equal(parseHex('0xffffffffffffffff'), 0xffffffffffffffffn);
    assert.equal(parseHex('8000000182cac867'), 0x8000000182cac867n);
    assert.equal(parseHex('0x1ffffffffffffffff'), undefined);
    assert.equal(parseHex('0x0000000000000000000001'), 1n);
    assert.equal(parseHex('xyz'), undefined);
  });
  it('parses user numbers in decimal or hex', () => {
    assert.equal(parseNumber('4096'), 4096n);
    assert.equal(parseNumber('0xfffd_0000'), 0xfffd0000n);
    assert.equal(parseNumber('12a'), undefined);
  });
  it('slices bits and joins qwords', () => {
    const ctx = fromHiLo(0x701n, 0x1b1f001n);
    assert.equal(bitsOf(ctx, 87, 72), 7n);
    assert.equal(bitsOf(ctx, 66, 64), 1n);
    assert.equal(bitsOf(ctx, 63, 12) << 12n, 0x1b1f000n);
    assert.deepEqual(toQwords(ctx, 2), [0x1b1f001n, 0x701n]);
    assert.equal(fromQwords([0x1b1f001n, 0x701n]), ctx);
  });
  it('formats hex and sizes', () => {
    assert.equal(hex(0x1b1f000n, 16), '0x0000000001b1f000');
    assert.equal(sizeName(1n << 21n), '2M');
    assert.equal(sizeName(4096n), '4K');
  });
});
