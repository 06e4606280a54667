// UI check of the IOVA Walk view, in the shape of ./checks.mjs: the walk a
// person asks for from the command palette, shown step by step, and a step
// taking them to its dump line and its node in Second-Level Tables.
import { join } from 'node:path';
import { answerQuickInput, runCommand } from './workbench.mjs';
import { expandRow, selectRow, setPaneExpanded, showOnlyView, treeOf, treeRow, waitForCursorLine } from './sidebar.mjs';

/** The walk's row: what was asked, what it reached. */
const WALK_ROW = 'Read 00:02.0 0xffefd000, → 0x268e000 (page 0x1000, RW)';

/** Translate IOVA… for 00:02.0's read of 0xffefd000, answered as a person would. */
export async function translateFromPalette(page) {
  await runCommand(page, 'vIOMMU: Translate IOVA…');
  await answerQuickInput(page, 'Translate IOVA: requester', '00:02.0', '00:02.0');
  await answerQuickInput(page, 'Translate IOVA for 00:02.0', '0xffefd000');
  await answerQuickInput(page, 'Access', 'read', 'read');
  // The command shows the view itself (expanded, the new walk selected): wait for that before arranging the side bar.
  await treeRow(treeOf(page, 'IOVA Walk'), WALK_ROW, { level: 1, selected: true }).waitFor({ timeout: 15000 });
}

/** Shows the IOVA Walk view and Second-Level Tables (the others collapsed), with the walk's PTE step selected. */
export async function selectWalkPte(page) {
  const walk = await showOnlyView(page, 'IOVA Walk');
  await setPaneExpanded(page, 'Second-Level Tables', true);
  await treeRow(walk, WALK_ROW, { level: 1, expanded: true }).waitFor({ timeout: 15000 });
  await selectRow(walk, '5. PTE', 2);
  return { walk, tables: treeOf(page, 'Second-Level Tables') };
}

export const walkViewChecks = [
  {
    title: "Translate IOVA… shows 00:02.0's walk in the IOVA Walk view; its PTE step opens line 9 and selects PTE 253 in Second-Level Tables",
    async run(page, shots) {
      await translateFromPalette(page);
      const { walk, tables } = await selectWalkPte(page);
      for (const [label, level] of [['1. root entry', 2], ['2. context entry', 2], ['Host address 0x268e000', 2]]) await treeRow(walk, label, { level }).waitFor({ timeout: 15000 });
      await page.locator('.tabs-container .tab.active[data-resource-name="domain_translation_struct"]').waitFor({ timeout: 15000 });
      await waitForCursorLine(page, 9);
      await treeRow(tables, 'PTE 253', { level: 4, selected: true }).waitFor({ timeout: 15000 });
      await expandRow(walk, '5. PTE', 2);
      await treeRow(walk, 'ADDR', { level: 3 }).waitFor({ timeout: 15000 });
      await page.screenshot({ path: join(shots, '17-iova-walk.png') });
    },
  },
];
