// Installs, once per version, the Node 24 and the code-server the lane runs,
// into the git-ignored .vscode-lane/ cache. A folder counts as installed only
// once its marker file is written, so an interrupted install is redone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CODE_SERVER_VERSION, NODE_VERSION, laneCacheDir } from './paths.mjs';
import { ensureSystemPackages } from './systemPackages.mjs';

const MARKER = '.installed';

function installed(dir) {
  return existsSync(join(dir, MARKER));
}

function npmInstall(dir, spec, env, what) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const log = join(laneCacheDir, `${what.replace(/\W+/g, '-')}.install.log`);
  const started = Date.now();
  console.log(`Installing ${what} into ${dir} (once; log: ${log})...`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', spec], {
    cwd: dir,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
  if (r.status !== 0) {
    const tail = readFileSync(log, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`Could not install ${what} (npm exit ${r.status ?? r.signal}). Last lines of ${log}:\n${tail}`);
  }
  writeFileSync(join(dir, MARKER), `${spec}\n`);
  console.log(`Installed ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

/** The Node 24 that code-server requires: this Node when it is 24 already, else the npm package of the official build. */
export function ensureNode24() {
  if (process.versions.node.split('.')[0] === '24') return { nodeBin: process.execPath, nodeDir: join(process.execPath, '..', '..'), nodeVersion: process.versions.node };
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const dir = join(laneCacheDir, `node-${NODE_VERSION}`);
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
  const dir = join(laneCacheDir, `code-server-${CODE_SERVER_VERSION}-node-${node.nodeVersion}`);
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
