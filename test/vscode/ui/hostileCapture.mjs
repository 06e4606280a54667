// UI checks on a hostile capture (test/vscode/lane/hostileCapture.mjs): its
// markup, script and link payloads must reach the ATS sequence webview and
// the requester hover as text, and nothing of them may run. In the shape of
// ./checks.mjs, with the lane's context as third argument: { workspace,
// beacon } (the beacon counts the requests a payload that ran would make).
// They run last: they open a capture of their own.
import { join } from 'node:path';
import { HOSTILE_FILES, HOSTILE_REQUESTER, HOSTILE_TRACE_NAME, HOSTILE_UNIT, XSS_MARKER, writeHostileCapture } from '../lane/hostileCapture.mjs';
import { frameWith, hoverAt, pointInLine, quickOpen, runCommand } from './workbench.mjs';

const FOLDER = 'hostile-capture';
/** Payloads of the hostile capture, once written (the first check writes it). */
let payloads = [];

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const squash = (s) => (s ?? '').replace(/\s+/g, ' ');

/**
 * What is under an element: the tags of its elements (not those inside the
 * shadow roots of the page's own components, which draw their icons as
 * svg), and, shadow roots included, the attributes that would run script
 * (on*) or point at the beacon or at javascript:, and the scripts with their
 * nonce (read from the property: a browser hides a nonce attribute once the
 * CSP is applied).
 */
function inventory(root, beacon) {
  const found = { tags: [], handlers: [], suspicious: [], scripts: [] };
  const visit = (node, inShadow) => {
    for (const el of node.querySelectorAll('*')) {
      if (!inShadow) found.tags.push(el.tagName.toLowerCase());
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) found.handlers.push(`<${el.tagName.toLowerCase()} ${a.name}>`);
        if (a.value.includes(beacon) || /^\s*javascript:/i.test(a.value)) found.suspicious.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value}">`);
      }
      if (el.tagName === 'SCRIPT') found.scripts.push({ id: el.id, src: el.getAttribute('src') ?? '', nonce: el.nonce ?? '', inline: (el.textContent ?? '').trim().length > 0 });
      if (el.shadowRoot) visit(el.shadowRoot, true);
    }
  };
  visit(root, false);
  return found;
}

/** The payload marker in every frame of the page: a payload that ran left it. */
async function markersSet(page) {
  const set = [];
  for (const frame of page.frames()) {
    const v = await frame.evaluate((name) => globalThis[name], XSS_MARKER).catch(() => undefined);
    if (v !== undefined) set.push(`${frame.url().slice(0, 80)}: ${v}`);
  }
  return set;
}

export const hostileCaptureChecks = [
  {
    title: 'a hostile capture in the ATS sequence webview: its payloads are shown as text, nothing of them is in the DOM, the page keeps its nonce CSP',
    async run(page, shots, { workspace, beacon }) {
      payloads = writeHostileCapture(join(workspace, FOLDER), beacon.url);
      await quickOpen(page, `${FOLDER}/${HOSTILE_FILES.dmar}`);
      await runCommand(page, 'vIOMMU: Show ATS Sequence Diagram');
      const frame = await frameWith(page, '#diagram .row.kind-wait-interrupt');
      await frame.locator('#diagram .row.kind-wait-interrupt').nth(payloads.length - 1).waitFor({ timeout: 15000 });
      await page.screenshot({ path: join(shots, '15-hostile-ats-webview.png') });

      // (a) Every payload, and the trace's name, is there as text.
      const title = await frame.locator('#title').textContent();
      expect(title === `ATS flow: ${HOSTILE_TRACE_NAME}`, `the title shows the trace's name as text: ${title}`);
      const labels = await frame.locator('#diagram .row.kind-wait-interrupt .label').allTextContents();
      for (const p of payloads) expect(labels.includes(`completion: ${p.text}`), `the ${p.id} payload is a row's text: ${JSON.stringify(labels)}`);

      // (b) None of it became an element or an attribute; the only scripts are VS Code's and the page's own, by nonce.
      const found = await frame.locator('html').evaluate(inventory, beacon.url);
      const injected = found.tags.filter((t) => ['img', 'svg', 'iframe', 'object', 'embed', 'a', 'form'].includes(t));
      expect(injected.length === 0, `elements made of trace text: ${injected.join(', ')}`);
      expect(found.handlers.length === 0, `inline handlers: ${found.handlers.join(', ')}`);
      expect(found.suspicious.length === 0, `attributes made of trace text: ${found.suspicious.join(', ')}`);
      const ours = found.scripts.filter((s) => s.id !== '_vscodeApiScript');
      expect(ours.length === 1 && ours[0].src.endsWith('/dist/webview/atsSequence.js') && !ours[0].inline, `the page's one script is the bundle: ${JSON.stringify(found.scripts)}`);
      const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(/^default-src 'none';/.test(csp ?? ''), `the CSP denies by default: ${csp}`);
      expect(ours[0].nonce.length >= 16 && (csp ?? '').includes(`script-src 'nonce-${ours[0].nonce}'`), `scripts run only with the page's nonce (${ours[0].nonce}): ${csp}`);
      expect(!/unsafe-inline|unsafe-eval/.test(csp ?? ''), `no unsafe-inline or unsafe-eval: ${csp}`);

      // (c) Nothing ran (the beacon is checked once more after the last check).
      const markers = await markersSet(page);
      expect(markers.length === 0, `a payload ran: ${markers.join('; ')}`);
      expect(beacon.hits.length === 0, `the beacon was called: ${JSON.stringify(beacon.hits)}`);
    },
  },
  {
    title: "hovering a hostile capture's requester shows its unit and IRQ names as text, with no element or link made of them",
    async run(page, shots, { beacon }) {
      await quickOpen(page, `${FOLDER}/${HOSTILE_FILES.dmar}`);
      let text = '';
      let hover;
      // The code lenses arrive after the text and move the lines: up to three tries if the hover missed the B:D.F.
      for (let attempt = 0; attempt < 3 && !text.includes(`Requester ${HOSTILE_REQUESTER}`); attempt++) {
        await page.mouse.move(5, 5);
        hover = await hoverAt(page, await pointInLine(page, HOSTILE_REQUESTER, HOSTILE_REQUESTER, 3));
        const shown = await hover.locator('.rendered-markdown', { hasText: 'guest IRQs' }).first().waitFor({ timeout: 15000 }).then(() => true, () => false);
        if (shown) text = squash(await hover.textContent());
      }
      await page.screenshot({ path: join(shots, '16-hostile-hover.png') });
      expect(text.includes(`Requester ${HOSTILE_REQUESTER}`), `the hover is ${HOSTILE_REQUESTER}'s: ${text.slice(0, 300)}`);

      // (a) The unit's name and every payload are shown literally.
      expect(text.includes(`on ${HOSTILE_UNIT}`), `the unit's name as text: ${text.slice(0, 300)}`);
      for (const [i, p] of payloads.entries()) expect(text.includes(`${40 + i} (${squash(p.text)})`), `the ${p.id} payload as text: ${text}`);

      // (b) No element or link made of them (the rendered hover has text only: no image, anchor, frame or script).
      const found = await hover.evaluate(inventory, beacon.url);
      const injected = found.tags.filter((t) => ['img', 'svg', 'iframe', 'object', 'embed', 'a', 'script', 'form'].includes(t));
      expect(injected.length === 0, `elements in the hover: ${injected.join(', ')}`);
      expect(found.handlers.length === 0 && found.suspicious.length === 0, `attributes made of dump text: ${[...found.handlers, ...found.suspicious].join(', ')}`);

      // (c) Nothing ran.
      const markers = await markersSet(page);
      expect(markers.length === 0, `a payload ran: ${markers.join('; ')}`);
      await page.mouse.move(5, 5);
    },
  },
  {
    title: "no payload of the hostile capture ever reached the lane's beacon",
    async run(page, shots, { beacon }) {
      // The beacon counts: a request from here is counted like one from the workbench would be.
      const control = await fetch(`${beacon.url}/control`);
      expect(control.status === 204 && beacon.hits.some((h) => h.path === '/control'), 'the beacon counts requests');
      const others = beacon.hits.filter((h) => h.path !== '/control');
      expect(others.length === 0, `payload requests: ${JSON.stringify(others)}`);
      expect((await markersSet(page)).length === 0, 'no payload marker in any frame');
    },
  },
];
