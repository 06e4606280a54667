import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile, workspaceRoot } from './helpers';

/** Each file of the sample capture, and the language VS Code must give it from package.json alone. */
const LANGUAGE_OF_FILE: Record<string, string> = {
  dmar_translation_struct: 'viommu-dmar',
  domain_translation_struct: 'viommu-pagetable',
  ir_translation_struct: 'viommu-irte',
  iommu_regset: 'viommu-regset',
  invalidation_queue: 'viommu-invq',
  dmar_perf_latency: 'viommu-perf',
  dmesg: 'viommu-dmesg',
  interrupts: 'viommu-interrupts',
  'qemu-vtd.trace': 'viommu-trace',
  iommu_groups: 'viommu-groups',
};

describe('languages of the capture files', () => {
  for (const [file, language] of Object.entries(LANGUAGE_OF_FILE)) {
    it(`opens ${file} as ${language}`, async () => {
      const doc = await vscode.workspace.openTextDocument(captureFile(file));
      assert.equal(doc.languageId, language);
    });
  }

  it('leaves unrelated files of those names alone (a perf .trace, a kern.log, a file named interrupts), and takes them by content', async () => {
    const dir = vscode.Uri.joinPath(workspaceRoot(), 'unrelated');
    const files: [string, string, boolean][] = [
      ['perf.trace', '# tracer: nop\n#\n  bash-1234  [000] ....  12.345: sys_enter: NR 0\n', false],
      ['kern.log', 'Dec  7 10:00:00 host systemd[1]: Started Session 1.\n', false],
      ['interrupts', 'an interrupt table of some other kind\n', false],
      ['boot.trace', '23245@1796672205.973018:vtd_dmar_fault sid 0x28 fault 6 addr 0x2345000 write 0\n', true],
      ['irq-snapshot', '           CPU0       CPU1\n  0:         45          0   IO-APIC   2-edge      timer\n', true],
    ];
    try {
      for (const [name, text, ours] of files) {
        const uri = vscode.Uri.joinPath(dir, name);
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.equal(doc.languageId.startsWith('viommu-'), ours, `${name} opened as ${doc.languageId}`);
      }
    } finally {
      await vscode.workspace.fs.delete(dir, { recursive: true, useTrash: false });
    }
  });
});
