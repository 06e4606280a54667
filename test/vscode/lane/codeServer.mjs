// Runs code-server (real VS Code: web workbench plus a Node extension host)
// on a loopback port, and installs a .vsix into an extensions folder with it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';

const FLAGS = ['--auth', 'none', '--disable-telemetry', '--disable-update-check'];

/**
 * The environment code-server gets (and hands on to the extension host):
 * without the variables of a VS Code this may run inside (they would make
 * code-server hand the folder to that editor instead of serving it), of the
 * npm script this runs under, or of a test run (only `extra` sets those).
 */
function serverEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VSCODE_|ELECTRON_|VIOMMU_TEST_|npm_)/i.test(k)));
  return { ...env, ...extra };
}

/** Whether nothing listens on host:port right now. */
export function portIsFree(host, port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now, on host. */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `code-server --install-extension`; throws with its output when it fails. */
export function installExtension({ nodeBin, codeServerEntry }, vsix, { userDataDir, extensionsDir }) {
  const r = spawnSync(nodeBin, [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], {
    env: serverEnv({}),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`.trim();
}

async function waitUntilServing(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before it served ${url}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Starts code-server in its own process group (so stop() ends it and the
 * extension host and language server it started, and nothing else).
 * logFile: where its output goes; without one it goes to this terminal.
 * workspaceTrust: false (the default) passes --disable-workspace-trust, so
 * every folder is trusted; true lets VS Code ask whether to trust the folder
 * (the user settings must not turn security.workspace.trust.enabled off).
 */
export async function startCodeServer({ nodeBin, codeServerEntry }, { host = '127.0.0.1', port, userDataDir, extensionsDir, folder, env = {}, logFile, workspaceTrust = false }) {
  port ??= await freePort(host);
  const flags = workspaceTrust ? FLAGS : [...FLAGS, '--disable-workspace-trust'];
  const args = [codeServerEntry, ...flags, '--bind-addr', `${host}:${port}`, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (folder) args.push(folder);
  const child = spawn(nodeBin, args, { env: serverEnv(env), detached: true, stdio: ['ignore', logFile ? 'pipe' : 'inherit', logFile ? 'pipe' : 'inherit'] });
  if (logFile) {
    const log = createWriteStream(logFile);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const group = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    group('SIGKILL'); // the extension host or language server, if one outlived its parent
  }

  try {
    await waitUntilServing(url, child, 60000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, child, stop, exited };
}
