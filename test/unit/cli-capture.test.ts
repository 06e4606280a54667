import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debugfsProblem } from '../../src/cli/commands/capture';

describe('viommu capture: what it says when debugfs cannot be read', () => {
  const root = mkdtempSync(join(tmpdir(), 'viommu-debugfs-'));

  it('names a missing debugfs', function () {
    if (process.platform !== 'linux') this.skip();
    assert.match(debugfsProblem(join(root, 'nope'), join(root, 'nope', 'iommu', 'intel')) ?? '', /does not exist: this kernel has no debugfs/);
  });

  it('says how to mount an empty (unmounted) debugfs', function () {
    if (process.platform !== 'linux') this.skip();
    const empty = join(root, 'empty');
    mkdirSync(empty);
    assert.match(debugfsProblem(empty, join(empty, 'iommu', 'intel')) ?? '', /mount -t debugfs none/);
  });

  it('names the kernel options when the intel-iommu folder is missing', function () {
    if (process.platform !== 'linux') this.skip();
    const mounted = join(root, 'mounted');
    mkdirSync(join(mounted, 'tracing'), { recursive: true });
    assert.match(debugfsProblem(mounted, join(mounted, 'iommu', 'intel')) ?? '', /CONFIG_INTEL_IOMMU_DEBUGFS=y.*intel_iommu=on/);
  });

  it('accepts a readable intel-iommu folder', function () {
    if (process.platform !== 'linux') this.skip();
    const ok = join(root, 'ok');
    mkdirSync(join(ok, 'iommu', 'intel'), { recursive: true });
    writeFileSync(join(ok, 'iommu', 'intel', 'iommu_regset'), '');
    assert.equal(debugfsProblem(ok, join(ok, 'iommu', 'intel')), undefined);
  });
});
