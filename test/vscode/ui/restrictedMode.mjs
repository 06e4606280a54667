// Workspace trust, as a person sees it: the lane's second code-server runs
// without --disable-workspace-trust on a fresh copy of samples/, VS Code asks
// whether to trust the folder's authors, and the person says no. The
// extension declares `untrustedWorkspaces: "limited"` (package.json): its
// read-only features work in Restricted Mode, and "Capture from This
// Machine…" (enablement isWorkspaceTrusted; it runs commands as root) cannot
// be run. Run in this order, on a workbench just opened (run.mjs).
import { join } from 'node:path';
import { CAPTURE, CAPTURE_COMMAND, CAPTURE_QEMU_COMMAND, OPEN_CAPTURE_FOLDER_COMMAND, expect, expectContextEntryHover } from './checks.mjs';
import { commandPaletteOptions, quickOpen, statusBarLanguage } from './workbench.mjs';

/**
 * The user settings of the phase. VS Code 1.139 defaults
 * security.workspace.trust.startupPrompt to "never" (an untrusted folder
 * opens in Restricted Mode without a question); "once" is what VS Code did
 * for years, and makes it ask.
 */
export const RESTRICTED_MODE_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'once',
};

/** VS Code's own texts (vs/workbench/contrib/workspace/browser/workspace.contribution), as the DOM shows them. */
const TRUST_QUESTION = 'Do you trust the authors of the files in this folder?';
const DONT_TRUST = "No, I don't trust the authors";
const INDICATOR_TEXT = 'Restricted Mode';
const INDICATOR_LABEL = 'Restricted Mode: Some features are disabled because this folder is not trusted.';
const BANNER_TEXT = 'Restricted Mode is intended for safe code browsing. Trust this folder to enable all features.';

const TIMEOUT = 15000;

export const restrictedModeChecks = [
  {
    title: `asked "${TRUST_QUESTION}", "${DONT_TRUST}" leaves the workbench in Restricted Mode (status bar and banner)`,
    async run(page, shots) {
      // A modal dialog; VS Code shows it once the folder's trust state is known, a few seconds after the workbench.
      const dialog = page.locator('.monaco-dialog-box[role="dialog"]', { hasText: TRUST_QUESTION });
      await dialog.waitFor({ timeout: 60000 });
      const no = dialog.locator('a.monaco-button[role="button"]', { hasText: DONT_TRUST });
      await no.waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, '19-restricted-trust-question.png') });
      await no.click();
      await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
      const indicator = page.locator('[id="status.workspaceTrust"]');
      await indicator.waitFor({ timeout: TIMEOUT });
      const banner = page.locator('.part.banner', { hasText: BANNER_TEXT });
      await banner.waitFor({ timeout: TIMEOUT });
      await page.screenshot({ path: join(shots, '20-restricted-mode.png') });
      const text = (await indicator.innerText()).trim();
      const label = await indicator.getAttribute('aria-label');
      expect(text === INDICATOR_TEXT, `the status bar's trust indicator says "${text}", not "${INDICATOR_TEXT}"`);
      expect(label === INDICATOR_LABEL, `the status bar's trust indicator is labelled "${label}", not "${INDICATOR_LABEL}"`);
    },
  },
  {
    title: 'in Restricted Mode the kernel log opens as Kernel Log (IOMMU) and the Problems count shows its two DMAR faults (0 errors, 0 warnings, 2 infos)',
    async run(page, shots) {
      await quickOpen(page, `${CAPTURE}/dmesg`);
      const language = await statusBarLanguage(page);
      expect(language === 'Kernel Log (IOMMU)', `status bar language is "${language}", not "Kernel Log (IOMMU)"`);
      // The fault diagnostics are infos (the suite's diagnostics test checks each); the status bar counts errors, warnings and, when there are any, infos.
      const problems = page.locator('[id="status.problems"]');
      await problems.waitFor({ timeout: TIMEOUT });
      const counted = await page
        .locator('[id="status.problems"][aria-label="Infos: 2"]')
        .waitFor({ timeout: 30000 })
        .then(() => true, () => false);
      await page.screenshot({ path: join(shots, '21-restricted-dmesg.png') });
      const label = await problems.getAttribute('aria-label');
      const text = (await problems.innerText()).replace(/\s+/g, ' ').trim();
      expect(counted, `the Problems count is labelled "${label}" ("${text}"), not "Infos: 2"`);
      expect(text === '0 0 2', `the Problems count shows "${text}", not "0 0 2" (errors, warnings, infos)`);
    },
  },
  {
    title: "in Restricted Mode hovering dmar_translation_struct's 00:05.0 context entry shows its field table",
    async run(page, shots) {
      await quickOpen(page, `${CAPTURE}/dmar_translation_struct`);
      await page.locator('.monaco-editor .view-line', { hasText: '00:05.0' }).first().waitFor({ timeout: TIMEOUT });
      await expectContextEntryHover(page, join(shots, '22-restricted-hover.png'));
    },
  },
  {
    title: `in Restricted Mode the palette's search "vIOMMU: Capture" leaves out "${CAPTURE_COMMAND}" and "${CAPTURE_QEMU_COMMAND}" and offers "${OPEN_CAPTURE_FOLDER_COMMAND}"`,
    async run(page, shots) {
      // VS Code 1.139's palette lists only the commands whose enablement holds (it filters its menu actions on `enabled`):
      // one whose enablement is false is absent, not shown disabled. The main phase checks the same search offers it when trusted.
      const options = await commandPaletteOptions(page, 'vIOMMU: Capture', OPEN_CAPTURE_FOLDER_COMMAND);
      await page.screenshot({ path: join(shots, '23-restricted-palette.png') });
      await page.keyboard.press('Escape');
      const capture = options.filter((o) => o.label.startsWith(CAPTURE_COMMAND));
      expect(capture.length === 0, `the palette shows "${CAPTURE_COMMAND}" in Restricted Mode: ${JSON.stringify(capture)}`);
      const qemu = options.filter((o) => o.label.startsWith(CAPTURE_QEMU_COMMAND));
      expect(qemu.length === 0, `the palette shows "${CAPTURE_QEMU_COMMAND}" in Restricted Mode: ${JSON.stringify(qemu)}`);
    },
  },
];
