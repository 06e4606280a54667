// Paths of the fixtures, wherever the compiled test runs from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot();
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const legacyCaptureDir = join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-legacy');

/** Text of a fixture file, by path below test/fixtures. */
export function fixtureText(...parts: string[]): string {
  return readFileSync(join(fixturesDir, ...parts), 'utf8');
}

/** Text of a file of the real legacy capture. */
export function legacyCaptureText(name: string): string {
  return readFileSync(join(legacyCaptureDir, name), 'utf8');
}
