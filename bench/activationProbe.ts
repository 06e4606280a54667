// Loaded inside the extension host by src/extension/testHook.ts when the
// activation bench starts code-server with VIOMMU_TEST_SUITE naming it (as the
// lane does with its suite): waits for the extension's first diagnostics and
// hands back the figures the extension measured, which the hook writes to
// VIOMMU_TEST_RESULTS.
import * as vscode from 'vscode';
import type { ViommuApi } from '../src/extension/extension';

const EXTENSION_ID = 'viommu-inspector.viommu-inspector';

export async function runAndReport(): Promise<{ figures: { activation: Record<string, unknown> } }> {
  const ext = vscode.extensions.getExtension<ViommuApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  const times = await api.activation.whenFirstDiagnostics();
  return { figures: { activation: { ...times, vscodeVersion: vscode.version, extensionHostNode: process.versions.node } } };
}
