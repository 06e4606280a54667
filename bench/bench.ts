// `npm run bench`: prints every speed figure beside its baseline from the same
// run, and writes them to bench-report.json and the README's bench section.

import { join } from 'node:path';
import { parseSection } from './parseSection';
import { simSection } from './simBench';
import { lspSection } from './lspBench';
import { bundleSection } from './bundleSizes';
import { activationSection } from './activationBench';
import { hardeningSection } from './hardeningBench';
import { twinSection } from './twinSection';
import { largeFilesSection } from './largeFiles';
import { picturesSection } from './picturesBench';
import { printSection, writeReport, type BenchSection } from './report';

const root = join(__dirname, '..', '..');
const capture = join(root, 'test', 'fixtures', 'captures', 'linux-6.1-qemu-7.2-legacy');

async function main(): Promise<void> {
  const sections: BenchSection[] = [];
  const add = (s: BenchSection) => {
    printSection(s);
    sections.push(s);
  };
  add(parseSection(capture));
  add(simSection());
  add(twinSection(root));
  add(await lspSection());
  add(await hardeningSection(root));
  add(largeFilesSection(root));
  add(picturesSection(root));
  add(bundleSection(root));
  // Last: it packages the extension, which rebuilds dist/ for production (the bundle sizes above are of the development build).
  add(await activationSection());
  writeReport(root, sections);
  console.log('\nwrote bench-report.json and the README bench section');
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
