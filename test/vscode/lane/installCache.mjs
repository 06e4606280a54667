// Installs, once per version, the Node 24 and the code-server the lane runs,
// into the user's cache (toolsCacheDir: shared by every clone, outside it).
// A folder counts as installed only once its marker file is written, so an
// interrupted install is redone. npm's output (code-server's native builds
// take minutes) is shown as it comes, and kept in a log beside the folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { CODE_SERVER_VERSION, NODE_VERSION, laneCacheDir, toolsCacheDir } from './paths.mjs';
import { ensureSystemPackages } from './systemPackages.mjs';

const MARKER = '.installed';

function installed(dir) {
  return existsSync(join(dir, MARKER));
}

/** A tool installed by an earlier version of the lane inside the clone (.vscode-lane/): moved to the user's cache. */
function adoptOldInstall(dir) {
  const old = join(laneCacheDir, basename(dir));
  if (installed(dir) || !installed(old)) return;
  try {
    mkdirSync(toolsCacheDir, { recursive: true });
    renameSync(old, dir);
    console.log(`Moved ${old} to ${dir} (the tools' cache is now outside the clone).`);
  } catch {
    // another file system: installed again below
  }
}

function npmInstall(dir, spec, env, what) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const log = `${dir}.install.log`;
  const started = Date.now();
  console.log(`Installing ${what} into ${dir} (once for this user; a first install of code-server builds native modules: 2 to 12 minutes on 2 cores). npm's output follows, also in ${log}:`);
  // Shown as it comes (indented), kept in the log; pipefail keeps npm's exit status.
  const r = spawnSync(
    'bash',
    ['-c', 'set -o pipefail; npm install --no-audit --no-fund --no-package-lock --foreground-scripts "$0" 2>&1 | tee "$1" | sed -u "s/^/    /"', spec, log],
    { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : String(r.error ?? '');
    throw new Error(`Could not install ${what} (npm exit ${r.status ?? r.signal}). Last lines of ${log}:\n${tail}`);
  }
  writeFileSync(join(dir, MARKER), `${spec}\n`);
  console.log(`Installed ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

/** The Node 24 that code-server requires: this Node when it is 24 already, else the npm package of the official build. */
export function ensureNode24() {
  if (process.versions.node.split('.')[0] === '24') return { nodeBin: process.execPath, nodeDir: join(process.execPath, '..', '..'), nodeVersion: process.versions.node };
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const dir = join(toolsCacheDir, `node-${NODE_VERSION}`);
  adoptOldInstall(dir);
  const nodeDir = join(dir, 'node_modules', pkg);
  if (!installed(dir)) {
    npmInstall(dir, `${pkg}@${NODE_VERSION}`, process.env, `Node ${NODE_VERSION} (${pkg})`);
  }
  const nodeBin = join(nodeDir, 'bin', 'node');
  if (!existsSync(nodeBin)) throw new Error(`${nodeBin} is missing: delete ${dir} and run again.`);
  return { nodeBin, nodeDir, nodeVersion: NODE_VERSION };
}

/**
 * code-server, installed with Node 24 first on PATH (its postinstall insists)
 * and npm_config_nodedir pointing at that Node's headers, so its native
 * modules are built for the Node that runs them.
 */
export function ensureCodeServer() {
  const node = ensureNode24();
  const dir = join(toolsCacheDir, `code-server-${CODE_SERVER_VERSION}-node-${node.nodeVersion}`);
  adoptOldInstall(dir);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!installed(dir)) {
    ensureSystemPackages(['libkrb5-dev']);
    // Without the npm_* variables of an `npm test` or `npm start` this may run
    // under: their user agent names the Node of that npm, which the postinstall rejects.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    env.PATH = `${join(node.nodeBin, '..')}${delimiter}${process.env.PATH ?? ''}`;
    env.npm_config_nodedir = node.nodeDir;
    npmInstall(dir, `code-server@${CODE_SERVER_VERSION}`, env, `code-server ${CODE_SERVER_VERSION}`);
  }
  if (!existsSync(entry)) throw new Error(`${entry} is missing: delete ${dir} and run again.`);
  return { ...node, codeServerEntry: entry };
}
