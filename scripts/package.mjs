// `npm run package`: a production build of every bundle, then the .vsix
// (with @vscode/vsce, offline; .vscodeignore says what goes in). Prints its
// path and size. The real-VS-Code lane installs the same file.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** Builds for production and writes the .vsix; returns its absolute path. */
export function packageExtension() {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const out = join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
  run([join('scripts', 'build.mjs'), '--production'], 'the production build');
  // Without a repository URL vsce would refuse the README's relative links and ask about the missing field.
  const noRepository = manifest.repository ? [] : ['--allow-missing-repository', '--no-rewrite-relative-links'];
  run([join('node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', ...noRepository, '--out', out], 'vsce package');
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const vsix = packageExtension();
    console.log(`${relative(process.cwd(), vsix) || vsix}: ${(statSync(vsix).size / 1024).toFixed(0)} KiB`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
