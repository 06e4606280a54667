// Entry of the integration suite that runs inside a real VS Code extension
// host: every *.test.js beside this file, in mocha.
// - runAndReport(): used by src/extension/testHook.ts in the code-server lane
//   (test/vscode/run.mjs); resolves with a JSON-able report.
// - run(): the entry @vscode/test-electron expects (test/vscode/electron.mjs);
//   prints mocha's spec report and rejects when a test fails.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeAllEditors, sleep, suiteFigures } from './helpers';

export interface SuiteReport {
  passes: number;
  failures: number;
  pending: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
  /** What the tests measured, by name (see suiteFigures in helpers.ts). */
  figures: Record<string, unknown>;
}

function createMocha(reporter: string): Mocha {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30000, color: false, reporter });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(__dirname, file));
  return mocha;
}

export function runAndReport(): Promise<SuiteReport> {
  const report: SuiteReport = { passes: 0, failures: 0, pending: 0, tests: [], figures: suiteFigures };
  return new Promise((resolve) => {
    const runner = createMocha('base').run(() => {
      // Leave the workbench as the suite found it for the UI checks that follow (but never wait long for that).
      void Promise.race([closeAllEditors().catch(() => {}), sleep(10000)]).then(() => resolve(report));
    });
    runner.on('pass', (test) => {
      report.passes++;
      report.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
    });
    runner.on('fail', (test, err: Error) => {
      report.failures++;
      report.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, error: err.stack ?? String(err) });
    });
    runner.on('pending', (test) => {
      report.pending++;
      report.tests.push({ title: test.fullTitle(), state: 'pending' });
    });
  });
}

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    createMocha('spec').run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
