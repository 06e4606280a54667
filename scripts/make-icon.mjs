// Renders the extension's 128 px icon (media/icon.png) from media/viommu.svg
// with Debian's Chromium through playwright-core: the chip on a blue tile.
// Run by hand when the icon changes; the PNG is committed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const svg = readFileSync('media/viommu.svg', 'utf8').replace('stroke="currentColor"', 'stroke="#ffffff"').replace('stroke-width="1.5"', 'stroke-width="1.6"');
const html = `<html><body style="margin:0;background:transparent">
<div id="tile" style="width:128px;height:128px;border-radius:24px;background:linear-gradient(135deg,#1f5fa8,#123a6b);display:flex;align-items:center;justify-content:center">
<div style="width:100px;height:100px">${svg.replace('width="24" height="24"', 'width="100" height="100"')}</div></div></body></html>`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(html);
await page.locator('#tile').screenshot({ path: 'media/icon.png', omitBackground: true });
await browser.close();
console.log('wrote media/icon.png');
