import { strict as assert } from 'node:assert';
import { chmodSync, chownSync, copyFileSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debugfsProblem, writeNew } from '../../src/cli/commands/capture';
import { legacyCaptureDir, repoRoot } from '../helpers';

function runCli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

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

describe('viommu capture: every file complete, nothing redirected', function () {
  this.timeout(30000);
  const linux = process.platform === 'linux';
  const asRoot = process.getuid?.() === 0;

  /** A fake debugfs with the real capture's files, a per-device folder, a FIFO (which blocks a naive reader) and a link. */
  function fakeDebugfs(): string {
    const root = mkdtempSync(join(tmpdir(), 'viommu-fake-debugfs-'));
    const intel = join(root, 'iommu', 'intel');
    mkdirSync(join(intel, '0000:00:02.0'), { recursive: true });
    for (const n of ['iommu_regset', 'dmar_translation_struct', 'ir_translation_struct', 'invalidation_queue']) copyFileSync(join(legacyCaptureDir, n), join(intel, n));
    writeFileSync(join(intel, '0000:00:02.0', 'domain_translation_struct'), readFileSync(join(legacyCaptureDir, 'domain_translation_struct'), 'utf8').split('\n\n')[0] + '\n');
    execFileSync('mkfifo', [join(intel, 'dmar_perf_latency')]);
    symlinkSync('/etc/hostname', join(intel, 'stray-link'));
    return root;
  }

  it('reads /proc files to their end although they report size 0, and says what it could not take', function () {
    if (!linux) this.skip();
    assert.equal(statSync('/proc/interrupts').size, 0, '/proc reports size 0');
    const out = join(mkdtempSync(join(tmpdir(), 'viommu-capture-out-')), 'capture');
    const r = runCli('capture', out, '--debugfs', fakeDebugfs(), '--proc', '/proc');
    assert.equal(r.code, 0, r.err);
    const interrupts = readFileSync(join(out, 'interrupts'), 'utf8');
    assert.match(interrupts, /^\s+CPU0/, 'the real /proc/interrupts, complete');
    assert.match(interrupts, /\nNMI:/);
    assert.match(r.err, /not taken: dmar_perf_latency .*not a regular file/);
    assert.match(r.err, /not taken: stray-link .*a link/);
    // Every file is in the manifest with its size and hash, and the files say the same.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { name: string; bytes: number; sha256: string }[] };
    for (const f of manifest.files) {
      const bytes = readFileSync(join(out, f.name));
      assert.equal(bytes.length, f.bytes, f.name);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.name);
      assert.ok(f.bytes > 0, `${f.name} is not empty`);
    }
    assert.deepEqual(
      manifest.files.map((f) => f.name).filter((n) => n !== 'dmesg' && n !== 'iommu_groups'),
      ['0000:00:02.0/domain_translation_struct', 'dmar_translation_struct', 'invalidation_queue', 'iommu_regset', 'ir_translation_struct', 'interrupts'],
    );
    // And the capture reads clean.
    const check = runCli('check', out);
    assert.doesNotMatch(check.out, /syntax\/(?!converted|unknown-format)/);
  });

  it('never reads a FIFO given as a /proc file (it would block)', function () {
    if (!linux) this.skip();
    const proc = mkdtempSync(join(tmpdir(), 'viommu-fake-proc-'));
    execFileSync('mkfifo', [join(proc, 'interrupts')]);
    const out = join(mkdtempSync(join(tmpdir(), 'viommu-capture-out-')), 'capture');
    const r = runCli('capture', out, '--debugfs', fakeDebugfs(), '--proc', proc);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /not taken: interrupts .*not a regular file/);
  });

  it('refuses an output folder that exists and is not empty, is a file, or is a link', function () {
    if (!linux) this.skip();
    const base = mkdtempSync(join(tmpdir(), 'viommu-capture-refuse-'));
    const full = join(base, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), 'x');
    assert.match(runCli('capture', full, '--debugfs', fakeDebugfs()).err, /exists and is not empty/);
    writeFileSync(join(base, 'file'), 'x');
    const asFile = runCli('capture', join(base, 'file'), '--debugfs', fakeDebugfs());
    assert.equal(asFile.code, 2);
    assert.match(asFile.err, /exists and is a file, not a folder/);
    assert.doesNotMatch(asFile.err, /at \w+ \(/, 'a message, not a stack trace');
    symlinkSync(base, join(base, 'link'));
    assert.match(runCli('capture', join(base, 'link'), '--debugfs', fakeDebugfs()).err, /is a link/);
  });

  it('as root, refuses a folder another user owns or planted links in, and never writes through a planted link', function () {
    if (!linux || !asRoot) this.skip();
    const base = mkdtempSync(join(tmpdir(), 'viommu-capture-planted-'));
    chmodSync(base, 0o1777);
    const victim = join(base, 'victim');
    writeFileSync(victim, 'untouched\n');
    // Another user's empty folder.
    const theirs = join(base, 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    assert.match(runCli('capture', theirs, '--debugfs', fakeDebugfs()).err, /belongs to another user/);
    // Another user's folder with a link planted where the capture writes.
    const planted = join(base, 'planted');
    mkdirSync(planted);
    symlinkSync(victim, join(planted, 'dmesg'));
    lchownSync(join(planted, 'dmesg'), 65534, 65534);
    chownSync(planted, 65534, 65534);
    assert.match(runCli('capture', planted, '--debugfs', fakeDebugfs()).err, /not empty/);
    // A link planted in our own fresh folder (a race): the exclusive, no-follow create refuses it.
    const ours = join(base, 'ours');
    mkdirSync(ours, { mode: 0o755 });
    symlinkSync(victim, join(ours, 'dmesg'));
    assert.throws(() => writeNew(join(ours, 'dmesg'), Buffer.from('root was here\n')), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched\n');
  });
});
