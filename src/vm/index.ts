// A capture of a real Linux guest on QEMU's intel-iommu, in one call: what the
// host needs (checked, or installed for the lane), the guest kernel and
// initramfs (built once into the cache), one boot, the capture folder.

import { join } from 'node:path';
import { ensureRequirements, qemuBinary } from './requirements';
import { ensureGuestKernel } from './guestKernel';
import { ensureEduDma, writeInitramfs } from './initramfs';
import { guestSourceDir, vmCacheDir } from './paths';
import { runVm, type VmRunResult } from './runVm';
import type { VmOptions } from './machine';
import { mkdirSync } from 'node:fs';

export { DEFAULT_VM, describeVm, kernelCommandLine, qemuArgs, type VmOptions } from './machine';
export { VmRunError, type VmManifest, type VmRunResult } from './runVm';
export { RequirementError } from './requirements';
export { KernelBuildError } from './guestKernel';

interface GuestImages {
  qemu: string;
  kernel: string;
  initrd: string;
}

/** QEMU, the guest kernel and its initramfs, ready to boot (installing or building what is missing). */
export async function prepareGuest(install: boolean, log: (line: string) => void): Promise<GuestImages> {
  ensureRequirements(install, log);
  const cache = vmCacheDir();
  const guest = guestSourceDir();
  const kernel = await ensureGuestKernel(cache, join(guest, 'kernel.config'), log);
  const eduDma = ensureEduDma(cache, guest);
  mkdirSync(cache, { recursive: true });
  const initrd = join(cache, `initramfs-${process.pid}.cpio.gz`);
  writeInitramfs(initrd, guest, eduDma);
  return { qemu: qemuBinary() as string, kernel: kernel.bzImage, initrd };
}

export function bootGuest(images: GuestImages, options: VmOptions, outDir: string, timeoutMs: number, variant?: string, onLine?: (line: string) => void): Promise<VmRunResult> {
  return runVm({ ...images, options, outDir, timeoutMs, variant, onLine });
}
