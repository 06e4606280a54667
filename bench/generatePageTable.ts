// A generated domain_translation_struct (v6.7+ per-device layout) of about
// the requested size: one 4-level domain mapping consecutive 4 KiB pages,
// with the PDPE/PDE entries changing as a real table's would.

function h(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}

export function generatePageTableDump(targetBytes: number): { text: string; rows: number } {
  const lines: string[] = [
    'Device 0000:00:02.0 @0x1a9a000',
    'IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE',
  ];
  let bytes = lines[0].length + lines[1].length + 2;
  let rows = 0;
  const basePfn = 0x100000;
  while (bytes < targetBytes) {
    const pfn = basePfn + rows;
    const pdpe = 0x3000000 + ((pfn >> 18) & 0x1ff) * 0x1000;
    const pde = 0x4000000 + ((pfn >> 9) & 0x3ffff) * 0x1000;
    const pte = 0x10000000 + rows * 0x1000;
    const line = `0x${h(pfn, 13)} |\t0x${h(0, 16)}\t0x${h(0x2000003, 16)}\t0x${h(pdpe + 3, 16)}\t0x${h(pde + 3, 16)}\t0x${h(pte + 3, 16)}`;
    lines.push(line);
    bytes += line.length + 1;
    rows++;
  }
  return { text: lines.join('\n') + '\n', rows };
}
