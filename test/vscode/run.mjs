// `npm run test:vscode`: the extension in real VS Code. code-server (VS Code
// 1.139's workbench and Node extension host) runs the packaged .vsix on a
// copy of samples/; Chromium opens the workbench; the integration suite
// (test/vscode/suite) runs inside the extension host, started by
// src/extension/testHook.ts; Playwright checks what a person sees
// (test/vscode/ui). Then a second code-server, with workspace trust on,
// shows the extension in Restricted Mode (test/vscode/ui/restrictedMode.mjs).
// Results and screenshots go to test-results/vscode/.
// Exits non-zero on any failure; always stops code-server and Chromium.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageExtension } from '../../scripts/package.mjs';
import { launchChromium, openWorkbench } from './lane/browser.mjs';
import { compileSuite } from './lane/compileSuite.mjs';
import { installExtension, startCodeServer } from './lane/codeServer.mjs';
import { ensureCodeServer } from './lane/installCache.mjs';
import { extensionFolderName, samplesDir, testResultsDir } from './lane/paths.mjs';
import { ensureSystemPackages } from './lane/systemPackages.mjs';
import { writeUserSettings } from './lane/userSettings.mjs';
import { startBeacon } from './lane/beacon.mjs';
import { waitForHostReport } from './lane/hostReport.mjs';
import { activationRecord, writeActivationRecord } from './lane/activationRecord.mjs';
import { afterSuiteChecks, beforeSuiteChecks, duringSuiteChecks } from './ui/checks.mjs';
import { clearNotifications } from './ui/serverRestart.mjs';
import { RESTRICTED_MODE_SETTINGS, restrictedModeChecks } from './ui/restrictedMode.mjs';

const SUITE_TIMEOUT_MS = 5 * 60 * 1000;
/** How long a check that watches the workbench during the suite may still take once the suite is done. */
const WATCH_GRACE_MS = 10000;
const resultsDir = join(testResultsDir, 'vscode');
const outcomes = []; // { title, ok, error? } of every suite test and UI check
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function step(what) {
  console.log(`\n== ${what}`);
  return Date.now();
}

/** lane: what a check may need of the lane ({ workspace, beacon }). */
async function runUiChecks(checks, page, lane) {
  for (const check of checks) {
    const t = Date.now();
    try {
      await check.run(page, resultsDir, lane);
      outcomes.push({ title: `UI: ${check.title}`, ok: true });
      console.log(`  ok   UI: ${check.title} (${seconds(t)})`);
    } catch (err) {
      outcomes.push({ title: `UI: ${check.title}`, ok: false, error: err.message });
      console.log(`  FAIL UI: ${check.title}\n       ${err.message.split('\n').join('\n       ')}`);
      await page.screenshot({ path: join(resultsDir, `failed-${outcomes.length}.png`) }).catch(() => {});
    }
  }
}

/** Starts each watching check; returns a function that, once the suite is done, records how each ended. */
function startWatching(checks, page) {
  const started = Date.now();
  const watches = checks.map((check) => {
    const outcome = check.watch(page, resultsDir, SUITE_TIMEOUT_MS).then(
      () => ({ ok: true }),
      (err) => ({ ok: false, error: err.message }),
    );
    return { check, outcome };
  });
  return async () => {
    for (const { check, outcome } of watches) {
      let timer;
      const late = new Promise((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, error: `not seen while the suite ran, nor ${WATCH_GRACE_MS / 1000} s after` }), WATCH_GRACE_MS);
      });
      const r = await Promise.race([outcome, late]);
      clearTimeout(timer);
      outcomes.push({ title: `UI: ${check.title}`, ok: r.ok, error: r.error });
      console.log(r.ok ? `  ok   UI: ${check.title} (within ${seconds(started)})` : `  FAIL UI: ${check.title}\n       ${r.error.split('\n').join('\n       ')}`);
    }
  };
}

function recordActivation(report, workspace) {
  const figure = report.figures?.activation;
  if (!figure) return;
  const record = activationRecord(figure, workspace);
  writeActivationRecord(join(resultsDir, 'activation.json'), record);
  console.log(
    `activation (VS Code ${record.vscodeVersion}, code-server ${record.codeServerVersion}): activate() ${record.activateMs.toFixed(0)} ms, first diagnostics (${record.firstDiagnosticsFile}) ${record.firstDiagnosticsMs.toFixed(0)} ms`,
  );
}

function recordSuite(report) {
  for (const t of report.tests) {
    if (t.state === 'pending') {
      console.log(`  skip ${t.title}`);
      continue;
    }
    outcomes.push({ title: t.title, ok: t.state === 'passed', error: t.error });
    console.log(t.state === 'passed' ? `  ok   ${t.title} (${t.durationMs ?? 0} ms)` : `  FAIL ${t.title}\n       ${(t.error ?? '').split('\n').slice(0, 8).join('\n       ')}`);
  }
}

/**
 * Workspace trust: a second code-server, without --disable-workspace-trust,
 * with the same installed extension, a fresh user-data folder and a fresh
 * copy of samples/; the person answers VS Code's trust question with no, and
 * the checks look at Restricted Mode (test/vscode/ui/restrictedMode.mjs).
 * Always stops its code-server and Chromium.
 */
async function restrictedModePhase(codeServer, scratch, extensionsDir) {
  const t = step('Restricted Mode: a second code-server with workspace trust on, the folder not trusted');
  const userDataDir = join(scratch, 'restricted-user-data');
  const workspace = join(scratch, 'restricted-workspace');
  let server;
  let browser;
  let page;
  try {
    writeUserSettings(userDataDir, { 'editor.hover.delay': 200, ...RESTRICTED_MODE_SETTINGS });
    cpSync(samplesDir, workspace, { recursive: true });
    server = await startCodeServer(codeServer, { userDataDir, extensionsDir, folder: workspace, workspaceTrust: true, logFile: join(resultsDir, 'code-server-restricted.log') });
    browser = await launchChromium();
    page = await openWorkbench(browser, server.url, workspace);
    await runUiChecks(restrictedModeChecks, page, { workspace });
  } catch (err) {
    outcomes.push({ title: 'the Restricted Mode phase itself', ok: false, error: err.message });
    console.error(`\nThe Restricted Mode phase failed: ${err.stack ?? err.message}`);
    await page?.screenshot({ path: join(resultsDir, 'failed-restricted-mode.png') }).catch(() => {});
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    const logs = join(userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(resultsDir, 'logs-restricted'), { recursive: true });
    console.log(`(${seconds(t)})`);
  }
}

async function main() {
  const started = Date.now();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  let t = step("System packages, Node 24 and code-server (installed once into the user's cache)");
  ensureSystemPackages(['chromium']);
  const codeServer = ensureCodeServer();
  console.log(`ready (${seconds(t)})`);

  const scratch = mkdtempSync(join(tmpdir(), 'viommu-vscode-lane-'));
  const dirs = { userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions') };
  const workspace = join(scratch, 'workspace');
  const reportFile = join(scratch, 'suite-report.json');
  let server;
  let browser;
  let page;
  let beacon;
  try {
    beacon = await startBeacon();
    const lane = { workspace, beacon };
    t = step('Package the extension and compile the integration suite');
    const vsix = packageExtension();
    const suiteEntry = await compileSuite(scratch);
    console.log(`${vsix} (${seconds(t)})`);

    t = step('Install the .vsix into a fresh extensions folder');
    writeUserSettings(dirs.userDataDir, { 'editor.hover.delay': 200 });
    console.log(installExtension(codeServer, vsix, dirs));
    if (!existsSync(join(dirs.extensionsDir, extensionFolderName))) throw new Error(`the install did not create ${extensionFolderName}`);
    cpSync(samplesDir, workspace, { recursive: true });

    t = step('Start code-server and open the workbench in Chromium');
    server = await startCodeServer(codeServer, {
      ...dirs,
      folder: workspace,
      logFile: join(resultsDir, 'code-server.log'),
      env: { VIOMMU_TEST_SUITE: suiteEntry, VIOMMU_TEST_RESULTS: reportFile },
    });
    browser = await launchChromium();
    page = await openWorkbench(browser, server.url, workspace);
    console.log(`${server.url} (${seconds(t)})`);

    t = step('UI checks, before the suite (opening a capture file activates the extension, which starts the suite)');
    const watched = startWatching(duringSuiteChecks, page); // from before the suite can start
    await runUiChecks(beforeSuiteChecks, page, lane);

    t = step('Integration suite inside the extension host, and UI checks that watched the workbench meanwhile');
    const report = await waitForHostReport(reportFile, server, SUITE_TIMEOUT_MS, `See ${resultsDir}/logs`);
    writeFileSync(join(resultsDir, 'suite-report.json'), JSON.stringify(report, null, 2));
    recordSuite(report);
    await watched();
    recordActivation(report, workspace);
    console.log(`(${seconds(t)})`);

    t = step('UI checks, after the suite');
    await clearNotifications(page).catch((err) => console.log(`  (could not clear the notifications: ${err.message.split('\n')[0]})`));
    await runUiChecks(afterSuiteChecks, page, lane);
  } catch (err) {
    outcomes.push({ title: 'the lane itself', ok: false, error: err.message });
    console.error(`\nThe lane failed: ${err.stack ?? err.message}`);
    await page?.screenshot({ path: join(resultsDir, 'failed-lane.png') }).catch(() => {});
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await beacon?.close();
  }

  try {
    // After the main phase, whose code-server and Chromium are stopped by now; only if the install worked.
    if (existsSync(join(dirs.extensionsDir, extensionFolderName))) await restrictedModePhase(codeServer, scratch, dirs.extensionsDir);
  } finally {
    const logs = join(dirs.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(resultsDir, 'logs'), { recursive: true });
    rmSync(scratch, { recursive: true, force: true });
  }

  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  console.log(`\nScreenshots, logs and the suite's report: ${resultsDir} (lane took ${seconds(started)})`);
  for (const o of outcomes.filter((x) => !x.ok)) console.log(`failed: ${o.title}`);
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

await main().catch((err) => {
  // Setup failed (a system package, Node 24 or code-server could not be installed): the message says what to do.
  console.error(`\n${err.message}`);
  console.log('vscode: 0 passed, 1 failed');
  process.exitCode = 1;
});
