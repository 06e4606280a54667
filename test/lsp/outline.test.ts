import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DocumentSymbolRequest,
  FoldingRangeRequest,
  InitializedNotification,
  InitializeRequest,
  SemanticTokensRangeRequest,
  SemanticTokensRequest,
  SymbolKind,
  WorkspaceSymbolRequest,
  type DocumentSymbol,
  type FoldingRange,
  type SemanticTokensLegend,
  type ServerCapabilities,
  type SymbolInformation,
  type WorkspaceSymbol,
} from 'vscode-languageserver/node';
import { generatePageTableDump } from '../../bench/generatePageTable';
import { fixturesDir, legacyCaptureDir, legacyCaptureText, repoRoot } from '../helpers';
import { MAX_FULL_TOKENS } from '../../src/server/features/semanticTokens';
import { TestLspClient } from './lspClient';

interface Token {
  line: number;
  start: number;
  length: number;
  type: string;
  mods: string[];
}

/** Decodes LSP's relative token encoding (5 integers a token, line and start relative to the previous token). */
function decodeTokens(data: readonly number[], legend: SemanticTokensLegend): Token[] {
  assert.equal(data.length % 5, 0);
  const out: Token[] = [];
  let line = 0;
  let start = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [dLine, dStart, length, type, mods] = data.slice(i, i + 5);
    line += dLine;
    start = dLine === 0 ? start + dStart : dStart;
    out.push({ line, start, length, type: legend.tokenTypes[type], mods: legend.tokenModifiers.filter((_, bit) => (mods & (1 << bit)) !== 0) });
  }
  return out;
}

/** The text a token covers. */
function tokenText(lines: readonly string[], t: Token): string {
  return lines[t.line].slice(t.start, t.start + t.length);
}

/** "entry 0x0000000000000000 notPresent": a token's type, text and modifiers. */
function described(lines: readonly string[], tokens: readonly Token[]): string[] {
  return tokens.map((t) => [t.type, tokenText(lines, t), ...t.mods].join(' '));
}

/** Runs of consecutive page numbers in the rows of one block of the dump text: [first pfn, count]. */
function pfnRunsOfBlock(text: string, header: string): [number, number][] {
  const lines = text.split('\n');
  const at = lines.indexOf(header);
  assert.ok(at >= 0, header);
  const runs: [number, number][] = [];
  for (let i = at + 1; i < lines.length && !lines[i].startsWith('Device '); i++) {
    const m = /^0x([0-9a-f]+) \|/.exec(lines[i]);
    if (!m) continue;
    const pfn = parseInt(m[1], 16);
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === pfn) last[1]++;
    else runs.push([pfn, 1]);
  }
  return runs;
}

const captureLines = (name: string) => legacyCaptureText(name).split('\n');

type Position = { line: number; character: number };
const notAfter = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);

/** Problems with an outline: a selection outside its range, a child outside its parent, a range off the document. */
function outlineProblems(list: readonly DocumentSymbol[], lines: readonly string[], parent?: DocumentSymbol): string[] {
  const out: string[] = [];
  for (const s of list) {
    const { range, selectionRange: sel } = s;
    if (!notAfter(range.start, sel.start) || !notAfter(sel.end, range.end) || !notAfter(sel.start, sel.end)) out.push(`${s.name}: selection outside range`);
    if (parent && (!notAfter(parent.range.start, range.start) || !notAfter(range.end, parent.range.end))) out.push(`${s.name}: outside ${parent.name}`);
    if (range.end.line >= Math.max(1, lines.length) || range.end.character > (lines[range.end.line] ?? '').length) out.push(`${s.name}: range off the document`);
    if (!s.name) out.push('a symbol without a name');
    out.push(...outlineProblems(s.children ?? [], lines, s));
  }
  return out;
}

/** Every fixture file of one kind of dump, by folder. */
function fixtureFiles(): string[] {
  const dirs = [legacyCaptureDir, join(fixturesDir, 'debugfs'), join(fixturesDir, 'logs')];
  return dirs.flatMap((d) => readdirSync(d).filter((n) => n !== 'README.md').map((n) => join(d, n)));
}

/** A deterministic generator (a test must fail the same way twice). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('language server: outline, folding, semantic tokens and workspace symbols', function () {
  this.timeout(120000);
  let client: TestLspClient;
  let capabilities: ServerCapabilities;
  let legend: SemanticTokensLegend;
  const uris: Record<string, string> = {};

  const symbols = async (uri: string) => ((await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) ?? []) as DocumentSymbol[];
  const folds = async (uri: string) => ((await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) ?? []) as FoldingRange[];
  const fullTokens = async (uri: string) => decodeTokens((await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }))?.data ?? [], legend);
  const rangeTokens = async (uri: string, first: number, last: number) =>
    decodeTokens(
      (await client.connection.sendRequest(SemanticTokensRangeRequest.type, { textDocument: { uri }, range: { start: { line: first, character: 0 }, end: { line: last, character: 1000 } } }))?.data ?? [],
      legend,
    );
  const workspaceSymbols = async (query: string) => ((await client.connection.sendRequest(WorkspaceSymbolRequest.type, { query })) ?? []) as (SymbolInformation | WorkspaceSymbol)[];
  const open = async (name: string, languageId: string) => {
    uris[name] ??= (await client.open(join(legacyCaptureDir, name), languageId)).uri;
    return uris[name];
  };

  before(async () => {
    client = new TestLspClient();
    // Initialised by hand to keep the answer: the capabilities carry the token legend.
    const init = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(legacyCaptureDir).toString(),
      capabilities: { workspace: { configuration: true } },
      workspaceFolders: null,
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    capabilities = init.capabilities;
    const provider = capabilities.semanticTokensProvider;
    assert.ok(provider, 'semantic tokens announced');
    legend = provider.legend;
    await open('dmar_translation_struct', 'viommu-dmar');
    await open('domain_translation_struct', 'viommu-pagetable');
    await open('ir_translation_struct', 'viommu-irte');
    await open('dmesg', 'viommu-dmesg');
  });
  after(async () => {
    await client.stop();
  });

  it('announces the four features, and package.json declares the token legend the server uses', () => {
    assert.ok(capabilities.documentSymbolProvider);
    assert.ok(capabilities.foldingRangeProvider);
    assert.ok(capabilities.workspaceSymbolProvider);
    const provider = capabilities.semanticTokensProvider;
    assert.ok(provider && 'full' in provider && provider.full && provider.range);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: Record<string, { id: string }[]> };
    assert.deepEqual(pkg.contributes.semanticTokenTypes.map((t) => t.id), legend.tokenTypes);
    assert.deepEqual(pkg.contributes.semanticTokenModifiers.map((t) => t.id), legend.tokenModifiers);
  });

  it('outlines the root/context table as unit → bus → requesters with their context entries', async () => {
    const outline = await symbols(uris.dmar_translation_struct);
    assert.deepEqual(outline.map((s) => s.name), ['dmar0']);
    const unit = outline[0];
    assert.equal(unit.kind, SymbolKind.Module);
    assert.equal(unit.detail, 'root table 0x1a8e000');
    assert.deepEqual(unit.children?.map((s) => s.name), ['bus 00']);
    const requesters = unit.children![0].children ?? [];
    assert.deepEqual(
      requesters.map((r) => r.name),
      ['00:00.0', '00:01.0', '00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.0', '00:1f.2', '00:1f.3'],
    );
    const edu = requesters[5];
    assert.equal(edu.kind, SymbolKind.Struct);
    // Context entry 0x0000000000000701:0x0000000001b1f001: DID 7, AW 1 (39-bit), TT 00.
    assert.equal(edu.detail, 'DID 7, AW 39, TT 0');
    assert.equal(edu.selectionRange.start.line, 7);
    assert.equal(captureLines('dmar_translation_struct')[7].slice(edu.selectionRange.start.character, edu.selectionRange.end.character), '00:05.0');
    assert.deepEqual(requesters.slice(6).map((r) => r.detail), ['DID 8, AW 39, TT 0', 'DID 8, AW 39, TT 0', 'DID 8, AW 39, TT 0']);
  });

  it('outlines a scalable-mode table with the PASID entries under their requester', async () => {
    const { uri } = await client.open(join(fixturesDir, 'debugfs', 'dmar_translation_struct.v6.8-scalable'), 'viommu-dmar');
    const outline = await symbols(uri);
    const dmar0 = outline.find((s) => s.name === 'dmar0');
    assert.ok(dmar0, outline.map((s) => s.name).join(', '));
    const device = dmar0.children?.[0].children?.find((r) => r.name === '00:0a.0');
    assert.deepEqual(device?.children?.map((p) => p.name), ['PASID 0', 'PASID 1', 'PASID 27']);
    assert.equal(device?.range.end.line, (device?.range.start.line ?? 0) + 2);
    const dmar1 = outline.find((s) => s.name === 'dmar1');
    assert.deepEqual(dmar1?.children?.[0].children?.map((r) => r.name), ['00:02.0']);
  });

  it('outlines the page-table dump by device block, with leaf counts and coalesced IOVA runs', async () => {
    const text = legacyCaptureText('domain_translation_struct');
    const outline = await symbols(uris.domain_translation_struct);
    assert.equal(outline.length, 9);
    assert.deepEqual(
      outline.map((s) => s.name.replace(/ @.*/, '')),
      ['0000:00:00.0', '0000:00:01.0', '0000:00:02.0', '0000:00:03.0', '0000:00:04.0', '0000:00:05.0', '0000:00:1f.0', '0000:00:1f.0', '0000:00:1f.0'],
    );
    assert.ok(outline.every((s) => s.kind === SymbolKind.Struct));
    const nic = outline[2];
    assert.equal(nic.name, '0000:00:02.0 @0x1a9a000');
    // 258 rows between the header and the next block, each a 4 KiB leaf: 1032 KiB.
    const runs = pfnRunsOfBlock(text, 'Device 0000:00:02.0 @0x1a9a000');
    assert.equal(runs.reduce((n, r) => n + r[1], 0), 258);
    assert.equal(nic.detail, '258 leaves, 1.0 MiB');
    // One child per run of consecutive page numbers, named by its IOVA range.
    const expected = runs.map(([pfn, n]) => `0x${(pfn * 4096).toString(16)}–0x${((pfn + n) * 4096 - 1).toString(16)} (${n} ${n === 1 ? 'page' : 'pages'})`);
    assert.deepEqual(nic.children?.map((c) => c.name), expected);
    assert.equal(expected[0], '0xffefd000–0xffffdfff (257 pages)');
    assert.ok(nic.children?.every((c) => c.kind === SymbolKind.Array));
    // The three 00:1f.0 blocks dump the one ICH9 table again and again: the same runs each time.
    const ich9 = outline.slice(6);
    assert.equal(new Set(ich9.map((b) => b.detail)).size, 1);
    assert.equal(ich9[0].children?.length, pfnRunsOfBlock(text, 'Device 0000:00:1f.0 @0x2004000').length);
    // The edu device's table is empty.
    assert.equal(outline[5].detail, 'no leaves');
    assert.equal(outline[5].children, undefined);
  });

  it('folds each device block, the runs inside it, and each unit', async () => {
    const lines = captureLines('domain_translation_struct');
    const ranges = await folds(uris.domain_translation_struct);
    const headers = lines.flatMap((l, i) => (l.startsWith('Device ') ? [i] : []));
    assert.equal(headers.length, 9);
    headers.forEach((h, k) => {
      const fold = ranges.find((r) => r.startLine === h);
      assert.ok(fold, `a fold at line ${h}`);
      // The block ends at its last text line, before the blank line and the next header.
      let last = (headers[k + 1] ?? lines.length) - 1;
      while (lines[last].trim() === '') last--;
      assert.equal(fold.endLine, last);
    });
    const nicRunFold = ranges.find((r) => r.startLine === 8);
    assert.equal(nicRunFold?.endLine, 264);
    const dmar = await folds(uris.dmar_translation_struct);
    assert.deepEqual(dmar.find((r) => r.startLine === 0), { startLine: 0, endLine: 10 });
  });

  it('outlines the 17 IRTEs of the interrupt remapping table', async () => {
    const outline = await symbols(uris.ir_translation_struct);
    assert.equal(outline.length, 1);
    assert.equal(outline[0].name, 'dmar0 remapped');
    const entries = outline[0].children ?? [];
    assert.equal(entries.length, 17);
    const irte17 = entries.find((e) => e.name === 'IRTE 17');
    // " 17    00:04.0 00000200 23  0000000000040020	000002000023000d"
    assert.equal(irte17?.detail, 'vector 0x23, to CPU 1 (logical 0x02), SID 00:04.0');
    assert.equal(captureLines('ir_translation_struct')[irte17!.range.start.line].trim().split(/\s+/)[0], '17');
  });

  it('outlines both faults of the kernel log, each with the table dump printed after it', async () => {
    const outline = await symbols(uris.dmesg);
    const faults = outline.filter((s) => s.kind === SymbolKind.Event);
    assert.deepEqual(faults.map((f) => f.name), ['DMA Read fault 00:05.0', 'DMA Write fault 00:05.0']);
    assert.equal(faults[0].detail, '0x2345000, reason 0x06 PTE Read access is not set');
    assert.equal(faults[0].range.start.line, 421);
    assert.deepEqual(faults[0].children?.map((c) => c.detail), ['IOVA 0x2345000, 4 lines']);
    assert.equal(faults[1].children?.[0].range.start.line, 429);
    assert.ok(outline.some((s) => s.name === 'dmar0' && s.kind === SymbolKind.Module));
    // The fault and its dump fold together.
    assert.deepEqual((await folds(uris.dmesg)).find((r) => r.startLine === 421), { startLine: 421, endLine: 426 });
  });

  it('outlines the invalidation ring with Head and Tail marked, the remapped interrupts and the IOMMU groups', async () => {
    const queue = await symbols(await open('invalidation_queue', 'viommu-invq'));
    assert.equal(queue[0].detail, 'base 0x10db000, head 180, tail 180');
    const marked = (queue[0].children ?? []).filter((d) => /Head|Tail/.test(d.name));
    assert.deepEqual(
      marked.map((d) => [d.name, d.range.start.line]),
      [['descriptor 180 (Head, Tail)', captureLines('invalidation_queue').findIndex((l) => /^\s+180\t/.test(l))]],
    );
    assert.match(marked[0].detail ?? '', /^IOTLB page-selective DID=6 addr=0xfffda000/);

    const interrupts = captureLines('interrupts');
    const irqs = await symbols(await open('interrupts', 'viommu-interrupts'));
    assert.deepEqual(
      irqs.map((s) => s.range.start.line),
      interrupts.flatMap((l, i) => (/ (IR-[A-Z-]+|DMAR-MSI) /.test(l) ? [i] : [])),
    );
    const ahci = irqs.find((s) => s.name === 'IRQ 28 ahci[0000:00:1f.2]');
    assert.equal(ahci?.detail, 'IR-PCI-MSI, 00:1f.2 vector 0, 22 interrupts');

    const groups = await symbols(await open('iommu_groups', 'viommu-groups'));
    assert.deepEqual(groups.map((g) => g.name), ['group 0', 'group 1', 'group 2', 'group 3', 'group 4', 'group 5', 'group 6']);
    assert.deepEqual(groups[6].children?.map((d) => d.name), ['0000:00:1f.0', '0000:00:1f.2', '0000:00:1f.3']);
  });

  it('outlines a 24,000-line trace by phases, with faults and resets as their own symbols', async () => {
    const uri = await open('qemu-vtd.trace', 'viommu-trace');
    const lines = captureLines('qemu-vtd.trace').filter((l, i, all) => i < all.length - 1 || l !== '');
    const outline = await symbols(uri);
    assert.ok(outline.length > 10 && outline.length < 200, `${outline.length} phases`);
    // Phases do not overlap and together cover every event line.
    let next = 0;
    for (const phase of outline) {
      assert.equal(phase.range.start.line, next, phase.name);
      next = phase.range.end.line + 1;
      const count = Number(/^(\d+) events?;/.exec(phase.detail ?? '')?.[1]);
      assert.equal(count, phase.range.end.line - phase.range.start.line + 1, phase.name);
    }
    assert.equal(next, lines.length);
    const landmarks = outline.flatMap((p) => p.children ?? []);
    const faults = landmarks.filter((s) => s.name.startsWith('vtd_dmar_fault'));
    assert.equal(faults.length, lines.filter((l) => l.startsWith('vtd_dmar_fault ')).length);
    assert.equal(faults[0].name, 'vtd_dmar_fault 00:05.0 0x2345000');
    assert.equal(faults[0].detail, 'read, reason 0x06');
    assert.equal(landmarks.filter((s) => s.name.startsWith('vtd_frr_new')).length, 2);
    assert.ok(landmarks.some((s) => s.name === 'vtd_inv_desc_iotlb_global'));
    assert.ok(outline.some((p) => p.name === 'interrupt remapping: vtd_ir_irte_get ×229'), outline.map((p) => p.name).join('\n'));
  });

  it('gives semantic tokens for requesters, entries and addresses', async () => {
    const lines = captureLines('dmar_translation_struct');
    const tokens = await fullTokens(uris.dmar_translation_struct);
    const line8 = tokens.filter((t) => t.line === 7);
    const requester = line8.find((t) => t.type === 'requester');
    assert.deepEqual(requester && { start: requester.start, text: tokenText(lines, requester) }, { start: 0, text: '00:05.0' });
    const context = line8.find((t) => t.type === 'entry' && tokenText(lines, t).startsWith('0x0000000000000701'));
    assert.ok(context, JSON.stringify(line8));
    assert.equal(context.start, lines[7].indexOf('0x0000000000000701:0x0000000001b1f001'));
    assert.equal(tokenText(lines, context), '0x0000000000000701:0x0000000001b1f001');
    assert.deepEqual(context.mods, []);
    assert.ok(tokens.some((t) => t.line === 0 && t.type === 'address' && tokenText(lines, t) === '0x1a8e000'));

    // Page-table rows: the PFN as an address, zero upper entries not present.
    const pt = captureLines('domain_translation_struct');
    const ptTokens = await rangeTokens(uris.domain_translation_struct, 6, 8);
    assert.deepEqual(described(pt, ptTokens.filter((t) => t.line === 8)), [
      'address 0x00000000ffefd',
      'entry 0x0000000000000000 notPresent',
      'entry 0x0000000000000000 notPresent',
      'entry 0x00000000025b6003',
      'entry 0x00000000025bc003',
      'entry 0x000000000268e003',
    ]);
    assert.deepEqual(described(pt, ptTokens.filter((t) => t.line === 6)), ['requester 0000:00:02.0', 'address 0x1a9a000']);

    // The kernel log: the faulting device, its address and the fault reason.
    const log = captureLines('dmesg');
    const faultTokens = (await fullTokens(uris.dmesg)).filter((t) => t.line === 421);
    assert.deepEqual(described(log, faultTokens), ['requester 00:05.0', 'address 0x2345000', 'faultReason 0x06']);

    // QEMU's side of the same fault, and an invalidation descriptor it fetched.
    const trace = captureLines('qemu-vtd.trace');
    const traceUri = await open('qemu-vtd.trace', 'viommu-trace');
    const faultLine = trace.indexOf('vtd_dmar_fault sid 0x28 fault 6 addr 0x2345000 write 0');
    const descLine = trace.indexOf('vtd_inv_desc invalidate desc type iotlb high 0xfff80005 low 0x800f2');
    assert.ok(faultLine > 0 && descLine > 0);
    assert.deepEqual(described(trace, await rangeTokens(traceUri, faultLine, faultLine)), ['requester 0x28', 'faultReason 6', 'address 0x2345000']);
    assert.deepEqual(described(trace, await rangeTokens(traceUri, descLine, descLine)), ['entry 0xfff80005', 'entry 0x800f2']);
  });

  it('marks entries that are not present or break the specification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-outline-'));
    const path = join(dir, 'dmar_translation_struct');
    const text =
      'IOMMU dmar0: Root Table Address: 0x1a8e000\n' +
      'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n' +
      // Bit 100 (hi bit 36) lies in the reserved bits 127:88 of a legacy context entry.
      '00:02.0\t0x0000000000000000:0x0000000001a94001\t0x0000001000000401:0x0000000001a9a001\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n' +
      '00:03.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000000:0x0000000000000000\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n';
    writeFileSync(path, text);
    const { uri } = await client.open(path, 'viommu-dmar');
    const lines = text.split('\n');
    const entries = (await fullTokens(uri)).filter((t) => t.type === 'entry');
    const context = (line: number) => entries.find((t) => t.line === line && t.start === lines[line].indexOf('\t', 8) + 1);
    assert.deepEqual(context(2)?.mods, ['specViolation']);
    assert.deepEqual(context(3)?.mods, ['notPresent']);
    assert.equal((await symbols(uri))[0].children?.[0].children?.[1].detail, 'not present');
  });

  it('finds requesters, domains, IRTEs and faults across the open capture', async () => {
    const where = (s: SymbolInformation | WorkspaceSymbol) => {
      const loc = s.location as { uri: string; range?: { start: { line: number } } };
      return `${loc.uri.slice(loc.uri.lastIndexOf('/') + 1)}:${loc.range?.start.line}`;
    };
    const edu = await workspaceSymbols('00:05');
    const requester = edu.find((s) => s.name === '00:05.0');
    assert.ok(requester, edu.map((s) => s.name).join(', '));
    assert.equal(requester.kind, SymbolKind.Struct);
    assert.equal(where(requester), 'dmar_translation_struct:7');
    assert.ok(edu.every((s) => s.name.toLowerCase().includes('00:05')));
    assert.deepEqual(edu.filter((s) => s.kind === SymbolKind.Event).map(where), ['dmesg:421', 'dmesg:428']);

    // Other captures are open too (the scalable fixture's folder has a DID 8 of its own).
    const did8 = await workspaceSymbols('DID 8');
    // The debugfs fixtures' folder has two units: its domains are named with their unit.
    assert.ok(did8.every((s) => /^(dmar\d+ )?DID 8$/.test(s.name)), did8.map((s) => s.name).join(', '));
    const ich9 = did8.filter((s) => (s.location as { uri: string }).uri.startsWith(pathToFileURL(legacyCaptureDir).toString() + '/'));
    assert.equal(ich9.length, 1);
    assert.equal(where(ich9[0]), 'dmar_translation_struct:8');
    assert.equal(ich9[0].containerName, 'linux-6.1-qemu-7.2-legacy: 00:1f.0 00:1f.2 00:1f.3');

    const irte = await workspaceSymbols('irte 17');
    assert.deepEqual(irte.map((s) => [s.name, where(s)]), [['IRTE 17', 'ir_translation_struct:9']]);
    assert.deepEqual(await workspaceSymbols('no such thing'), []);
  });

  it('keeps every symbol’s selection inside its range and every child inside its parent, for every fixture', async () => {
    let checked = 0;
    for (const path of fixtureFiles()) {
      const text = readFileSync(path, 'utf8');
      const { uri } = await client.open(path);
      const outline = await symbols(uri);
      const lines = text.split('\n');
      assert.deepEqual(outlineProblems(outline, lines), [], basename(path));
      for (const f of await folds(uri)) assert.ok(f.startLine < f.endLine && f.endLine < lines.length, `${basename(path)}: ${JSON.stringify(f)}`);
      if (outline.length > 0) checked++;
    }
    assert.ok(checked >= 30, `${checked} files with an outline`);
  });

  it('answers every request on cut and garbled dumps with a well-formed result, and keeps running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-outline-garbled-'));
    const random = lcg(7);
    for (const name of readdirSync(legacyCaptureDir)) {
      // Each line cut at a random point, and every twentieth replaced by bytes of noise.
      const garbled = legacyCaptureText(name)
        .split('\n')
        .slice(0, 3000)
        .map((l) => (random() < 0.05 ? String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(random() * 0x3000))) : l.slice(0, Math.floor(random() * (l.length + 1)))))
        .join('\n');
      const path = join(dir, name);
      writeFileSync(path, garbled);
      const { uri } = await client.open(path);
      const lines = garbled.split('\n');
      assert.deepEqual(outlineProblems(await symbols(uri), lines), [], name);
      assert.ok(Array.isArray(await folds(uri)));
      const tokens = await fullTokens(uri);
      for (const t of tokens) assert.ok(t.length > 0 && t.start + t.length <= lines[t.line].length && legend.tokenTypes.includes(t.type), `${name}: ${JSON.stringify(t)}`);
      const range = await client.connection.sendRequest(SemanticTokensRangeRequest.type, {
        textDocument: { uri },
        range: { start: { line: 5, character: 0 }, end: { line: 1e9, character: 0 } },
      });
      assert.ok(Array.isArray(range?.data));
    }
    assert.ok(Array.isArray(await workspaceSymbols('')));
    assert.equal(client.exited, false);
  });

  it('answers for a 200,000-line page-table dump: an outline, folds and a 100-line token range', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-outline-large-'));
    const { text, rows } = generatePageTableDump(22 * 1024 * 1024);
    assert.ok(rows >= 200000, `${rows} rows`);
    const path = join(dir, 'domain_translation_struct');
    writeFileSync(path, text);
    const { uri } = await client.open(path, 'viommu-pagetable');
    const outline = await symbols(uri);
    assert.equal(outline.length, 1);
    assert.equal(outline[0].detail?.startsWith(`${rows} leaves, `), true, outline[0].detail);
    // The generator maps consecutive pages: one run.
    assert.deepEqual(outline[0].children?.map((c) => c.name), [`0x100000000–0x${((0x100000 + rows) * 4096 - 1).toString(16)} (${rows} pages)`]);
    assert.deepEqual(await folds(uri), [
      { startLine: 0, endLine: rows + 1 },
      { startLine: 2, endLine: rows + 1 },
    ]);
    const lines = text.split('\n');
    const first = 100000;
    const tokens = await rangeTokens(uri, first, first + 99);
    assert.equal(tokens.length, 100 * 6);
    assert.deepEqual([...new Set(tokens.map((t) => t.line))], Array.from({ length: 100 }, (_, k) => first + k));
    const row = tokens.filter((t) => t.line === first + 50);
    assert.deepEqual(row.map((t) => t.type), ['address', 'entry', 'entry', 'entry', 'entry', 'entry']);
    assert.equal(tokenText(lines, row[0]), lines[first + 50].split(' ')[0]);
    assert.deepEqual(row[1].mods, ['notPresent']);

    // The whole document: the first rows, in order, up to the cap (the grammar colours the rest).
    const full = await fullTokens(uri);
    assert.ok(full.length >= MAX_FULL_TOKENS && full.length < MAX_FULL_TOKENS + 6, `${full.length} tokens`);
    assert.deepEqual(described(lines, full.slice(0, 2)), ['requester 0000:00:02.0', 'address 0x1a9a000']);
    assert.ok(full.every((t, i) => i === 0 || t.line > full[i - 1].line || (t.line === full[i - 1].line && t.start >= full[i - 1].start + full[i - 1].length)));
  });
});
