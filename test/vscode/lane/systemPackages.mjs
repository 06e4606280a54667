// The two system packages the lane needs: Chromium (drives the workbench) and
// Kerberos headers (code-server's `kerberos` module compiles against them on
// its first install). Missing ones are installed with apt-get when that is
// possible (root on Debian); otherwise the error says what to install.
//
// As a script: `node test/vscode/lane/systemPackages.mjs [chromium] [libkrb5-dev]`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** The Chromium binary the browser driver launches (VIOMMU_CHROMIUM overrides Debian's). */
export function chromiumPath() {
  return process.env.VIOMMU_CHROMIUM || '/usr/bin/chromium';
}

const PACKAGES = {
  chromium: {
    present: () => existsSync(chromiumPath()),
    why: `the browser that opens the VS Code workbench (looked for ${chromiumPath()})`,
    elsewhere: 'install Chromium or Chrome and set VIOMMU_CHROMIUM to its binary',
  },
  'libkrb5-dev': {
    present: () => onPath('krb5-config'),
    why: "the Kerberos headers code-server's native `kerberos` module builds against (looked for krb5-config on PATH)",
    elsewhere: "install your distribution's Kerberos development package (krb5-devel, krb5)",
  },
};

function run(command, args) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

/** Makes sure each named package is there; throws an Error that says what to do when it cannot. */
export function ensureSystemPackages(names) {
  const unknown = names.filter((n) => !PACKAGES[n]);
  if (unknown.length) throw new Error(`unknown system package(s): ${unknown.join(', ')}`);
  const missing = names.filter((n) => !PACKAGES[n].present());
  if (missing.length === 0) return;
  const list = missing.map((n) => `  ${n}: ${PACKAGES[n].why}`).join('\n');
  const canApt = process.getuid?.() === 0 && onPath('apt-get');
  if (!canApt) {
    throw new Error(
      `Missing system packages:\n${list}\n` +
        `The lane installs them itself only when it runs as root where apt-get exists, which is not the case here. On Debian or Ubuntu run:\n` +
        `  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\n` +
        `Elsewhere: ${missing.map((n) => PACKAGES[n].elsewhere).join('; ')}.`,
    );
  }
  console.log(`Installing missing system packages with apt-get:\n${list}`);
  if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', ...missing])) {
    throw new Error(`apt-get could not install ${missing.join(' ')}: see its output above.`);
  }
  const still = missing.filter((n) => !PACKAGES[n].present());
  if (still.length) throw new Error(`apt-get finished but these are still missing:\n${still.map((n) => `  ${n}: ${PACKAGES[n].why}`).join('\n')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureSystemPackages(process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PACKAGES));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
