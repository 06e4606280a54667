import { strict as assert } from 'node:assert';
import { captureCommandLine, shellQuote } from '../../src/extension/captureCommandLine';

describe('Capture from This Machine: the command it types', () => {
  it('quotes every path, including quotes and spaces in it', () => {
    assert.equal(shellQuote("it's here"), `'it'\\''s here'`);
    assert.equal(
      captureCommandLine('/opt/code/node', '/ext/dist/cli.js', "/home/me/My Captures/it's; rm -rf ~"),
      `sudo env ELECTRON_RUN_AS_NODE=1 '/opt/code/node' '/ext/dist/cli.js' capture '/home/me/My Captures/it'\\''s; rm -rf ~'`,
    );
  });
});
