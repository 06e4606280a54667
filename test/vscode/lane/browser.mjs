// Debian's Chromium, driven by playwright-core (which downloads no browser of
// its own), opening the code-server workbench on a folder.
import { chromium } from 'playwright-core';
import { chromiumPath } from './systemPackages.mjs';

/** Flags for a headless Chromium on a machine without network or GPU, running as root. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches Chromium with a fresh temporary profile; the caller closes it. */
export function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}

/** Opens the workbench on folder and waits until its explorer and status bar are there. */
export async function openWorkbench(browser, url, folder, viewport = { width: 1600, height: 1000 }) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${url}?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
  await page.locator('.explorer-folders-view').waitFor({ timeout: 60000 });
  await page.locator('[id="status.editor.mode"], .statusbar').first().waitFor({ timeout: 30000 });
  return page;
}
