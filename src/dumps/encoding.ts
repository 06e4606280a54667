// The bytes of a dump as text. Dumps are ASCII, but reach the tool in the
// encodings people save them in: UTF-8 with a byte-order mark, UTF-16 LE (what
// Windows PowerShell's ">" writes) or BE, with or without a BOM, and CRLF line
// endings. Each is read, and the result says what was converted so the user
// is told. The parsers then see plain text; CRLF is left in place (every
// parser takes both line ends, and spans stay those of the file).

interface DecodedText {
  text: string;
  /** What was converted, in words ("UTF-16 LE with a byte-order mark"), or undefined for plain UTF-8 / ASCII. */
  converted?: string;
  /** The text has CRLF line endings (kept as they are). */
  crlf: boolean;
}

/** How many bytes the UTF-16 guess looks at. */
const SNIFF_BYTES = 4096;

/**
 * Whether BOM-less bytes look like UTF-16 text of mostly ASCII characters:
 * in LE the odd bytes are zero, in BE the even ones.
 */
function guessUtf16(b: Uint8Array): 'le' | 'be' | undefined {
  const n = Math.min(b.length, SNIFF_BYTES) & ~1;
  if (n < 8) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) zeroEven++;
    if (b[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.9 && zeroEven < pairs * 0.1) return 'le';
  if (zeroEven > pairs * 0.9 && zeroOdd < pairs * 0.1) return 'be';
  return undefined;
}

function utf16(b: Uint8Array, order: 'le' | 'be', skip: number): string {
  const body = b.subarray(skip, skip + ((b.length - skip) & ~1));
  if (order === 'le') return new TextDecoder('utf-16le').decode(body);
  // No utf-16be decoder in every runtime: swap the bytes, then decode as LE.
  const swapped = new Uint8Array(body.length);
  for (let i = 0; i + 1 < body.length; i += 2) {
    swapped[i] = body[i + 1];
    swapped[i + 1] = body[i];
  }
  return new TextDecoder('utf-16le').decode(swapped);
}

function hasCrlf(text: string): boolean {
  const i = text.indexOf('\r\n');
  return i >= 0 && i < 1 << 20;
}

/** The text of a dump's bytes, whatever of the encodings above it is in. Never throws. */
export function decodeDumpBytes(bytes: Uint8Array): DecodedText {
  let text: string;
  let converted: string | undefined;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    text = new TextDecoder('utf-8').decode(bytes.subarray(3));
    converted = 'UTF-8 with a byte-order mark (the mark was dropped)';
  } else if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = utf16(bytes, 'le', 2);
    converted = 'UTF-16 LE with a byte-order mark';
  } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = utf16(bytes, 'be', 2);
    converted = 'UTF-16 BE with a byte-order mark';
  } else {
    const guess = guessUtf16(bytes);
    if (guess) {
      text = utf16(bytes, guess, 0);
      converted = `UTF-16 ${guess.toUpperCase()} without a byte-order mark`;
    } else {
      text = new TextDecoder('utf-8').decode(bytes);
    }
  }
  return converted ? { text, converted, crlf: hasCrlf(text) } : { text, crlf: hasCrlf(text) };
}

/**
 * decodeDumpBytes for a stream of chunks: the encoding is chosen from the
 * first chunk (give it at least a few KiB), the mark dropped, and characters
 * cut between chunks (a UTF-8 sequence, a UTF-16 pair, a UTF-16 BE byte
 * pair) are completed by the next chunk.
 */
export class DumpTextDecoder {
  private decoder: { decode(b?: Uint8Array, o?: { stream?: boolean }): string } | undefined;
  private order: 'le' | 'be' | 'utf-8' = 'utf-8';
  private skip = 0;
  private odd: number | undefined;
  /** What was converted, in words, once the first chunk was seen. */
  converted: string | undefined;

  private start(b: Uint8Array): void {
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.skip = 3;
      this.converted = 'UTF-8 with a byte-order mark (the mark was dropped)';
    } else if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
      this.order = 'le';
      this.skip = 2;
      this.converted = 'UTF-16 LE with a byte-order mark';
    } else if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      this.order = 'be';
      this.skip = 2;
      this.converted = 'UTF-16 BE with a byte-order mark';
    } else {
      const guess = guessUtf16(b);
      if (guess) {
        this.order = guess;
        this.converted = `UTF-16 ${guess.toUpperCase()} without a byte-order mark`;
      }
    }
    this.decoder = new TextDecoder(this.order === 'utf-8' ? 'utf-8' : 'utf-16le', { ignoreBOM: true });
  }

  decode(chunk: Uint8Array): string {
    if (!this.decoder) this.start(chunk);
    let b = chunk;
    if (this.skip > 0) {
      b = b.subarray(this.skip);
      this.skip = 0;
    }
    if (this.order === 'be') b = this.swap(b);
    return this.decoder!.decode(b, { stream: true });
  }

  /**
   * The chunk as UTF-8 bytes, for the byte scanners: UTF-8 passes through as
   * it is (without its mark; a character cut between chunks stays cut, and
   * the line chunker joins it), UTF-16 is decoded and encoded again.
   */
  utf8(chunk: Uint8Array): Uint8Array {
    if (!this.decoder) this.start(chunk);
    if (this.order !== 'utf-8') return Buffer.from(this.decode(chunk), 'utf8');
    if (this.skip > 0) {
      const b = chunk.subarray(this.skip);
      this.skip = 0;
      return b;
    }
    return chunk;
  }

  /** The encoding chosen from a file's first bytes (its head), to decode a part of it read from elsewhere. */
  prime(head: Uint8Array): this {
    this.decode(head);
    this.end();
    this.odd = undefined;
    this.skip = 0;
    return this;
  }

  /** 'le' or 'be' for UTF-16, 'utf-8' otherwise (known after the first chunk). */
  get unit(): 'le' | 'be' | 'utf-8' {
    return this.order;
  }

  /** What the last chunk left unfinished. */
  end(): string {
    return this.decoder ? this.decoder.decode() : '';
  }

  private swap(b: Uint8Array): Uint8Array {
    if (b.length === 0) return b;
    const lead = this.odd !== undefined ? 1 : 0;
    const n = (lead + b.length) & ~1;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 2) {
      const hi = i === 0 && lead ? this.odd! : b[i - lead];
      out[i] = b[i + 1 - lead];
      out[i + 1] = hi;
    }
    this.odd = (lead + b.length) % 2 === 1 ? b[b.length - 1] : undefined;
    return out;
  }
}
