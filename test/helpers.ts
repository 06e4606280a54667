// Paths of the fixtures, wherever the compiled test runs from.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FormatId } from '../src/dumps/types';

function findRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRoot();
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const legacyCaptureDir = join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-legacy');

/** Text of a fixture file, by path below test/fixtures. */
export function fixtureText(...parts: string[]): string {
  return readFileSync(join(fixturesDir, ...parts), 'utf8');
}

/** Text of a file of the real legacy capture. */
export function legacyCaptureText(name: string): string {
  return readFileSync(join(legacyCaptureDir, name), 'utf8');
}

/** The file of the real legacy capture that holds each format. */
export const LEGACY_CAPTURE_FILE_OF_FORMAT: Readonly<Record<FormatId, string>> = {
  iommu_regset: 'iommu_regset',
  dmar_translation_struct: 'dmar_translation_struct',
  domain_translation_struct: 'domain_translation_struct',
  ir_translation_struct: 'ir_translation_struct',
  invalidation_queue: 'invalidation_queue',
  dmar_perf_latency: 'dmar_perf_latency',
  dmesg: 'dmesg',
  proc_interrupts: 'interrupts',
  qemu_trace: 'qemu-vtd.trace',
  iommu_groups: 'iommu_groups',
};

/** The files of a capture fixture folder (per-device sub-folders included), as the capture readers give them. */
export function captureFixtureFiles(name: string): { name: string; text: string }[] {
  const root = join(fixturesDir, 'captures', name);
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const n of readdirSync(dir).sort()) {
      const full = join(dir, n);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${n}/`);
      else out.push({ name: `${prefix}${n}`, text: readFileSync(full, 'utf8') });
    }
  };
  walk(root, '');
  return out;
}
