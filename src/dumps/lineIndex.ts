// The lines of a text as offsets into it: where each line starts, in one
// Uint32Array, with a line's text sliced from the whole text when asked.
//
// A page-table dump has hundreds of thousands of lines; a string per line
// (what text.split('\n') makes) costs some 40 bytes a line on top of the
// text. Here a line costs 4 bytes. Lines are those of splitLines: ended by
// LF or CRLF (the end not part of the line), and no empty line after a
// final line end.

export class LineIndex {
  /**
   * The offset each line starts at, then one past the end of the last
   * line's LF (text.length + 1 when the last line has none): count + 1 entries.
   */
  private readonly starts: Uint32Array;

  constructor(readonly text: string) {
    let breaks = 0;
    for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) breaks++;
    const openLast = text.length > 0 && text.charCodeAt(text.length - 1) !== 10;
    const starts = new Uint32Array(breaks + (openLast ? 1 : 0) + 1);
    let i = 1;
    for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) starts[i++] = p + 1;
    if (openLast) starts[i] = text.length + 1;
    this.starts = starts;
  }

  /** Number of lines. */
  get count(): number {
    return this.starts.length - 1;
  }

  /** Line `i` without its line end, or undefined past the last line. */
  line(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    return this.text.slice(this.starts[i], this.end(i));
  }

  /** Length of line `i` without its line end (0 past the last line). */
  lineLength(i: number): number {
    return this.has(i) ? this.end(i) - this.starts[i] : 0;
  }

  /** Offset of the first character of line `i`. */
  start(i: number): number {
    return this.starts[i];
  }

  /** Offset just past line `i`'s last character (before its LF or CRLF). */
  end(i: number): number {
    const start = this.starts[i];
    let end = this.starts[i + 1] - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  /** The line holding offset `offset` (a line end belongs to the line it ends), clamped to the lines there are. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Whether any line holds more than white space. */
  hasText(): boolean {
    return /\S/.test(this.text);
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.line(i) as string;
  }

  private has(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.starts.length - 1;
  }
}
