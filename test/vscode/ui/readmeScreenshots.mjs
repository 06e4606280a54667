// The README's screenshots (media/screenshots/*.png), taken in the same real
// VS Code as the lane: code-server with the packaged .vsix on a copy of
// samples/, driven by Playwright in Chromium, at 1400×900 in the default
// light theme, each cropped to what it shows.
//
//   node test/vscode/ui/readmeScreenshots.mjs [OUTDIR [FILE.png ...]]   (FILEs: only those)
//
// (Run `npm run test:vscode` once first: it installs Node 24 and code-server.)
// takeScreenshots(page, outDir) also works on a workbench opened elsewhere.
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageExtension } from '../../../scripts/package.mjs';
import { launchChromium, openWorkbench } from '../lane/browser.mjs';
import { installExtension, startCodeServer } from '../lane/codeServer.mjs';
import { ensureCodeServer } from '../lane/installCache.mjs';
import { repoRoot, samplesDir } from '../lane/paths.mjs';
import { writeUserSettings } from '../lane/userSettings.mjs';
import { collapseRow, expandRow, hoverRow, openViommuContainer, paneHeader, selectRow, setSidebarWidth, showOnlyView, treeRow } from './sidebar.mjs';
import { hoverAt, pointInLine, quickOpen, runCommand } from './workbench.mjs';
import { selectWalkPte, translateFromPalette } from './walkView.mjs';

const CAPTURE = 'linux-6.1-qemu-7.2-legacy';
export const VIEWPORT = { width: 1400, height: 900 };
/** The window's title bar (back, forward, the command center): left out of every picture. */
const TITLE_BAR = 35;
/** Settings for pictures: no minimap (it only takes width), the default light theme. */
export const SCREENSHOT_SETTINGS = { 'editor.hover.delay': 200, 'editor.minimap.enabled': false, 'workbench.colorTheme': 'Default Light Modern' };

/** The side bar and the activity bar, from below the title bar down to `bottom`. */
async function sidebarClip(page, bottom) {
  const bar = await page.locator('.part.sidebar').boundingBox();
  return { x: 0, y: TITLE_BAR, width: Math.ceil(bar.x + bar.width + 4), height: Math.ceil(bottom) - TITLE_BAR };
}

async function mouseAway(page) {
  await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 60);
  await page.locator('.workbench-hover:visible, .monaco-hover:not(.hidden):visible').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}

/** Closes every editor; an unsaved document (a walk opened as Markdown) is dropped, not saved. */
async function closeEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Don.t Save$/ });
  await dontSave.click({ timeout: 1500 }).catch(() => {});
  await page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15000 });
}

/** Each screenshot: the state it needs, then the part of the window that shows it. */
const SHOTS = [
  {
    file: 'context-tables.png',
    what: "Context Tables: 00:02.0 expanded to its context entry's fields and its domain, the tooltip of 00:05.0 open",
    async take(page) {
      await closeEditors(page); // an empty editor area beside the hover
      await setSidebarWidth(page, 470);
      const tree = await showOnlyView(page, 'Context Tables');
      await expandRow(tree, 'dmar0', 1);
      await expandRow(tree, 'Bus 00', 2);
      await expandRow(tree, '00:02.0', 3);
      await treeRow(tree, 'Domain 4', { level: 4 }).waitFor({ timeout: 15000 });
      await collapseRow(tree, '00:05.0', 3);
      // The tooltip opens below the row: hover a device below the expanded one.
      const hover = await hoverRow(page, tree, '00:05.0', 3, 'Context entry');
      await hover.locator('table').first().waitFor({ timeout: 15000 });
      const box = await hover.boundingBox();
      return { x: 0, y: TITLE_BAR, width: Math.ceil(box.x + box.width + 24), height: Math.ceil(box.y + box.height + 24) - TITLE_BAR };
    },
  },
  {
    file: 'second-level-tables.png',
    what: "Second-Level Tables: 00:02.0's IOVA 0xffefd000 → 0x268e000 and its alias 0xffefe000, followed",
    async take(page) {
      await mouseAway(page);
      await setSidebarWidth(page, 560);
      const tree = await showOnlyView(page, 'Second-Level Tables');
      await expandRow(tree, 'DID 4', 1);
      await expandRow(tree, 'PDPE 3', 2);
      await expandRow(tree, 'PDE 511', 3);
      await expandRow(tree, 'PTE 253', 4);
      // The alias row links to the other IOVA of the same host page: selecting it reveals that leaf.
      await selectRow(tree, 'alias 0xffefe000', 5);
      await treeRow(tree, 'PTE 254', { level: 4, selected: true, expanded: true }).waitFor({ timeout: 15000 });
      const alias = treeRow(tree, 'alias 0xffefd000', { level: 5 });
      await alias.waitFor({ timeout: 15000 });
      await mouseAway(page);
      return sidebarClip(page, (await alias.boundingBox()).y + 4 * 22);
    },
  },
  {
    file: 'gsi-routing.png',
    what: 'GSI Routing: IRQ 25 (virtio-blk) through IRTE 17, its line in ir_translation_struct',
    async take(page) {
      await setSidebarWidth(page, 560);
      const tree = await showOnlyView(page, 'GSI Routing');
      await expandRow(tree, 'IRQ 25 virtio1-config', 2);
      await selectRow(tree, 'IRTE 17', 3);
      await page.locator('.tabs-container .tab.active[data-resource-name="ir_translation_struct"]').waitFor({ timeout: 15000 });
      await page.locator('.monaco-editor .view-line', { hasText: 'IRTE P vector' }).first().waitFor({ timeout: 15000 }); // its inlay hints
      await mouseAway(page);
      return { x: 0, y: TITLE_BAR, width: VIEWPORT.width, height: 560 - TITLE_BAR };
    },
  },
  {
    file: 'iotlb.png',
    what: "IOTLB: the trace's counters and what the last reset dropped",
    async take(page) {
      await quickOpen(page, `${CAPTURE}/qemu-vtd.trace`);
      await setSidebarWidth(page, 560);
      const tree = await showOnlyView(page, 'IOTLB');
      await expandRow(tree, 'Counters', 1);
      const reset = treeRow(tree, 'Before the reset at line 23851', { level: 1 });
      await reset.waitFor({ timeout: 15000 });
      await expandRow(tree, 'Before the reset at line 23851', 1);
      await expandRow(tree, 'Domain 0x6', 2);
      const last = treeRow(tree, 'IOVA 0xfffff000', { level: 3 });
      await last.waitFor({ timeout: 15000 });
      await mouseAway(page);
      return sidebarClip(page, (await last.boundingBox()).y + 22 + 8);
    },
  },
  {
    file: 'editor-hover.png',
    what: "dmar_translation_struct with its inlay hints and code lenses, the hover on 00:02.0's context entry",
    async take(page) {
      await closeEditors(page);
      await page.keyboard.press('Control+B'); // the side bar closed: the dump gets the width
      await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 15000 });
      await quickOpen(page, `${CAPTURE}/dmar_translation_struct`);
      // Hover once the inlay hints and the code lenses (one per device) are in: they move the text.
      await page.locator('.monaco-editor .view-line', { hasText: 'DID=4' }).first().waitFor({ timeout: 15000 });
      await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .codelens-decoration').length >= 9, null, { timeout: 15000 });
      let hover;
      for (let attempt = 0; attempt < 3 && !hover; attempt++) {
        await mouseAway(page);
        const at = await hoverAt(page, await pointInLine(page, '00:02.0', '0x0000000000000401', 5)).catch(() => undefined);
        if (at && (await at.innerText()).includes('context entry 00:02.0')) hover = at;
      }
      if (!hover) throw new Error("no hover on 00:02.0's context entry");
      await hover.locator('table').first().waitFor({ timeout: 15000 });
      const box = await hover.boundingBox();
      return { x: 0, y: TITLE_BAR, width: VIEWPORT.width, height: Math.max(440, Math.ceil(box.y + box.height + 10)) - TITLE_BAR };
    },
  },
  {
    file: 'translate-walk.png',
    what: "vIOMMU: Translate IOVA… on 00:02.0's IOVA 0xffefd000: the IOVA Walk view, its PTE step selected, its line in the dump and its node in Second-Level Tables",
    async take(page) {
      await mouseAway(page);
      await closeEditors(page);
      await quickOpen(page, `${CAPTURE}/dmar_translation_struct`); // the capture Translate IOVA… walks
      await setSidebarWidth(page, 520);
      await translateFromPalette(page);
      const { walk, tables } = await selectWalkPte(page);
      await treeRow(tables, 'PTE 253', { level: 4, selected: true }).waitFor({ timeout: 15000 });
      await page.locator('.tabs-container .tab.active[data-resource-name="domain_translation_struct"]').waitFor({ timeout: 15000 });
      // The inlay hints arrive after the editor scrolled to the PTE's column and push it out of sight: select the step again once they are in.
      await page.locator('.monaco-editor .view-line', { hasText: 'R W → table' }).first().waitFor({ timeout: 15000 });
      await selectRow(walk, '5. PTE', 2);
      await expandRow(walk, '5. PTE', 2);
      await mouseAway(page);
      return { x: 0, y: TITLE_BAR, width: VIEWPORT.width, height: 640 - TITLE_BAR };
    },
  },
];

/** Takes every screenshot on an open workbench (the sample workspace); returns [file, bytes, what]. */
export async function takeScreenshots(page, outDir, only) {
  mkdirSync(outDir, { recursive: true });
  await page.setViewportSize(VIEWPORT);
  await quickOpen(page, `${CAPTURE}/dmar_translation_struct`); // activates the extension; the views follow the dump
  await openViommuContainer(page);
  await paneHeader(page, 'Context Tables').locator('.description', { hasText: CAPTURE }).waitFor({ timeout: 30000 });
  const taken = [];
  for (const shot of SHOTS) {
    if (only && !only.includes(shot.file)) continue;
    const clip = await shot.take(page).catch(async (err) => {
      const failed = join(tmpdir(), `viommu-screenshot-failed-${shot.file}`);
      await page.screenshot({ path: failed }).catch(() => {});
      throw new Error(`${shot.file}: ${err.message}\n(the window then: ${failed})`);
    });
    const path = join(outDir, shot.file);
    await page.screenshot({ path, clip });
    taken.push([path, statSync(path).size, shot.what]);
  }
  return taken;
}

async function main() {
  const outDir = process.argv[2] ?? join(repoRoot, 'media', 'screenshots');
  const codeServer = ensureCodeServer();
  const scratch = mkdtempSync(join(tmpdir(), 'viommu-screenshots-'));
  const dirs = { userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions') };
  const workspace = join(scratch, 'workspace');
  let server;
  let browser;
  try {
    const vsix = packageExtension();
    writeUserSettings(dirs.userDataDir, SCREENSHOT_SETTINGS);
    installExtension(codeServer, vsix, dirs);
    cpSync(samplesDir, workspace, { recursive: true });
    server = await startCodeServer(codeServer, { ...dirs, folder: workspace, logFile: join(scratch, 'code-server.log') });
    browser = await launchChromium();
    const page = await openWorkbench(browser, server.url, workspace, VIEWPORT);
    const only = process.argv.length > 3 ? process.argv.slice(3) : undefined;
    for (const [path, bytes, what] of await takeScreenshots(page, outDir, only)) console.log(`${relative(process.cwd(), path)}  ${(bytes / 1024).toFixed(0)} KiB  ${what}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main().catch((err) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  });
}
