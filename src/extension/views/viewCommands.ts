// The sidebar's commands that are not about one node: each view's title bar
// (Filter…, Clear Filter, Refresh), the number format, the Second-Level
// Tables mode (ranges or levels), "Show in Tree" from an editor line, and
// opening a capture folder or the sample capture.

import * as vscode from 'vscode';
import { COMMANDS, SETTINGS, VIEW_TITLE_ACTIONS, viewTitleCommand, type NumberFormat, type ViewKey } from '../../protocol';
import { goToAddress } from '../commands/goToAddress';
import { openAtsSample, openCaptureFolder, openSampleCapture, openSampleFile } from '../sources';
import type { CursorSync } from './cursorSync';
import { SIDEBAR_VIEWS, type SidebarViews } from './sidebarViews';
import type { CommandTable } from '../commandTable';

const VIEW_TITLES: Record<string, string> = { contextTables: 'Context Tables', secondLevelTables: 'Second-Level Tables', gsiRouting: 'GSI Routing' };

const FILTER_HINTS: Partial<Record<ViewKey, string>> = {
  contextTables: 'B:D.F (00:02.0), did 4, irte 17, iova 0x…, hpa 0x…, or a name',
  secondLevelTables: 'B:D.F, did 4, iova 0xffefd000, hpa 0x268e000, or a bare address (IOVA or host)',
  gsiRouting: 'irte 17, irq 25, B:D.F (00:04.0), did 6, or a name (virtio)',
};

async function askFilter(views: SidebarViews, key: ViewKey): Promise<void> {
  const provider = views.provider(key);
  if (!provider) return;
  const text = await vscode.window.showInputBox({
    title: `Filter ${VIEW_TITLES[key] ?? key}`,
    prompt: FILTER_HINTS[key],
    value: provider.options.filter ?? '',
    placeHolder: FILTER_HINTS[key],
  });
  if (text === undefined) return;
  await views.setOptions(key, { filter: text.trim() === '' ? undefined : text.trim() });
}

function titleCommand(views: SidebarViews, key: ViewKey, action: (typeof VIEW_TITLE_ACTIONS)[number], commands: CommandTable): vscode.Disposable {
  const run = {
    filter: () => askFilter(views, key),
    clearFilter: () => views.setOptions(key, { filter: undefined }),
    refresh: () => views.refreshAll(true),
  }[action];
  return commands.add(viewTitleCommand(key, action), run);
}

/** Hex, decimal or both, and padding: written where the user's current value comes from. */
async function setNumberFormat(): Promise<void> {
  const config = vscode.workspace.getConfiguration();
  const current = config.get<string>(SETTINGS.numberFormat) ?? 'hex';
  const pad = config.get<boolean>(SETTINGS.padNumbers) === true;
  type Item = vscode.QuickPickItem & { format?: NumberFormat; togglePad?: boolean };
  const items: Item[] = [
    { label: 'Hexadecimal', description: '0x30', format: 'hex' },
    { label: 'Decimal', description: '48', format: 'decimal' },
    { label: 'Both', description: '0x30 (48); addresses stay hexadecimal', format: 'both' },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: pad ? 'Do not pad numbers' : 'Pad numbers to their field width', description: pad ? '0x4' : '0x0004 for a 16-bit DID', togglePad: true },
  ];
  for (const i of items) if (i.format === current) i.label = `$(check) ${i.label}`;
  const pick = await vscode.window.showQuickPick(items, { title: 'vIOMMU: numbers in the views' });
  if (!pick) return;
  const target = (key: string) => (config.inspect(key)?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  if (pick.format) await config.update(SETTINGS.numberFormat, pick.format, target(SETTINGS.numberFormat));
  if (pick.togglePad) await config.update(SETTINGS.padNumbers, !pad, target(SETTINGS.padNumbers));
}

/** "Show in Tree": the node of an editor line in every view that has one (code lenses pass the line). */
async function showInTree(views: SidebarViews, cursor: CursorSync, arg?: { uri: string; line: number } | string, line?: number): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const uri = typeof arg === 'string' ? vscode.Uri.parse(arg) : arg ? vscode.Uri.parse(arg.uri) : editor?.document.uri;
  const at = typeof arg === 'object' ? arg.line : (line ?? editor?.selection.active.line);
  if (!uri || at === undefined) return;
  if (!views.sources.contains(uri) && !(await views.sources.openCaptureOf(uri))) return;
  const found = await cursor.revealLine(uri, at, { focus: true, onlyVisible: false });
  if (found.length === 0) void vscode.window.showInformationMessage('vIOMMU: no node of the sidebar stands for this line.');
}

export function registerViewCommands(context: vscode.ExtensionContext, views: SidebarViews, cursor: CursorSync, commands: CommandTable): vscode.Disposable[] {
  const out: vscode.Disposable[] = [];
  for (const key of SIDEBAR_VIEWS) for (const action of VIEW_TITLE_ACTIONS) out.push(titleCommand(views, key, action, commands));
  out.push(
    commands.add(COMMANDS.setNumberFormat, setNumberFormat),
    commands.add(COMMANDS.secondLevelShowRanges, () => views.setOptions('secondLevelTables', { coalesce: true })),
    commands.add(COMMANDS.secondLevelShowLevels, () => views.setOptions('secondLevelTables', { coalesce: false })),
    commands.add(COMMANDS.showInTree, (arg?: { uri: string; line: number } | string, line?: number) => showInTree(views, cursor, arg, line)),
    commands.add(COMMANDS.openCaptureFolder, (folder?: vscode.Uri) => openCaptureFolder(views.sources, folder instanceof vscode.Uri ? folder : undefined)),
    commands.add(COMMANDS.openSampleCapture, () => openSampleCapture(views.sources, context.extensionUri)),
    commands.add(COMMANDS.goToAddress, (address?: unknown) => goToAddress(views.server, views.sources, cursor, typeof address === 'string' ? address : undefined)),
    commands.add(COMMANDS.openAtsSample, () => openAtsSample(views.sources, context.extensionUri)),
    commands.add(COMMANDS.walkthroughOpenSampleFile, (name?: unknown, line?: unknown) => openSampleFile(views.sources, context.extensionUri, name, line)),
  );
  return out;
}
