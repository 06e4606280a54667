// A crash of the language server, for real: its process is killed (the pid
// from viommu/serverStats), and the client must bring a new one up by itself
// (RestartingErrorHandler in src/extension/languageClient.ts) with every
// feature answering again. The warning it shows is checked in the workbench by
// the lane (test/vscode/ui/serverRestart.mjs), which watches for it while this
// suite runs.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { ServerStats } from '../../../src/protocol';
import type { ViommuApi } from '../../../src/extension/extension';
import { captureFile, closeAllEditors, eventually, eventuallyAsync, markdownText, openInEditor, viommuApi } from './helpers';

function serverStats(api: ViommuApi): Promise<ServerStats> {
  return api.client.sendRequest('viommu/serverStats', {}) as Promise<ServerStats>;
}

function faultCount(uri: vscode.Uri): number {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'fault').length;
}

describe('a crash of the language server', () => {
  after(closeAllEditors);

  it('is recovered: the client starts a new server, and diagnostics, hovers and translate answer again', async () => {
    const api = await viommuApi();
    const dmesg = captureFile('dmesg');
    await openInEditor(dmesg);
    await eventually("dmesg's two fault diagnostics", () => (faultCount(dmesg) === 2 ? true : undefined));
    const before = await serverStats(api);
    assert.ok(Number.isInteger(before.pid) && before.pid !== process.pid, `serverStats gives the server's own pid (${before.pid})`);

    // The fault count of dmesg each time its diagnostics change: the dead server's go, the new server's come.
    const counts: number[] = [];
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === dmesg.toString())) counts.push(faultCount(dmesg));
    });
    const states: string[] = [];
    const stateListener = api.client.onDidChangeState((e) => states.push(State[e.newState]));
    try {
      process.kill(before.pid, 'SIGKILL');
      const after = await eventuallyAsync('a new server process answering', async () => {
        const s = await serverStats(api);
        return s.pid !== before.pid ? s : undefined;
      });
      assert.notEqual(after.pid, before.pid);
      assert.equal(api.client.isRunning(), true);
      assert.deepEqual(states.slice(-2), ['Starting', 'Running'], `the client went back through Starting to Running: ${states.join(' → ')}`);

      await eventually('the new server to publish the two faults of dmesg again', () => {
        const cleared = counts.indexOf(0);
        return cleared >= 0 && counts.slice(cleared + 1).includes(2) ? true : undefined;
      });

      const dmar = await openInEditor(captureFile('dmar_translation_struct'));
      const line = dmar.lineAt(7).text;
      const position = new vscode.Position(7, line.indexOf('0x0000000000000701') + 5);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', dmar.uri, position);
      assert.match(hovers.map((h) => markdownText(h.contents)).join('\n'), /\| DID \| 87:72 \| `0x7` \| /);

      const walk = await api.translate({ uri: captureFile('domain_translation_struct').toString(), bdf: '00:02.0', iova: '0xffefd000' });
      assert.equal(walk.hpa, '0x268e000');
    } finally {
      listener.dispose();
      stateListener.dispose();
    }
  });

  it('restarts on vIOMMU: Restart Language Server, and answers again; the server logs what it did', async () => {
    const api = await viommuApi();
    const before = await serverStats(api);
    assert.equal(await vscode.commands.executeCommand('viommu.restartServer'), true);
    const after = await eventuallyAsync('a new server process', async () => {
      const s = await serverStats(api).catch(() => undefined);
      return s && s.pid !== before.pid ? s : undefined;
    });
    assert.notEqual(after.pid, before.pid);
    const r = await api.translate({ uri: captureFile('domain_translation_struct').toString(), bdf: '00:02.0', iova: '0xffefd000' });
    assert.equal(r.hpa, '0x268e000');
    await vscode.commands.executeCommand('viommu.showServerLog');
  });
});
