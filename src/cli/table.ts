// Aligned text tables for terminal output, at most `width` columns wide
// (100 by default; --wide lifts it): when a table is wider, its widest
// columns are narrowed and their cells wrapped (at spaces where they can be).

const DEFAULT_WIDTH = 100;

/** `text` in lines of at most `width` characters, cut at spaces when a word fits. */
function wrapCell(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut < width / 3) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') out.push(rest);
  return out;
}

export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], width = DEFAULT_WIDTH): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const gap = 2 * (header.length - 1);
  // Narrow the widest column, one character at a time, until the table fits (no column below 8; headers wrap too).
  const floor = header.map((h) => Math.min(8, h.length));
  for (let total = widths.reduce((a, b) => a + b, 0) + gap; total > width; total--) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > floor[i] && (widest < 0 || w > widths[widest])) widest = i;
    });
    if (widest < 0) break;
    widths[widest]--;
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  const head = header.map((h, i) => wrapCell(h, widths[i]));
  for (let k = 0; k < Math.max(...head.map((p) => p.length)); k++) out.push(line(head.map((p) => p[k] ?? '')));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) {
    const parts = header.map((_h, i) => wrapCell(r[i] ?? '', widths[i]));
    const height = Math.max(...parts.map((p) => p.length));
    for (let k = 0; k < height; k++) out.push(line(parts.map((p) => p[k] ?? '')));
  }
  return out.join('\n');
}
