// Builds every bundle into dist/ (extension, language server, CLI, webview scripts),
// and with --tests / --bench also transpiles src, test and bench into out/ for mocha.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');

/** Entry points of the shipped bundles: only those that exist yet are built. */
const bundles = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'src/server/server.ts', out: 'dist/server.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  // The ATS sequence-diagram webview: its script (with @vscode-elements), and the codicons stylesheet and font it uses.
  { in: 'src/webview/atsSequence/main.ts', out: 'dist/webview/atsSequence.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { in: 'src/webview/atsSequence/atsSequence.css', out: 'dist/webview/atsSequence.css', platform: 'browser' },
  { in: 'src/webview/atsSequence/codicons.css', out: 'dist/webview/codicon.css', platform: 'browser', loader: { '.ttf': 'file' }, assetNames: '[name]' },
  // The trace timeline and the simulation charts: uPlot (bundled) and its stylesheet with the page's.
  { in: 'src/webview/timeline/main.ts', out: 'dist/webview/timeline.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { in: 'src/webview/timeline/timeline.css', out: 'dist/webview/timeline.css', platform: 'browser' },
  { in: 'src/webview/charts/main.ts', out: 'dist/webview/charts.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { in: 'src/webview/charts/charts.css', out: 'dist/webview/charts.css', platform: 'browser' },
];

function listTs(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'fixtures') found.push(...listTs(p));
    } else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) {
      found.push(p);
    }
  }
  return found;
}

/** Source maps of an earlier development build: a production build has none, and the .vsix must not ship stale ones. */
function removeMaps(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) removeMaps(p);
    else if (name.endsWith('.map')) rmSync(p);
  }
}

async function buildBundles() {
  if (production) removeMaps('dist');
  for (const b of bundles) {
    if (!existsSync(b.in)) continue;
    await esbuild.build({
      entryPoints: [b.in],
      outfile: b.out,
      bundle: true,
      platform: b.platform ?? 'node',
      format: b.format ?? 'cjs',
      target: b.target ?? 'node20',
      loader: b.loader,
      assetNames: b.assetNames,
      sourcemap: !production,
      minify: production,
      external: b.external ?? [],
      banner: b.banner ? { js: b.banner } : undefined,
      logLevel: 'warning',
    });
    if (b.banner) chmodSync(b.out, 0o755);
  }
}

async function transpileForTests() {
  rmSync('out', { recursive: true, force: true });
  const entryPoints = [...listTs('src'), ...listTs('test'), ...listTs('bench')];
  await esbuild.build({
    entryPoints,
    outdir: 'out',
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

// Tests first: a unit test of one module should not wait on every bundle.
if (args.has('--tests') || args.has('--bench')) await transpileForTests();
await buildBundles();
