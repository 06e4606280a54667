// Playwright steps on the VS Code workbench, as a person would take them.

/** Opens a file of the workspace with Quick Open (Ctrl+P), by its path relative to the folder. */
export async function quickOpen(page, relativePath) {
  const name = relativePath.split('/').pop();
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(relativePath);
  // Enter only once the list has caught up with the typing and the file is the focused row.
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ timeout: 15000 });
}

/** The language the status bar shows for the active editor. */
export async function statusBarLanguage(page) {
  const item = page.locator('[id="status.editor.mode"]');
  await item.waitFor({ timeout: 15000 });
  return (await item.innerText()).trim();
}

/**
 * Where, on screen, character `offset` of the first occurrence of `needle`
 * is in the rendered editor line that starts with `lineStart`. Found in the
 * DOM (tokens split a line into many spans; inlay hints add text of their own).
 */
export async function pointInLine(page, lineStart, needle, offset) {
  const line = page.locator('.monaco-editor .view-line', { hasText: lineStart }).first();
  await line.waitFor({ timeout: 15000 });
  const box = await line.evaluate(
    (el, [needle, offset]) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let text = '';
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        nodes.push({ node: n, start: text.length });
        text += n.data;
      }
      const at = text.indexOf(needle);
      if (at < 0) return null;
      const target = at + offset;
      const hit = nodes.findLast((x) => x.start <= target);
      const range = document.createRange();
      range.setStart(hit.node, target - hit.start);
      range.setEnd(hit.node, target - hit.start + 1);
      const r = range.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    },
    [needle, offset],
  );
  if (!box) throw new Error(`"${needle}" is not in the rendered line starting with "${lineStart}"`);
  return box;
}

/** Moves the mouse over a point and returns the hover widget that appears. */
export async function hoverAt(page, { x, y }) {
  const visible = page.locator('.monaco-hover:not(.hidden)', { hasText: /\S/ });
  await visible.first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {}); // an earlier hover fading out
  await page.mouse.move(x - 40, y);
  await page.mouse.move(x, y, { steps: 4 });
  const hover = visible.first();
  await hover.waitFor({ state: 'visible', timeout: 15000 });
  return hover;
}

/** Runs a command from the command palette by its full title. */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(`>${title}`);
  const option = page.locator(`.quick-input-list [role="option"][aria-label=${JSON.stringify(title)}], .quick-input-list [role="option"][aria-label^=${JSON.stringify(`${title},`)}]`).first();
  await option.click({ timeout: 15000 });
}

/**
 * Searches the Command Palette for `query` and returns what it offers, one
 * { label, disabled } per row (label: the row's aria-label, "Category: Title"),
 * once the list shows the result of that search: a row whose label starts
 * with `offered`, and every row of the result rendered (each row's
 * aria-setsize is the number of rows; the unfiltered list has hundreds).
 * Leaves the palette open.
 */
export async function commandPaletteOptions(page, query, offered) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15000 });
  await input.fill(`>${query}`);
  const rowSelector = '.quick-input-widget .quick-input-list [role="option"]';
  const options = () =>
    page.locator(rowSelector).evaluateAll((rows) =>
      rows.map((r) => ({ label: r.getAttribute('aria-label') ?? '', disabled: r.getAttribute('aria-disabled') === 'true' || r.classList.contains('disabled') })),
    );
  await page
    .waitForFunction(
      ([rowSelector, offered]) => {
        const rows = [...document.querySelectorAll(rowSelector)];
        return rows.some((r) => (r.getAttribute('aria-label') ?? '').startsWith(offered)) && rows.every((r) => Number(r.getAttribute('aria-setsize')) === rows.length);
      },
      [rowSelector, offered],
      { timeout: 15000 },
    )
    .catch(async (err) => {
      const shown = await options().catch(() => []);
      throw new Error(`the palette's search "${query}" did not come to offer "${offered}" (${err.message.split('\n')[0]}); it shows: ${shown.map((o) => o.label).join(' | ')}`);
    });
  return options();
}

/** Answers the quick pick or input box titled `title` with `text`, once a row holding `row` is focused (no row: an input box). */
export async function answerQuickInput(page, title, text, row) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15000 });
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  if (row) await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: row }).waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

/**
 * The frame, among every frame of the page (a webview's content is an iframe
 * inside VS Code's own webview iframe), whose document has `selector`.
 */
export async function frameWith(page, selector, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame of the page has ${selector} after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250); // polling for a frame to appear: Playwright has no wait across frames
  }
}
