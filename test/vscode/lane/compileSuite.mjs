// Compiles the integration suite (test/vscode/suite/*.ts) into a folder of
// the lane's own, so a build of out/ running meanwhile in the same work tree
// (npm run test:unit empties it) cannot pull it away from the extension host.
// The folder gets a node_modules link to the project's, for mocha and the
// language client the suite requires.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

/** Returns the compiled suite entry (index.js, with run() and runAndReport()). */
export async function compileSuite(intoDir) {
  const source = join(repoRoot, 'test', 'vscode', 'suite');
  const outdir = join(intoDir, 'suite');
  mkdirSync(outdir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(intoDir, 'node_modules'), 'dir');
  await esbuild.build({
    entryPoints: readdirSync(source).filter((f) => f.endsWith('.ts')).map((f) => join(source, f)),
    outdir,
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outdir, 'index.js');
}
