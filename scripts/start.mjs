// `npm start`: builds the extension and serves it in real VS Code (code-server,
// installed once into .vscode-lane/) on the sample captures and scenarios.
// Prints the address to open in a browser and runs until Ctrl-C.
//
//   npm start                       on 127.0.0.1, port 8080 (or a free one if taken)
//   npm start -- --port 9000
//   npm start -- --host 0.0.0.0     reachable from other machines: code-server runs
//                                   with --auth none, so only on a network you trust
//
// The extension is linked, not copied: after `npm run build`, "Developer: Reload
// Window" in the browser loads the new build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, portIsFree, startCodeServer } from '../test/vscode/lane/codeServer.mjs';
import { ensureCodeServer } from '../test/vscode/lane/installCache.mjs';
import { extensionFolderName, laneCacheDir, repoRoot, samplesDir } from '../test/vscode/lane/paths.mjs';
import { writeUserSettings } from '../test/vscode/lane/userSettings.mjs';

const DEFAULT_PORT = 8080;

async function main() {
  const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string' } } });
  const host = values.host;

  const build = spawnSync(process.execPath, [join('scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const codeServer = ensureCodeServer();

  // User data (window layout, opened editors) persists between starts; the extensions folder holds only this extension.
  const home = join(laneCacheDir, 'start');
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  symlinkSync(repoRoot, join(extensionsDir, extensionFolderName), 'dir');
  writeUserSettings(userDataDir);

  const port = values.port ? Number(values.port) : (await portIsFree(host, DEFAULT_PORT)) ? DEFAULT_PORT : await freePort(host);
  const logFile = join(home, 'code-server.log');
  const server = await startCodeServer(codeServer, { host, port, userDataDir, extensionsDir, folder: samplesDir, logFile });

  console.log(`\nvIOMMU Inspector in VS Code (code-server), on the sample captures and scenarios:\n\n    ${server.url}\n`);
  console.log(`code-server's log: ${logFile}\nCtrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Whoever signalled may have closed our output already (npm does): stop code-server first, print after.
    process.stdout.on('error', () => {});
    await server.stop();
    console.log('\ncode-server stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  const code = await server.exited;
  if (!stopping) {
    console.error(`code-server exited (${code}); see ${logFile}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
