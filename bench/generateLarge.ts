// Large inputs for the bench, written from real lines: a QEMU trace made of
// the fixture captures' traces (every line as QEMU wrote it), copy after copy
// with the time stamps moved on and the IOVAs and addresses moved to fresh
// pages, so the IOTLB sees new mappings rather than one trace replayed; and a
// page-table dump of many per-device blocks as Linux 6.1 prints them.
// Deterministic: the same size gives the same bytes (a stream can be read twice).

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const TRACES = ['linux-6.1-qemu-7.2-vm-legacy', 'linux-6.1-qemu-7.2-legacy', 'linux-6.1-qemu-7.2-scalable'];

/** The real trace lines the generator copies. */
export function traceSourceLines(root: string): string[] {
  const out: string[] = [];
  for (const t of TRACES) {
    for (const l of readFileSync(join(root, 'test', 'fixtures', 'captures', t, 'qemu-vtd.trace'), 'utf8').split('\n')) if (l !== '') out.push(l);
  }
  return out;
}

const ADDRESS = /\b(iova|addr) 0x([0-9a-f]+)/g;
const STAMP = /^(\d+)@(\d+)\.(\d{6}):/;

/**
 * Text chunks (about `chunkChars` each) of a trace of about `bytes` bytes.
 * With `variants`, copies cycle through that many distinct ones, each made
 * once and kept (for traces of many gigabytes, where making each copy anew
 * would cost more than reading it).
 */
export function* traceChunks(source: readonly string[], bytes: number, chunkChars = 4 << 20, variants = Infinity): Generator<string> {
  let written = 0;
  const made: string[][] = [];
  for (let copy = 0; written < bytes; copy++) {
    if (copy >= variants) {
      for (const text of made[copy % variants]) {
        written += text.length;
        yield text;
        if (written >= bytes) return;
      }
      continue;
    }
    const keep: string[] | undefined = Number.isFinite(variants) ? [] : undefined;
    if (keep) made.push(keep);
    // Each copy 32 GiB further up in IOVA space, 1000 s later.
    const shift = BigInt(copy) << 35n;
    let part: string[] = [];
    let partChars = 0;
    for (const line of source) {
      let l = copy === 0 ? line : line.replace(ADDRESS, (_m, k: string, v: string) => `${k} 0x${(BigInt('0x' + v) + shift).toString(16)}`);
      if (copy > 0) l = l.replace(STAMP, (_m, pid: string, s: string, us: string) => `${pid}@${Number(s) + 1000 * copy}.${us}:`);
      part.push(l);
      partChars += l.length + 1;
      if (partChars >= chunkChars) {
        const text = part.join('\n') + '\n';
        written += text.length;
        keep?.push(text);
        yield text;
        part = [];
        partChars = 0;
        if (written >= bytes && !keep) return;
      }
    }
    if (part.length) {
      const text = part.join('\n') + '\n';
      written += text.length;
      keep?.push(text);
      yield text;
    }
  }
}

const DMESG_STAMP = /^\[\s*(\d+)\.(\d{6})\]/;

/**
 * Chunks of a kernel log of about `bytes`: the real log of the VM capture
 * (boot, the IOMMU's lines, two DMA faults with their table dumps) copy
 * after copy, each 1000 s later, as a host that logs for a long time.
 */
export function* kernelLogChunks(root: string, bytes: number, chunkChars = 4 << 20): Generator<string> {
  const source = readFileSync(join(root, 'test', 'fixtures', 'captures', TRACES[0], 'dmesg'), 'utf8').split('\n').filter((l) => l !== '');
  let written = 0;
  let part: string[] = [];
  let partChars = 0;
  for (let copy = 0; written < bytes; copy++) {
    for (const line of source) {
      const l = copy === 0 ? line : line.replace(DMESG_STAMP, (_m, s: string, us: string) => `[${String(Number(s) + 1000 * copy).padStart(5)}.${us}]`);
      part.push(l);
      partChars += l.length + 1;
      if (partChars >= chunkChars) {
        const text = part.join('\n') + '\n';
        written += text.length;
        yield text;
        part = [];
        partChars = 0;
        if (written >= bytes) return;
      }
    }
  }
  if (part.length) yield part.join('\n') + '\n';
}

function h(v: number, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}

/** Chunks of a global (v5.18 – v6.6) domain_translation_struct of about `bytes`: blocks of `rowsPerBlock` 4 KiB leaves. */
export function* pageTableChunks(bytes: number, rowsPerBlock = 100000, chunkChars = 4 << 20): Generator<string> {
  let written = 0;
  let part: string[] = [];
  let partChars = 0;
  const flush = function* () {
    const text = part.join('\n') + '\n';
    written += text.length;
    part = [];
    partChars = 0;
    yield text;
  };
  for (let block = 0; written < bytes; block++) {
    const bus = (block >> 5) & 0xff;
    const dev = block & 0x1f;
    part.push(`Device 0000:${h(bus, 2)}:${h(dev, 2)}.0 @0x${h(0x1000000 + block * 0x1000, 1)}`, 'IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE');
    for (let r = 0; r < rowsPerBlock && written < bytes; r++) {
      const pfn = 0xfff00 - rowsPerBlock + r;
      const pdpe = 0x3000000 + ((pfn >> 18) & 0x1ff) * 0x1000;
      const pde = 0x4000000 + ((pfn >> 9) & 0x3ffff) * 0x1000;
      const pte = 0x10000000 + ((block * rowsPerBlock + r) % 0x3ffffff) * 0x1000;
      const line = `0x${h(pfn, 13)} |\t0x${h(0, 16)}\t0x${h(0x2000003, 16)}\t0x${h(pdpe + 3, 16)}\t0x${h(pde + 3, 16)}\t0x${h(pte + 3, 16)}`;
      part.push(line);
      partChars += line.length + 1;
      if (partChars >= chunkChars) yield* flush();
    }
    part.push('');
  }
  if (part.length) yield* flush();
}

/** Writes chunks to a file; returns its size. */
export function writeChunks(path: string, chunks: Iterable<string>): number {
  const fd = openSync(path, 'w');
  let size = 0;
  try {
    for (const c of chunks) {
      const b = Buffer.from(c, 'latin1');
      writeSync(fd, b);
      size += b.length;
    }
  } finally {
    closeSync(fd);
  }
  return size;
}
