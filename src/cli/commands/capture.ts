// viommu capture [OUTDIR] [--debugfs DIR] [--proc DIR] [--groups DIR]: copy
// the running system's IOMMU state into a capture folder (Linux, as root):
// the intel-iommu debugfs files, the kernel log, /proc/interrupts and the
// IOMMU groups, with a manifest of every file's size and SHA-256.
//
// Reading: files of /proc and debugfs report size 0, so every file is read
// to its end (never copied by size), up to a cap, with a note in the
// manifest when the cap cut a file. A source that is not a regular file (a
// FIFO, a device) is never opened for reading. /proc/kmsg is never read: the
// kernel log comes from dmesg(1).
//
// Writing, as root into a folder another user may write (/tmp): the output
// folder is created fresh (an existing one must be empty, a real folder, not
// a link, owned by this user and not writable by others); every file is
// created with O_CREAT | O_EXCL | O_NOFOLLOW, so a link planted in its place
// cannot redirect the write. Afterwards each file is read back and checked
// against what was read (size and hash): a capture with a file missing or
// empty where its source was not is an error, not a success.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, writeSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { readBounded, reasonOf } from '../../io/captureReader';
import { flagString, parseArgs, UsageError } from '../args';
import type { CommandIO } from './io';

const DEBUGFS = '/sys/kernel/debug';
const INTEL_DIR = '/sys/kernel/debug/iommu/intel';

/** Largest file taken from /proc or debugfs (a page-table dump of a large host is hundreds of MB). */
const MAX_SOURCE_BYTES = 1024 * 1024 * 1024;

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

/** Where a capture reads from: the real system, or (for tests, or a copy) other folders. */
interface CaptureSources {
  intelDir: string;
  interrupts: string;
  groupsDir: string;
  /** The kernel log's text, or why it could not be had. */
  kernelLog: () => Buffer | { error: string };
}

function systemSources(root?: { debugfs?: string; proc?: string; groups?: string }): CaptureSources {
  return {
    intelDir: root?.debugfs ? join(root.debugfs, 'iommu', 'intel') : INTEL_DIR,
    interrupts: join(root?.proc ?? '/proc', 'interrupts'),
    groupsDir: root?.groups ?? '/sys/kernel/iommu_groups',
    kernelLog: () => {
      try {
        return execFileSync('dmesg', { maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'], timeout: 30000 });
      } catch (err) {
        return { error: `dmesg failed (${reasonOf(err)})` };
      }
    },
  };
}

/** One file of the capture as written: where it came from, its size and hash, and anything to know about it. */
interface ManifestFile {
  name: string;
  source: string;
  bytes: number;
  sha256: string;
  note?: string;
}

/**
 * The output folder, made fresh: a new folder, or an existing one that is
 * empty, a real folder (not a link), owned by this user and writable by
 * nobody else. Anything else is refused with a message.
 */
function freshFolder(out: string): void {
  let st;
  try {
    st = lstatSync(out);
  } catch {
    try {
      mkdirSync(out, { mode: 0o755 });
    } catch (err) {
      throw new CaptureError(`cannot create ${out}: ${reasonOf(err)}`);
    }
    return;
  }
  if (st.isSymbolicLink()) throw new CaptureError(`${out} is a link: give a new folder (a link could send the capture anywhere)`);
  if (!st.isDirectory()) throw new CaptureError(`${out} exists and is a file, not a folder: give a new folder`);
  if (readdirSync(out).length > 0) throw new CaptureError(`${out} exists and is not empty: give a new folder`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new CaptureError(`${out} belongs to another user (uid ${st.uid}): give a new folder`);
  if ((st.mode & 0o022) !== 0) throw new CaptureError(`${out} can be written by other users: give a new folder`);
}

/** Creates `path` for writing: exclusive and without following a link (see the file comment). */
export function writeNew(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } finally {
    closeSync(fd);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

class CaptureWriter {
  readonly files: ManifestFile[] = [];
  readonly skipped: { name: string; source: string; reason: string }[] = [];

  constructor(private readonly out: string) {}

  /** Writes one file of the capture and records it. */
  write(name: string, source: string, bytes: Uint8Array, note?: string): void {
    const path = join(this.out, name);
    writeNew(path, bytes);
    this.files.push({ name, source, bytes: bytes.length, sha256: sha256(bytes), ...(note ? { note } : {}) });
  }

  /** Copies a source file (read to its end, up to the cap). */
  copy(name: string, source: string): void {
    let read;
    try {
      read = readBounded(source, MAX_SOURCE_BYTES);
    } catch (err) {
      this.skipped.push({ name, source, reason: reasonOf(err) });
      return;
    }
    this.write(name, source, read.bytes, read.truncated ? `cut at ${MAX_SOURCE_BYTES} bytes: the source was larger` : undefined);
  }

  /** Copies a debugfs folder (per-device and per-PASID folders included). */
  copyTree(src: string, prefix = ''): void {
    let names: string[];
    try {
      names = readdirSync(src).sort();
    } catch (err) {
      this.skipped.push({ name: prefix || '.', source: src, reason: reasonOf(err) });
      return;
    }
    for (const n of names) {
      const from = join(src, n);
      let st;
      try {
        st = lstatSync(from);
      } catch (err) {
        this.skipped.push({ name: prefix + n, source: from, reason: reasonOf(err) });
        continue;
      }
      if (st.isDirectory()) {
        mkdirSync(join(this.out, prefix + n), { mode: 0o755 });
        this.copyTree(from, `${prefix}${n}/`);
      } else if (st.isSymbolicLink()) {
        this.skipped.push({ name: prefix + n, source: from, reason: 'a link (debugfs has none here): not followed' });
      } else {
        this.copy(prefix + n, from);
      }
    }
  }

  /**
   * Reads every written file back: same size and hash as what was read. A
   * file of the system that had content must not end up empty.
   */
  verify(): string[] {
    const problems: string[] = [];
    for (const f of this.files) {
      let back;
      try {
        back = readBounded(join(this.out, f.name), MAX_SOURCE_BYTES, false);
      } catch (err) {
        problems.push(`${f.name}: cannot be read back (${reasonOf(err)})`);
        continue;
      }
      if (back.bytes.length !== f.bytes || sha256(back.bytes) !== f.sha256) problems.push(`${f.name}: what was written is not what was read`);
    }
    return problems;
  }
}

/** The IOMMU groups as `ls -l /sys/kernel/iommu_groups/*\/devices/` prints them. */
function groupsListing(root: string): string {
  const out: string[] = [];
  if (!existsSync(root)) return '';
  const groups = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  for (const g of groups) {
    const dir = join(root, g, 'devices');
    let devices: string[];
    try {
      devices = readdirSync(dir).sort();
    } catch {
      continue;
    }
    out.push(`${dir}/:`);
    out.push('total 0');
    for (const d of devices) {
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

/** Makes a capture of `sources` in `out`; returns the manifest's files and what could not be taken. */
function makeCapture(out: string, sources: CaptureSources, io: CommandIO): { files: ManifestFile[]; skipped: CaptureWriter['skipped']; problems: string[] } {
  freshFolder(out);
  const w = new CaptureWriter(out);
  w.copyTree(sources.intelDir);
  const log = sources.kernelLog();
  if (Buffer.isBuffer(log)) w.write('dmesg', 'dmesg(1)', log);
  else {
    w.skipped.push({ name: 'dmesg', source: 'dmesg(1)', reason: log.error });
    io.err(`viommu capture: ${log.error}: the kernel log is not in the capture`);
  }
  w.copy('interrupts', sources.interrupts);
  const groups = groupsListing(sources.groupsDir);
  if (groups) w.write('iommu_groups', sources.groupsDir, Buffer.from(groups));
  const problems = w.verify();
  const manifest = {
    tool: 'viommu capture',
    kernel: release(),
    host: hostname(),
    date: new Date().toISOString(),
    files: w.files,
    skipped: w.skipped,
  };
  writeNew(join(out, 'manifest.json'), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  return { files: w.files, skipped: w.skipped, problems };
}

export function runCapture(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, ['debugfs', 'proc', 'groups'], []);
  if (args.positional.length > 1) throw new UsageError('capture takes at most one OUTDIR');
  const out = args.positional[0] ?? `viommu-capture-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const debugfs = flagString(args, 'debugfs');
  const problem = debugfsProblem(debugfs ?? DEBUGFS, debugfs ? join(debugfs, 'iommu', 'intel') : INTEL_DIR);
  if (problem) throw new CaptureError(problem);
  const sources = systemSources({ debugfs, proc: flagString(args, 'proc'), groups: flagString(args, 'groups') });
  const { files, skipped, problems } = makeCapture(out, sources, io);
  for (const s of skipped) io.err(`viommu capture: not taken: ${s.name} (${s.source}): ${s.reason}`);
  for (const f of files) if (f.note) io.err(`viommu capture: ${f.name}: ${f.note}`);
  if (problems.length > 0) {
    for (const p of problems) io.err(`viommu capture: ${p}`);
    throw new CaptureError(`the capture in ${out} is incomplete (see above)`);
  }
  io.out(`captured ${files.length} files into ${out} (manifest.json lists each with its size and SHA-256)`);
  io.out('QEMU trace events are recorded on the host: add its trace file (-trace "vtd_*",file=...) to the folder to complete the picture.');
  return 0;
}
