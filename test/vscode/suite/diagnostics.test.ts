import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, closeAllEditors, eventually, openInEditor, serverSettled, viommuApi } from './helpers';

const CAPTURE_FILES = [
  'dmar_translation_struct',
  'domain_translation_struct',
  'ir_translation_struct',
  'iommu_regset',
  'invalidation_queue',
  'dmar_perf_latency',
  'dmesg',
  'interrupts',
  'qemu-vtd.trace',
  'iommu_groups',
];

describe('diagnostics in the Problems panel', () => {
  after(closeAllEditors);

  it("explains the kernel log's two DMAR faults", async () => {
    await viommuApi();
    const uri = captureFile('dmesg');
    await openInEditor(uri);
    const faults = await eventually('two fault diagnostics on dmesg', () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'fault');
      return found.length >= 2 ? found : undefined;
    });
    assert.equal(faults.length, 2);
    const [read, write] = [...faults].sort((a, b) => a.range.start.line - b.range.start.line);
    assert.equal(read.range.start.line, 421);
    assert.equal(read.severity, vscode.DiagnosticSeverity.Information);
    assert.match(read.message, /0x06 READ: PTE Read access is not set/);
    assert.match(read.message, /00:05\.0 read of 0x2345000/);
    assert.equal(write.range.start.line, 428);
    assert.match(write.message, /0x05 .*PTE Write access is not set/);
    assert.match(write.message, /00:05\.0 write of 0x7777000/);
  });

  it('reports no syntax error or warning on any real capture file', async () => {
    const api = await viommuApi();
    const problems: string[] = [];
    for (const file of CAPTURE_FILES) await openInEditor(captureFile(file));
    await serverSettled(api, captureFile('dmesg'));
    for (const file of CAPTURE_FILES) {
      for (const d of vscode.languages.getDiagnostics(captureFile(file))) {
        if (d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning) {
          problems.push(`${file}:${d.range.start.line + 1} [${String(d.code)}] ${d.message}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
