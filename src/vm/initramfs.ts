// The guest's initramfs: a static busybox, vm/guest/init as /init, and the
// edu-dma program compiled (statically, once per source) from
// vm/guest/edu-dma.c. Written by this code as a gzip'd newc cpio.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpioNewc, type CpioEntry } from './archives';
import { staticBusybox } from './requirements';

class InitramfsError extends Error {}

/** edu-dma built from its source into the cache (once per version of the source). */
export function ensureEduDma(cacheDir: string, guestDir: string): string {
  const source = join(guestDir, 'edu-dma.c');
  const key = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const out = join(cacheDir, `edu-dma-${key}`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const r = spawnSync('gcc', ['-static', '-O2', '-Wall', '-s', '-o', `${out}.partial`, source], { encoding: 'utf8' });
  if (r.status !== 0) throw new InitramfsError(`compiling ${source} failed (exit ${r.status ?? r.signal}):\n${r.stderr}`);
  renameSync(`${out}.partial`, out);
  return out;
}

/** Writes the initramfs to `path`. */
export function writeInitramfs(path: string, guestDir: string, eduDma: string): void {
  const busybox = staticBusybox();
  if (!busybox) throw new InitramfsError('no static busybox: apt-get install busybox-static');
  const dirs = ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'root', 'usr', 'usr/bin', 'usr/sbin'];
  const entries: CpioEntry[] = [
    ...dirs.map((name): CpioEntry => ({ name, kind: 'dir', mode: 0o755 })),
    // The kernel opens /dev/console for /init before devtmpfs is mounted.
    { name: 'dev/console', kind: 'char', mode: 0o600, rdev: [5, 1] },
    { name: 'init', kind: 'file', mode: 0o755, data: readFileSync(join(guestDir, 'init')) },
    { name: 'bin/busybox', kind: 'file', mode: 0o755, data: readFileSync(busybox) },
    { name: 'bin/sh', kind: 'symlink', mode: 0o777, data: Buffer.from('busybox') },
    { name: 'bin/edu-dma', kind: 'file', mode: 0o755, data: readFileSync(eduDma) },
  ];
  writeFileSync(path, gzipSync(cpioNewc(entries)));
}
