// The simulator in the real extension host: a built-in started through the
// command with arguments, stepped, its Simulator and IOTLB trees read through
// the API activate() returns (the DTOs the views' providers hand VS Code),
// stepped back to the same digest, run to a breakpoint, reset, and the views
// handed back to the capture. Then a scenario file: its language, its
// diagnostics, completion and code lenses.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ViommuApi } from '../../../src/extension/extension';
import type { SimulationStartResult, SimulationStatus, SimulationStepResult, TreeNodeDto } from '../../../src/protocol';
import { CAPTURE, closeAllEditors, eventually, openInEditor, viommuApi, workspaceRoot } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`viommu.simulation.${command}`, ...args);

function find(nodes: readonly TreeNodeDto[], label: string): TreeNodeDto {
  const n = nodes.find((x) => x.label === label);
  assert.ok(n, `no node "${label}" among ${nodes.map((x) => x.label).join(', ')}`);
  return n;
}

describe('the simulator in the sidebar', () => {
  let api: ViommuApi;
  let capture: string;

  before(async () => {
    api = await viommuApi();
    capture = vscode.Uri.joinPath(workspaceRoot(), CAPTURE).toString();
    assert.equal(await api.views.openCapture(capture), true);
  });

  after(async () => {
    // As the suite found it, for the UI checks that follow: no session, the capture in the views.
    await run('stop');
    if (api.views.source()?.kind !== 'capture') await api.views.openCapture(capture);
    await closeAllEditors();
  });

  it('steps dynamic-strict with every view on the simulation, explains each event, and steps back to the same digest', async () => {
    const start = await run<SimulationStartResult>('new', { builtin: 'dynamic-strict' });
    assert.equal(start.status?.scenario, 'dynamic-strict');
    assert.deepEqual(api.views.source(), { kind: 'simulation', uri: start.status!.session });
    assert.equal((await api.views.children('simulator'))[1].label, 'Not started');

    const unmap = await run<SimulationStepResult>('runToBreakpoint', { kind: 'guest-unmap' });
    assert.equal(unmap.hit, true);
    const step = await run<SimulationStepResult>('step', { count: 4 });
    assert.equal(step.events.at(-1)?.kind, 'iotlb-invalidate');
    assert.equal(api.simulation.status()?.position, step.status?.position);
    assert.match(api.simulation.describe().description ?? '', new RegExp(`^dynamic-strict · event ${step.status!.position} of \\d+$`));

    const simulator = await api.views.children('simulator');
    const now = simulator[1];
    assert.equal(now.label, 'IOTLB invalidation (domain 2 pages 0xffffc000 AM 0): 1 entries removed');
    assert.equal(now.changed, true);
    const chain = await api.views.children('simulator', now.id);
    assert.match(chain[0].label, /guest unmaps IOVA 0xffffc000/);
    assert.ok(chain.some((n) => /exit to QEMU: IQT <- 0x1a0/.test(n.label)));

    const iotlb = await api.views.children('iotlb');
    const domain = find(iotlb, 'Domain 0x2');
    assert.equal(domain.changed, true, 'the view marks what the step changed');
    assert.equal(domain.description, '19 entries · 00:03.0');
    const contextTables = await api.views.children('contextTables');
    assert.equal(contextTables[0].description, 'legacy · DMA on · IR on · QI on · 1 device', 'the tables are the simulated guest\'s');

    const { position, digest } = step.status!;
    await run('step', { count: 40 });
    const back = await run<SimulationStepResult>('stepBack', { count: 40 });
    assert.equal(back.status?.position, position);
    assert.equal(back.status?.digest, digest);
    const again = find(await api.views.children('iotlb'), 'Domain 0x2');
    assert.equal(again.description, '19 entries · 00:03.0');

    const reset = await run<SimulationStepResult>('reset');
    assert.equal(reset.status?.position, 0);
    assert.equal((await api.views.children('simulator'))[1].label, 'Not started');
  });

  it('runs fault-unmapped-iova to its first fault from a breakpoint added by command, then hands the views back to the capture', async () => {
    await run('new', { builtin: 'fault-unmapped-iova' });
    const status = await run<SimulationStatus>('addBreakpoint', { fault: true });
    assert.deepEqual(status.breakpoints.map((b) => b.text), ['any fault']);
    const hit = await run<SimulationStepResult>('runToBreakpoint');
    assert.equal(hit.hitBreakpoint, 'any fault');
    assert.match(hit.events.at(-1)!.text, /DMA read of IOVA 0x2345000 faults: 0x06 PTE Read access is not set/);
    assert.match(api.simulation.describe().message ?? '', /Stopped at breakpoint: any fault/);
    assert.equal(await run<boolean>('showCapture'), true);
    assert.deepEqual(api.views.source(), { kind: 'capture', uri: capture });
    assert.equal((await api.views.children('contextTables'))[0].description, 'legacy · DMA on · IR on · QI on · 9 devices');
    assert.equal(await run<boolean>('stop'), true);
    assert.equal(api.simulation.status(), undefined);
    assert.deepEqual(await api.views.children('simulator'), [], 'the Simulator view is back to its welcome');
  });

  it('opens a scenario file in its language, with its errors, completion and code lenses', async () => {
    const doc = await openInEditor(vscode.Uri.joinPath(workspaceRoot(), 'scenarios', 'dynamic-strict.viommu.yaml'));
    assert.equal(doc.languageId, 'viommu-scenario');
    let found: vscode.CodeLens[] = [];
    for (let tries = 0; tries < 50 && found.length === 0; tries++) {
      found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(found.map((l) => l.command?.command).sort(), ['viommu.simulation.runScenario', 'viommu.simulation.stepInSidebar']);
    const typing = await vscode.workspace.openTextDocument({ language: 'viommu-scenario', content: 'name: typing\nplatform:\n  caching-mode: maybe\n  \n' });
    await vscode.window.showTextDocument(typing);
    const diagnostics = await eventually('a diagnostic for caching-mode', () => {
      const d = vscode.languages.getDiagnostics(typing.uri);
      return d.length ? d : undefined;
    });
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.message]), [[2, 16, 'platform.caching-mode: expected on or off']]);
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', typing.uri, new vscode.Position(3, 2));
    assert.ok(keys.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'intremap'));
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', typing.uri, new vscode.Position(2, 16));
    const labels = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('on') && labels.includes('off'), labels.join(' '));
  });
});
