// Gives a panel its page: the bundle dist/webview/<name>.js with its
// stylesheet <name>.css, a fresh nonce, and the page's body (escaped by its
// builder); the options every panel of the extension is made with.

import * as vscode from 'vscode';
import { makeNonce, webviewPage } from './atsSequenceHtml';

/** Where the bundled pages are served from (the only local resource a panel may load). */
export function webviewRoot(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
}

export function panelOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: [webviewRoot(context)] };
}

export function setBundledPage(context: vscode.ExtensionContext, webview: vscode.Webview, page: { name: string; title: string; body: string }): void {
  const root = webviewRoot(context);
  const uri = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, file)).toString();
  webview.html = webviewPage({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    title: page.title,
    styles: [{ uri: uri(`${page.name}.css`) }],
    scriptUri: uri(`${page.name}.js`),
    body: page.body,
  });
}
