// The report src/extension/testHook.ts writes from inside the extension host
// (the integration suite's, or the bench's activation probe's): waited for
// while code-server runs, read once it is complete.
import { existsSync, readFileSync } from 'node:fs';

/** Resolves with the report in `file`; rejects if code-server exits or timeoutMs passes first (`hint` says where to look). */
export async function waitForHostReport(file, server, timeoutMs, hint = '') {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error('code-server exited before the extension host wrote its report');
    if (Date.now() > deadline) throw new Error(`no report from the extension host after ${timeoutMs / 1000} s: did the extension activate, or did its host die?${hint ? ` ${hint}` : ''}`);
    await new Promise((r) => setTimeout(r, 250)); // polling for a file another process writes
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}
