// Draws a device's ATS flow as a sequence diagram: three lanes (the device,
// the IOMMU, the guest driver), one row per event in trace order, an arrow
// from the sender's lane to the receiver's with the event's words on it.
// Runs in the webview; written against a small slice of the DOM so it can be
// checked in plain Node. Every piece of trace text is set as textContent or
// an attribute value, never parsed as HTML; layout comes from classes styled
// by the page's stylesheet (the page's CSP allows no inline style).

import { ATS_EVENT_ICONS, type AtsLaneId, type WireAtsDevice, type WireAtsEvent } from '../../protocol';

export interface MiniElement {
  textContent: string | null;
  className: string;
  setAttribute(name: string, value: string): void;
  appendChild(child: MiniElement): unknown;
  replaceChildren(...nodes: MiniElement[]): void;
  addEventListener(type: string, listener: (event: { key?: string; preventDefault?: () => void }) => void): void;
}

export interface MiniDocument {
  createElement(tag: string): MiniElement;
}

export interface RenderOptions {
  /** Show translation rows (a device can have thousands). */
  translations: boolean;
  /** Show the steps QEMU takes without a trace line of their own. */
  implied: boolean;
}

/** Rows drawn at most; the rest is counted. */
const MAX_ROWS = 2000;

const ORDER: Record<AtsLaneId, number> = { device: 0, iommu: 1, driver: 2 };

/** Codicon of each kind of event (fixed names, never trace text). */
const ICONS = ATS_EVENT_ICONS;

const KINDS = new Set(Object.keys(ICONS));
const LANES: readonly AtsLaneId[] = ['device', 'iommu', 'driver'];

function el(doc: MiniDocument, tag: string, className: string, text?: string): MiniElement {
  const e = doc.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The class that places an arrow between two lanes, and its direction. */
export function arrowClasses(from: AtsLaneId, to: AtsLaneId): string {
  if (from === to) return `arrow self self-${from}`;
  const [a, b] = ORDER[from] < ORDER[to] ? [from, to] : [to, from];
  return `arrow span-${a}-${b} ${ORDER[from] < ORDER[to] ? 'ltr' : 'rtl'}`;
}

function shownEvents(device: WireAtsDevice, o: RenderOptions): WireAtsEvent[] {
  return device.events.filter((e) => (o.translations || e.kind !== 'translation') && (o.implied || e.shown !== 'implied'));
}

function header(doc: MiniDocument, device: WireAtsDevice): MiniElement {
  const row = el(doc, 'div', 'row head');
  row.setAttribute('role', 'row');
  row.appendChild(el(doc, 'span', 'line', 'line'));
  const names: Record<AtsLaneId, string> = { device: `Device ${device.bdf}`, iommu: 'IOMMU (QEMU)', driver: 'Guest driver' };
  for (const lane of LANES) row.appendChild(el(doc, 'span', `lane-name lane-${lane}`, names[lane]));
  return row;
}

function eventRow(doc: MiniDocument, e: WireAtsEvent, onReveal: (line: number) => void): MiniElement {
  const kind = KINDS.has(e.kind) ? e.kind : 'other';
  const row = el(doc, 'div', `row kind-${kind}${e.shown === 'implied' ? ' implied' : ''}`);
  row.setAttribute('role', 'row');
  row.setAttribute('tabindex', '0');
  row.setAttribute('title', `${e.detail}${e.shown === 'implied' ? ' (QEMU prints no trace line of its own for this step.)' : ''}`);
  row.appendChild(el(doc, 'span', 'line', String(e.line + 1)));
  for (const lane of LANES) row.appendChild(el(doc, 'span', `life life-${lane}`));
  const arrow = el(doc, 'span', arrowClasses(ORDER[e.from] !== undefined ? e.from : 'iommu', ORDER[e.to] !== undefined ? e.to : 'iommu'));
  const icon = doc.createElement('vscode-icon');
  icon.setAttribute('name', ICONS[kind] ?? 'circle-small');
  arrow.appendChild(icon);
  arrow.appendChild(el(doc, 'span', 'label', e.label));
  row.appendChild(arrow);
  row.addEventListener('click', () => onReveal(e.line));
  row.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault?.();
      onReveal(e.line);
    }
  });
  return row;
}

/** Draws `device`'s flow into `container`, replacing what was there. Returns the number of rows drawn. */
export function renderFlow(doc: MiniDocument, container: MiniElement, device: WireAtsDevice | undefined, o: RenderOptions, onReveal: (line: number) => void): number {
  if (!device) {
    container.replaceChildren(el(doc, 'p', 'empty', 'No device of this trace has a device TLB: there is no ATS flow to draw.'));
    return 0;
  }
  const events = shownEvents(device, o);
  const rows = [header(doc, device), ...events.slice(0, MAX_ROWS).map((e) => eventRow(doc, e, onReveal))];
  const cut = events.length - Math.min(events.length, MAX_ROWS) + device.omitted;
  if (cut > 0) rows.push(el(doc, 'p', 'more', `${cut} more events are not drawn (the first ${Math.min(events.length, MAX_ROWS)} are).`));
  if (events.length === 0) rows.push(el(doc, 'p', 'empty', 'No event to show with these settings.'));
  container.replaceChildren(...rows);
  return Math.min(events.length, MAX_ROWS);
}

/** The notes on what the trace cannot show, as a list. */
export function renderNotes(doc: MiniDocument, container: MiniElement, notes: readonly string[]): void {
  const list = el(doc, 'ul', 'note-list');
  for (const n of notes) list.appendChild(el(doc, 'li', 'note', n));
  container.replaceChildren(list);
}

/** The device picker's options: the device's B:D.F and what it has. */
export function renderDeviceOptions(doc: MiniDocument, select: MiniElement, devices: readonly WireAtsDevice[], selected: number | undefined): void {
  const options = devices.map((d) => {
    const o = doc.createElement('vscode-option');
    o.setAttribute('value', String(d.sid));
    if (d.sid === selected) o.setAttribute('selected', '');
    o.textContent = `${d.bdf}${d.deviceTlbEnabled ? '' : ' (device TLB off)'} · ${d.events.length} events`;
    return o;
  });
  select.replaceChildren(...options);
}
