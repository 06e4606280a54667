// The active source of the sidebar views: the capture folder of the dump
// editor in front, or one the user chose ("vIOMMU: Open Capture Folder…",
// "vIOMMU: Open Sample Capture"). The server builds a capture the first time
// it is asked about it; that is when a progress notification shows.

import * as vscode from 'vscode';
import { CaptureSummaryRequest, isDumpLanguage, SourceInfoRequest, type SourceInfo, type SourceRef } from '../protocol';
import type { ServerRequests } from './views/serverRequests';

/** The sample capture shipped in the extension's install folder. */
const SAMPLE_CAPTURE = ['samples', 'linux-6.1-qemu-7.2-legacy'];
/** A small real capture with a device TLB: a scalable-mode guest with an ATS virtio device (made by the VM lane). */
const ATS_SAMPLE_CAPTURE = ['samples', 'linux-6.1-qemu-7.2-scalable-ats'];

/** A request that may take a while: a notification appears if it has not answered within a moment. */
async function withLateProgress<T>(title: string, work: Promise<T>, delayMs = 300): Promise<T> {
  let done = false;
  const finished = work.finally(() => (done = true));
  await Promise.race([finished.catch(() => undefined), new Promise((r) => setTimeout(r, delayMs))]);
  if (done) return finished;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => finished);
}

function isDumpDocument(doc: vscode.TextDocument): boolean {
  return isDumpLanguage(doc.languageId);
}

export class ActiveSource implements vscode.Disposable {
  private current: SourceRef | undefined;
  private lastCaptureRef: SourceRef | undefined;
  private currentInfo: SourceInfo | undefined;
  private readonly emitter = new vscode.EventEmitter<SourceRef | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires when the views must show another source. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly server: ServerRequests) {
    this.subscriptions.push(this.emitter, vscode.window.onDidChangeActiveTextEditor((e) => void this.followEditor(e)));
    void this.followEditor(vscode.window.activeTextEditor);
  }

  get source(): SourceRef | undefined {
    return this.current;
  }

  /** The capture shown last (the way back from a simulation). */
  get lastCapture(): SourceRef | undefined {
    return this.lastCaptureRef;
  }

  /** What the server said about the source when it was opened. */
  get info(): SourceInfo | undefined {
    return this.currentInfo;
  }

  /** True when the document is a file of the active capture (or of a per-device folder below it). */
  contains(uri: vscode.Uri): boolean {
    if (this.current?.kind !== 'capture') return false;
    const folder = vscode.Uri.parse(this.current.uri);
    if (uri.toString() === this.current.uri) return true;
    const base = folder.path.endsWith('/') ? folder.path : folder.path + '/';
    return uri.scheme === folder.scheme && uri.path.startsWith(base);
  }

  /** Makes `ref` the views' source: the server loads it (with progress when that takes a while). */
  async open(ref: SourceRef): Promise<boolean> {
    const name = vscode.Uri.parse(ref.uri).path.split('/').filter((s) => s !== '').pop() ?? ref.uri;
    const info = await withLateProgress(`vIOMMU: loading ${name}…`, this.server.request(SourceInfoRequest, { source: ref }));
    if (!info) {
      void vscode.window.showErrorMessage(ref.kind === 'simulation' ? `vIOMMU: the simulation ${ref.uri} is no longer running.` : `vIOMMU: ${ref.uri} cannot be read as a capture.`);
      return false;
    }
    this.current = ref;
    if (ref.kind === 'capture') this.lastCaptureRef = ref;
    this.currentInfo = info;
    this.emitter.fire(ref);
    return true;
  }

  /** Asks the server about the source again (its files may have changed); true when what the views show may differ. */
  async reload(): Promise<boolean> {
    if (!this.current) return false;
    const before = this.currentInfo?.fingerprint;
    const info = await this.server.request(SourceInfoRequest, { source: this.current });
    if (!info) return true;
    this.currentInfo = info;
    return info.fingerprint === undefined || info.fingerprint !== before;
  }

  /** Makes the capture a document belongs to the views' source. */
  async openCaptureOf(doc: vscode.Uri, stillWanted: () => boolean = () => true): Promise<boolean> {
    const uri = doc.toString();
    try {
      const summary = await withLateProgress('vIOMMU: loading the capture…', this.server.request(CaptureSummaryRequest, { uri }));
      return stillWanted() ? await this.open({ kind: 'capture', uri: summary?.folder || uri }) : false;
    } catch {
      // The server is not running (yet, or any more): the views stay as they are.
      return false;
    }
  }

  private async followEditor(editor: vscode.TextEditor | undefined): Promise<void> {
    const doc = editor?.document;
    // A simulation stays in the views until "Show Capture" (stepping is not lost to a click on a dump).
    if (!doc || !isDumpDocument(doc) || this.contains(doc.uri) || this.current?.kind === 'simulation') return;
    await this.openCaptureOf(doc.uri, () => vscode.window.activeTextEditor?.document === doc);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** "vIOMMU: Open Capture Folder…" */
export async function openCaptureFolder(sources: ActiveSource, folder?: vscode.Uri): Promise<boolean> {
  const pick =
    folder ??
    (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Open Capture', title: 'A folder of intel-iommu debugfs dumps, kernel log, /proc/interrupts, QEMU trace' }))?.[0];
  if (!pick) return false;
  const ok = await sources.open({ kind: 'capture', uri: pick.toString() });
  if (ok) await vscode.commands.executeCommand('workbench.view.extension.viommu');
  return ok;
}

/** "vIOMMU: Open Sample Capture": the real capture shipped with the extension. */
export async function openSampleCapture(sources: ActiveSource, extensionUri: vscode.Uri): Promise<boolean> {
  return openCaptureFolder(sources, vscode.Uri.joinPath(extensionUri, ...SAMPLE_CAPTURE));
}

/** The walkthrough's links: opens a file of the sample capture with the cursor on `line` (1-based), the views on the sample. */
export async function openSampleFile(sources: ActiveSource, extensionUri: vscode.Uri, name: unknown, line: unknown): Promise<vscode.TextEditor | undefined> {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) return undefined;
  const folder = vscode.Uri.joinPath(extensionUri, ...SAMPLE_CAPTURE);
  if (sources.source?.uri !== folder.toString()) await sources.open({ kind: 'capture', uri: folder.toString() });
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, name));
  const at = Math.max(0, Math.min((typeof line === 'number' ? line : 1) - 1, doc.lineCount - 1));
  const range = doc.lineAt(at).range;
  return vscode.window.showTextDocument(doc, { selection: new vscode.Range(range.start, range.start), preview: false });
}

/** "vIOMMU: Open ATS Sample Capture": the sample whose trace has a device TLB, for ATS Flow and its diagram. */
export async function openAtsSample(sources: ActiveSource, extensionUri: vscode.Uri): Promise<boolean> {
  const folder = vscode.Uri.joinPath(extensionUri, ...ATS_SAMPLE_CAPTURE);
  const ok = await openCaptureFolder(sources, folder);
  // The trace views follow the editor: open the trace so IOTLB and ATS Flow show it.
  if (ok) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'qemu-vtd.trace')), { preview: true, preserveFocus: true });
  return ok;
}

/**
 * At start: when the workspace is the samples folder (what `npm start` opens)
 * or a capture folder itself, the views show it without being asked.
 */
export async function openWorkspaceCapture(sources: ActiveSource): Promise<boolean> {
  // A dump in front decides (the views follow it); so does a source already chosen.
  if (sources.source || (vscode.window.activeTextEditor && isDumpDocument(vscode.window.activeTextEditor.document))) return false;
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) return false;
  const names = async (u: vscode.Uri) => new Set((await vscode.workspace.fs.readDirectory(u).then(undefined, () => [] as [string, vscode.FileType][])).map(([n]) => n));
  const top = await names(root);
  const isCapture = (n: Set<string>) => n.has('dmar_translation_struct') || n.has('iommu_regset') || n.has('qemu-vtd.trace');
  if (isCapture(top)) return sources.open({ kind: 'capture', uri: root.toString() });
  const sample = SAMPLE_CAPTURE[1];
  if (top.has(sample) && isCapture(await names(vscode.Uri.joinPath(root, sample)))) return sources.open({ kind: 'capture', uri: vscode.Uri.joinPath(root, sample).toString() });
  return false;
}
