// Where the real-VS-Code lane keeps things, and the versions it pins.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Git-ignored folder of this clone's lane state (`npm start`'s user data, the lane's scratch files). */
export const laneCacheDir = join(repoRoot, '.vscode-lane');

/**
 * What the lane installs once (Node 24, code-server: about 300 MB and minutes
 * of native builds), one folder per tool and version, shared by every clone
 * of this user: VIOMMU_TOOLS_CACHE, else $XDG_CACHE_HOME/viommu-inspector/vscode,
 * else ~/.cache/viommu-inspector/vscode.
 */
export const toolsCacheDir = process.env.VIOMMU_TOOLS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'viommu-inspector', 'vscode');

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
