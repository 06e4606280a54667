import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { AtsFlowResult } from '../../../src/protocol';
import { closeAllEditors, eventually, eventuallyAsync, viommuApi } from './helpers';

describe('the ATS sample a newcomer is offered', () => {
  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('viommu.openCaptureFolder', vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'linux-6.1-qemu-7.2-legacy'));
  });

  it('opens from the empty ATS Flow view, and fills ATS Flow with the virtio device\'s device TLB', async () => {
    const api = await viommuApi();
    assert.equal(await vscode.commands.executeCommand('viommu.openAtsSample'), true);
    const trace = await eventually('the sample trace in front', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.path.endsWith('linux-6.1-qemu-7.2-scalable-ats/qemu-vtd.trace'))?.document);
    const flow = await eventuallyAsync('its ATS flow', async () => {
      const f = (await api.client.sendRequest('viommu/atsFlow', { source: { kind: 'trace', uri: trace.uri.toString() } })) as AtsFlowResult | null;
      return f && f.devices.some((d) => d.deviceTlbEnabled && d.events.length > 0) ? f : undefined;
    });
    const dev = flow.devices.find((d) => d.deviceTlbEnabled)!;
    assert.equal(dev.bdf, '01:00.0');
    assert.ok(dev.events.some((e) => e.kind === 'devtlb-invalidation'), 'device-TLB invalidations, as the guest sent them');
  });
});
