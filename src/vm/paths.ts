// Where the VM guest's sources are (vm/guest/ of the package) and where what
// is built from them is kept: a cache outside the project, shared by the lane
// and `viommu vm`, so a fresh clone reuses a kernel built before.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** vm/guest/ of the package: found going up from this file (dist/ when bundled, out/src/vm/ in tests). */
export function guestSourceDir(): string {
  let dir = __dirname;
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'vm', 'guest');
    if (existsSync(join(candidate, 'init'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`the VM guest's sources (vm/guest/init) are not beside ${__dirname}`);
}

/** The cache: VIOMMU_VM_CACHE, else $XDG_CACHE_HOME/viommu-inspector/vm, else ~/.cache/viommu-inspector/vm. */
export function vmCacheDir(): string {
  if (process.env.VIOMMU_VM_CACHE) return process.env.VIOMMU_VM_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'viommu-inspector', 'vm');
}
