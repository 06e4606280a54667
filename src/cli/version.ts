// The package's version, read from the package.json above the running file.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package's version (package.json above this file: dist/ or out/src/cli/). */
export function version(): string {
  let dir = __dirname;
  for (let up = 0; up < 5; up++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'viommu-inspector' && pkg.version) return pkg.version;
    } catch {
      // not here
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

