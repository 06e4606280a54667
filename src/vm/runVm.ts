// One boot of the VM guest: QEMU started with the machine's command line, its
// serial console read as it comes (the guest's VIOMMU-STAGE lines noted with
// the host's clock, which QEMU's trace stamps use too), a time limit, and
// then the capture the guest wrote to the start of its disk unpacked into the
// output folder beside QEMU's trace, with a manifest.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { readTar } from './archives';
import { describeVm, kernelCommandLine, qemuArgs, TWIN_ECHOES, TWIN_INTERVAL_MS, type VmOptions } from './machine';
import { TWIN_SCENARIO_FILE, twinScenarioText } from './twinScenario';

export class VmRunError extends Error {
  constructor(
    message: string,
    /** The console's last lines. */
    readonly consoleTail: string,
  ) {
    super(message);
  }
}

export interface VmRunResult {
  outDir: string;
  files: string[];
  /** Seconds since the epoch at which each VIOMMU-STAGE line arrived. */
  stages: Record<string, number>;
  seconds: number;
  console: string;
  manifest: VmManifest;
}

export interface VmManifest {
  tool: 'viommu vm';
  variant?: string;
  description: string;
  options: VmOptions;
  qemu: { binary: string; version: string; commandLine: string[] };
  kernel: { version: string; commandLine: string };
  workload: string[];
  /** Host wall-clock seconds of the guest's phases: the trace's events between workload-begin and workload-end are the workload's. */
  stages: Record<string, number>;
  files: string[];
}

const DISK_MIB = 64;
/** The capture takes at most this much of the disk's start. */
const CAPTURE_MAX = 48 * 1024 * 1024;

const WORKLOAD = [
  'ping QEMU\'s gateway 5 times over e1000e (00:02.0) and over virtio-net (00:03.0, or 01:00.0 behind a root port)',
  `the twin phase: ${TWIN_ECHOES} echoes over virtio-net, ${TWIN_INTERVAL_MS} ms apart, alone (between the twin-begin and twin-end stages)`,
  'read the first MiBs of the virtio disk (00:04.0), buffered',
  'edu (00:05.0) through VFIO: a DMA round trip through IOVA 0x100000, a read of unmapped IOVA 0x2345000 and a write to read-only IOVA 0x200000 (two DMAR faults)',
];

function qemuVersion(qemu: string): string {
  const r = spawnSync(qemu, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0].trim();
}

interface RunVmParams {
  qemu: string;
  kernel: string;
  initrd: string;
  options: VmOptions;
  outDir: string;
  variant?: string;
  timeoutMs: number;
  /** Console lines as they arrive. */
  onLine?: (line: string) => void;
}

export async function runVm(p: RunVmParams): Promise<VmRunResult> {
  const outDir = resolve(p.outDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const work = `${outDir}.run`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const disk = join(work, 'disk.img');
  const fd = openSync(disk, 'w');
  ftruncateSync(fd, DISK_MIB * 1024 * 1024);
  closeSync(fd);
  const trace = join(outDir, 'qemu-vtd.trace');
  const args = qemuArgs(p.options, { kernel: p.kernel, initrd: p.initrd, disk, trace });
  const started = Date.now();
  const stages: Record<string, number> = {};
  const lines: string[] = [];
  const code = await new Promise<number | null>((resolveRun, reject) => {
    const child = spawn(p.qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Stopped (Ctrl-C, the editor's Cancel): QEMU goes too, not left running on its own.
    const onSignal = (signal: NodeJS.Signals) => {
      child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let partial = '';
    const onData = (chunk: Buffer) => {
      const now = Date.now() / 1000;
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) {
        const line = raw.replace(/\r$/, '');
        lines.push(line);
        if (lines.length > 5000) lines.splice(0, 1000);
        const m = /VIOMMU-STAGE (\S+)/.exec(line);
        if (m) stages[m[1]] = now;
        p.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new VmRunError(`the guest did not finish within ${Math.round(p.timeoutMs / 1000)} s (${stages['dump-written'] ? 'it wrote its capture' : `last stage: ${Object.keys(stages).pop() ?? 'none, still booting'}`})`, lines.slice(-40).join('\n')));
    }, p.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new VmRunError(`could not start ${p.qemu}: ${err.message}`, ''));
    });
    child.on('close', (c) => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      clearTimeout(timer);
      if (partial) lines.push(partial);
      resolveRun(c);
    });
  });
  const consoleText = lines.join('\n') + '\n';
  writeFileSync(`${outDir}.console.log`, consoleText);
  const tailText = lines.slice(-40).join('\n');
  if (code !== 0) throw new VmRunError(`QEMU exited with ${code}`, tailText);
  if (stages['dump-written'] === undefined) throw new VmRunError('the guest powered off without writing its capture', tailText);

  // The capture: a tar at the start of the disk.
  const bytes = Buffer.alloc(CAPTURE_MAX);
  const dfd = openSync(disk, 'r');
  const n = readSync(dfd, bytes, 0, CAPTURE_MAX, 0);
  closeSync(dfd);
  const tar = readTar(bytes.subarray(0, n));
  if (tar.problem) throw new VmRunError(`the capture on the guest's disk cannot be read: ${tar.problem}`, tailText);
  const files: string[] = [];
  for (const f of tar.files) {
    const path = resolve(outDir, f.name);
    if (!path.startsWith(outDir + sep)) throw new VmRunError(`the capture names a file outside its folder: ${f.name}`, tailText);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.data);
    files.push(f.name);
  }
  rmSync(work, { recursive: true, force: true });
  if (existsSync(trace)) files.push('qemu-vtd.trace');
  files.sort();
  const dmesg = tar.files.find((f) => f.name === 'dmesg')?.data.toString('utf8') ?? consoleText;
  const kernelVersion = /Linux version (\S+)/.exec(dmesg)?.[1] ?? '';
  const manifest: VmManifest = {
    tool: 'viommu vm',
    ...(p.variant ? { variant: p.variant } : {}),
    description: describeVm(p.options),
    options: p.options,
    // File names only: a manifest says what ran, not where this machine keeps things.
    qemu: { binary: basename(p.qemu), version: qemuVersion(p.qemu), commandLine: qemuArgs(p.options, { kernel: 'bzImage', initrd: 'initramfs.cpio.gz', disk: 'disk.img', trace: 'qemu-vtd.trace' }) },
    kernel: { version: kernelVersion, commandLine: kernelCommandLine(p.options) },
    workload: WORKLOAD,
    stages,
    files,
  };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(outDir, TWIN_SCENARIO_FILE), twinScenarioText(p.options, `vm-${p.variant ?? p.options.mode}`));
  return { outDir, files, stages, seconds: (Date.now() - started) / 1000, console: consoleText, manifest };
}
