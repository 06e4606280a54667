// Reading a capture folder (or one file) from disk: the one reader the CLI
// and the language server share. A capture folder is data the user did not
// write, so reading it never hangs and never takes more memory than its
// budget, whatever it holds:
//  - only regular files are read, opened without blocking (a FIFO or a
//    device is never opened for reading), and nothing under /proc, /sys or
//    /dev, nor any link into them, is read as a capture file;
//  - a file is read to its end up to a size cap, whatever stat says (files
//    of /proc and debugfs report size 0; a file may grow while read);
//  - the whole capture has a byte budget: sparse files and many large
//    siblings are left out once it is spent;
//  - the folder walk follows the kernel's layout (per-device folders named
//    by B:D.F, per-PASID folders in hex below them), never a link back to a
//    folder it already read, and not into other capture folders beside it,
//    which it names instead;
//  - a file met twice (a hard link, a link, or the same bytes under another
//    name) is read once;
//  - bytes in UTF-8 with a BOM or UTF-16 are decoded, with a note.
// What is left out is named with its reason.

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, relative, sep } from 'node:path';
import { decodeDumpBytes } from '../dumps/encoding';
import { detectFormat } from '../dumps/registry';
import type { FormatId } from '../dumps/types';
import { STREAMED_FORMATS } from '../model/streamedFile';
import { headText } from './streamFile';
import { parseRequesterName } from '../model/bdf';
import type { CaptureFile, LeftOutFile } from '../model/types';

const MiB = 1024 * 1024;

export interface ReadLimits {
  /** Largest file read, in bytes (read to its end, whatever stat says). */
  maxFileBytes: number;
  /** Bytes read for the whole capture. */
  budgetBytes: number;
  /** Files looked at in one capture folder. */
  maxFiles: number;
  /**
   * Files above this size, of a format with a streaming parser (a QEMU
   * trace, a page-table dump), are not read but listed in `large`, to be
   * streamed (model/streamedFile.ts); undefined: never.
   */
  streamAboveBytes?: number;
}

/** The CLI's limits: files up to 512 MiB, 1 GiB for a capture; traces and page-table dumps above 64 MiB streamed, whatever their size. */
export const CLI_LIMITS: ReadLimits = { maxFileBytes: 512 * MiB, budgetBytes: 1024 * MiB, maxFiles: 5000, streamAboveBytes: 64 * MiB };
/** The language server's: it keeps captures in memory while documents are open. */
export const SERVER_LIMITS: ReadLimits = { maxFileBytes: 64 * MiB, budgetBytes: 256 * MiB, maxFiles: 2000 };

/** Files a capture folder may hold that are not dumps (the capture manifest, notes, scenarios, hidden files). */
export const NOT_DUMPS = /^(manifest\.json|README(\.md)?|.*\.viommu\.yaml|\..*)$/i;

/** Folders of the running system: reading a file there can block (/proc/kmsg) or never end. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/** Whether a real (resolved) path is under /proc, /sys or /dev. */
export function isSystemPath(realPath: string): boolean {
  return SYSTEM_ROOTS.some((r) => realPath === r || realPath.startsWith(r + '/'));
}

/** Why a file or folder could not be read, in words (the error code after it). */
export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    EACCES: 'permission denied (debugfs files are readable by root only)',
    EPERM: 'operation not permitted',
    ENOENT: 'no such file or folder (a link to nothing?)',
    EISDIR: 'a folder, not a file',
    ENOTDIR: 'not a folder',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
    ELOOP: 'too many links, or a link where none is allowed',
    EAGAIN: 'would block',
    ENOTREG: 'not a regular file (a FIFO, a device or a socket could block the reader)',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? (err instanceof Error ? err.message : String(err));
}

export interface ReadFile extends CaptureFile {
  /** Where it was read. */
  path: string;
  /** What its bytes were converted from, when they were not plain UTF-8 or ASCII. */
  converted?: string;
}

/** A file to be streamed rather than read (see ReadLimits.streamAboveBytes). */
export interface LargeFile {
  name: string;
  path: string;
  size: number;
  format: FormatId;
}

export interface CaptureRead {
  /** The folder (or the file's folder). */
  root: string;
  files: ReadFile[];
  /** Files too large to hold, of a format that can be streamed: not read yet. */
  large: LargeFile[];
  leftOut: LeftOutFile[];
  /** Other capture folders found below this one (not read with it): their paths. */
  nested: string[];
}

export class CaptureReadError extends Error {}

/** The bytes of a regular file, read to its end up to `cap`; `truncated` when there was more. */
interface Bounded {
  bytes: Buffer;
  truncated: boolean;
}

/**
 * Reads a regular file without trusting its size: opened non-blocking (a
 * FIFO or a device is refused before any read), then read chunk by chunk to
 * its end or `cap` bytes. Throws with a reason for anything else.
 */
export function readBounded(path: string, cap: number, follow = true): Bounded {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file (a FIFO, a device or a socket could block the reader)'), { code: 'ENOTREG' });
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = 1 << 20;
    for (;;) {
      const want = Math.min(chunk, cap + 1 - total);
      if (want <= 0) break;
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(fd, buf, 0, want, null);
      if (n <= 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    const bytes = Buffer.concat(chunks, total);
    return total > cap ? { bytes: bytes.subarray(0, cap), truncated: true } : { bytes, truncated: false };
  } finally {
    closeSync(fd);
  }
}

/** The capture folder a file belongs to: its own folder, or the one above a per-device (and per-PASID) folder. */
export function captureRootOf(filePath: string): string {
  let dir = dirname(filePath);
  for (let up = 0; up < 2; up++) {
    const name = basename(dir);
    const parentName = basename(dirname(dir));
    const isDevice = parseRequesterName(name) !== undefined;
    const isPasidUnderDevice = /^[0-9a-f]{1,5}$/i.test(name) && parseRequesterName(parentName) !== undefined;
    if (!isDevice && !isPasidUnderDevice) break;
    dir = dirname(dir);
  }
  return dir;
}

/** A folder name the kernel gives a per-device folder (0000:00:02.0) or a per-PASID one (hex, below a device). */
function isLayoutFolder(name: string, depth: number): boolean {
  return (depth === 0 && parseRequesterName(name) !== undefined) || (depth === 1 && /^[0-9a-f]{1,5}$/i.test(name));
}

class Reader {
  readonly files: ReadFile[] = [];
  readonly large: LargeFile[] = [];
  readonly leftOut: LeftOutFile[] = [];
  readonly nested: string[] = [];
  private spent = 0;
  private looked = 0;
  private notListed = 0;
  private readonly seenFolders = new Set<string>();
  private readonly seenInodes = new Map<string, string>();
  private readonly seenContent = new Map<string, string>();
  /** The capture folder's real path, once read. */
  private rootReal: string | undefined;

  constructor(
    private readonly root: string,
    private readonly limits: ReadLimits,
  ) {}

  private name(path: string): string {
    return relative(this.root, path).split(sep).join('/') || basename(path);
  }

  private leave(path: string, reason: string): void {
    this.leftOut.push({ name: this.name(path), reason });
  }

  /** Reads one file of the capture (or says why not). */
  file(path: string): void {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (err) {
      this.leave(path, reasonOf(err));
      return;
    }
    if (isSystemPath(real)) {
      this.leave(path, `${real === path ? 'a file' : `a link to ${real}`} of the running system (/proc, /sys or /dev): not read as a capture file (some never end or block)`);
      return;
    }
    let st;
    try {
      st = statSync(real);
    } catch (err) {
      this.leave(path, reasonOf(err));
      return;
    }
    if (!st.isFile()) {
      this.leave(path, 'not a regular file (a FIFO, a device or a socket could block the reader)');
      return;
    }
    const inode = `${st.dev}:${st.ino}`;
    const twin = this.seenInodes.get(inode);
    if (twin !== undefined) {
      this.leave(path, `the same file as ${twin} (a link): read once`);
      return;
    }
    const streamAbove = this.limits.streamAboveBytes;
    if (streamAbove !== undefined && st.size > streamAbove) {
      let format: FormatId | undefined;
      try {
        format = detectFormat(headText(real), basename(path));
      } catch (err) {
        this.leave(path, err instanceof Error ? err.message : String(err));
        return;
      }
      if (format !== undefined && STREAMED_FORMATS.includes(format)) {
        this.seenInodes.set(inode, this.name(path));
        this.large.push({ name: this.name(path), path: real, size: st.size, format });
        return;
      }
    }
    const cap = Math.min(this.limits.maxFileBytes, this.limits.budgetBytes - this.spent);
    // stat is a hint only (a sparse file says 10 GiB and holds nothing; /proc says 0): the read is bounded anyway.
    if (st.size > cap) {
      this.leave(path, this.tooLarge(st.size, cap));
      return;
    }
    let read: Bounded;
    try {
      read = readBounded(real, cap);
    } catch (err) {
      this.leave(path, reasonOf(err));
      return;
    }
    if (read.truncated) {
      this.leave(path, `it grew, or never ended, while it was read: ${this.tooLarge(cap + 1, cap)}`);
      return;
    }
    const hash = createHash('sha1').update(read.bytes).digest('hex');
    const same = this.seenContent.get(hash);
    if (same !== undefined && read.bytes.length > 0) {
      this.leave(path, `the same bytes as ${same}: read once`);
      return;
    }
    this.seenInodes.set(inode, this.name(path));
    this.seenContent.set(hash, this.name(path));
    this.spent += read.bytes.length;
    const decoded = decodeDumpBytes(read.bytes);
    const f: ReadFile = { name: this.name(path), text: decoded.text, path };
    const notes = [decoded.converted, decoded.crlf ? 'CRLF line endings (read as they are)' : undefined].filter((x): x is string => x !== undefined);
    if (notes.length) f.converted = notes.join('; ');
    this.files.push(f);
  }

  private tooLarge(size: number, cap: number): string {
    const budget = this.limits.budgetBytes - this.spent < this.limits.maxFileBytes;
    return budget
      ? `${Math.ceil(size / MiB)} MiB: the capture's budget of ${Math.round(this.limits.budgetBytes / MiB)} MiB is spent (${Math.round(this.spent / MiB)} MiB read)`
      : `${Math.ceil(size / MiB)} MiB, more than the ${Math.round(cap / MiB)} MiB a file is read up to; open it with "vIOMMU: Open Large Dump File…", which streams it`;
  }

  /** Reads the files of a capture folder: its own and those of the kernel's per-device and per-PASID folders. */
  folder(dir: string, depth: number): void {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(dir);
      if (isSystemPath(real)) {
        this.leave(dir, 'a folder of the running system (/proc, /sys or /dev): not read as a capture (some of its files never end or block)');
        return;
      }
      if (this.seenFolders.has(real)) {
        this.leave(dir, 'a link to a folder already read (not followed again)');
        return;
      }
      if (this.rootReal !== undefined && (this.rootReal === real || this.rootReal.startsWith(real.endsWith(sep) ? real : real + sep))) {
        this.leave(dir, `a link to ${real}, a folder above the capture (a loop): not followed`);
        return;
      }
      if (this.rootReal === undefined) this.rootReal = real;
      this.seenFolders.add(real);
      names = readdirSync(dir).sort();
    } catch (err) {
      this.leave(dir, reasonOf(err));
      return;
    }
    for (const n of names) {
      if (NOT_DUMPS.test(n)) continue;
      if (this.looked >= this.limits.maxFiles) {
        this.notListed++;
        continue;
      }
      this.looked++;
      const p = join(dir, n);
      let st;
      try {
        st = lstatSync(p).isSymbolicLink() ? statSync(p) : lstatSync(p);
      } catch (err) {
        this.leave(p, reasonOf(err));
        continue;
      }
      if (st.isDirectory()) {
        if (isLayoutFolder(n, depth)) this.folder(p, depth + 1);
        else if (depth === 0 && holdsDumps(p)) this.nested.push(p);
        continue;
      }
      this.file(p);
    }
  }

  done(): CaptureRead {
    if (this.notListed > 0) this.leftOut.push({ name: `${this.notListed} more files or folders`, reason: `a capture folder is read up to ${this.limits.maxFiles} files`, notListed: this.notListed });
    return { root: this.root, files: this.files, large: this.large, leftOut: this.leftOut, nested: this.nested };
  }
}

/** Whether a folder holds a file a capture has (a quick look at its names, for nested captures). */
export function holdsDumps(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => /^(iommu_regset|dmar_translation_struct|domain_translation_struct|ir_translation_struct|invalidation_queue|dmesg|interrupts|iommu_groups|.*\.trace)$/.test(n));
  } catch {
    return false;
  }
}

/** Reads a capture folder, or a single file as a capture of its own. Throws CaptureReadError when the path itself cannot be read. */
export function readCapture(path: string, limits: ReadLimits = CLI_LIMITS): CaptureRead {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CaptureReadError(`cannot read ${path}: ${reasonOf(err)}`);
  }
  if (st.isDirectory()) {
    const r = new Reader(path, limits);
    r.folder(path, 0);
    return r.done();
  }
  const r = new Reader(join(path, '..'), limits);
  r.file(path);
  const out = r.done();
  if (out.files.length === 0 && out.large.length === 0 && out.leftOut.length > 0) throw new CaptureReadError(`cannot read ${path}: ${out.leftOut[0].reason}`);
  return out;
}
