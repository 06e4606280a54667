// The VM lane (`npm run test:qemu`, part of `npm test`): boots a real Linux
// guest on QEMU's intel-iommu once per variant of src/vm/variants.ts, keeps
// each capture in test-results/qemu/<variant>/, then runs the assertions of
// test/qemu/*.test.ts against them. What it needs is installed once
// (apt-get, as the VS Code lane does) and the guest kernel built once into
// the cache outside the project (see src/vm/paths.ts).
//
// VIOMMU_VM_VARIANTS=legacy,scalable runs only those variants.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest, prepareGuest, VmRunError, describeVm, type VmManifest } from '../../src/vm/index';
import { computeTwin, TWIN_KNOWN_DIFFERENCES, twinMarkdown } from '../../src/vm/twin';
import { readCapture } from '../../src/io/captureReader';
import { buildCapture } from '../../src/model/buildCapture';
import { VARIANTS } from '../../src/vm/variants';

const repoRoot = join(__dirname, '..', '..', '..');
export const qemuResultsDir = join(repoRoot, 'test-results', 'qemu');

interface LaneEntry {
  variant: string;
  description: string;
  ok: boolean;
  seconds: number;
  error?: string;
}

async function main(): Promise<number> {
  const started = Date.now();
  const log = (line: string) => console.log(line);
  mkdirSync(qemuResultsDir, { recursive: true });
  console.log('== VM lane: preparing QEMU, the guest kernel and its initramfs');
  const images = await prepareGuest(true, log);
  const wanted = process.env.VIOMMU_VM_VARIANTS?.split(',').map((s) => s.trim());
  const variants = VARIANTS.filter((x) => !wanted || wanted.includes(x.name));
  const entries: LaneEntry[] = [];
  for (const variant of variants) {
    const t0 = Date.now();
    const outDir = join(qemuResultsDir, variant.name);
    try {
      const r = await bootGuest(images, variant.options, outDir, 240000, variant.name);
      entries.push({ variant: variant.name, description: describeVm(variant.options), ok: true, seconds: r.seconds });
      console.log(`  ok   ${variant.name}: ${r.files.length} files in ${r.seconds.toFixed(1)} s (${describeVm(variant.options)})`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const tail = err instanceof VmRunError && err.consoleTail ? `\n${err.consoleTail}` : '';
      entries.push({ variant: variant.name, description: describeVm(variant.options), ok: false, seconds: (Date.now() - t0) / 1000, error: message });
      console.log(`  FAIL ${variant.name}: ${message}${tail}`);
    }
  }
  // The user's path: `viommu vm` as a process, with its defaults, leaves a capture that check reads.
  if (!wanted || wanted.includes('viommu-vm')) {
    const cliOut = join(qemuResultsDir, 'viommu-vm');
    rmSync(cliOut, { recursive: true, force: true });
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'vm', '--out', cliOut], { encoding: 'utf8', timeout: 300000 });
    const ok = r.status === 0 && /What `viommu check` says of/.test(r.stdout);
    entries.push({ variant: 'viommu-vm', description: 'viommu vm with its defaults, as a user runs it', ok, seconds: (Date.now() - t0) / 1000, ...(ok ? {} : { error: `exit ${r.status ?? r.signal}: ${r.stderr.split('\n').slice(-15).join('\n')}` }) });
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} viommu-vm: \`viommu vm --out test-results/qemu/viommu-vm\` exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  writeTwinTable(entries.filter((e) => e.ok));
  writeFileSync(join(qemuResultsDir, 'lane.json'), JSON.stringify({ qemuResultsDir, entries }, null, 2) + '\n');
  console.log(`== VM lane: ${entries.filter((e) => e.ok).length} of ${entries.length} guests booted in ${((Date.now() - started) / 1000).toFixed(0)} s; checking their captures`);
  const mocha = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--timeout', '120000', '--reporter', 'spec', join(repoRoot, 'out', 'test', 'qemu', '*.test.js')], {
    stdio: 'inherit',
    cwd: repoRoot,
  });
  const failedBoots = entries.filter((e) => !e.ok);
  if (failedBoots.length) console.log(`failed to boot: ${failedBoots.map((e) => e.variant).join(', ')} (their console logs: test-results/qemu/<variant>.console.log)`);
  return mocha.status === 0 && failedBoots.length === 0 ? 0 : 1;
}

/** test-results/qemu/twin.md and twin.json: each guest's twin phase, simulated and real. */
function writeTwinTable(ok: LaneEntry[]): void {
  const parts = [
    '# The VM lane\'s twin table',
    '',
    'Each guest\'s twin phase (echoes over virtio-net, alone) counted in its real QEMU trace between the twin-begin and twin-end stages, and simulated from the scenario its options give (`scenario.viommu.yaml` beside its capture). Figures are per echo.',
    '',
    'Known differences:',
    '',
    ...TWIN_KNOWN_DIFFERENCES.map((d) => `- ${d}`),
    '',
  ];
  const json: Record<string, unknown> = {};
  for (const e of ok) {
    const dir = join(qemuResultsDir, e.variant);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as VmManifest;
    const twin = computeTwin({ capture: buildCapture(readCapture(dir).files), options: manifest.options, from: manifest.stages['twin-begin'], to: manifest.stages['twin-end'] });
    parts.push(twinMarkdown(e.variant, manifest.description, twin));
    json[e.variant] = twin;
    if (!('problem' in twin)) console.log(`  twin ${e.variant}: ${twin.rows.filter((r) => r.within).length} of ${twin.rows.length} figures within ±10 %`);
  }
  writeFileSync(join(qemuResultsDir, 'twin.md'), parts.join('\n'));
  writeFileSync(join(qemuResultsDir, 'twin.json'), JSON.stringify(json, (_k, v) => (v === Infinity ? 'Infinity' : v), 2) + '\n');
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`VM lane: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
