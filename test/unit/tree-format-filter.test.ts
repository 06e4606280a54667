import { strict as assert } from 'node:assert';
import { parentIdOf } from '../../src/protocol';
import { formatAddress, formatNumber, formatRange, styleOf } from '../../src/server/tree/format';
import { parseFilter } from '../../src/server/tree/filter';
import { childId, parseId } from '../../src/server/tree/nodeIds';

describe('sidebar number formats', () => {
  it('writes hex, decimal and both, padded to the field width when asked', () => {
    assert.equal(formatNumber(0x30n, { format: 'hex', pad: false }, 8), '0x30');
    assert.equal(formatNumber(4, { format: 'hex', pad: true }, 16), '0x0004');
    assert.equal(formatNumber(0x268e003n, { format: 'hex', pad: true }, 64), '0x000000000268e003');
    assert.equal(formatNumber(0x30n, { format: 'decimal', pad: true }, 8), '48');
    assert.equal(formatNumber(0x30n, { format: 'both', pad: true }, 8), '0x30 (48)');
    assert.equal(formatNumber(0xffffffffffffffffn, { format: 'decimal', pad: false }), '18446744073709551615', 'exact beyond 2^53');
  });

  it('keeps addresses in hex when both are asked for, and writes ranges inclusive', () => {
    assert.equal(formatAddress(0x268e000n, { format: 'both', pad: false }), '0x268e000');
    assert.equal(formatAddress(0x268e000n, { format: 'decimal', pad: false }), '40427520');
    assert.equal(formatRange(0xffefd000n, 0xffefe000n, { format: 'hex', pad: true }, 39), '0x00ffefd000–0x00ffefdfff', '39 bits: 10 digits');
  });

  it('reads the request: hex and unpadded unless told', () => {
    assert.deepEqual(styleOf({}), { format: 'hex', pad: false });
    assert.deepEqual(styleOf({ numberFormat: 'both', pad: true }), { format: 'both', pad: true });
  });
});

describe('sidebar filter', () => {
  it('reads requester ids, keyed numbers, bare numbers and text', () => {
    assert.deepEqual(parseFilter('00:04.0'), { kind: 'bdf', sid: 0x20, text: '00:04.0' });
    assert.deepEqual(parseFilter('0000:00:1f.2'), { kind: 'bdf', sid: 0xfa, segment: 0, text: '0000:00:1f.2' });
    assert.deepEqual(parseFilter('bdf=ff:00.0'), { kind: 'bdf', sid: 0xff00, text: 'bdf=ff:00.0' });
    assert.deepEqual(parseFilter('DID 8'), { kind: 'did', did: 8, text: 'DID 8' });
    assert.deepEqual(parseFilter('did:0x8'), { kind: 'did', did: 8, text: 'did:0x8' });
    assert.deepEqual(parseFilter('iova 0xffefd000'), { kind: 'iova', address: 0xffefd000n, text: 'iova 0xffefd000' });
    assert.deepEqual(parseFilter('hpa=0x268e000'), { kind: 'hpa', address: 0x268e000n, text: 'hpa=0x268e000' });
    assert.deepEqual(parseFilter('irte 17'), { kind: 'irte', index: 17, text: 'irte 17' });
    assert.deepEqual(parseFilter('irq 025'), { kind: 'irq', irq: '25', text: 'irq 025' });
    assert.deepEqual(parseFilter(' 0xffefd000 '), { kind: 'number', value: 0xffefd000n, text: '0xffefd000' });
    assert.deepEqual(parseFilter('Virtio'), { kind: 'text', needle: 'virtio', text: 'Virtio' });
    assert.equal(parseFilter('   '), undefined);
    assert.equal(parseFilter(undefined), undefined);
  });
});

describe('sidebar node ids', () => {
  it('encodes each segment, so a / or : in a value cannot break parentIdOf', () => {
    const parent = childId(undefined, 'u', 'dmar/0');
    const id = childId(parent, 'q', 'a:b/c');
    assert.equal(parentIdOf(id), parent);
    assert.equal(parentIdOf(parent), undefined);
    assert.deepEqual(parseId(id), [
      { kind: 'u', value: 'dmar/0' },
      { kind: 'q', value: 'a:b/c' },
    ]);
    assert.equal(parseId('garbage'), undefined);
    assert.equal(parseId('u:%E0%A4%A'), undefined, 'a broken escape');
  });
});
