// UI checks of the vIOMMU sidebar views on the sample capture, in the shape
// of ./checks.mjs: { title, async run(page, shots) }. They run after the
// editor checks, which leave dmar_translation_struct in the editor (so the
// views show the sample capture). Each gives its view the whole side bar,
// expands what it looks at (rows already expanded stay so), waits for what
// it checks in the DOM, and leaves its screenshot in the results folder
// (NN-name.png). The steps on the sidebar are in ./sidebar.mjs.
import { join } from 'node:path';
import { quickOpen } from './workbench.mjs';
import {
  VIEW_NAMES,
  expandRow,
  hoverRow,
  openViommuContainer,
  paneHeader,
  rowLabels,
  selectRow,
  showOnlyView,
  treeRow,
  waitForCursorLine,
} from './sidebar.mjs';

const CAPTURE = 'linux-6.1-qemu-7.2-legacy';
const DEVICES = ['00:00.0', '00:01.0', '00:02.0', '00:03.0', '00:04.0', '00:05.0', '00:1f.0', '00:1f.2', '00:1f.3'];

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, shots, name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Moves the mouse out of the way (closes any hover) and waits for hovers to go. */
async function mouseAway(page) {
  await page.mouse.move(700, 5);
  await page.locator('.workbench-hover:visible').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}

/**
 * Puts the cursor on the dump line that contains `text` (line `line`, 1-based)
 * by clicking its start, as a person would, and waits until the status bar
 * shows it there. Code lenses and inlay hints arriving late move the lines:
 * the click is made once they are in, and made again if it missed.
 */
async function clickEditorLine(page, text, line) {
  await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .codelens-decoration').length > 0, null, { timeout: 15000 });
  let last;
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = page.locator('.monaco-editor .view-line', { hasText: text }).first();
    await row.waitFor({ timeout: 15000 });
    await row.click({ position: { x: 3, y: 5 } });
    try {
      return await waitForCursorLine(page, line, 3000);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

export const sidebarViewChecks = [
  {
    title: 'the vIOMMU container opens from the activity bar with Context Tables, Second-Level Tables, GSI Routing, IOTLB and ATS Flow',
    async run(page, shots) {
      await openViommuContainer(page);
      for (const name of VIEW_NAMES) await paneHeader(page, name).waitFor({ timeout: 15000 });
      // The views follow the dump in the editor: the capture's name is the Context Tables view's description.
      await paneHeader(page, 'Context Tables').locator('.description', { hasText: CAPTURE }).waitFor({ timeout: 15000 });
      await shot(page, shots, '05-sidebar-container');
    },
  },
  {
    title: 'Context Tables lists dmar0 and, expanded, bus 00 with its 9 devices',
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Context Tables');
      const unit = treeRow(tree, 'dmar0', { level: 1 });
      await unit.waitFor({ timeout: 15000 });
      expect((await unit.getAttribute('aria-label')).includes('legacy · DMA on · IR on · QI on · 9 devices'), `dmar0's row: ${await unit.getAttribute('aria-label')}`);
      await expandRow(tree, 'dmar0', 1);
      const bus = await expandRow(tree, 'Bus 00', 2);
      expect((await bus.getAttribute('aria-label')).startsWith('Bus 00, 9 devices'), `bus 00's row: ${await bus.getAttribute('aria-label')}`);
      await treeRow(tree, '00:1f.3', { level: 3 }).waitFor({ timeout: 15000 });
      const rows = await rowLabels(tree, 3);
      const devices = rows.map((r) => r.split(', ')[0]).filter((l) => l !== 'Root entry');
      await shot(page, shots, '06-context-tables');
      expect(JSON.stringify(devices) === JSON.stringify(DEVICES), `the devices under bus 00 are ${devices.join(' ')}, not ${DEVICES.join(' ')}`);
      // The root entry and the 9 devices are the whole level, not just what is in sight.
      const setSize = await treeRow(tree, '00:05.0', { level: 3 }).getAttribute('aria-setsize');
      expect(setSize === '10', `bus 00 has ${setSize} children, not the root entry and 9 devices`);
      const edu = await treeRow(tree, '00:05.0', { level: 3 }).getAttribute('aria-label');
      expect(edu === '00:05.0, 2 faults · DID 7 · second-level · 3-level · SLPTPTR 0x1b1f000', `00:05.0's row: ${edu}`);
    },
  },
  {
    title: "a device node expands to its context entry's fields (DID 7 for 00:05.0) and a link to its domain",
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Context Tables');
      await expandRow(tree, '00:05.0', 3);
      const did = treeRow(tree, 'DID [87:72]', { level: 4 });
      await did.waitFor({ timeout: 15000 });
      const fields = (await rowLabels(tree, 4)).map((r) => r.split(', ')[0]);
      await shot(page, shots, '07-context-device-fields');
      expect((await did.getAttribute('aria-label')) === 'DID [87:72], 0x7', `the DID row: ${await did.getAttribute('aria-label')}`);
      expect(JSON.stringify(fields) === JSON.stringify(['P [0]', 'TT [3:2]', 'AW [66:64]', 'DID [87:72]', 'SLPTPTR [63:12]', 'FPD [1]', 'Domain 7']), `00:05.0's children: ${fields.join(', ')}`);
    },
  },
  {
    title: "hovering a device node shows its context entry's field table",
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Context Tables');
      const hover = await hoverRow(page, tree, '00:05.0', 3, 'Context entry');
      await hover.locator('table').first().waitFor({ timeout: 15000 });
      const text = await hover.innerText();
      await shot(page, shots, '08-context-tooltip');
      await mouseAway(page);
      expect(text.includes('00:05.0: Context entry (legacy)'), `the tooltip's title: ${text.slice(0, 200)}`);
      for (const cell of ['field', 'bits', 'meaning', 'SLPTPTR', '0x1b1f000', 'DID', '87:72', 'IOMMU group 5']) expect(text.includes(cell), `the tooltip shows ${cell}: ${text.slice(0, 400)}`);
    },
  },
  {
    title: "Second-Level Tables lists the domains, and 00:02.0's IOVA 0xffefd000 as a leaf to host 0x268e000 with its alias",
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Second-Level Tables');
      const domains = treeRow(tree, 'DID 4', { level: 1 });
      await domains.waitFor({ timeout: 15000 });
      expect((await domains.getAttribute('aria-label')).startsWith('DID 4, 00:02.0 · 3-level · 258 leaves'), `DID 4's row: ${await domains.getAttribute('aria-label')}`);
      const dids = (await rowLabels(tree, 1)).map((r) => r.split(', ')[0]);
      expect(JSON.stringify(dids) === JSON.stringify(['DID 2', 'DID 3', 'DID 4', 'DID 5', 'DID 6', 'DID 7', 'DID 8']), `the domains: ${dids.join(', ')}`);
      await expandRow(tree, 'DID 4', 1);
      await expandRow(tree, 'PDPE 3', 2);
      await expandRow(tree, 'PDE 511', 3);
      const leaf = await expandRow(tree, 'PTE 253', 4);
      const label = await leaf.getAttribute('aria-label');
      expect(label === 'PTE 253, 0xffefd000–0xffefdfff → 0x268e000 · 4K · RW · alias 0xffefe000', `the leaf's row: ${label}`);
      const alias = treeRow(tree, 'alias 0xffefe000', { level: 5 });
      await alias.waitFor({ timeout: 15000 });
      expect((await alias.getAttribute('aria-label')) === 'alias 0xffefe000, DID 4 · 00:02.0', `the alias row: ${await alias.getAttribute('aria-label')}`);
      await treeRow(tree, 'ADDR [51:12]', { level: 5 }).waitFor({ timeout: 15000 });
      await shot(page, shots, '09-second-level-leaf');
    },
  },
  {
    title: 'GSI Routing lists the guest IRQs: virtio-blk IRQ 25 goes through IRTE 17',
    async run(page, shots) {
      const tree = await showOnlyView(page, 'GSI Routing');
      const msi = treeRow(tree, 'MSI and MSI-X', { level: 1 });
      await msi.waitFor({ timeout: 15000 });
      expect((await msi.getAttribute('aria-label')) === 'MSI and MSI-X, 10', `the MSI group: ${await msi.getAttribute('aria-label')}`);
      for (const group of ['IOAPIC pins', 'Not linked']) await treeRow(tree, group, { level: 1 }).waitFor({ timeout: 15000 });
      const irq = await expandRow(tree, 'IRQ 25 virtio1-config', 2);
      const label = await irq.getAttribute('aria-label');
      expect(label.startsWith('IRQ 25 virtio1-config, 00:04.0 #0 · IRTE 17 · vector 0x23 → CPU 1 (logical 0x02)'), `IRQ 25's row: ${label}`);
      const irte = treeRow(tree, 'IRTE 17', { level: 3 });
      await irte.waitFor({ timeout: 15000 });
      expect((await irte.getAttribute('aria-label')).startsWith('IRTE 17, 00:04.0 · vector 0x23 → CPU 1 (logical 0x02)'), `IRTE 17's row: ${await irte.getAttribute('aria-label')}`);
      await shot(page, shots, '10-gsi-routing');
    },
  },
  {
    title: "IOTLB replays the capture's QEMU trace: 701 hits",
    async run(page, shots) {
      const tree = await showOnlyView(page, 'IOTLB');
      const counters = treeRow(tree, 'Counters', { level: 1 });
      await counters.waitFor({ timeout: 15000 });
      expect((await counters.getAttribute('aria-label')) === 'Counters, 701 hits · 1263 misses · 35.7 % hit rate', `the counters: ${await counters.getAttribute('aria-label')}`);
      await expandRow(tree, 'Counters', 1);
      const hits = treeRow(tree, 'Hits', { level: 2 });
      await hits.waitFor({ timeout: 15000 });
      expect((await hits.getAttribute('aria-label')) === 'Hits, 701', `the hits row: ${await hits.getAttribute('aria-label')}`);
      await paneHeader(page, 'IOTLB').locator('.description', { hasText: 'qemu-vtd.trace' }).waitFor({ timeout: 15000 });
      await shot(page, shots, '11-iotlb');
    },
  },
  {
    title: 'selecting a node opens its dump line in the editor',
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Second-Level Tables');
      // 00:02.0's leaf for IOVA 0xffefd000: its page-table row is line 9 of domain_translation_struct.
      for (const [label, level] of [['DID 4', 1], ['PDPE 3', 2], ['PDE 511', 3]]) await expandRow(tree, label, level);
      await selectRow(tree, 'PTE 253', 4);
      await page.locator('.tabs-container .tab.active[data-resource-name="domain_translation_struct"]').waitFor({ timeout: 15000 });
      const where = await waitForCursorLine(page, 9);
      await page.locator('.monaco-editor .view-line', { hasText: '0x00000000ffefd' }).first().waitFor({ timeout: 15000 });
      await shot(page, shots, '12-select-opens-dump-line');
      expect(/^Ln 9, Col \d+/.test(where), `the status bar shows ${where}`);
      // The focus stays in the tree, on the selected node.
      const focusedRow = await page.evaluate(() => document.activeElement?.closest('.monaco-list')?.getAttribute('aria-label'));
      expect(focusedRow === 'Second-Level Tables', `the focus is in ${focusedRow}, not the Second-Level Tables tree`);
    },
  },
  {
    title: "moving the cursor in dmar_translation_struct to 00:05.0's line selects its node in Context Tables",
    async run(page, shots) {
      const tree = await showOnlyView(page, 'Context Tables');
      await quickOpen(page, `${CAPTURE}/dmar_translation_struct`);
      // First another device's line, then 00:05.0's: the selection follows the cursor each time.
      await clickEditorLine(page, '00:02.0', 5);
      await treeRow(tree, '00:02.0', { level: 3, selected: true }).waitFor({ timeout: 15000 });
      await clickEditorLine(page, '00:05.0', 8);
      const selected = treeRow(tree, '00:05.0', { level: 3, selected: true });
      await selected.waitFor({ timeout: 15000 });
      await mouseAway(page);
      await shot(page, shots, '13-cursor-selects-node');
      const others = await tree.locator('[role="treeitem"][aria-selected="true"]').count();
      expect(others === 1, `${others} rows are selected in Context Tables, not just 00:05.0`);
    },
  },
];
