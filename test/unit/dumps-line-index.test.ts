import { strict as assert } from 'node:assert';
import { LineIndex } from '../../src/dumps/lineIndex';
import { splitLines } from '../../src/dumps/types';

/** Every line of the index, read one by one. */
function linesOf(index: LineIndex): (string | undefined)[] {
  return Array.from({ length: index.count }, (_, i) => index.line(i));
}

/** The index gives the lines splitLines gives, with their lengths and offsets. */
function agreesWithSplitLines(text: string): void {
  const index = new LineIndex(text);
  const lines = splitLines(text);
  assert.equal(index.count, lines.length, JSON.stringify(text));
  assert.deepEqual(linesOf(index), lines, JSON.stringify(text));
  assert.deepEqual([...index], lines);
  lines.forEach((l, i) => {
    assert.equal(index.lineLength(i), l.length);
    assert.equal(text.slice(index.start(i), index.end(i)), l);
  });
  assert.equal(index.hasText(), lines.some((l) => l.trim() !== ''));
}

describe('line index of a text', () => {
  it('has no lines for an empty text, and one empty line for a lone line end', () => {
    assert.equal(new LineIndex('').count, 0);
    assert.equal(new LineIndex('').line(0), undefined);
    assert.deepEqual(linesOf(new LineIndex('\n')), ['']);
    assert.deepEqual(linesOf(new LineIndex('\r\n')), ['']);
  });

  it('reads a final line without a line end', () => {
    const index = new LineIndex('first\nlast');
    assert.deepEqual(linesOf(index), ['first', 'last']);
    assert.equal(index.lineLength(1), 4);
    assert.equal(new LineIndex('first\nlast\n').count, 2);
  });

  it('leaves CR out of CRLF lines, also on the last line', () => {
    const index = new LineIndex('a\r\nbb\r\n\r\nccc\r');
    assert.deepEqual(linesOf(index), ['a', 'bb', '', 'ccc']);
    assert.deepEqual([0, 1, 2, 3].map((i) => index.lineLength(i)), [1, 2, 0, 3]);
    // A CR inside a line stays.
    assert.deepEqual(linesOf(new LineIndex('a\rb\n')), ['a\rb']);
  });

  it('answers undefined and length 0 outside the lines', () => {
    const index = new LineIndex('a\nb\n');
    for (const i of [-1, 2, 3, 0.5, NaN]) {
      assert.equal(index.line(i), undefined, String(i));
      assert.equal(index.lineLength(i), 0, String(i));
    }
  });

  it('finds the line of an offset, a line end belonging to its line', () => {
    const index = new LineIndex('ab\ncd\r\nef');
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((o) => index.lineAt(o)), [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
    assert.equal(new LineIndex('').lineAt(0), 0);
  });

  it('tells a text with something in it from white space only', () => {
    assert.equal(new LineIndex(' \t\r\n\n').hasText(), false);
    assert.equal(new LineIndex('\n\n x\n').hasText(), true);
  });

  it('gives the lines of splitLines for random texts of line ends, CRs and letters', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const alphabet = ['\n', '\r', '\r\n', 'a', ' ', 'xyz'];
    for (let n = 0; n < 500; n++) {
      let text = '';
      const len = Math.floor(rand() * 12);
      for (let k = 0; k < len; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
      agreesWithSplitLines(text);
    }
  });

  it('keeps the lines of an edited text apart from those of the text before', () => {
    const before = new LineIndex('a\nb\nc\n');
    const added = new LineIndex('a\nb\nnew\nc\n');
    const removed = new LineIndex('a\nc\n');
    assert.deepEqual(linesOf(before), ['a', 'b', 'c']);
    assert.deepEqual(linesOf(added), ['a', 'b', 'new', 'c']);
    assert.deepEqual(linesOf(removed), ['a', 'c']);
  });
});
