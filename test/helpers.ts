// Paths of the fixtures, wherever the compiled test runs from.
import { existsSync, readFileSync } from 'node:fs';
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
