// The two archive formats between the host and the VM guest, written and read
// here so the host needs neither cpio nor tar: the guest's initramfs (a
// "newc" cpio, the kernel's initramfs format, Documentation/driver-api/
// early-userspace/buffer-format.rst) and the capture the guest writes to
// its disk (a POSIX ustar stream from busybox tar, POSIX.1-1988 / pax
// "ustar" headers).

export interface CpioEntry {
  /** Path inside the archive, without a leading slash ("bin/busybox"). */
  name: string;
  /** 'file', 'dir', 'symlink' (then `data` is the link's target) or 'char' (a device node: `rdev`). */
  kind: 'file' | 'dir' | 'symlink' | 'char';
  /** A device node's major and minor numbers. */
  rdev?: [number, number];
  /** Permission bits (0o755). */
  mode: number;
  data?: Buffer;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** A newc cpio archive of `entries` (inode numbers in order, times 0, owned by root), ending with TRAILER!!!. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const add = (name: string, mode: number, data: Buffer, ino: number, nlink: number, rdev: [number, number] = [0, 0]) => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const header =
      '070701' +
      hex8(ino) +
      hex8(mode) +
      hex8(0) + // uid
      hex8(0) + // gid
      hex8(nlink) +
      hex8(0) + // mtime
      hex8(data.length) +
      hex8(0) + // devmajor
      hex8(0) + // devminor
      hex8(rdev[0]) + // rdevmajor
      hex8(rdev[1]) + // rdevminor
      hex8(nameBytes.length) +
      hex8(0); // check
    parts.push(Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(pad4(110 + nameBytes.length)), data, Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((e, i) => {
    const type = e.kind === 'dir' ? S_IFDIR : e.kind === 'symlink' ? S_IFLNK : e.kind === 'char' ? S_IFCHR : S_IFREG;
    const data = e.kind === 'dir' || e.kind === 'char' ? Buffer.alloc(0) : (e.data ?? Buffer.alloc(0));
    add(e.name, type | (e.mode & 0o7777), data, i + 1, e.kind === 'dir' ? 2 : 1, e.rdev);
  });
  add('TRAILER!!!', 0, Buffer.alloc(0), 0, 1);
  return Buffer.concat(parts);
}

interface TarFile {
  /** Path inside the archive, without "./" ("dmar_translation_struct", "0000:00:02.0/domain_translation_struct"). */
  name: string;
  data: Buffer;
}

interface TarRead {
  files: TarFile[];
  /** Folders named in the archive. */
  dirs: string[];
  /** Why reading stopped early (a bad checksum, a cut archive), if it did. */
  problem?: string;
}

function octal(block: Buffer, start: number, length: number): number {
  const s = block.toString('latin1', start, start + length).replace(/\0.*$/s, '').trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function headerChecksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum === octal(block, 148, 8);
}

/**
 * The regular files and folders of a ustar stream (the start of a disk the
 * guest wrote its capture to: whatever follows the two zero blocks that end
 * the archive is ignored). Names are checked: an absolute name, a "..", or a
 * name over `maxFiles` is a problem, never a path outside the folder.
 */
export function readTar(bytes: Buffer, maxFiles = 10000): TarRead {
  const files: TarFile[] = [];
  const dirs: string[] = [];
  let at = 0;
  while (at + 512 <= bytes.length) {
    const block = bytes.subarray(at, at + 512);
    if (block.every((b) => b === 0)) return { files, dirs };
    if (!headerChecksumOk(block)) return { files, dirs, problem: `a tar header with a bad checksum at byte ${at}` };
    const rawName = block.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const prefix = block.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const full = prefix ? `${prefix}/${rawName}` : rawName;
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] || 48);
    const dataStart = at + 512;
    if (dataStart + size > bytes.length) return { files, dirs, problem: `${full} is cut short (the archive ends inside it)` };
    const name = full.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (name !== '' && name !== '.') {
      if (name.startsWith('/') || name.split('/').includes('..')) return { files, dirs, problem: `an entry named ${JSON.stringify(full)} points outside the folder` };
      if (type === '0' || type === '\0') {
        if (files.length >= maxFiles) return { files, dirs, problem: `more than ${maxFiles} files` };
        files.push({ name, data: Buffer.from(bytes.subarray(dataStart, dataStart + size)) });
      } else if (type === '5') dirs.push(name);
    }
    at = dataStart + Math.ceil(size / 512) * 512;
  }
  return { files, dirs, problem: 'the archive has no end (two zero blocks)' };
}
