// Extension activation time in real VS Code, for `npm run bench`: the
// lane's own modules (test/vscode/lane) install code-server if it is not in
// .vscode-lane/ yet, package the .vsix and install it; then, a few times, a
// fresh code-server with a fresh profile, Chromium opening the workbench, and
// Quick Open opening the sample capture's dmesg (which activates the
// extension). The extension measures itself (src/extension/activationClock.ts)
// and bench/activationProbe.ts, run in its host by the test hook, hands the
// figures back. Reported: the median of the runs, and each run.
//
// Alone: node scripts/build.mjs --bench && node out/bench/activationBench.js

import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { printSection, type BenchSection } from './report';

const root = join(__dirname, '..', '..');
const RUNS = 3;
const CAPTURE = 'linux-6.1-qemu-7.2-legacy';
const REPORT_TIMEOUT_MS = 120000;

/** One run's record (test/vscode/lane/activationRecord.mjs). */
interface ActivationRecord {
  vscodeVersion: string;
  codeServerVersion: string;
  extensionHostNode: string;
  activateMs: number;
  firstDiagnosticsMs: number;
  firstDiagnosticsFile: string;
}

// The lane's modules are ES modules of plain JavaScript: loaded at run time, typed here by what is used of them.
type Lane = Record<string, any>;

async function laneModule(path: string): Promise<Lane> {
  return (await import(pathToFileURL(join(root, path)).href)) as Lane;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measureOnce(lane: Lane, codeServer: unknown, extensionsDir: string, dir: string): Promise<ActivationRecord> {
  const workspace = join(dir, 'workspace');
  const userDataDir = join(dir, 'user-data');
  const reportFile = join(dir, 'activation-report.json');
  cpSync(lane.paths.samplesDir, workspace, { recursive: true });
  lane.userSettings.writeUserSettings(userDataDir);
  let server: any;
  let browser: any;
  try {
    server = await lane.codeServer.startCodeServer(codeServer, {
      userDataDir,
      extensionsDir,
      folder: workspace,
      logFile: join(dir, 'code-server.log'),
      env: { VIOMMU_TEST_SUITE: join(__dirname, 'activationProbe.js'), VIOMMU_TEST_RESULTS: reportFile },
    });
    browser = await lane.browser.launchChromium();
    const page = await lane.browser.openWorkbench(browser, server.url, workspace);
    await lane.workbench.quickOpen(page, `${CAPTURE}/dmesg`);
    const report = await lane.hostReport.waitForHostReport(reportFile, server, REPORT_TIMEOUT_MS);
    const figure = report.figures?.activation;
    if (!figure) throw new Error(`the extension host reported no figures: ${JSON.stringify(report).slice(0, 500)}`);
    return lane.activationRecord.activationRecord(figure, workspace) as ActivationRecord;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

function notMeasured(reason: string): BenchSection {
  return {
    title: 'Extension activation in real VS Code (code-server): not measured',
    columns: ['figure', 'result'],
    rows: [
      ['activate() entry to return', 'not measured'],
      ['activate() entry to first diagnostics', 'not measured'],
    ],
    notes: [`Not measured: ${reason.split('\n')[0]}`],
    data: { measured: false, reason },
  };
}

export async function activationSection(runs = RUNS): Promise<BenchSection> {
  const lane: Lane = {
    paths: await laneModule('test/vscode/lane/paths.mjs'),
    installCache: await laneModule('test/vscode/lane/installCache.mjs'),
    systemPackages: await laneModule('test/vscode/lane/systemPackages.mjs'),
    codeServer: await laneModule('test/vscode/lane/codeServer.mjs'),
    browser: await laneModule('test/vscode/lane/browser.mjs'),
    userSettings: await laneModule('test/vscode/lane/userSettings.mjs'),
    hostReport: await laneModule('test/vscode/lane/hostReport.mjs'),
    activationRecord: await laneModule('test/vscode/lane/activationRecord.mjs'),
    workbench: await laneModule('test/vscode/ui/workbench.mjs'),
    packager: await laneModule('scripts/package.mjs'),
  };
  let codeServer: unknown;
  try {
    // As the lane: Chromium from the system, Node 24 and code-server installed once into .vscode-lane/.
    lane.systemPackages.ensureSystemPackages(['chromium']);
    codeServer = lane.installCache.ensureCodeServer();
  } catch (err) {
    return notMeasured(err instanceof Error ? err.message : String(err));
  }
  const scratch = mkdtempSync(join(tmpdir(), 'viommu-bench-activation-'));
  try {
    const vsix = lane.packager.packageExtension() as string;
    const extensionsDir = join(scratch, 'extensions');
    lane.codeServer.installExtension(codeServer, vsix, { userDataDir: join(scratch, 'install-user-data'), extensionsDir });
    const records: ActivationRecord[] = [];
    for (let i = 0; i < runs; i++) {
      const dir = join(scratch, `run-${i + 1}`);
      mkdirSync(dir);
      records.push(await measureOnce(lane, codeServer, extensionsDir, dir));
    }
    return section(records);
  } catch (err) {
    return notMeasured(err instanceof Error ? err.message : String(err));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function section(records: ActivationRecord[]): BenchSection {
  const first = records[0];
  const row = (what: string, pick: (r: ActivationRecord) => number): string[] => [what, median(records.map(pick)).toFixed(0), records.map((r) => pick(r).toFixed(0)).join(', ')];
  return {
    title: `Extension activation in real VS Code ${first.vscodeVersion} (code-server ${first.codeServerVersion}, extension host on Node ${first.extensionHostNode}): ${records.length} fresh starts, opening the sample capture's ${first.firstDiagnosticsFile.split('/').pop()}`,
    columns: ['figure', 'median ms', 'each run ms'],
    rows: [row('activate() entry to return', (r) => r.activateMs), row(`activate() entry to first diagnostics of ${first.firstDiagnosticsFile}`, (r) => r.firstDiagnosticsMs)],
    notes: [
      'Measured by the extension in its own host with performance.now() (src/extension/activationClock.ts): activate() returns once its commands and views are registered and the language server process is started and has answered initialize; the first diagnostics are the first publishDiagnostics the language client receives. No baseline: there is no empty extension in the run to compare with. The lane records its own run in test-results/vscode/activation.json.',
    ],
    data: { measured: true, runs: records },
  };
}

if (require.main === module) {
  void activationSection().then(
    (s) => printSection(s),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
