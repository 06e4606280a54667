// Installs the locked dependencies when they are missing, so that `npm start`
// and `npm test` work on a fresh clone as the first command run.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const missing = Object.keys(lock.packages?.['']?.devDependencies ?? {}).filter((name) => !existsSync(`node_modules/${name}/package.json`));
if (missing.length > 0) {
  console.log(`Installing dependencies (missing: ${missing.join(', ')})...`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
