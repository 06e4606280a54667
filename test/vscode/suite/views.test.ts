// The sidebar trees as their views show them, read through the API activate()
// returns (views.children: the DTOs each tree provider hands VS Code), on the
// sample capture: labels, child counts, the filter and the number formats.
// The IOTLB view is fed by the QEMU trace; its tree is read through the
// language client of the same API. Every option a test sets is put back, so
// the UI checks that follow see the views as a person would first see them.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ViommuApi } from '../../../src/extension/extension';
import type { TreeNodeDto, ViewKey } from '../../../src/protocol';
import { CAPTURE, captureFile, EXTENSION_ID, eventually, viommuApi, workspaceRoot } from './helpers';

const DEVICES = ['00:00.0', '00:01.0', '00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.0', '00:1f.2', '00:1f.3'];

function labels(nodes: readonly TreeNodeDto[]): string[] {
  return nodes.map((n) => n.label);
}

function find(nodes: readonly TreeNodeDto[], label: string): TreeNodeDto {
  const n = nodes.find((x) => x.label === label);
  assert.ok(n, `no node "${label}" among ${labels(nodes).join(', ')}`);
  return n;
}

describe('sidebar views through the API', () => {
  let api: ViommuApi;
  let folder: string;
  const kids = (view: ViewKey, parentId?: string) => api.views.children(view, parentId);

  before(async () => {
    api = await viommuApi();
    folder = vscode.Uri.joinPath(workspaceRoot(), CAPTURE).toString();
    assert.equal(await api.views.openCapture(folder), true, `the views open ${folder}`);
    assert.equal(api.views.source()?.uri, folder);
  });

  afterEach(async () => {
    for (const view of ['contextTables', 'secondLevelTables', 'gsiRouting'] as const) await api.views.setOptions(view, { filter: undefined, coalesce: false });
    const config = vscode.workspace.getConfiguration();
    if (config.inspect('viommu.numberFormat')?.globalValue !== undefined) await config.update('viommu.numberFormat', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Context Tables: dmar0, then CAP, ECAP and bus 00 with the root entry and the 9 devices', async () => {
    const roots = await kids('contextTables');
    assert.deepEqual(labels(roots), ['dmar0']);
    assert.equal(roots[0].description, 'legacy · DMA on · IR on · QI on · 9 devices');
    const unit = await kids('contextTables', roots[0].id);
    assert.deepEqual(labels(unit), ['CAP', 'ECAP', 'Bus 00']);
    const bus = find(unit, 'Bus 00');
    assert.equal(bus.description, '9 devices · root entry P CTP=0x1a94000');
    const devices = await kids('contextTables', bus.id);
    assert.equal(devices.length, 10);
    assert.deepEqual(labels(devices), ['Root entry', ...DEVICES]);
    assert.equal(find(devices, '00:05.0').description, '2 faults · DID 7 · second-level · 3-level · SLPTPTR 0x1b1f000');
  });

  it("Context Tables: 00:05.0 expands to its context entry's 6 fields and a link to domain 7", async () => {
    const fields = await kids('contextTables', 'u:dmar0/b:00/d:05.0');
    assert.deepEqual(labels(fields), ['P [0]', 'TT [3:2]', 'AW [66:64]', 'DID [87:72]', 'SLPTPTR [63:12]', 'FPD [1]', 'Domain 7']);
    assert.equal(find(fields, 'DID [87:72]').description, '0x7');
    assert.deepEqual(find(fields, 'Domain 7').link, { view: 'secondLevelTables', id: 'd:7' });
    const device = find(await kids('contextTables', 'u:dmar0/b:00'), '00:05.0');
    assert.match(device.tooltip ?? "", /\| field \| bits \| value \| meaning \|/);
    assert.match(device.location?.uri ?? '', /dmar_translation_struct$/);
    assert.equal(device.location?.line, 7);
  });

  it("Second-Level Tables: the 7 domains, and 00:02.0's IOVA 0xffefd000 to host 0x268e000 with its alias", async () => {
    const domains = await kids('secondLevelTables');
    assert.deepEqual(labels(domains), ['DID 2', 'DID 3', 'DID 4', 'DID 5', 'DID 6', 'DID 7', 'DID 8']);
    const did4 = find(domains, 'DID 4');
    assert.equal(did4.description, '00:02.0 · 3-level · 258 leaves · 1032K');
    const pdpe = await kids('secondLevelTables', did4.id);
    assert.deepEqual(labels(pdpe), ['PDPE 3']);
    const pde = await kids('secondLevelTables', pdpe[0].id);
    assert.deepEqual(labels(pde), ['PDE 511']);
    const ptes = await kids('secondLevelTables', pde[0].id);
    assert.equal(ptes.length, 258);
    const leaf = find(ptes, 'PTE 253');
    assert.equal(leaf.description, '0xffefd000–0xffefdfff → 0x268e000 · 4K · RW · alias 0xffefe000');
    const alias = find(await kids('secondLevelTables', leaf.id), 'alias 0xffefe000');
    assert.deepEqual(alias.link, { view: 'secondLevelTables', id: find(ptes, 'PTE 254').id });
  });

  it('GSI Routing: 10 MSI/MSI-X IRQs, 5 IOAPIC pins; virtio-blk IRQ 25 goes through IRTE 17', async () => {
    const groups = await kids('gsiRouting');
    assert.deepEqual(labels(groups), ['MSI and MSI-X', 'IOAPIC pins', 'Not linked']);
    const msi = await kids('gsiRouting', find(groups, 'MSI and MSI-X').id);
    assert.equal(msi.length, 10);
    const irq25 = find(msi, 'IRQ 25 virtio1-config');
    assert.match(irq25.description ?? '', /^00:04\.0 #0 · IRTE 17 · vector 0x23 → CPU 1 \(logical 0x02\)/);
    assert.deepEqual(labels(await kids('gsiRouting', irq25.id)), ['MSI (remappable format)', 'IRTE 17', 'KVM route (compatibility format)']);
    assert.equal((await kids('gsiRouting', find(groups, 'IOAPIC pins').id)).length, 5);
  });

  it("IOTLB: the capture's QEMU trace replayed, 701 hits", async () => {
    const params = { view: 'iotlb', source: { kind: 'trace', uri: folder } };
    const roots = (await api.client.sendRequest('viommu/treeChildren', params)) as TreeNodeDto[];
    const counters = find(roots, 'Counters');
    assert.equal(counters.description, '701 hits · 1263 misses · 35.7 % hit rate');
    const rows = (await api.client.sendRequest('viommu/treeChildren', { ...params, parentId: counters.id })) as TreeNodeDto[];
    assert.equal(find(rows, 'Hits').description, '701');
  });

  it('the filter 00:1f.2 leaves only that device in Context Tables, its domain and its IRQ', async () => {
    await api.views.setOptions('contextTables', { filter: '00:1f.2' });
    assert.match(api.views.describe('contextTables').description ?? '', /filter: 00:1f\.2/);
    const bus = find(await kids('contextTables', 'u:dmar0'), 'Bus 00');
    assert.equal(bus.description, '1 device · root entry P CTP=0x1a94000');
    assert.deepEqual(labels(await kids('contextTables', bus.id)), ['Root entry', '00:1f.2']);
    await api.views.setOptions('secondLevelTables', { filter: '00:1f.2' });
    assert.deepEqual(labels(await kids('secondLevelTables')), ['DID 8']);
    await api.views.setOptions('gsiRouting', { filter: '00:1f.2' });
    const groups = await kids('gsiRouting');
    assert.deepEqual(labels(groups), ['MSI and MSI-X']);
    assert.deepEqual(labels(await kids('gsiRouting', groups[0].id)), ['IRQ 28 ahci[0000:00:1f.2]']);
    // Cleared, every device is back.
    await api.views.setOptions('contextTables', { filter: undefined });
    assert.equal((await kids('contextTables', 'u:dmar0/b:00')).length, 10);
    assert.doesNotMatch(api.views.describe('contextTables').description ?? '', /filter/);
  });

  it('number formats: decimal shows 7 for DID 7, both shows 0x7 (7), hex 0x7', async () => {
    const config = vscode.workspace.getConfiguration();
    const did = async () => find(await kids('contextTables', 'u:dmar0/b:00/d:05.0'), 'DID [87:72]').description;
    assert.equal(await did(), '0x7');
    await config.update('viommu.numberFormat', 'decimal', vscode.ConfigurationTarget.Global);
    assert.equal(await did(), '7');
    assert.equal(find(await kids('secondLevelTables'), 'DID 4').label, 'DID 4');
    await config.update('viommu.numberFormat', 'both', vscode.ConfigurationTarget.Global);
    assert.equal(await did(), '0x7 (7)');
    await config.update('viommu.numberFormat', undefined, vscode.ConfigurationTarget.Global);
    assert.equal(await did(), '0x7');
  });

  it('Go to Address (Ctrl+G in the views) finds an IOVA in the page tables, opens its row and selects its leaf in Second-Level Tables', async () => {
    const api = await viommuApi();
    await vscode.commands.executeCommand('viommu.openCaptureFolder', vscode.Uri.joinPath(captureFile('dmesg'), '..'));
    const found = (await vscode.commands.executeCommand('viommu.goToAddress', '0xffefd000')) as { kind: string; location: { line: number } } | undefined;
    assert.equal(found?.kind, 'iova');
    await eventually('the leaf selected in Second-Level Tables', () => (/^d:4\//.test(api.views.selection('secondLevelTables')[0] ?? '') ? true : undefined));
    await eventually('its dump row in the editor', () => (vscode.window.activeTextEditor?.selection.active.line === found?.location.line ? true : undefined));
    const keys = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { keybindings: { command: string; key: string }[] } }).contributes.keybindings;
    assert.deepEqual(keys.map((k) => [k.command, k.key]), [['viommu.goToAddress', 'ctrl+g'], ['viommu.tree.copyValue', 'ctrl+c'], ['viommu.tree.copyRaw', 'ctrl+shift+c']]);
    // The UI checks after the suite find the trees as a person does: collapsed.
    await vscode.commands.executeCommand('workbench.actions.treeView.viommu.secondLevelTables.collapseAll');
  });
});
