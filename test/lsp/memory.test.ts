// What the language server reads and holds: never the running system's
// files as a capture, and nothing once no open document needs it.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidCloseTextDocumentNotification } from 'vscode-languageserver/node';
import { CaptureSummaryRequest, ServerStatsRequest, SourceInfoRequest } from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server: what it reads and holds', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => {
    client = new TestLspClient();
    await client.initialize(legacyCaptureDir);
  });
  after(() => client.stop());

  const held = async () => (await client.request(ServerStatsRequest, {})).held;
  const close = (uri: string) => client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });

  it('opening /proc/interrupts reads it as a document, and not /proc as its capture folder (no /proc/kmsg, no size-0 file that never ends)', async function () {
    if (process.platform !== 'linux') this.skip();
    const text = readFileSync('/proc/interrupts', 'utf8');
    const { uri, diagnostics } = await client.open('/proc/interrupts', 'viommu-interrupts', text);
    assert.ok(Array.isArray(diagnostics));
    const summary = await client.request(CaptureSummaryRequest, { uri });
    assert.deepEqual(summary?.files.map((f) => f.name), ['interrupts']);
    assert.equal(summary?.leftOut.length, 1);
    assert.match(summary?.leftOut[0].reason ?? '', /a folder of the running system \(\/proc, \/sys or \/dev\): not read as a capture/);
    const info = await client.request(SourceInfoRequest, { source: { kind: 'capture', uri }, view: 'gsiRouting' });
    assert.match(info?.message ?? '', /Left out of this capture: proc \(a folder of the running system/);
    await close(uri);
  });

  it('lets a capture folder and the sibling files it parsed go once its last open document closes', async () => {
    const dmesg = join(legacyCaptureDir, 'dmesg');
    const irte = join(legacyCaptureDir, 'ir_translation_struct');
    const a = await client.open(dmesg, 'viommu-dmesg');
    const b = await client.open(irte, 'viommu-irte', readFileSync(irte, 'utf8'));
    await client.request(CaptureSummaryRequest, { uri: a.uri });
    const open = await held();
    assert.equal(open.documents, 2);
    assert.equal(open.captures, 1);
    assert.ok(open.diskFiles >= 5, `the capture's other files, parsed: ${open.diskFiles}`);
    await close(a.uri);
    await client.request(CaptureSummaryRequest, { uri: b.uri });
    // One document of the folder is still open: its siblings stay, dmesg among them now (read from disk).
    assert.equal((await held()).diskFiles, open.diskFiles + 1);
    await close(b.uri);
    assert.deepEqual(await held(), { documents: 0, largeFiles: [], captures: 0, diskFiles: 0 });
    assert.equal(pathToFileURL(dmesg).toString(), a.uri);
  });
});
