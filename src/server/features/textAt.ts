// Finding what text is under a position: a requester id, a hex number.

interface TextMatch {
  text: string;
  start: number;
  end: number;
}

const BDF_RE = /(?:0x)?(?:[0-9a-fA-F]{4}:)?(?:0x)?[0-9a-fA-F]{2}:(?:0x)?[0-9a-fA-F]{2}\.[0-7]/g;

function matchAt(line: string, character: number, re: RegExp): TextMatch | undefined {
  // Only the neighbourhood of the cursor is scanned: lines can be megabytes long.
  const from = Math.max(0, character - 64);
  const slice = line.slice(from, character + 64);
  re.lastIndex = 0;
  for (let m = re.exec(slice); m; m = re.exec(slice)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (character >= start && character <= end) return { text: m[0], start, end };
  }
  return undefined;
}

/** A requester id (00:1f.2, 0000:00:1f.2, 0x00:0x05.0) under the cursor. */
export function bdfAt(line: string, character: number): TextMatch | undefined {
  const m = matchAt(line, character, BDF_RE);
  return m ? { ...m, text: m.text.replace(/0x/g, '') } : undefined;
}

