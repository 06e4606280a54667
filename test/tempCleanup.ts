// A mocha root hook: the temporary folders the unit and language-server
// tests make (mkdtemp under the system's temp folder, named viommu-…) are
// removed once the run ends, so runs do not pile them up. Folders that were
// there before the run, and the real-VS-Code lane's (which may run beside
// it), are left alone.

import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OURS = /^viommu-(?!vscode-lane-)/;
const ours = () => readdirSync(tmpdir()).filter((n) => OURS.test(n));
const before = new Set(ours());

export const mochaHooks = {
  afterAll(): void {
    for (const n of ours()) if (!before.has(n)) rmSync(join(tmpdir(), n), { recursive: true, force: true });
  },
};
