import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { atsSequenceHtml, contentSecurityPolicy, makeNonce } from '../../src/extension/webview/atsSequenceHtml';
import { isFromAtsWebview } from '../../src/webview/atsSequence/messages';
import { arrowClasses, renderDeviceOptions, renderFlow, renderNotes, type MiniDocument, type MiniElement } from '../../src/webview/atsSequence/render';
import { CaptureWorkspace } from '../../src/server/captureWorkspace';
import { atsFlowOf } from '../../src/server/features/traceTreeRequests';
import type { WireAtsDevice } from '../../src/protocol';
import { fixturesDir } from '../helpers';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** Just enough of a DOM: elements with classes, attributes, text, children and listeners, serialized the way a browser would. */
class FakeElement implements MiniElement {
  className = '';
  readonly attributes = new Map<string, string>();
  children: FakeElement[] = [];
  private text: string | null = null;
  readonly listeners = new Map<string, ((e: { key?: string }) => void)[]>();
  constructor(readonly tag: string) {}
  get textContent(): string | null {
    return this.text ?? this.children.map((c) => c.textContent ?? '').join('');
  }
  set textContent(v: string | null) {
    this.text = v;
    this.children = [];
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  appendChild(child: MiniElement): unknown {
    this.children.push(child as FakeElement);
    return child;
  }
  replaceChildren(...nodes: MiniElement[]): void {
    this.text = null;
    this.children = nodes as FakeElement[];
  }
  addEventListener(type: string, listener: (e: { key?: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => c.all())];
  }
  serialize(): string {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const attrs = [...(this.className ? [['class', this.className]] : []), ...this.attributes].map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
    const inner = this.text !== null ? esc(this.text) : this.children.map((c) => c.serialize()).join('');
    return `<${this.tag}${attrs}>${inner}</${this.tag}>`;
  }
}

const doc: MiniDocument = { createElement: (tag) => new FakeElement(tag) };

function page(title = 'qemu-vtd.trace', nonce = 'bm9uY2Vub25jZW5vbmNl') {
  return atsSequenceHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/atsSequence.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/atsSequence/atsSequence.css',
    codiconsUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
    title,
  });
}

/** Every start tag of an HTML text, with its attributes. */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({ name: m[1].toLowerCase(), attrs: m[2] }));
}

describe('ATS sequence-diagram webview', () => {
  it('has a strict CSP: nothing by default, scripts only with the nonce, styles and fonts from the extension', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}$/);
    assert.notEqual(nonce, makeNonce());
    const html = page('qemu-vtd.trace', nonce);
    const meta = tags(html).find((t) => t.name === 'meta' && /http-equiv="Content-Security-Policy"/.test(t.attrs));
    assert.ok(meta, 'a CSP meta tag');
    const csp = /content="([^"]*)"/.exec(meta.attrs)?.[1].replace(/&#39;/g, "'") ?? '';
    assert.equal(csp, contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', nonce));
    assert.match(csp, /^default-src 'none';/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net;/);
    const scripts = tags(html).filter((t) => t.name === 'script');
    assert.equal(scripts.length, 1);
    assert.ok(scripts[0].attrs.includes(`nonce="${nonce}"`) && scripts[0].attrs.includes('src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/atsSequence.js"'));
    assert.ok(/<script[^>]*><\/script>/.test(html), 'no inline script body');
    assert.ok(html.includes('id="vscode-codicon-stylesheet"'), 'the codicons stylesheet the icon element looks for');
  });

  it('has no inline handler, no inline style, and uses @vscode-elements', () => {
    const html = page();
    for (const t of tags(html)) {
      assert.ok(!/\son[a-z]+\s*=/i.test(t.attrs), `inline handler in <${t.name}${t.attrs}>`);
      assert.ok(!/\sstyle\s*=/i.test(t.attrs), `inline style in <${t.name}${t.attrs}>`);
      assert.notEqual(t.name, 'style');
    }
    const names = new Set(tags(html).map((t) => t.name));
    for (const e of ['vscode-single-select', 'vscode-checkbox', 'vscode-button']) assert.ok(names.has(e), e);
  });

  it('escapes a hostile trace name in the page', () => {
    const html = page(HOSTILE);
    assert.ok(!tags(html).some((t) => t.name === 'img'));
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'));
    for (const t of tags(html)) assert.ok(!/\son[a-z]+\s*=/i.test(t.attrs));
  });

  it('draws trace text only as text: a hostile device name and label end up escaped', () => {
    const device: WireAtsDevice = {
      bdf: HOSTILE,
      sid: 0x18,
      deviceTlbEnabled: true,
      omitted: 0,
      events: [
        { line: 32, kind: 'devtlb-invalidation', from: 'driver', to: 'iommu', label: `device-TLB invalidation ${HOSTILE}`, detail: HOSTILE, shown: 'traced' },
        { line: 32, kind: HOSTILE, from: 'iommu', to: 'device', label: 'invalidate', detail: 'x', shown: 'implied' },
      ],
    };
    const container = new FakeElement('main');
    const revealed: number[] = [];
    assert.equal(renderFlow(doc, container, device, { translations: true, implied: true }, (l) => revealed.push(l)), 2);
    const select = new FakeElement('vscode-single-select');
    renderDeviceOptions(doc, select, [device], 0x18);
    const notes = new FakeElement('section');
    renderNotes(doc, notes, [HOSTILE]);
    for (const root of [container, select, notes]) {
      assert.ok(!root.all().some((e) => e.tag === 'img'), 'no element made of trace text');
      assert.ok(!root.all().some((e) => [...e.attributes.keys()].some((k) => k.startsWith('on'))));
      const html = root.serialize();
      assert.ok(!html.includes('<img'), html);
      assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), html);
    }
    // An unknown kind never becomes a class name.
    assert.ok(container.all().some((e) => e.className === 'row kind-other implied'));
    const rows = container.all().filter((e) => e.className.startsWith('row kind-'));
    rows[0].listeners.get('click')?.[0]({});
    rows[1].listeners.get('keydown')?.[0]({ key: 'Enter' });
    assert.deepEqual(revealed, [32, 32]);
  });

  it('draws the flow of a replayed trace whose text is hostile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-webview-'));
    const text = readFileSync(join(fixturesDir, 'traces', 'ats-device-tlb.trace'), 'utf8').replace('vtd_inv_desc_wait_irq Generating complete event', `vtd_inv_desc_wait_irq ${HOSTILE}`);
    writeFileSync(join(dir, 'qemu-vtd.trace'), text);
    const flow = atsFlowOf({ source: { kind: 'trace', uri: pathToFileURL(join(dir, 'qemu-vtd.trace')).toString() } }, new CaptureWorkspace());
    const device = flow?.devices[0];
    assert.ok(device?.events.some((e) => e.label.includes(HOSTILE)));
    const container = new FakeElement('main');
    renderFlow(doc, container, device, { translations: false, implied: false }, () => undefined);
    const html = container.serialize();
    assert.ok(!html.includes('<img') && html.includes('completion: &lt;img'));
    const labels = container.all().filter((e) => e.className === 'label').map((e) => e.textContent);
    assert.ok(!labels.some((l) => l?.startsWith('translation')), 'translations hidden');
    assert.ok(!labels.some((l) => l?.includes('DEVIOTLB_UNMAP')), 'implied steps hidden');
  });

  it('places arrows between lanes by class, and checks what the page sends', () => {
    assert.equal(arrowClasses('driver', 'iommu'), 'arrow span-iommu-driver rtl');
    assert.equal(arrowClasses('iommu', 'device'), 'arrow span-device-iommu rtl');
    assert.equal(arrowClasses('device', 'driver'), 'arrow span-device-driver ltr');
    assert.equal(arrowClasses('iommu', 'iommu'), 'arrow self self-iommu');
    assert.ok(isFromAtsWebview({ type: 'ready' }));
    assert.ok(isFromAtsWebview({ type: 'reveal', line: 40 }));
    for (const bad of [null, 'reveal', { type: 'reveal', line: -1 }, { type: 'reveal', line: 1.5 }, { type: 'reveal', line: '3' }, { type: 'eval', code: 'x' }]) assert.ok(!isFromAtsWebview(bad));
  });
});
