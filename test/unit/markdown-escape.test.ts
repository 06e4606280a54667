// Dump text in the server's Markdown (hovers, tooltips): a hostile capture's
// strings must form no markup, and read back as exactly what the dump says.
// The real-VS-Code lane renders the same in the workbench
// (test/vscode/ui/hostileCapture.mjs).
import { strict as assert } from 'node:assert';
import { buildCapture } from '../../src/model/buildCapture';
import { mdCode, mdEscape } from '../../src/server/markdown';
import { requesterMarkdown } from '../../src/server/features/hover';
import { legacyCaptureText } from '../helpers';
import { findRequester } from '../../src/model/keys';

const HOSTILE = [
  '<img src=x onerror="fetch(\'http://127.0.0.1:9/x\')">',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '[Open a terminal](command:workbench.action.terminal.new)',
  '![pixel](http://127.0.0.1:9/pixel)',
  '<http://127.0.0.1:9/autolink> http://127.0.0.1:9/bare www.example.com user@example.com',
  '&lt;b&gt;bold&lt;/b&gt; &amp; &#60;i&#62;',
  '~~struck~~ **bold** _em_ `code` | cell | \\ back',
];

/** What CommonMark shows for escaped text: each backslash escape gives the character after it. */
function shown(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** ASCII punctuation not preceded by the backslash that escapes it (a backslash that is itself escaped counts as a character). */
function bare(md: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < md.length; i++) {
    if (md[i] === '\\') {
      i++; // the escaped character
      continue;
    }
    if (/[!-/:-@[-`{-~]/.test(md[i])) out.push(md[i]);
  }
  return out;
}

describe('Markdown escaping of dump text', () => {
  it('escapes every ASCII punctuation character, so no markup, link, autolink or entity can form, and reads back as the text', () => {
    for (const text of HOSTILE) {
      const md = mdEscape(text);
      assert.deepEqual(bare(md), [], md);
      assert.equal(shown(md), text);
      for (const trigger of ['http://', 'www.', '](']) assert.ok(!md.includes(trigger), `${trigger} in ${md}`);
    }
    assert.equal(mdEscape('line one\r\nline two\nthree\rfour'), 'line one line two three four');
  });

  it('fences code spans with more backticks than the text holds', () => {
    assert.equal(mdCode('caching-mode'), '`caching-mode`');
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('`x``'), '``` `x`` ```');
    assert.equal(mdCode('two\nlines'), '`two lines`');
  });

  it("escapes a hostile unit name and IRQ names in a requester's hover", () => {
    const unit = "<img/src=x/onerror=alert('unit')>";
    const dmar = legacyCaptureText('dmar_translation_struct').replace(/^IOMMU dmar0:/m, `IOMMU ${unit}:`);
    const interrupts = legacyCaptureText('interrupts').replace('virtio1-config', HOSTILE[3]).replace('virtio1-req.0', HOSTILE[4]).replace('virtio1-req.1', HOSTILE[0]);
    const capture = buildCapture([
      { name: 'dmar_translation_struct', text: dmar },
      { name: 'interrupts', text: interrupts },
    ]);
    assert.equal(findRequester(capture, 0x20)?.unit, unit, 'the parser kept the unit name as the dump says');
    const md = requesterMarkdown(capture, 0x20) ?? '';
    const text = shown(md);
    assert.ok(text.includes(`**Requester 00:04.0** on ${unit}`), text);
    assert.ok(text.includes(`guest IRQs 25 (${HOSTILE[3]}), 26 (${HOSTILE[4]}), 27 (${HOSTILE[0]})`), text);
    assert.ok(!/(^|[^\\])[<[]/.test(md.replace('**Requester 00:04.0** on', '')), `no bare < or [ in ${md}`);
  });
});
