import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  CodeActionRequest,
  CodeLensRequest,
  CodeLensResolveRequest,
  DefinitionRequest,
  ReferencesRequest,
  type CodeAction,
  type Command,
  type Definition,
  type Location,
  type LocationLink,
} from 'vscode-languageserver/node';
import { COMMANDS } from '../../src/protocol';
import { legacyCaptureDir, legacyCaptureText } from '../helpers';
import { TestLspClient } from './lspClient';

/** 0-based index of the first line of a capture file that satisfies `test`, at or after `from`. */
function lineOf(file: string, test: (line: string) => boolean, from = 0): number {
  const lines = legacyCaptureText(file).split('\n');
  for (let i = from; i < lines.length; i++) if (test(lines[i])) return i;
  throw new Error(`no such line in ${file}`);
}

function textLine(file: string, line: number): string {
  return legacyCaptureText(file).split('\n')[line];
}

function asLocations(d: Definition | LocationLink[] | null): Location[] {
  if (!d) return [];
  const list = Array.isArray(d) ? d : [d];
  return list.map((x) => ('targetUri' in x ? { uri: x.targetUri, range: x.targetRange } : x));
}

function where(locations: Location[]): string[] {
  return locations.map((l) => `${l.uri.slice(l.uri.lastIndexOf('/') + 1)}:${l.range.start.line}`);
}

describe('navigation across a capture (definition, references, code lenses, code actions)', function () {
  this.timeout(60000);
  let client: TestLspClient;
  const uris: Record<string, string> = {};
  const open = async (name: string, languageId: string) => {
    uris[name] ??= (await client.open(join(legacyCaptureDir, name), languageId)).uri;
    return uris[name];
  };
  const definition = async (name: string, line: number, character: number) =>
    where(asLocations(await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uris[name] }, position: { line, character } })));
  const references = async (name: string, line: number, character: number) =>
    where((await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: uris[name] }, position: { line, character }, context: { includeDeclaration: true } })) ?? []);

  before(async () => {
    client = new TestLspClient();
    await client.initialize(legacyCaptureDir);
    await open('dmar_translation_struct', 'viommu-dmar');
    await open('domain_translation_struct', 'viommu-pagetable');
    await open('ir_translation_struct', 'viommu-irte');
    await open('dmesg', 'viommu-dmesg');
    await open('qemu-vtd.trace', 'viommu-trace');
  });
  after(async () => {
    await client.stop();
  });

  const block05 = lineOf('domain_translation_struct', (l) => l === 'Device 0000:00:05.0 @0x1b1f000');

  it('goes from a context entry to its domain’s page-table block', async () => {
    assert.equal(block05, 598);
    const row = textLine('dmar_translation_struct', 7);
    assert.match(row, /^00:05\.0\t/);
    // On the SLPTPTR digits of the low qword, and anywhere else on the entry.
    assert.deepEqual(await definition('dmar_translation_struct', 7, row.indexOf('0x0000000001b1f001') + 14), ['domain_translation_struct:598']);
    assert.deepEqual(await definition('dmar_translation_struct', 7, row.indexOf('0x0000000000000701') + 3), ['domain_translation_struct:598']);
  });

  it('goes from an IRTE’s source id to the requester’s context entry, and nowhere for the IOAPIC', async () => {
    const irte17 = lineOf('ir_translation_struct', (l) => /^ 17\s+00:04\.0 /.test(l));
    const text = textLine('ir_translation_struct', irte17);
    assert.deepEqual(await definition('ir_translation_struct', irte17, text.indexOf('00:04.0') + 3), ['dmar_translation_struct:6']);
    const ioapic = lineOf('ir_translation_struct', (l) => /^ 0\s+ff:00\.0 /.test(l));
    assert.deepEqual(await definition('ir_translation_struct', ioapic, textLine('ir_translation_struct', ioapic).indexOf('ff:00.0') + 2), []);
  });

  it('goes from a kernel-log fault to the device’s context entry, and from its unmapped address to the domain’s block', async () => {
    const fault = textLine('dmesg', 421);
    assert.match(fault, /Request device \[00:05\.0\] fault addr 0x2345000/);
    assert.deepEqual(await definition('dmesg', 421, fault.indexOf('00:05.0') + 1), ['dmar_translation_struct:7']);
    assert.deepEqual(await definition('dmesg', 421, fault.indexOf('0x2345000') + 4), [`domain_translation_struct:${block05}`]);
    // Anywhere else on the line: the address is what the line is about.
    assert.deepEqual(await definition('dmesg', 421, 2), [`domain_translation_struct:${block05}`]);
  });

  it('goes from a trace event’s iova to the page-table row that maps it, and from its domain to the domain’s block', async () => {
    const event = 'vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0xffffd002 slpte 0x2210003 domain 0x6';
    const at = lineOf('qemu-vtd.trace', (l) => l === event);
    const block04 = lineOf('domain_translation_struct', (l) => l.startsWith('Device 0000:00:04.0 '));
    const row = lineOf('domain_translation_struct', (l) => l.startsWith('0x00000000ffffd |'), block04);
    assert.equal(row, 594);
    assert.deepEqual(await definition('qemu-vtd.trace', at, event.indexOf('0xffffd002') + 5), [`domain_translation_struct:${row}`]);
    assert.deepEqual(await definition('qemu-vtd.trace', at, event.indexOf('sid 0x20') + 6), ['dmar_translation_struct:6']);
    assert.deepEqual(await definition('qemu-vtd.trace', at, event.indexOf('domain 0x6') + 8), [`domain_translation_struct:${block04}`]);
    const translate = lineOf('qemu-vtd.trace', (l) => l.startsWith('vtd_dmar_translate dev 00:04.00 iova 0xffffd000 '));
    const translateText = textLine('qemu-vtd.trace', translate);
    assert.deepEqual(await definition('qemu-vtd.trace', translate, translateText.indexOf('0xffffd000') + 3), [`domain_translation_struct:${row}`]);
    assert.deepEqual(await definition('qemu-vtd.trace', translate, translateText.indexOf('00:04.00') + 3), ['dmar_translation_struct:6']);
  });

  it('finds every place that names 00:1f.2', async () => {
    const row = textLine('dmar_translation_struct', 9);
    assert.match(row, /^00:1f\.2\t/);
    const found = await references('dmar_translation_struct', 9, 2);
    const irte21 = lineOf('ir_translation_struct', (l) => /^ 21\s+00:1f\.2 /.test(l));
    const irq28 = lineOf('interrupts', (l) => /^\s*28:.*ahci/.test(l));
    const group = lineOf('iommu_groups', (l) => l.includes(' 0000:00:1f.2 -> '));
    const added = lineOf('dmesg', (l) => l.includes('pci 0000:00:1f.2: Adding to iommu group 6'));
    for (const place of ['dmar_translation_struct:9', `ir_translation_struct:${irte21}`, `interrupts:${irq28}`, `iommu_groups:${group}`, `dmesg:${added}`]) {
      assert.ok(found.includes(place), `${place} in ${found.join(', ')}`);
    }
    // QEMU saw its context entry being loaded: "bus 0x0 devfn 0xfa".
    assert.ok(found.some((f) => f.startsWith('qemu-vtd.trace:')));
    // Nothing about another device.
    assert.ok(!found.includes('dmar_translation_struct:8') && !found.includes('dmar_translation_struct:10'));
  });

  it('finds the devices and the table of a DID', async () => {
    const row = textLine('dmar_translation_struct', 9);
    const found = await references('dmar_translation_struct', 9, row.indexOf('0x0000000000000801') + 4);
    const headers = legacyCaptureText('domain_translation_struct')
      .split('\n')
      .flatMap((l, i) => (l.startsWith('Device 0000:00:1f.0 @0x2004000') ? [`domain_translation_struct:${i}`] : []));
    assert.equal(headers.length, 3);
    for (const place of ['dmar_translation_struct:8', 'dmar_translation_struct:9', 'dmar_translation_struct:10', ...headers]) {
      assert.ok(found.includes(place), `${place} in ${found.slice(0, 20).join(', ')}`);
    }
    assert.ok(!found.includes('dmar_translation_struct:7'));
    // QEMU's invalidations of domain 0x8 name it too.
    const inv = lineOf('qemu-vtd.trace', (l) => /^vtd_inv_desc_iotlb_\w+ .*domain 0x8\b/.test(l));
    assert.ok(found.includes(`qemu-vtd.trace:${inv}`));
  });

  it('finds every IOVA that maps the host page of a leaf', async () => {
    const first = textLine('domain_translation_struct', 8);
    assert.match(first, /^0x00000000ffefd \|.*0x000000000268e003$/);
    assert.match(textLine('domain_translation_struct', 9), /^0x00000000ffefe \|.*0x000000000268e003$/);
    const found = await references('domain_translation_struct', 8, first.lastIndexOf('0x') + 6);
    assert.deepEqual(found.sort(), ['domain_translation_struct:8', 'domain_translation_struct:9']);
  });

  it('puts mapping totals, the domain and Translate IOVA… above each page-table block', async () => {
    const uri = uris['domain_translation_struct'];
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const headers = legacyCaptureText('domain_translation_struct')
      .split('\n')
      .flatMap((l, i) => (l.startsWith('Device ') ? [i] : []));
    assert.deepEqual([...new Set(lenses.map((l) => l.range.start.line))], headers);

    // 00:02.0: every row of its block is a 4 KiB leaf.
    const block02 = headers[2];
    const rows02 = legacyCaptureText('domain_translation_struct').split('\n').slice(block02 + 2, headers[3]).filter((l) => l.startsWith('0x'));
    assert.equal(rows02.length, 258);
    const at02 = lenses.filter((l) => l.range.start.line === block02);
    const totals = at02.find((l) => !l.command)!;
    const resolved = await client.connection.sendRequest(CodeLensResolveRequest.type, totals);
    assert.equal(resolved.command?.title, `258 mappings, ${((258 * 4096) / 2 ** 20).toFixed(2)} MiB mapped`);
    const translate = at02.find((l) => l.command?.command === COMMANDS.translateIova)!;
    assert.deepEqual(translate.command!.arguments, [{ uri, bdf: '00:02.0' }]);
    // Its context entry's hi qword is 0x401: DID 4.
    assert.ok(at02.some((l) => l.command?.title === 'DID 4: 00:02.0'));

    // The three 1f.0 blocks are one domain's table, dumped once per group member.
    for (const line of headers.slice(6)) {
      const titles = lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
      assert.ok(titles.some((t) => t.startsWith('DID 8: 00:1f.0 00:1f.2 00:1f.3')), titles.join(' | '));
    }
  });

  it('puts Translate IOVA… above each requester row of the context table', async () => {
    const uri = uris['dmar_translation_struct'];
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    assert.deepEqual(
      lenses.map((l) => l.range.start.line),
      [2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(lenses[5].command?.arguments, [{ uri, bdf: '00:05.0' }]);
  });

  it('offers to explain and walk a kernel-log fault, and to walk a page-table row', async () => {
    const uri = uris['dmesg'];
    const actions = ((await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 421, character: 5 }, end: { line: 421, character: 5 } },
      context: { diagnostics: [] },
    })) ?? []) as CodeAction[];
    const walk = actions.find((a) => a.title === 'Walk this IOVA');
    assert.deepEqual(walk?.command?.arguments, [{ uri, bdf: '00:05.0', iova: '0x2345000', write: false }]);
    assert.equal(walk?.command?.command, COMMANDS.translateIova);
    const explain = actions.find((a) => a.title === 'Explain this fault');
    assert.deepEqual(explain?.command?.arguments, [{ uri, line: 421 }]);
    assert.equal(explain?.command?.command, COMMANDS.explainFault);

    const pt = uris['domain_translation_struct'];
    const rowActions = ((await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: pt },
      range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } },
      context: { diagnostics: [] },
    })) ?? []) as CodeAction[];
    assert.deepEqual(
      rowActions.map((a) => a.command?.arguments),
      [[{ uri: pt, bdf: '00:02.0', iova: '0xffefd000' }]],
    );
    // A line with nothing to walk offers nothing.
    const none = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.deepEqual(none, []);
  });

  it('answers every navigation request on garbage with nothing, and keeps running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-nav-'));
    const cases: [string, string][] = [
      ['domain_translation_struct', 'Device 0000:zz:05.0 @0xnothex\nIOVA_PFN\tPTE\n0x12 | 0xq\n\u0000\u0001\u00ff'],
      ['dmesg', '[  1.0] DMAR: [DMA Read NO_PASID] Request device [00:05.0] fault addr 0x\n00:1f.2 00:99.9 \u0000'],
      ['qemu-vtd.trace', 'vtd_iotlb_page_update IOTLB page update sid 0xzz iova 0x domain\nvtd_dmar_fault sid 0x28 fault x addr write 9'],
      ['dmar_translation_struct', '\u0000\u0001garbage\u00ff'.repeat(200)],
    ];
    for (const [name, text] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const { uri } = await client.open(path, 'plaintext', text);
      for (let line = 0; line < 3; line++) {
        for (const character of [0, 5, 20, 60]) {
          const position = { line, character };
          const d = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
          assert.ok(d === null || (Array.isArray(d) && d.every((x) => 'uri' in x || 'targetUri' in x)));
          const r = await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position, context: { includeDeclaration: true } });
          assert.ok(r === null || Array.isArray(r));
          const a = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } });
          assert.ok(a === null || Array.isArray(a));
          for (const x of (a ?? []) as (CodeAction | Command)[]) assert.ok(typeof x.title === 'string');
        }
      }
      const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
      assert.ok(lenses === null || Array.isArray(lenses));
    }
    assert.equal(client.exited, false, client.stderr);
  });
});
