// What the VM guest needs on the host, where to find it, and how to get it:
// QEMU, a static busybox, Debian's Linux 6.1 source and a compiler. The lane
// installs what is missing with apt-get (as root, where it exists); `viommu
// vm` says what to install.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

interface Requirement {
  /** What it is for, in words. */
  what: string;
  /** The Debian package that provides it. */
  pkg: string;
  present(): boolean;
}

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, command);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The QEMU binary (VIOMMU_QEMU overrides the one on PATH). */
export function qemuBinary(): string | undefined {
  return process.env.VIOMMU_QEMU || onPath('qemu-system-x86_64');
}

/** A busybox with no program interpreter (static): the initramfs has no libraries. */
export function staticBusybox(): string | undefined {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    try {
      const elf = readFileSync(p);
      if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) continue;
      const phoff = Number(elf.readBigUInt64LE(32));
      const phentsize = elf.readUInt16LE(54);
      const phnum = elf.readUInt16LE(56);
      let interp = false;
      for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) interp = true;
      if (!interp) return p;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Debian's linux-source-6.1 tarball. */
export function linuxSourceTarball(): string | undefined {
  try {
    const names = readdirSync('/usr/src').filter((n) => /^linux-source-6\.1\.tar\.(xz|bz2|gz)$/.test(n));
    return names.length ? join('/usr/src', names[0]) : undefined;
  } catch {
    return undefined;
  }
}

const REQUIREMENTS: Requirement[] = [
  { what: 'QEMU for x86 (qemu-system-x86_64)', pkg: 'qemu-system-x86', present: () => qemuBinary() !== undefined },
  { what: 'a static busybox (the guest userland)', pkg: 'busybox-static', present: () => staticBusybox() !== undefined },
  { what: 'the Linux 6.1 source (the guest kernel is built from it once)', pkg: 'linux-source-6.1', present: () => linuxSourceTarball() !== undefined },
  { what: 'a C compiler and make', pkg: 'build-essential', present: () => onPath('gcc') !== undefined && onPath('make') !== undefined },
  { what: 'a static C library (the guest edu-dma program)', pkg: 'libc6-dev', present: () => existsSync('/usr/lib/x86_64-linux-gnu/libc.a') || existsSync('/usr/lib64/libc.a') },
  { what: 'flex (the kernel build)', pkg: 'flex', present: () => onPath('flex') !== undefined },
  { what: 'bison (the kernel build)', pkg: 'bison', present: () => onPath('bison') !== undefined },
  { what: 'bc (the kernel build)', pkg: 'bc', present: () => onPath('bc') !== undefined },
  { what: 'xz (to unpack the kernel source)', pkg: 'xz-utils', present: () => onPath('xz') !== undefined },
];

function missingRequirements(): Requirement[] {
  return REQUIREMENTS.filter((r) => !r.present());
}

export class RequirementError extends Error {}

/**
 * Makes sure every requirement is there. With `install`, missing packages are
 * installed with apt-get when that is possible (root, Debian); otherwise the
 * error names them and the command that installs them.
 */
export function ensureRequirements(install: boolean, log: (line: string) => void): void {
  const missing = missingRequirements();
  if (missing.length === 0) return;
  const list = missing.map((r) => `  ${r.pkg}: ${r.what}`).join('\n');
  const pkgs = [...new Set(missing.map((r) => r.pkg))];
  const canApt = install && process.getuid?.() === 0 && onPath('apt-get') !== undefined;
  if (!canApt) {
    throw new RequirementError(`The VM guest needs, and this machine lacks:\n${list}\nOn Debian or Ubuntu: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  log(`Installing with apt-get (once):\n${list}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...pkgs]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new RequirementError(`apt-get ${args[0]} failed (exit ${r.status ?? r.signal}): see its output above`);
  }
  const still = missingRequirements();
  if (still.length) throw new RequirementError(`apt-get finished, but these are still missing:\n${still.map((r) => `  ${r.pkg}: ${r.what}`).join('\n')}`);
}
