// "vIOMMU: Capture a QEMU Guest…": runs `viommu vm` (the bundled CLI, with
// the editor's own Node) with the options picked, its progress in a
// notification that can cancel it and its whole output in an output
// channel, then opens the capture in the views. Starts processes, so it needs
// a trusted workspace.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../protocol';

/** What the command takes when run with arguments (tests and other extensions): the picks it would ask for. */
export interface CaptureQemuGuestArgs {
  mode?: 'legacy' | 'scalable';
  /** Any of 'cm-off', 'lazy', 'ats', 'eim', 'direct'. */
  options?: string[];
  /** The new capture folder. */
  out?: string;
}

const OPTIONS: { id: string; label: string; detail: string; flags: string[] }[] = [
  { id: 'cm-off', label: 'Caching mode off', detail: 'CAP.CM = 0: the guest invalidates on unmap only', flags: ['--caching-mode', 'off'] },
  { id: 'lazy', label: 'Lazy invalidation', detail: 'iommu.strict=0: unmaps are flushed in batches by the flush queue', flags: ['--lazy'] },
  { id: 'ats', label: 'ATS', detail: 'device-iotlb=on, virtio-net with ATS behind a PCIe root port (01:00.0)', flags: ['--ats'] },
  { id: 'eim', label: 'Extended interrupt mode', detail: 'eim=on: x2APIC interrupt remapping where the guest CPU has x2APIC', flags: ['--x2apic'] },
  { id: 'direct', label: 'Large direct reads', detail: "48 MiB read with O_DIRECT: with lazy invalidation, QEMU's IOTLB overflows", flags: ['--direct', '--read-mib', '48'] },
];

/** The `viommu vm` arguments of a set of picks. */
function vmArguments(args: Required<CaptureQemuGuestArgs>): string[] {
  const flags = OPTIONS.filter((o) => args.options.includes(o.id)).flatMap((o) => o.flags);
  return ['vm', '--mode', args.mode, ...flags, '--out', args.out];
}

async function ask(given: CaptureQemuGuestArgs): Promise<Required<CaptureQemuGuestArgs> | undefined> {
  const mode =
    given.mode ??
    (
      await vscode.window.showQuickPick(
        [
          { label: 'legacy', detail: 'root and context entries, second-level page tables' },
          { label: 'scalable', detail: 'scalable-mode context entries, PASID directory and tables (x-scalable-mode=on, intel_iommu=sm_on)' },
        ],
        { title: 'Capture a QEMU Guest (1/3): translation mode' },
      )
    )?.label;
  if (mode !== 'legacy' && mode !== 'scalable') return undefined;
  const options =
    given.options ??
    (await vscode.window.showQuickPick(OPTIONS.map((o) => ({ label: o.label, detail: o.detail, id: o.id })), { title: 'Capture a QEMU Guest (2/3): options (none for the defaults)', canPickMany: true }))?.map((o) => o.id);
  if (!options) return undefined;
  let out = given.out;
  if (!out) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const target = await vscode.window.showSaveDialog({ title: 'Capture a QEMU Guest (3/3): a new folder for the capture', defaultUri: base ? vscode.Uri.joinPath(base, `viommu-vm-${mode}-${stamp}`) : undefined, saveLabel: 'Capture here' });
    out = target?.fsPath;
  }
  return out ? { mode, options, out } : undefined;
}

/** Runs the command; resolves to the capture folder, or undefined when it was cancelled or failed. `output`: its channel, made on first use by the caller. */
export async function captureQemuGuest(context: vscode.ExtensionContext, output: () => vscode.OutputChannel, given: CaptureQemuGuestArgs = {}): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Capturing a QEMU guest starts QEMU and builds a kernel: trust this workspace first (Workspaces: Manage Workspace Trust).');
    return undefined;
  }
  if (process.platform !== 'linux') {
    void vscode.window.showErrorMessage('Capturing a QEMU guest needs Linux with QEMU: run VS Code (or a remote window) on a Linux machine.');
    return undefined;
  }
  const picks = await ask(given);
  if (!picks) return undefined;
  const out = output();
  const argv = [context.asAbsolutePath(join('dist', 'cli.js')), ...vmArguments(picks)];
  out.appendLine(`$ viommu ${vmArguments(picks).join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'vIOMMU: QEMU guest', cancellable: true },
    (progress, token) =>
      new Promise<{ code: number | null; lastLines: string[]; cancelled: boolean }>((resolve) => {
        const child = spawn(process.execPath, argv, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        const lastLines: string[] = [];
        let cancelled = false;
        const onLine = (line: string) => {
          out.appendLine(line);
          lastLines.push(line);
          if (lastLines.length > 20) lastLines.shift();
          const shown = line.replace(/^viommu vm: /, '').trim();
          if (shown && !/^\//.test(shown)) progress.report({ message: shown.slice(0, 120) });
        };
        let partial = '';
        const feed = (chunk: Buffer) => {
          const parts = (partial + chunk.toString('utf8')).split('\n');
          partial = parts.pop() ?? '';
          parts.forEach(onLine);
        };
        child.stdout.on('data', feed);
        child.stderr.on('data', feed);
        token.onCancellationRequested(() => {
          cancelled = true;
          child.kill('SIGTERM');
        });
        child.on('error', (err) => {
          onLine(`could not start the CLI: ${err.message}`);
          resolve({ code: -1, lastLines, cancelled });
        });
        child.on('close', (code) => {
          if (partial) onLine(partial);
          resolve({ code, lastLines, cancelled });
        });
      }),
  );
  if (result.cancelled) {
    void vscode.window.showInformationMessage('vIOMMU: the QEMU guest was stopped.');
    return undefined;
  }
  if (result.code !== 0 && result.code !== 1 && result.code !== 3) {
    const why = result.lastLines.filter((l) => l.trim()).slice(-3).join(' ');
    const show = await vscode.window.showErrorMessage(`vIOMMU: the QEMU guest could not be captured: ${why}`, 'Show Output');
    if (show) out.show();
    return undefined;
  }
  // check's exit 1 or 3 still leaves a capture: open it, the views show what check found.
  await vscode.commands.executeCommand(COMMANDS.openCaptureFolder, vscode.Uri.file(picks.out));
  void vscode.window.showInformationMessage(`vIOMMU: captured a ${picks.mode} QEMU guest into ${picks.out}.`);
  return picks.out;
}
