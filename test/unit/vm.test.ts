// The VM guest's pieces that need no QEMU: the archives the host writes and
// reads, the machine's command lines, the command's options, the kernel
// fragment's check and what a host without QEMU is told. The boots
// themselves are the VM lane's (test/qemu/).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpioNewc, readTar } from '../../src/vm/archives';
import { DEFAULT_VM, iommuProperties, kernelCommandLine, qemuArgs } from '../../src/vm/machine';
import { VARIANTS } from '../../src/vm/variants';
import { fragmentOptions, optionsNotSet } from '../../src/vm/guestKernel';
import { vmOptionsOf } from '../../src/cli/commands/vm';
import { repoRoot } from '../helpers';

const files = { kernel: 'K', initrd: 'I', disk: 'D', trace: 'T' };

describe('VM guest: archives', () => {
  it('writes a newc cpio that cpio itself lists, with a device node, a link and a file', function () {
    const archive = cpioNewc([
      { name: 'dev', kind: 'dir', mode: 0o755 },
      { name: 'dev/console', kind: 'char', mode: 0o600, rdev: [5, 1] },
      { name: 'init', kind: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
      { name: 'bin/sh', kind: 'symlink', mode: 0o777, data: Buffer.from('busybox') },
    ]);
    const r = spawnSync('cpio', ['-t', '-v'], { input: archive, encoding: 'utf8' });
    if (r.error) this.skip(); // no cpio on this host
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ['drwxr-xr-x', 'crw-------', '-rwxr-xr-x', 'lrwxrwxrwx']);
    assert.match(lines[1], /5,\s+1 .*dev\/console$/);
    assert.match(lines[3], /bin\/sh -> busybox$/);
  });

  it('reads a tar as GNU tar writes it (the guest writes busybox tar; both are ustar), and stops at its end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-tar-'));
    mkdirSync(join(dir, 'c', '0000:00:02.0'), { recursive: true });
    writeFileSync(join(dir, 'c', 'dmesg'), 'x'.repeat(1000));
    writeFileSync(join(dir, 'c', '0000:00:02.0', 'domain_translation_struct'), 'rows\n');
    const tarred = spawnSync('tar', ['--format=ustar', '-c', '-C', join(dir, 'c'), '.'], { maxBuffer: 1 << 24 }).stdout;
    // The disk goes on after the archive: what follows is not read.
    const r = readTar(Buffer.concat([tarred, Buffer.alloc(4096, 0xaa)]));
    assert.equal(r.problem, undefined);
    assert.deepEqual(r.files.map((f) => [f.name, f.data.length]).sort(), [['0000:00:02.0/domain_translation_struct', 5], ['dmesg', 1000]]);
  });

  it('refuses a name outside the folder, a bad checksum and a cut archive, keeping what came before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-tar-'));
    writeFileSync(join(dir, 'a'), 'aaaa');
    const good = spawnSync('tar', ['--format=ustar', '-c', '-C', dir, 'a']).stdout as Buffer;
    const evil = Buffer.from(good);
    evil.write('../etc/passwd\0', 0, 'latin1');
    // Fix the checksum so the name is what is refused.
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : evil[i];
    evil.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    assert.match(readTar(evil).problem ?? '', /points outside the folder/);
    const bad = Buffer.from(good);
    bad[0] ^= 1;
    assert.match(readTar(bad).problem ?? '', /bad checksum at byte 0/);
    assert.match(readTar(good.subarray(0, 514)).problem ?? '', /a is cut short/);
    assert.match(readTar(good.subarray(0, 1024)).problem ?? '', /has no end/);
  });
});

describe('VM guest: its /init', () => {
  it('is a script busybox sh reads without a syntax error (one would panic every guest at boot)', function () {
    const r = spawnSync('busybox', ['sh', '-n', join(repoRoot, 'vm', 'guest', 'init')], { encoding: 'utf8' });
    if (r.error) this.skip(); // no busybox on this host; the VM lane would fail instead
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('VM guest: the machine', () => {
  it('puts the devices where the bundled captures have them, the IOMMU first, the trace in a file', () => {
    const args = qemuArgs(DEFAULT_VM, files);
    const devices = args.flatMap((a, i) => (args[i - 1] === '-device' ? [a] : []));
    assert.deepEqual(devices, [
      'intel-iommu,intremap=on,caching-mode=on,device-iotlb=off',
      'e1000e,netdev=n0,addr=02.0',
      'virtio-net-pci,netdev=n1,addr=03.0,iommu_platform=on,disable-legacy=on',
      'virtio-blk-pci,drive=d0,addr=04.0,iommu_platform=on,disable-legacy=on',
      'edu,addr=05.0',
    ]);
    assert.equal(args[args.indexOf('-D') + 1], 'T');
    assert.deepEqual(args.flatMap((a, i) => (args[i - 1] === '-trace' ? [a] : [])), ['enable=vtd_*', 'enable=x86_iommu_*', 'enable=kvm_irqchip_*']);
    assert.equal(kernelCommandLine(DEFAULT_VM), 'console=ttyS0 intel_iommu=on iommu.strict=1 quiet panic=-1 viommu.read_mib=4 viommu.echoes=100');
  });

  it('moves virtio-net behind a root port for ATS, and sets scalable mode, lazy invalidation and EIM as asked', () => {
    const o = { ...DEFAULT_VM, mode: 'scalable' as const, ats: true, strict: false, x2apic: true, cachingMode: false };
    assert.equal(iommuProperties(o), 'intel-iommu,intremap=on,caching-mode=off,device-iotlb=on,x-scalable-mode=on,eim=on,x-buggy-eim=on');
    const args = qemuArgs(o, files);
    assert.ok(args.includes('pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=06.0'));
    assert.ok(args.includes('virtio-net-pci,netdev=n1,bus=rp0,addr=00.0,ats=on,iommu_platform=on,disable-legacy=on'));
    assert.match(kernelCommandLine(o), /intel_iommu=on,sm_on iommu\.strict=0/);
  });

  it('has a matrix of distinct variants, each with a reason', () => {
    const keys = VARIANTS.map((v) => JSON.stringify(v.options));
    assert.equal(new Set(keys).size, VARIANTS.length);
    assert.equal(new Set(VARIANTS.map((v) => v.name)).size, VARIANTS.length);
    for (const m of ['legacy', 'scalable']) assert.ok(VARIANTS.some((v) => v.options.mode === m));
    for (const k of ['cachingMode', 'strict', 'ats', 'x2apic'] as const) assert.ok(VARIANTS.some((v) => v.options[k] !== DEFAULT_VM[k]), k);
  });
});

describe('viommu vm: options and what it says', () => {
  it('reads its flags into the machine options', () => {
    const { options, timeoutMs } = vmOptionsOf(['--mode', 'scalable', '--caching-mode', 'off', '--lazy', '--ats', '--read-mib', '32', '--direct', '--timeout', '60', '--out', '/tmp/x']);
    assert.deepEqual(
      { mode: options.mode, cm: options.cachingMode, strict: options.strict, ats: options.ats, read: options.readMiB, direct: options.directRead, accel: options.accel },
      { mode: 'scalable', cm: false, strict: false, ats: true, read: 32, direct: true, accel: 'tcg' },
    );
    assert.equal(timeoutMs, 60000);
    assert.throws(() => vmOptionsOf(['--caching-mode', 'maybe']), /expected on or off/);
    assert.throws(() => vmOptionsOf(['--strict', '--lazy']), /give one/);
    assert.throws(() => vmOptionsOf(['--read-mib', '100']), /1 to 56/);
    assert.throws(() => vmOptionsOf(['somewhere']), /takes no PATH/);
  });

  it('names the packages to install when the host lacks QEMU and a compiler, and exits 2', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'viommu-vm-')), 'capture');
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'vm', '--out', out], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /lacks:\n {2}qemu-system-x86: QEMU for x86/);
    assert.match(r.stderr, /sudo apt-get install -y qemu-system-x86 .*build-essential/);
  });

  it('checks that Kconfig took every option of the fragment', () => {
    const fragment = readFileSync(join(repoRoot, 'vm', 'guest', 'kernel.config'), 'utf8');
    const asked = fragmentOptions(fragment);
    assert.equal(asked.get('CONFIG_INTEL_IOMMU_DEBUGFS'), 'y');
    assert.equal(asked.get('CONFIG_STRICT_DEVMEM'), 'n');
    const config = [...asked].map(([k, v]) => (v === 'n' ? `# ${k} is not set` : `${k}=${v}`)).join('\n');
    assert.deepEqual(optionsNotSet(fragment, config), []);
    assert.deepEqual(optionsNotSet(fragment, config.replace('CONFIG_VFIO_PCI=y', '# CONFIG_VFIO_PCI is not set')), ['CONFIG_VFIO_PCI=y (the build has it unset)']);
  });
});
