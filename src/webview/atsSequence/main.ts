// The ATS sequence-diagram webview's script (bundled by scripts/build.mjs into
// dist/webview/atsSequence.js). It asks the extension for the flow, draws the
// chosen device's flow, and asks the extension to open the trace at a row's
// line when the row is clicked. Trace text only ever becomes textContent.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { AtsFlowResult } from '../../protocol';
import type { FromAtsWebview, ToAtsWebview } from './messages';
import { renderDeviceOptions, renderFlow, renderNotes, type MiniDocument, type MiniElement, type RenderOptions } from './render';

interface VsCodeApi {
  postMessage(message: FromAtsWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

interface PageState {
  sid?: number;
  options: RenderOptions;
}

const vscode = acquireVsCodeApi();
const doc = document as unknown as MiniDocument;
const byId = (id: string) => document.getElementById(id);
const saved = vscode.getState() as Partial<PageState> | undefined;
const state: PageState = { sid: saved?.sid, options: { translations: saved?.options?.translations ?? true, implied: saved?.options?.implied ?? true } };
let flow: AtsFlowResult | undefined;

const deviceSelect = byId('device') as (HTMLElement & { value: string }) | null;
const translations = byId('show-translations') as (HTMLElement & { checked: boolean }) | null;
const implied = byId('show-implied') as (HTMLElement & { checked: boolean }) | null;
const diagram = byId('diagram');
const notes = byId('notes');
const title = byId('title');

function reveal(line: number): void {
  vscode.postMessage({ type: 'reveal', line });
}

function draw(): void {
  if (!diagram || !flow) return;
  const device = flow.devices.find((d) => d.sid === state.sid) ?? flow.devices[0];
  state.sid = device?.sid;
  vscode.setState(state);
  renderFlow(doc, diagram as unknown as MiniElement, device, state.options, reveal);
}

function showFlow(next: AtsFlowResult, select: number | undefined): void {
  flow = next;
  if (select !== undefined) state.sid = select;
  if (title) title.textContent = `ATS flow: ${next.name}`;
  if (deviceSelect) {
    renderDeviceOptions(doc, deviceSelect as unknown as MiniElement, next.devices, state.sid ?? next.devices[0]?.sid);
    deviceSelect.hidden = next.devices.length === 0;
  }
  if (notes) renderNotes(doc, notes as unknown as MiniElement, next.notes);
  draw();
}

function showError(message: string): void {
  flow = undefined;
  if (notes) notes.replaceChildren();
  if (diagram) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = message;
    diagram.replaceChildren(p);
  }
}

function isToWebview(m: unknown): m is ToAtsWebview {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'error') return typeof (m as { message?: unknown }).message === 'string';
  const f = (m as { flow?: unknown }).flow;
  return t === 'flow' && typeof f === 'object' && f !== null && Array.isArray((f as AtsFlowResult).devices);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isToWebview(m)) return;
  if (m.type === 'flow') showFlow(m.flow, m.select);
  else showError(m.message);
});

deviceSelect?.addEventListener('change', () => {
  const sid = Number(deviceSelect.value);
  state.sid = Number.isInteger(sid) ? sid : undefined;
  draw();
});
if (translations) {
  translations.checked = state.options.translations;
  translations.addEventListener('change', () => {
    state.options.translations = translations.checked;
    draw();
  });
}
if (implied) {
  implied.checked = state.options.implied;
  implied.addEventListener('change', () => {
    state.options.implied = implied.checked;
    draw();
  });
}
byId('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));

vscode.postMessage({ type: 'ready' });
