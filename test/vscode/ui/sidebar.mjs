// Playwright steps on the vIOMMU sidebar, as a person would take them:
// open the container from the activity bar, give one view the whole side
// bar, find tree rows by what a screen reader hears (VS Code renders each
// tree item as role="treeitem" with aria-label "label, description",
// aria-level, aria-expanded, aria-selected, aria-setsize), expand them with
// their twistie, hover them. Every wait is for a condition in the DOM.

/** The views of the vIOMMU container the checks know, in the order package.json lists them (it may list more). */
export const VIEW_NAMES = ['Context Tables', 'Second-Level Tables', 'GSI Routing', 'IOTLB', 'ATS Flow'];

const TIMEOUT = 15000;

/** The activity-bar entry of the vIOMMU container (an li with role="tab"). */
export function viommuActivity(page) {
  return page.locator('.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label="vIOMMU"])');
}

/**
 * Shows the vIOMMU container from the activity bar. Clicking the entry of the
 * container already shown would hide the side bar, so it is clicked only
 * when it is not the selected one.
 */
export async function openViommuContainer(page) {
  const activity = viommuActivity(page);
  await activity.waitFor({ timeout: TIMEOUT });
  if ((await activity.getAttribute('aria-selected')) !== 'true') await activity.click();
  await page.locator('.activitybar li.action-item[role="tab"][aria-selected="true"]:has(a.action-label[aria-label="vIOMMU"])').waitFor({ timeout: TIMEOUT });
  await paneHeader(page, VIEW_NAMES[0]).waitFor({ timeout: TIMEOUT });
}

/** A view's section header in the side bar (its aria-label also holds the view's description, so it is found by its title). */
export function paneHeader(page, name) {
  return page.locator('.sidebar .pane-header').filter({ has: page.locator(`h3.title:text-is("${name}")`) });
}

/** Expands or collapses a view's section; clicks its title, never the middle of the header, where its actions are. */
export async function setPaneExpanded(page, name, expanded) {
  const header = paneHeader(page, name);
  await header.waitFor({ timeout: TIMEOUT });
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.locator('h3.title').click();
  await page.locator(`.sidebar .pane-header[aria-expanded="${expanded}"]`).filter({ has: page.locator(`h3.title:text-is("${name}")`) }).waitFor({ timeout: TIMEOUT });
}

/** The titles of the views the side bar shows now (those of the vIOMMU container once it is open). */
export async function paneTitles(page) {
  return (await page.locator('.sidebar .pane-header h3.title').allTextContents()).map((t) => t.trim());
}

/**
 * Gives one view of the container the whole side bar (every other view
 * collapsed, whichever views the container has): trees render only the
 * rows in sight, so the rows a check looks for must fit.
 */
export async function showOnlyView(page, name) {
  await openViommuContainer(page);
  await setPaneExpanded(page, name, true);
  for (const other of await paneTitles(page)) if (other !== name) await setPaneExpanded(page, other, false);
  const tree = treeOf(page, name);
  await tree.waitFor({ timeout: TIMEOUT });
  return tree;
}

/** Drags the side bar's edge until the side bar is about `width` pixels wide (for screenshots that show whole rows). */
export async function setSidebarWidth(page, width) {
  const sidebar = page.locator('.part.sidebar');
  await sidebar.waitFor({ timeout: TIMEOUT });
  const bar = await sidebar.boundingBox();
  if (Math.abs(bar.width - width) <= 2) return;
  const sash = await page.locator('.monaco-sash.primary-sidebar-sash').boundingBox();
  const y = sash.y + sash.height / 2;
  await page.mouse.move(sash.x + sash.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(bar.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** The tree of a view (VS Code labels it with the view's name). */
export function treeOf(page, name) {
  return page.locator(`.sidebar .monaco-list[role="tree"][aria-label="${name}"]`);
}

function quoted(text) {
  return JSON.stringify(text);
}

/**
 * The row of a tree whose label is `label` (its aria-label is the label, or
 * "label, description"). `state` adds attribute conditions, e.g.
 * { level: 3, expanded: true, selected: true }.
 */
export function treeRow(tree, label, state = {}) {
  const extra = [
    state.level === undefined ? '' : `[aria-level="${state.level}"]`,
    state.expanded === undefined ? '' : `[aria-expanded="${state.expanded}"]`,
    state.selected === undefined ? '' : `[aria-selected="${state.selected}"]`,
  ].join('');
  return tree.locator(`[role="treeitem"]${extra}[aria-label=${quoted(label)}], [role="treeitem"]${extra}[aria-label^=${quoted(`${label}, `)}]`).first();
}

/** The aria-labels of the rows rendered at a level of a tree, top to bottom. */
export async function rowLabels(tree, level) {
  return tree.locator(`[role="treeitem"][aria-level="${level}"]`).evaluateAll((rows) =>
    rows.sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((r) => r.getAttribute('aria-label') ?? ''),
  );
}

/** Expands a row with its twistie (which neither selects it nor runs its command) and waits until it shows as expanded. */
export async function expandRow(tree, label, level) {
  const row = treeRow(tree, label, { level });
  await row.waitFor({ timeout: TIMEOUT });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  const expanded = treeRow(tree, label, { level, expanded: true });
  await expanded.waitFor({ timeout: TIMEOUT });
  return expanded;
}

/** Collapses a row with its twistie, when it is expanded. */
export async function collapseRow(tree, label, level) {
  const row = treeRow(tree, label, { level });
  await row.waitFor({ timeout: TIMEOUT });
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
  const collapsed = treeRow(tree, label, { level, expanded: false });
  await collapsed.waitFor({ timeout: TIMEOUT });
  return collapsed;
}

/** Clicks a row's label, as a person selects a node: VS Code selects it and runs its command. */
export async function selectRow(tree, label, level) {
  const row = treeRow(tree, label, { level });
  await row.waitFor({ timeout: TIMEOUT });
  await row.locator('.label-name').click();
  const selected = treeRow(tree, label, { level, selected: true });
  await selected.waitFor({ timeout: TIMEOUT });
  return selected;
}

/** The workbench hover (tree-item tooltips) that holds `text`. */
export function workbenchHover(page, text) {
  return page.locator('.workbench-hover:visible').filter({ hasText: text }).first();
}

/** Moves the mouse onto a row's label and waits for its tooltip (a workbench hover holding `text`). */
export async function hoverRow(page, tree, label, level, text) {
  const row = treeRow(tree, label, { level });
  await row.waitFor({ timeout: TIMEOUT });
  await page.mouse.move(5, 5);
  await page.locator('.workbench-hover:visible').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  const box = await row.locator('.label-name').boundingBox();
  if (!box) throw new Error(`the row "${label}" has no label on screen`);
  await page.mouse.move(box.x + 4, box.y + box.height / 2, { steps: 4 });
  const hover = workbenchHover(page, text);
  await hover.waitFor({ timeout: TIMEOUT });
  return hover;
}

/** The active editor's cursor position as the status bar shows it ("Ln 8, Col 1"). */
export function statusBarSelection(page) {
  return page.locator('[id="status.editor.selection"]');
}

/** Waits until the status bar shows the cursor on a line (1-based), and returns what it shows. */
export async function waitForCursorLine(page, line, timeout = TIMEOUT) {
  const item = statusBarSelection(page).filter({ hasText: new RegExp(`^\\s*Ln ${line},`) });
  await item.waitFor({ timeout });
  return (await item.innerText()).trim();
}
