// Where the real-VS-Code lane keeps things, and the versions it pins.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Git-ignored cache of what the lane installs once: one folder per tool and version. */
export const laneCacheDir = join(repoRoot, '.vscode-lane');

/** code-server 4.139 is VS Code 1.139 (web workbench and a Node extension host); it requires Node 24. */
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

export const testResultsDir = join(repoRoot, 'test-results');
export const samplesDir = join(repoRoot, 'samples');

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
/** The extension's id as VS Code knows it, and the folder name an install gives it. */
export const extensionId = `${manifest.publisher}.${manifest.name}`;
export const extensionFolderName = `${extensionId}-${manifest.version}`;
export const vsixPath = join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
