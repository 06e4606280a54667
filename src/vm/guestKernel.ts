// The guest kernel: Debian's Linux 6.1 source, `make tinyconfig`, the
// options of vm/guest/kernel.config merged over it, built once into the
// cache (a folder per configuration: editing the fragment builds anew).
// Every option the fragment asks for is checked in the final .config, so an
// option Kconfig silently dropped (a missing dependency) is an error, not a
// guest that boots without it.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { linuxSourceTarball } from './requirements';

export class KernelBuildError extends Error {}

/** The options a fragment sets ("CONFIG_X=y", "# CONFIG_X is not set"), by name. */
export function fragmentOptions(fragment: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fragment.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    if (set) out.set(set[1], set[2]);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line.trim());
    if (unset) out.set(unset[1], 'n');
  }
  return out;
}

/** Options of the fragment the final .config does not have as asked. */
export function optionsNotSet(fragment: string, config: string): string[] {
  const have = fragmentOptions(config);
  const wrong: string[] = [];
  for (const [name, want] of fragmentOptions(fragment)) {
    const got = have.get(name) ?? 'n';
    if (got !== want) wrong.push(`${name}=${want} (the build has ${got === 'n' ? 'it unset' : got})`);
  }
  return wrong;
}

function run(cmd: string, args: string[], cwd: string, logPath: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(logPath, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}`, { flag: 'a' });
  if (r.status !== 0) throw new KernelBuildError(`${what} failed (exit ${r.status ?? r.signal}); its log: ${logPath}\n${tail(logPath)}`);
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

interface KernelBuild {
  bzImage: string;
  /** The final .config. */
  config: string;
  /** Whether it was built by this call (else taken from the cache). */
  built: boolean;
  seconds: number;
}

/**
 * The bzImage of the guest kernel for `fragmentPath`, built into `cacheDir`
 * when it is not there yet. `log` gets progress lines (a first build takes
 * minutes).
 */
export async function ensureGuestKernel(cacheDir: string, fragmentPath: string, log: (line: string) => void): Promise<KernelBuild> {
  const tarball = linuxSourceTarball();
  if (!tarball) throw new KernelBuildError('the Linux 6.1 source is missing: apt-get install linux-source-6.1');
  const fragment = readFileSync(fragmentPath, 'utf8');
  const key = createHash('sha256').update(fragment).update(`${basename(tarball)}:${statSync(tarball).size}`).digest('hex').slice(0, 12);
  const done = join(cacheDir, `kernel-${key}`);
  if (existsSync(join(done, 'bzImage'))) return { bzImage: join(done, 'bzImage'), config: join(done, 'config'), built: false, seconds: 0 };

  const started = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  const logPath = join(cacheDir, `kernel-${key}.build.log`);
  writeFileSync(logPath, '');
  // The source, unpacked once (about a minute) and never built in: builds go to their own folder.
  const source = join(cacheDir, basename(tarball).replace(/\.tar\.\w+$/, ''));
  if (!existsSync(join(source, '.unpacked'))) {
    log(`Unpacking ${tarball} into ${cacheDir} (once)...`);
    rmSync(source, { recursive: true, force: true });
    run('tar', ['-xf', tarball, '-C', cacheDir], cacheDir, logPath, `unpacking ${tarball}`);
    writeFileSync(join(source, '.unpacked'), '');
  }
  if (existsSync(join(source, '.config'))) run('make', ['mrproper'], source, logPath, 'cleaning the source for an out-of-tree build');
  const build = join(cacheDir, `build-${key}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  log(`Building the guest kernel (once per configuration; about 3 to 15 minutes on 2 cores). Log: ${logPath}`);
  run('make', ['-C', source, `O=${build}`, 'tinyconfig'], source, logPath, 'make tinyconfig');
  run(join(source, 'scripts', 'kconfig', 'merge_config.sh'), ['-m', '-O', build, join(build, '.config'), fragmentPath], source, logPath, 'merging vm/guest/kernel.config');
  run('make', ['-C', source, `O=${build}`, 'olddefconfig'], source, logPath, 'make olddefconfig');
  const wrong = optionsNotSet(fragment, readFileSync(join(build, '.config'), 'utf8'));
  if (wrong.length) throw new KernelBuildError(`Kconfig did not take these options of vm/guest/kernel.config (a dependency is missing from it):\n  ${wrong.join('\n  ')}`);
  await makeWithProgress(source, build, logPath, log);
  mkdirSync(`${done}.partial`, { recursive: true });
  copyFileSync(join(build, 'arch', 'x86', 'boot', 'bzImage'), join(`${done}.partial`, 'bzImage'));
  copyFileSync(join(build, '.config'), join(`${done}.partial`, 'config'));
  rmSync(done, { recursive: true, force: true });
  renameSync(`${done}.partial`, done);
  rmSync(build, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  log(`Built the guest kernel in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s.`);
  return { bzImage: join(done, 'bzImage'), config: join(done, 'config'), built: true, seconds };
}

/** make bzImage, saying every 30 s how many files it has compiled. */
function makeWithProgress(source: string, build: string, logPath: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logPath, { flags: 'a' });
    const jobs = String(Math.max(1, availableParallelism()));
    const child = spawn('make', ['-C', source, `O=${build}`, `-j${jobs}`, 'bzImage'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let compiled = 0;
    const count = (chunk: Buffer) => {
      out.write(chunk);
      compiled += (chunk.toString().match(/^\s+CC\s/gm) ?? []).length;
    };
    child.stdout.on('data', count);
    child.stderr.on('data', (c: Buffer) => out.write(c));
    const timer = setInterval(() => log(`  ... ${compiled} files compiled`), 30000);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      out.end(() => {
        if (code === 0) resolve();
        else reject(new KernelBuildError(`make bzImage failed (exit ${code ?? signal}); its log: ${logPath}\n${tail(logPath)}`));
      });
    });
  });
}
