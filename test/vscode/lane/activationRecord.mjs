// The activation figures the extension measures in its own host (its API's
// `activation`: activate() entry to return, and to the first diagnostics),
// as one record with what they were measured on. The lane writes the record
// of its run to test-results/vscode/activation.json; `npm run bench`
// (bench/activationBench.mjs) reports the median of a few.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CODE_SERVER_VERSION } from './paths.mjs';

/**
 * figure: what the extension host reported ({ activateMs, firstDiagnosticsMs,
 * firstDiagnosticsUri, vscodeVersion, extensionHostNode }).
 */
export function activationRecord(figure, workspace) {
  const uri = figure.firstDiagnosticsUri ?? '';
  const folder = `${pathToFileURL(workspace).href}/`;
  return {
    date: new Date().toISOString(),
    vscodeVersion: figure.vscodeVersion,
    codeServerVersion: CODE_SERVER_VERSION,
    extensionHostNode: figure.extensionHostNode,
    activateMs: figure.activateMs,
    firstDiagnosticsMs: figure.firstDiagnosticsMs,
    firstDiagnosticsFile: uri.startsWith(folder) ? decodeURIComponent(uri.slice(folder.length)) : uri,
    measured:
      'In the extension host with performance.now(): activateMs from the first line of activate() to its return (commands and views registered, the language server started and initialized); firstDiagnosticsMs from the same start to the first publishDiagnostics the language client received.',
  };
}

export function writeActivationRecord(file, record) {
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
}
