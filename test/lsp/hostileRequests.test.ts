// Every custom request of src/protocol.ts, sent parameters of the wrong
// shape: the server answers each one (a result or an error) and stays up.

import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { HoverRequest } from 'vscode-languageserver/node';
import * as protocol from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

const methods = Object.values(protocol)
  .filter((v): v is { method: string } => typeof v === 'object' && v !== null && typeof (v as { method?: unknown }).method === 'string')
  .map((v) => v.method)
  .filter((m) => m.startsWith('viommu/'));

/** Values that are nearly right: the fields requests read, holding the wrong kind of thing. */
const nearlyRight = fc.record(
  {
    uri: fc.oneof(fc.string(), fc.constant('file:///'), fc.constant('file:///dev/null'), fc.constant('untitled:x'), fc.integer(), fc.constant(null)),
    source: fc.oneof(fc.anything(), fc.record({ kind: fc.constantFrom('capture', 'document', 'simulation', 'nope'), uri: fc.anything() })),
    view: fc.oneof(fc.string(), fc.constantFrom('contextTables', 'secondLevel', 'iotlb', 'atsFlow', 'gsiRouting')),
    nodeId: fc.oneof(fc.string(), fc.constant('../../etc/passwd'), fc.constant('x'.repeat(100000))),
    bdf: fc.oneof(fc.string(), fc.constant('00:02.0'), fc.constant('ff:1f.7')),
    iova: fc.oneof(fc.string(), fc.constant('0xffffffffffffffffffff'), fc.constant('-1'), fc.bigInt().map(String)),
    hpa: fc.oneof(fc.string(), fc.constant('0x' + 'f'.repeat(40))),
    session: fc.oneof(fc.string(), fc.integer()),
    action: fc.oneof(fc.string(), fc.constantFrom('step', 'back', 'run', 'reset')),
    count: fc.oneof(fc.integer(), fc.constant(1e308), fc.constant(-1), fc.double()),
    text: fc.string(),
    // Computed, so that it is a key of the parameters and not their prototype.
    ['__proto__']: fc.anything(),
    constructor: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('language server: custom requests with hostile parameters', function () {
  this.timeout(120000);

  it('lists the custom requests it checks', () => {
    assert.ok(methods.length >= 15, methods.join(', '));
    assert.ok(methods.includes('viommu/translate') && methods.includes('viommu/simulation/step'));
  });

  it('answers each with a result or an error and stays up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-hostile-requests-'));
    for (const f of ['dmar_translation_struct', 'domain_translation_struct', 'dmesg']) copyFileSync(join(legacyCaptureDir, f), join(dir, f));
    const client = new TestLspClient();
    try {
      await client.initialize(dir);
      const { uri } = await client.open(join(dir, 'dmesg'), 'viommu-dmesg');
      const samples = [undefined, null, 0, 'x', [], {}, [{}], { uri }, ...fc.sample(fc.anything(), { numRuns: 30, seed: 11 }), ...fc.sample(nearlyRight, { numRuns: 60, seed: 12 })];
      let answered = 0;
      let refused = 0;
      for (const method of methods) {
        for (const params of samples) {
          try {
            await Promise.race([
              client.connection.sendRequest(method, params as object),
              new Promise((_, reject) => setTimeout(() => reject(new Error(`${method} gave no answer within 10 s to ${JSON.stringify(params)?.slice(0, 200)}`)), 10000)),
            ]);
            answered++;
          } catch (err) {
            if ((err as Error).message.includes('gave no answer')) throw err;
            assert.equal(typeof (err as { code?: unknown }).code, 'number', `${method}: ${(err as Error).message}`);
            refused++;
          }
          assert.equal(client.exited, false, `the server exited after ${method} ${JSON.stringify(params)?.slice(0, 200)}; stderr: ${client.stderr.slice(-2000)}`);
        }
      }
      assert.equal(answered + refused, methods.length * samples.length);
      // Still itself: it hovers the kernel log's first DMAR fault.
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 421, character: 90 } });
      assert.match(JSON.stringify(hover?.contents ?? ''), /0x2345000/);
    } finally {
      await client.stop();
    }
  });
});
