// viommu capture [OUTDIR]: copy the running system's IOMMU state into a capture
// folder (Linux, as root): debugfs intel-iommu files, the kernel log,
// /proc/interrupts and the IOMMU groups, with a small manifest.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../args';
import type { CommandIO } from './io';

export const DEBUGFS = '/sys/kernel/debug';
export const INTEL_DIR = '/sys/kernel/debug/iommu/intel';

export class CaptureError extends Error {}

/** Why the intel-iommu debugfs cannot be read here, or undefined when it can. */
export function debugfsProblem(root = DEBUGFS, intel = INTEL_DIR): string | undefined {
  if (process.platform !== 'linux') return 'capturing needs a Linux machine (the guest whose IOMMU you want to inspect)';
  if (!existsSync(root)) return `${root} does not exist: this kernel has no debugfs`;
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' ? `${root} is not readable: run as root (sudo viommu capture)` : `${root}: ${code}`;
  }
  if (entries.length === 0) return `debugfs is not mounted: mount -t debugfs none ${root}`;
  if (!existsSync(intel)) {
    return `${intel} does not exist: the kernel needs CONFIG_INTEL_IOMMU_DEBUGFS=y and the IOMMU on (intel_iommu=on)`;
  }
  try {
    readdirSync(intel);
  } catch (err) {
    return `${intel} is not readable (${(err as NodeJS.ErrnoException).code}): run as root`;
  }
  return undefined;
}

function copyTree(src: string, dst: string, copied: string[], prefix = ''): void {
  mkdirSync(dst, { recursive: true });
  for (const n of readdirSync(src)) {
    const from = join(src, n);
    const st = statSync(from);
    if (st.isDirectory()) {
      copyTree(from, join(dst, n), copied, `${prefix}${n}/`);
    } else {
      try {
        // debugfs files report size 0: read them rather than copy by size.
        writeFileSync(join(dst, n), readFileSync(from));
        copied.push(prefix + n);
      } catch {
        // Write-only or failing files (dmar_perf_latency without CONFIG_DMAR_PERF data) are skipped.
      }
    }
  }
}

function groupsListing(root = '/sys/kernel/iommu_groups'): string {
  const out: string[] = [];
  if (!existsSync(root)) return '';
  const groups = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  for (const g of groups) {
    const dir = join(root, g, 'devices');
    out.push(`${dir}/:`);
    out.push('total 0');
    for (const d of readdirSync(dir).sort()) {
      let target = '';
      try {
        target = readlinkSync(join(dir, d));
      } catch {
        // not a link
      }
      out.push(`lrwxrwxrwx    1 0        0                0 ${d} -> ${target}`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function runCapture(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, [], []);
  if (args.positional.length > 1) throw new UsageError('capture takes at most one OUTDIR');
  const out = args.positional[0] ?? `viommu-capture-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const problem = debugfsProblem();
  if (problem) throw new CaptureError(problem);
  if (existsSync(out) && readdirSync(out).length > 0) throw new CaptureError(`${out} exists and is not empty`);
  const copied: string[] = [];
  copyTree(INTEL_DIR, out, copied);
  try {
    writeFileSync(join(out, 'dmesg'), execFileSync('dmesg', { maxBuffer: 512 * 1024 * 1024 }));
    copied.push('dmesg');
  } catch {
    io.err('viommu: could not run dmesg; the kernel log is not in the capture');
  }
  copyFileSync('/proc/interrupts', join(out, 'interrupts'));
  copied.push('interrupts');
  const groups = groupsListing();
  if (groups) {
    writeFileSync(join(out, 'iommu_groups'), groups);
    copied.push('iommu_groups');
  }
  const manifest = { tool: 'viommu capture', kernel: release(), host: hostname(), date: new Date().toISOString(), files: copied };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  io.out(`captured ${copied.length} files into ${out}`);
  io.out('QEMU trace events are recorded on the host: add its trace file (-trace "vtd_*",file=...) to the folder to complete the picture.');
  return 0;
}
