import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { captureFile } from './helpers';

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
});
