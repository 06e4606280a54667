// viommu vm [options]: boots a Linux guest on QEMU's intel-iommu with the
// options asked for, runs the workload the VM lane runs, leaves its capture
// (debugfs files, kernel log, /proc/interrupts, IOMMU groups, QEMU's trace,
// a manifest) in a folder, and prints what `check` says of it. What the host
// lacks is named with the packages to install; the guest kernel is built
// once into the cache (see src/vm/paths.ts).
//
// Exit: check's (0 clean, 1 an error finding, 3 a file left out) once the
// capture is made; 2 a usage error, a missing package or a failed kernel
// build; 4 the guest did not give its capture (the console's last lines say
// why).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCapture } from '../../io/captureReader';
import { buildCapture } from '../../model/buildCapture';
import { computeTwin, twinMarkdown } from '../../vm/twin';
import { bootGuest, DEFAULT_VM, describeVm, KernelBuildError, prepareGuest, RequirementError, VmRunError, type VmManifest, type VmOptions } from '../../vm/index';
import { flagString, parseArgs, UsageError } from '../args';
import { runCheck } from './check';
import type { CommandIO } from './io';

export const VM_USAGE = `  vm [--mode legacy|scalable] [--caching-mode on|off] [--strict|--lazy] [--ats] [--x2apic]
     [--read-mib N] [--direct] [--accel tcg|kvm] [--out DIR] [--timeout SECONDS] [--console]
                                       boot a Linux guest on QEMU's intel-iommu and capture it`;

function onOffFlag(args: ReturnType<typeof parseArgs>, name: string, fallback: boolean): boolean {
  const v = flagString(args, name);
  if (v === undefined) return fallback;
  if (v !== 'on' && v !== 'off') throw new UsageError(`--${name} ${v}: expected on or off`);
  return v === 'on';
}

/** The VM options of a command line. */
export function vmOptionsOf(argv: string[]): { options: VmOptions; out: string; timeoutMs: number; console: boolean } {
  const args = parseArgs(argv, ['mode', 'caching-mode', 'read-mib', 'out', 'timeout', 'accel'], ['strict', 'lazy', 'ats', 'x2apic', 'direct', 'console']);
  if (args.positional.length > 0) throw new UsageError(`vm takes no PATH (the capture goes to --out DIR): ${args.positional[0]}`);
  const mode = flagString(args, 'mode') ?? DEFAULT_VM.mode;
  if (mode !== 'legacy' && mode !== 'scalable') throw new UsageError(`--mode ${mode}: expected legacy or scalable`);
  if (args.flags.has('strict') && args.flags.has('lazy')) throw new UsageError('--strict and --lazy: give one');
  const readText = flagString(args, 'read-mib');
  const readMiB = readText === undefined ? DEFAULT_VM.readMiB : Number(readText);
  if (!Number.isInteger(readMiB) || readMiB < 1 || readMiB > 56) throw new UsageError(`--read-mib ${readText}: expected 1 to 56 (the guest's disk is 64 MiB)`);
  // TCG unless asked: a /dev/kvm that opens may still not run a guest (nested virtualization off).
  const accel = flagString(args, 'accel') ?? 'tcg';
  if (accel !== 'tcg' && accel !== 'kvm') throw new UsageError(`--accel ${accel}: expected tcg or kvm`);
  const timeoutText = flagString(args, 'timeout');
  const timeout = timeoutText === undefined ? 300 : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout ${timeoutText}: expected seconds`);
  const options: VmOptions = {
    ...DEFAULT_VM,
    mode,
    cachingMode: onOffFlag(args, 'caching-mode', DEFAULT_VM.cachingMode),
    strict: args.flags.has('lazy') ? false : DEFAULT_VM.strict,
    ats: args.flags.has('ats'),
    x2apic: args.flags.has('x2apic'),
    readMiB,
    directRead: args.flags.has('direct'),
    accel,
  };
  const out = resolve(flagString(args, 'out') ?? `viommu-vm-${mode}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  return { options, out, timeoutMs: timeout * 1000, console: args.flags.has('console') };
}

export async function runVm(argv: string[], io: CommandIO): Promise<number> {
  const { options, out, timeoutMs, console: showConsole } = vmOptionsOf(argv);
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${out} exists and is not empty: give a new folder with --out`);
  const log = (line: string) => io.err(line);
  try {
    log(`viommu vm: ${describeVm(options)} (${options.accel === 'kvm' ? 'KVM' : 'TCG: tens of seconds'})`);
    const images = await prepareGuest(false, log);
    const r = await bootGuest(images, options, out, timeoutMs, undefined, (line) => {
      if (showConsole || /^(viommu-guest|VIOMMU-STAGE)/.test(line)) log(`  ${line}`);
    });
    log(`viommu vm: the guest ran in ${r.seconds.toFixed(1)} s; its capture (${r.files.length} files and a manifest) is in ${out}`);
  } catch (err) {
    if (err instanceof RequirementError || err instanceof KernelBuildError) {
      io.err(`viommu vm: ${err.message}`);
      return 2;
    }
    if (err instanceof VmRunError) {
      io.err(`viommu vm: ${err.message}${err.consoleTail ? `\nThe console's last lines:\n${err.consoleTail}` : ''}`);
      return 4;
    }
    throw err;
  }
  io.out(`What \`viommu check\` says of ${out}:`);
  const code = runCheck([out], io);
  printTwin(out, io);
  return code;
}

/** The guest's twin phase against the simulator's scenario of it (scenario.viommu.yaml in the capture). */
function printTwin(out: string, io: CommandIO): void {
  try {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as VmManifest;
    const capture = buildCapture(readCapture(out).files);
    const twin = computeTwin({ capture, options: manifest.options, from: manifest.stages['twin-begin'], to: manifest.stages['twin-end'] });
    io.out('');
    io.out(`The simulator's scenario of this guest (${join(out, 'scenario.viommu.yaml')}) against its real trace:`);
    io.out(twinMarkdown('twin phase', manifest.description, twin));
  } catch (err) {
    io.err(`viommu vm: no twin table: ${err instanceof Error ? err.message : String(err)}`);
  }
}
