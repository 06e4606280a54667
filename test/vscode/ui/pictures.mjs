// UI checks of the pictures, in the shape of ./checks.mjs: the trace
// timeline of the sample trace (its charts drawn on canvas, a lane per
// requester and event family; a click on a column opens its trace lines in
// the editor) and the charts of a simulation stepped in the sidebar.
import { join } from 'node:path';
import { expect } from './checks.mjs';
import { treeOf, treeRow } from './sidebar.mjs';
import { answerQuickInput, frameWith, quickOpen, runCommand } from './workbench.mjs';

export const pictureChecks = [
  {
    title: 'the trace timeline of the sample trace draws its rates and lanes on canvas; clicking a column opens its trace lines in the editor',
    async run(page, shots) {
      await quickOpen(page, 'linux-6.1-qemu-7.2-legacy/qemu-vtd.trace');
      await runCommand(page, 'vIOMMU: Show Trace Timeline');
      const frame = await frameWith(page, '#charts[data-lanes]');
      const charts = frame.locator('#charts');
      const lanes = Number(await charts.getAttribute('data-lanes'));
      const series = Number(await charts.getAttribute('data-series'));
      const columns = Number(await charts.getAttribute('data-columns'));
      // The sample's five requesters and eight event families; three rates.
      expect(lanes === 13, `lanes drawn: ${lanes}`);
      expect(series === 3, `rate series: ${series}`);
      expect(columns > 100 && columns <= 2048, `columns: ${columns}`);
      expect((await frame.locator('#charts canvas').count()) === 2, 'two canvases, no element per event');
      expect((await frame.locator('#charts *').count()) < 400, 'the DOM holds the charts, not the events');
      await page.screenshot({ path: join(shots, '24-trace-timeline.png') });
      // The panel alone (the README's picture: nothing of the workbench or of this machine's paths), no hover over it.
      await page.mouse.move(2, 300);
      await page.waitForTimeout(600); // the tab's hover fades out: nothing to wait on but time
      await (await frame.frameElement()).screenshot({ path: join(shots, 'readme-trace-timeline.png') });
      // Click in the middle of the lanes chart: the trace opens at that column's lines (another line than the first).
      const over = frame.locator('#lanes .u-over');
      const box = await over.boundingBox();
      expect(box !== null, 'the lanes chart has a plot area');
      await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
      await page.locator('.tabs-container .tab.active[data-resource-name="qemu-vtd.trace"]').waitFor({ timeout: 15000 });
      const status = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText({ timeout: 15000 });
      const line = Number(/Ln (\d+)/.exec(status)?.[1] ?? '1');
      expect(line > 1000, `the editor moved to the column's lines: ${status}`);
      await page.screenshot({ path: join(shots, '25-timeline-click-opens-trace.png') });
    },
  },
  {
    title: 'the charts of a simulation stepped in the sidebar draw its figures over events',
    async run(page, shots) {
      await runCommand(page, 'vIOMMU: New Simulation…');
      await answerQuickInput(page, 'vIOMMU: New Simulation', 'static-dpdk', 'static-dpdk');
      // The views show a capture: the guest's tables are booted, not seeded from it.
      await answerQuickInput(page, 'guest tables', 'Boot the guest', 'Boot the guest driver');
      // The session is up (and its commands in the palette) once the Simulator view lists it.
      await treeRow(treeOf(page, 'Simulator'), 'static-dpdk', { level: 1 }).waitFor({ timeout: 30000 });
      await runCommand(page, 'vIOMMU: Run to End');
      await runCommand(page, 'vIOMMU: Show Simulation Charts');
      const frame = await frameWith(page, '#charts[data-count]');
      const count = Number(await frame.locator('#charts').getAttribute('data-count'));
      expect(count === 4, `charts drawn: ${count}`);
      const hit = frame.locator('section[data-chart="hit-rates"]');
      expect(Number(await hit.getAttribute('data-series')) >= 2, "the IOTLB's and vhost's hit rates");
      expect((await frame.locator('#charts canvas').count()) === 4, 'four canvases');
      await page.screenshot({ path: join(shots, '26-simulation-charts.png') });
      await page.mouse.move(2, 300);
      await page.waitForTimeout(600);
      await (await frame.frameElement()).screenshot({ path: join(shots, 'readme-simulation-charts.png') });
      // The checks after this one find the views on the capture again.
      await runCommand(page, 'vIOMMU: Stop Simulation');
    },
  },
];
