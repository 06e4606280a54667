// The HTML page of the ATS sequence diagram: a strict Content-Security-Policy
// (nothing by default; scripts only with this page's nonce; styles and fonts
// only from the extension's own files), the bundled script, the stylesheet,
// the codicons stylesheet the icon elements look for, and no inline handler.
// Text from the trace never goes into this HTML unescaped: the page gets its
// data by message and writes it with textContent.

import { randomBytes } from 'node:crypto';

interface AtsSequencePage {
  /** webview.cspSource: where the extension's files are served from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
  /** The trace's name, shown in the heading (escaped here). */
  title: string;
}

/** A fresh nonce: 128 random bits, base64 without padding. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource}`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Every webview page of the extension: the strict CSP, the stylesheets (the
 * first may carry an id), the page's own body (already escaped by its
 * builder) and the nonce'd script last.
 */
export function webviewPage(p: { cspSource: string; nonce: string; title: string; styles: { uri: string; id?: string }[]; scriptUri: string; body: string }): string {
  const e = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${p.styles.map((s) => `<link rel="stylesheet"${s.id ? ` id="${e(s.id)}"` : ''} href="${e(s.uri)}">`).join('\n')}
<title>${e(p.title)}</title>
</head>
<body>
${p.body}
<script nonce="${e(p.nonce)}" src="${e(p.scriptUri)}"></script>
</body>
</html>
`;
}

export function atsSequenceHtml(p: AtsSequencePage): string {
  const e = escapeHtml;
  return webviewPage({
    cspSource: p.cspSource,
    nonce: p.nonce,
    title: `ATS flow: ${p.title}`,
    styles: [{ uri: p.codiconsUri, id: 'vscode-codicon-stylesheet' }, { uri: p.styleUri }],
    scriptUri: p.scriptUri,
    body: `<header class="toolbar">
<h1 id="title">ATS flow: ${e(p.title)}</h1>
<vscode-single-select id="device" aria-label="Device"></vscode-single-select>
<vscode-checkbox id="show-translations" checked>Translations</vscode-checkbox>
<vscode-checkbox id="show-implied" checked>Implied steps</vscode-checkbox>
<vscode-button id="refresh" icon="refresh" secondary>Refresh</vscode-button>
</header>
<section id="notes" class="notes" aria-label="What the trace shows"></section>
<main id="diagram" class="diagram" aria-label="Sequence diagram"></main>`,
  });
}
