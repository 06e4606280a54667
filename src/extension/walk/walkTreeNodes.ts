// The IOVA Walk view's nodes, one class per level: a walk (requester, IOVA,
// access, and its outcome), its steps (each table entry read, linked to its
// dump line and its sidebar node), a step's decoded fields, and the walk's
// outcome and notes. Tooltips are Markdown with every piece of text that
// comes from a dump escaped, HTML off and links untrusted.

import * as vscode from 'vscode';
import { COMMANDS, type TranslateParams, type WireWalkResult, type WireWalkStep } from '../../protocol';
import { markdownOf } from '../views/treeItems';
import { escapeMarkdown as esc } from './escapeMarkdown';

/** A walk the view shows: what was asked, what the server answered. */
export interface ShownWalk {
  readonly serial: number;
  readonly params: TranslateParams;
  readonly result: WireWalkResult;
}

function fileName(uri: string): string {
  return vscode.Uri.parse(uri).path.split('/').pop() ?? uri;
}

function code(reason: number): string {
  return `${reason.toString(16).padStart(2, '0')}h`;
}

/** "→ 0x268e000 (page 0x1000, RW)", "fault 06h … (hardware: 79h)", "unknown: …", or the interrupt window. */
function outcomeText(r: WireWalkResult): string {
  if (r.ok) return `→ ${r.hpa} (page ${r.pageSize}, ${r.permissions})`;
  if (r.fault) return `fault ${code(r.fault.reason)} ${r.fault.name}${r.alternative ? ` (${r.alternative.on === 'hardware' ? 'hardware' : 'QEMU'}: ${code(r.alternative.reason)})` : ''}`;
  if (r.outcome === 'interrupt-window') return 'the interrupt window: not a DMA translation';
  return r.unknown ? `unknown: ${r.unknown}` : 'the capture does not show enough to finish';
}

export class WalkNode {
  constructor(readonly walk: ShownWalk) {}

  get id(): string {
    return `walk:${this.walk.serial}`;
  }

  children(): WalkElement[] {
    const r = this.walk.result;
    const out: WalkElement[] = r.steps.map((s, i) => new StepNode(this, s, i));
    out.push(new OutcomeNode(this, r.ok ? 'result' : r.fault ? 'fault' : 'incomplete', 0));
    r.notes.forEach((_, i) => out.push(new OutcomeNode(this, 'note', i)));
    return out;
  }

  treeItem(expanded: boolean): vscode.TreeItem {
    const { params, result } = this.walk;
    const label = `${params.write ? 'Write' : 'Read'} ${params.bdf} ${params.iova}`;
    const item = new vscode.TreeItem(label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = outcomeText(result);
    item.iconPath = new vscode.ThemeIcon(result.ok ? 'pass' : result.fault ? 'error' : 'question');
    item.contextValue = 'walk';
    item.tooltip = markdownOf([`**${esc(label)}**${params.pasid !== undefined ? ` PASID ${params.pasid}` : ''}`, '', esc(outcomeText(result)), ...result.notes.map((n) => `\n> ${esc(n)}`)].join('\n'));
    item.accessibilityInformation = { label: `${label}, ${item.description}` };
    return item;
  }
}

export class StepNode {
  constructor(
    readonly parent: WalkNode,
    readonly step: WireWalkStep,
    readonly index: number,
  ) {}

  get id(): string {
    return `${this.parent.id}/step:${this.index}`;
  }

  children(): WalkElement[] {
    return (this.step.fields ?? []).map((_, i) => new FieldNode(this, i));
  }

  private tooltip(): vscode.MarkdownString {
    const s = this.step;
    const lines = [`**${this.index + 1}. ${esc(s.name)}**${s.level !== undefined ? ` (level ${s.level})` : ''}`, ''];
    if (s.tableAddress) lines.push(`index ${s.index ?? '?'} of the table at \`${s.tableAddress}\`${s.iovaBits ? `, from IOVA bits ${s.iovaBits[0]}:${s.iovaBits[1]}` : ''}`, '');
    if (s.entry) lines.push(`entry \`${s.entry}\`${s.visible ? '' : ' (not shown in the dump)'}`, '');
    lines.push(esc(s.note));
    if (s.location) lines.push('', `${esc(fileName(s.location.uri))}, line ${s.location.line + 1}`);
    return markdownOf(lines.join('\n'));
  }

  treeItem(): vscode.TreeItem {
    const s = this.step;
    const collapsible = s.fields?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(`${this.index + 1}. ${s.name}`, collapsible);
    item.id = this.id;
    const at = s.index !== undefined ? `[${s.index}] ` : '';
    item.description = `${at}${s.entry ?? s.note}`;
    item.iconPath = new vscode.ThemeIcon(s.visible ? 'symbol-field' : 'eye-closed');
    // "walkStep", then "line" and "node" when the step has them: the menus match these words.
    item.contextValue = ['walkStep', s.location ? 'line' : '', s.node ? 'node' : ''].filter(Boolean).join(' ');
    item.tooltip = this.tooltip();
    if (s.location || s.node) item.command = { title: 'Show the step in the dump and the tables', command: COMMANDS.walkShowStep, arguments: [s] };
    item.accessibilityInformation = { label: `${this.index + 1}. ${s.name}, ${item.description}` };
    return item;
  }
}

class FieldNode {
  constructor(
    readonly parent: StepNode,
    readonly index: number,
  ) {}

  get id(): string {
    return `${this.parent.id}/field:${this.index}`;
  }

  children(): WalkElement[] {
    return [];
  }

  treeItem(): vscode.TreeItem {
    const f = this.parent.step.fields![this.index];
    const item = new vscode.TreeItem(f.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${f.value}  [${f.bits}]  ${f.meaning}`;
    item.tooltip = markdownOf(`**${esc(f.name)}** bits ${esc(f.bits)} = \`${f.value}\`\n\n${esc(f.meaning)}`);
    item.contextValue = 'walkField';
    item.accessibilityInformation = { label: `${f.name}, ${item.description}` };
    return item;
  }
}

class OutcomeNode {
  constructor(
    readonly parent: WalkNode,
    readonly what: 'result' | 'fault' | 'incomplete' | 'note',
    readonly index: number,
  ) {}

  get id(): string {
    return `${this.parent.id}/${this.what}:${this.index}`;
  }

  children(): WalkElement[] {
    return [];
  }

  treeItem(): vscode.TreeItem {
    const r = this.parent.walk.result;
    const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = `walkOutcome ${this.what}`;
    switch (this.what) {
      case 'result':
        item.label = `Host address ${r.hpa}`;
        item.description = `page ${r.pageSize}, ${r.permissions}`;
        item.iconPath = new vscode.ThemeIcon('pass');
        break;
      case 'fault': {
        const alt = r.alternative;
        const whose = r.platform === 'qemu' ? "as QEMU's intel-iommu records it" : 'as the VT-d specification (hardware) records it';
        item.label = `Fault ${code(r.fault!.reason)} ${r.fault!.name}`;
        item.description = r.fault!.description;
        item.tooltip = markdownOf(
          [`**${esc(item.label)}**: ${esc(r.fault!.description)}, ${whose}.`, ...(alt ? ['', `${alt.on === 'hardware' ? 'Real hardware' : "QEMU's intel-iommu"} records ${code(alt.reason)} ${esc(alt.name)}: ${esc(alt.description)}.`] : [])].join('\n'),
        );
        item.iconPath = new vscode.ThemeIcon('error');
        break;
      }
      case 'incomplete':
        item.label = r.outcome === 'interrupt-window' ? 'Not a DMA translation: the interrupt window' : 'Unknown: the capture does not hold what the walk needs';
        item.description = r.unknown;
        item.tooltip = r.unknown ? markdownOf(esc(r.unknown)) : undefined;
        item.iconPath = new vscode.ThemeIcon('question');
        break;
      case 'note':
        item.label = r.notes[this.index];
        item.tooltip = markdownOf(esc(r.notes[this.index]));
        item.iconPath = new vscode.ThemeIcon('info');
        break;
    }
    // As in the other views: "label, description", what a screen reader says.
    item.accessibilityInformation = { label: item.description ? `${item.label}, ${item.description}` : String(item.label) };
    return item;
  }
}

export type WalkElement = WalkNode | StepNode | FieldNode | OutcomeNode;
