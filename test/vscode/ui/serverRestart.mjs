// The warning a person sees when the language server crashes: the suite
// kills the server (test/vscode/suite/serverRestart.test.ts), and this
// watches the workbench for the toast the client's error handler shows, from
// before the suite starts, since a toast hides again after a while.
import { join } from 'node:path';
import { runCommand } from './workbench.mjs';

/** RestartingErrorHandler's message for a first crash (src/extension/languageClient.ts). */
export const RESTART_WARNING = 'The vIOMMU language server stopped unexpectedly; restarting it (1 of 4).';

/** A UI check that runs while the suite does: { title, watch(page, shots) → Promise that settles once it has seen what it checks }. */
export const serverRestartToast = {
  title: 'a crash of the language server shows a warning toast that says it is being restarted',
  async watch(page, shots, timeoutMs) {
    // Once its slide-in is over (VS Code marks the toast then), so the screenshot shows it whole.
    const toast = page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: RESTART_WARNING });
    await toast.first().waitFor({ state: 'visible', timeout: timeoutMs });
    await page.screenshot({ path: join(shots, '14-server-restart-toast.png') });
    const severity = await toast.first().locator('.notification-list-item-icon').getAttribute('class');
    if (!/codicon-warning/.test(severity ?? '')) throw new Error(`the toast is a warning: its icon is "${severity}"`);
  },
};

/** Clears every notification (the toast above would cover the views the next checks look at). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: 15000 });
}
