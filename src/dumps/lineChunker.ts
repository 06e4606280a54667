// Whole lines out of a stream of text chunks cut anywhere: what every
// streaming parser is fed. A line longer than any line of a known format is
// cut at MAX_STREAM_LINE (the parser then reports it) and the rest of it is
// dropped, so no line can hold the stream's memory.

/** Longest line a stream keeps (far above any line of a known format). */
export const MAX_STREAM_LINE = 1 << 20;

/** Splits a stream of text into whole lines (the last one waits for its line feed). */
export class LineChunker {
  constructor(private readonly maxLine = MAX_STREAM_LINE) {}

  private carry = '';
  private dropping = false;

  /** Whole lines of `chunk` (with what was carried), ending in '\n'; '' when none ended. */
  push(chunk: string): string {
    let text = chunk;
    if (this.dropping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return '';
      this.dropping = false;
      text = text.slice(nl + 1);
    }
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      this.carry += text;
      if (this.carry.length > this.maxLine) {
        const line = this.carry.slice(0, this.maxLine) + '\n';
        this.carry = '';
        this.dropping = true;
        return line;
      }
      return '';
    }
    const whole = this.carry + text.slice(0, cut + 1);
    this.carry = text.slice(cut + 1);
    return whole;
  }

  /** The last line, if it had no line feed. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    this.dropping = false;
    return rest;
  }
}

