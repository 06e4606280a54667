// What a person sees in the workbench, checked with Playwright. Each check
// throws when it fails and leaves a screenshot in the results folder.
import { join } from 'node:path';
import { commandPaletteOptions, hoverAt, pointInLine, quickOpen, statusBarLanguage } from './workbench.mjs';
import { sidebarViewChecks } from './sidebarViews.mjs';
import { hostileCaptureChecks } from './hostileCapture.mjs';
import { pictureChecks } from './pictures.mjs';
import { serverRestartToast } from './serverRestart.mjs';
import { walkViewChecks } from './walkView.mjs';

export const CAPTURE = 'linux-6.1-qemu-7.2-legacy';

/** The command that runs commands as root (needs a trusted workspace), and one of the read-only commands a search for "vIOMMU: Capture" also finds. */
export const CAPTURE_COMMAND = 'vIOMMU: Capture from This Machine…';
export const CAPTURE_QEMU_COMMAND = 'vIOMMU: Capture a QEMU Guest…';
export const OPEN_CAPTURE_FOLDER_COMMAND = 'vIOMMU: Open Capture Folder…';

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * With dmar_translation_struct in the editor: hovers 00:05.0's context entry
 * and checks the hover is its field table; screenshot into `shot`.
 */
export async function expectContextEntryHover(page, shot) {
  let text = '';
  // The code lenses (one per requester row) arrive after the text and push
  // the lines down: wait for them before measuring where 00:05.0 is.
  await page
    .waitForFunction(() => document.querySelectorAll('.monaco-editor .codelens-decoration').length >= 9, undefined, { timeout: 15000 })
    .catch(() => undefined);
  // Up to three tries if the editor's layout moved between finding the entry and hovering it.
  for (let attempt = 0; attempt < 3 && !text.includes('00:05.0'); attempt++) {
    await page.mouse.move(5, 5);
    const hover = await hoverAt(page, await pointInLine(page, '00:05.0', '0x0000000000000701', 5));
    const shown = await page.locator('.monaco-hover table').first().waitFor({ timeout: 15000 }).then(() => true, () => false);
    if (shown) text = await hover.innerText();
  }
  await page.screenshot({ path: shot });
  expect(/context entry/i.test(text) && text.includes('00:05.0'), `the hover is 00:05.0's context entry: ${text.slice(0, 300)}`);
  // The 128-bit entry as the dump prints it (hi:lo), and a field table that fits a 1000 px window without scrolling sideways.
  expect(text.includes('0x0000000000000701:0x0000000001b1f001'), `the hover shows the entry as hi:lo: ${text.slice(0, 200)}`);
  const fit = await page.locator('.monaco-hover').first().evaluate((el) => {
    const table = el.querySelector('table');
    return { width: el.getBoundingClientRect().width, tableWidth: table ? table.getBoundingClientRect().width : 0, scrolls: el.scrollWidth > el.clientWidth + 1 };
  });
  expect(fit.width <= 1000 && fit.tableWidth <= 1000 && !fit.scrolls, `the hover fits 1000 px: ${JSON.stringify(fit)}`);
  for (const field of ['DID', 'SLPTPTR', 'AW', '0x1b1f000']) expect(text.includes(field), `the hover's table shows ${field}: ${text.slice(0, 300)}`);
  await page.mouse.move(5, 5);
}

/** Before the integration suite: the workbench is up, and opening a capture file activates the extension. */
export const beforeSuiteChecks = [
  {
    title: 'the workbench loads with the sample workspace in the explorer',
    async run(page, shots) {
      const folderRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: CAPTURE });
      await folderRow.waitFor({ timeout: 30000 });
      await page.screenshot({ path: join(shots, '01-workbench.png') });
    },
  },
  {
    title: 'opening the kernel log from Quick Open shows it as a vIOMMU language',
    async run(page, shots) {
      await quickOpen(page, `${CAPTURE}/dmesg`);
      const language = await statusBarLanguage(page);
      await page.screenshot({ path: join(shots, '02-dmesg.png') });
      expect(language === 'Kernel Log (IOMMU)', `status bar language is "${language}", not "Kernel Log (IOMMU)"`);
    },
  },
];

/** While the suite runs: checks that watch the workbench for what the suite makes happen ({ title, watch(page, shots, timeoutMs) }). */
export const duringSuiteChecks = [serverRestartToast];

/** After the suite (which closes its editors). The hostile capture's come last: they open a capture of their own. */
export const afterSuiteChecks = [
  {
    title: 'dmar_translation_struct opens as VT-d DMAR Tables in the status bar',
    async run(page, shots) {
      await quickOpen(page, `${CAPTURE}/dmar_translation_struct`);
      await page.locator('.monaco-editor .view-line', { hasText: '00:05.0' }).first().waitFor({ timeout: 15000 });
      const language = await statusBarLanguage(page);
      await page.screenshot({ path: join(shots, '03-dmar-translation-struct.png') });
      expect(language === 'VT-d DMAR Tables', `status bar language is "${language}", not "VT-d DMAR Tables"`);
    },
  },
  {
    title: "hovering the 00:05.0 context entry shows its field table",
    async run(page, shots) {
      await expectContextEntryHover(page, join(shots, '04-hover-context-entry.png'));
    },
  },
  ...sidebarViewChecks,
  ...walkViewChecks,
  {
    // The other half of the Restricted Mode phase's palette check (test/vscode/ui/restrictedMode.mjs): the same search, trusted.
    title: `in the trusted workspace the palette offers "${CAPTURE_COMMAND}" and "${CAPTURE_QEMU_COMMAND}" for "vIOMMU: Capture"`,
    async run(page, shots) {
      const options = await commandPaletteOptions(page, 'vIOMMU: Capture', OPEN_CAPTURE_FOLDER_COMMAND);
      await page.screenshot({ path: join(shots, '18-palette-capture-trusted.png') });
      await page.keyboard.press('Escape');
      const capture = options.filter((o) => o.label.startsWith(CAPTURE_COMMAND));
      expect(capture.length === 1 && !capture[0].disabled, `the palette offers "${CAPTURE_COMMAND}", enabled: ${JSON.stringify(options)}`);
      const qemu = options.filter((o) => o.label.startsWith(CAPTURE_QEMU_COMMAND));
      expect(qemu.length === 1 && !qemu[0].disabled, `the palette offers "${CAPTURE_QEMU_COMMAND}", enabled: ${JSON.stringify(options)}`);
    },
  },
  ...pictureChecks,
  ...hostileCaptureChecks,
];
