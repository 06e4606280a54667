// `node test/vscode/electron.mjs`: the same integration suite
// (test/vscode/suite) in VS Code desktop through @vscode/test-electron, for
// machines that can download VS Code or already have one
// (VSCODE_EXECUTABLE=/path/to/code; VSCODE_VERSION picks a download, default
// "stable"). On Linux without a display, run it under `xvfb-run -a`.
// Not part of `npm test`: the lane machines cannot download VS Code, and
// test/vscode/run.mjs runs this suite in code-server's extension host instead.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSuite } from './lane/compileSuite.mjs';
import { repoRoot, samplesDir } from './lane/paths.mjs';

const build = spawnSync(process.execPath, [join('scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const scratch = mkdtempSync(join(tmpdir(), 'viommu-electron-'));
const workspace = join(scratch, 'workspace');
cpSync(samplesDir, workspace, { recursive: true });
try {
  const extensionTestsPath = await compileSuite(scratch);
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', join(scratch, 'user-data')],
  });
} catch (err) {
  console.error(`The integration suite failed under VS Code desktop: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
