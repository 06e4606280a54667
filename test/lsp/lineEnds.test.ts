import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoverRequest, InlayHintRequest, type InlayHint, type MarkupContent } from 'vscode-languageserver/node';
import { TestLspClient } from './lspClient';

const HEADER = ['Device 0000:00:02.0 @0x1a9a000', 'IOVA_PFN         \tPML5E             \tPML4E             \tPDPE              \tPDE               \tPTE'];

/** A page-table row of 00:02.0 mapping PFN 0x100000 + i to host page 0x10000 + i. */
function row(i: number): string {
  const h = (v: number, digits: number) => v.toString(16).padStart(digits, '0');
  return `0x${h(0x100000 + i, 13)} |\t0x${h(0, 16)}\t0x${h(0x2000003, 16)}\t0x${h(0x3000003, 16)}\t0x${h(0x4000003, 16)}\t0x${h(0x10000003 + i * 0x1000, 16)}`;
}

/** The PTE column of a row. */
function pteAt(text: string): number {
  return text.lastIndexOf('0x') + 5;
}

function labelOf(h: InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

describe('language server: line ends and the last line of a document', function () {
  this.timeout(60000);
  let client: TestLspClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'viommu-line-ends-'));
    client = new TestLspClient();
    await client.initialize(dir);
  });
  after(async () => {
    await client.stop();
  });

  const hoverText = async (uri: string, line: number, character: number) => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    return hover ? (hover.contents as MarkupContent).value : undefined;
  };
  const hintsOn = async (uri: string, line: number) => {
    const hints = await client.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: line + 1, character: 0 } } });
    return (hints ?? []).filter((h) => h.position.line === line);
  };

  it('hovers and hints the last line of a CRLF dump with no final line end', async () => {
    const lines = [...HEADER, row(0), row(1), row(2)];
    const text = lines.join('\r\n');
    const path = join(dir, 'domain_translation_struct');
    writeFileSync(path, text);
    const { uri, diagnostics } = await client.open(path, 'viommu-pagetable', text);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 1), []);
    const last = lines.length - 1;
    assert.match((await hoverText(uri, last, pteAt(lines[last]))) ?? '', /0x10002003/);
    // The PTE's hint ends the line, before the CR.
    const pte = (await hintsOn(uri, last)).find((h) => labelOf(h).includes('0x10002000'));
    assert.equal(pte?.position.character, lines[last].length);
    assert.equal(await hoverText(uri, last + 1, 0), undefined, 'nothing past the last line');
  });

  it('follows edits that add and remove lines at the end', async () => {
    const path = join(dir, 'domain_translation_struct');
    const lines = [...HEADER, row(0), row(1)];
    const { uri } = await client.open(path, 'viommu-pagetable', lines.join('\n') + '\n');
    // One more row, and no final line end.
    const added = [...lines, row(2)];
    await client.change(uri, 2, added.join('\n'));
    assert.match((await hoverText(uri, added.length - 1, pteAt(added[added.length - 1]))) ?? '', /0x10002003/);
    assert.ok((await hintsOn(uri, added.length - 1)).some((h) => labelOf(h).includes('→ 0x10002000 4K')));
    // Back to one row: the lines after it are gone.
    const removed = [...HEADER, row(0)];
    await client.change(uri, 3, removed.join('\n') + '\n');
    assert.match((await hoverText(uri, removed.length - 1, pteAt(removed[removed.length - 1]))) ?? '', /0x10000003/);
    assert.equal(await hoverText(uri, removed.length, pteAt(row(1))), undefined);
    assert.deepEqual(await hintsOn(uri, removed.length), []);
  });
});
