// The capture reader the CLI and the server share, against hostile and
// unlucky folders made in a temporary folder: files of the running system,
// files that never end, sparse files, loops, other captures beside it,
// hard links and copies, a budget for the whole capture.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureReadError, readBounded, readCapture, type ReadLimits } from '../../src/io/captureReader';
import { legacyCaptureDir, repoRoot } from '../helpers';

const MiB = 1024 * 1024;
const linux = process.platform === 'linux';

function fresh(what: string): string {
  return mkdtempSync(join(tmpdir(), `viommu-reader-${what}-`));
}

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function reasons(r: { leftOut: { name: string; reason: string }[] }): Record<string, string> {
  return Object.fromEntries(r.leftOut.map((l) => [l.name, l.reason]));
}

describe('capture reader: files of the running system are never read as capture files', function () {
  before(function () {
    if (!linux) this.skip();
  });

  it('refuses /proc/interrupts itself, and /proc as a capture folder', () => {
    assert.throws(() => readCapture('/proc/interrupts'), (e: unknown) => e instanceof CaptureReadError && /running system/.test(e.message));
    const r = readCapture('/proc');
    assert.equal(r.files.length, 0);
    assert.match(r.leftOut[0].reason, /a folder of the running system/);
  });

  it('names links into /proc and /dev (kmsg blocks, zero never ends) and reads the rest', () => {
    const dir = fresh('system-links');
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, 'iommu_regset'));
    symlinkSync('/proc/kmsg', join(dir, 'dmesg'));
    symlinkSync('/dev/zero', join(dir, 'interrupts'));
    symlinkSync('/sys/kernel', join(dir, '0000:00:02.0'));
    const r = readCapture(dir);
    assert.deepEqual(r.files.map((f) => f.name), ['iommu_regset']);
    const why = reasons(r);
    assert.match(why.dmesg, /a link to \/proc\/kmsg of the running system/);
    assert.match(why.interrupts, /a link to \/dev\/zero of the running system/);
    assert.match(why['0000:00:02.0'], /a folder of the running system/);
  });
});

describe('capture reader: sizes are not trusted, and the capture has a budget', () => {
  it('reads a file that reports size 0 to its end', function () {
    if (!linux) this.skip();
    const r = readBounded('/proc/self/status', MiB);
    assert.match(r.bytes.toString(), /^Name:/);
    assert.match(r.bytes.toString(), /\nVmRSS:/);
    assert.equal(r.truncated, false);
  });

  it('stops at its cap on a file longer than the cap, whatever stat says', () => {
    const dir = fresh('cap');
    writeFileSync(join(dir, 'big'), '');
    truncateSync(join(dir, 'big'), 10 * MiB); // sparse: 10 MiB of zeros on paper
    const r = readBounded(join(dir, 'big'), MiB);
    assert.equal(r.truncated, true);
    assert.equal(r.bytes.length, MiB);
  });

  it('leaves out sparse giants without reading them, and files past the budget, naming each', () => {
    const dir = fresh('budget');
    const limits: ReadLimits = { maxFileBytes: 2 * MiB, budgetBytes: 3 * MiB, maxFiles: 100 };
    writeFileSync(join(dir, 'a.trace'), 'x'.repeat(1.5 * MiB));
    writeFileSync(join(dir, 'b.trace'), 'y'.repeat(1.5 * MiB));
    writeFileSync(join(dir, 'c.trace'), 'z'.repeat(0.5 * MiB));
    writeFileSync(join(dir, 'sparse'), '');
    truncateSync(join(dir, 'sparse'), 64 * 1024 * MiB); // 64 GiB on paper
    const r = readCapture(dir, limits);
    assert.deepEqual(r.files.map((f) => f.name), ['a.trace', 'b.trace']);
    const why = reasons(r);
    assert.match(why['c.trace'], /the capture's budget of 3 MiB is spent \(3 MiB read\)/);
    assert.match(why.sparse, /^65536 MiB/);
    const total = r.files.reduce((n, f) => n + f.text.length, 0);
    assert.ok(total <= limits.budgetBytes, String(total));
  });
});

describe('capture reader: folders', () => {
  it('never loops: links to the folder itself, to its parent, to an ancestor, to a folder already read', () => {
    const outer = fresh('loops');
    const dir = join(outer, 'capture');
    mkdirSync(join(dir, '0000:00:02.0'), { recursive: true });
    copyFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), join(dir, 'dmar_translation_struct'));
    writeFileSync(join(dir, '0000:00:02.0', 'domain_translation_struct'), readFileSync(join(legacyCaptureDir, 'domain_translation_struct'), 'utf8').split('\n\n')[0] + '\n');
    writeFileSync(join(outer, 'iommu_groups'), 'not of this capture\n');
    symlinkSync('.', join(dir, '0000:00:03.0'));
    symlinkSync('..', join(dir, '0000:00:04.0'));
    symlinkSync(outer, join(dir, '0000:00:02.0', '1'));
    symlinkSync(join(dir, '0000:00:02.0'), join(dir, '0000:00:05.0'));
    symlinkSync('/', join(dir, '0000:00:06.0'));
    const r = readCapture(dir);
    assert.deepEqual(r.files.map((f) => f.name), ['0000:00:02.0/domain_translation_struct', 'dmar_translation_struct']);
    const why = reasons(r);
    assert.match(why['0000:00:03.0'], /a link to a folder already read/);
    assert.match(why['0000:00:04.0'], /a folder above the capture \(a loop\)/);
    assert.match(why['0000:00:02.0/1'], /a folder above the capture \(a loop\)/);
    assert.match(why['0000:00:05.0'], /a link to a folder already read/);
    assert.match(why['0000:00:06.0'], /a link to \/, a folder above the capture/);
  });

  it('names an unreadable per-device folder with its reason', () => {
    const dir = fresh('unreadable');
    copyFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), join(dir, 'dmar_translation_struct'));
    symlinkSync(join(dir, 'gone'), join(dir, '0000:00:07.0'));
    const r = readCapture(dir);
    assert.match(reasons(r)['0000:00:07.0'], /no such file or folder \(a link to nothing\?\) \(ENOENT\)/);
  });

  it('reads a hard link, a link and a copy of one file once, naming the others', () => {
    const dir = fresh('twins');
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, 'iommu_regset'));
    linkSync(join(dir, 'iommu_regset'), join(dir, 'regset.hardlink'));
    symlinkSync(join(dir, 'iommu_regset'), join(dir, 'regset.link'));
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, 'regset.copy'));
    const r = readCapture(dir);
    assert.deepEqual(r.files.map((f) => f.name), ['iommu_regset']);
    const why = reasons(r);
    assert.equal(why['regset.hardlink'], 'the same file as iommu_regset (a link): read once');
    assert.equal(why['regset.link'], 'the same file as iommu_regset (a link): read once');
    assert.equal(why['regset.copy'], 'the same bytes as iommu_regset: read once');
  });

  it('does not merge the captures beside each other (before/, after/): it names them, and check reads them one by one', () => {
    const dir = fresh('two');
    for (const side of ['before', 'after']) {
      mkdirSync(join(dir, side));
      copyFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), join(dir, side, 'dmar_translation_struct'));
    }
    // The "before" dump has a line cut short: its finding is named under before/, not merged with after/.
    writeFileSync(join(dir, 'before', 'dmar_translation_struct'), readFileSync(join(legacyCaptureDir, 'dmar_translation_struct'), 'utf8') + '00:1f.7\t0x1234\n');
    const r = readCapture(dir);
    assert.equal(r.files.length, 0);
    assert.deepEqual(r.nested.map((n) => n.slice(dir.length + 1)), ['after', 'before']);
    const check = cli('check', dir);
    assert.match(check.err, /holds 2 captures, checked one by one/);
    assert.match(check.out, new RegExp(`^${join(dir, 'before', 'dmar_translation_struct')}:\\d+:\\d+: `, 'm'));
    assert.doesNotMatch(check.out, new RegExp(join(dir, 'after')));
    const translate = cli('translate', dir, '--bdf', '00:02.0', '--iova', '0xffefd000');
    assert.equal(translate.code, 2);
    assert.match(translate.err, /holds several captures \(after, before\): give one of them/);
  });

  it('an empty folder, or one of no file it reads, is not a capture: check exits 1, translate answers unknown', () => {
    const empty = fresh('empty');
    const c1 = cli('check', empty);
    assert.equal(c1.code, 1);
    assert.match(c1.out, /error \[syntax\/not-a-capture\] not a capture: no file of it could be read/);
    const notes = fresh('notes');
    writeFileSync(join(notes, 'todo.txt'), 'buy milk\n');
    const c2 = cli('check', notes);
    assert.equal(c2.code, 1);
    assert.match(c2.out, /not a capture: none of its files is a format vIOMMU Inspector reads/);
    const t = cli('translate', empty, '--bdf', '00:02.0', '--iova', '0x1000');
    assert.equal(t.code, 3, t.out + t.err);
    assert.match(t.out, /unknown/i);
  });
});
