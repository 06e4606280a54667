// A node the server sent, as VS Code shows it: label, description, a
// Markdown tooltip (HTML off, links not trusted: the server escaped every
// piece of dump text in it), codicon, the context value the menus match, and
// what selecting it does (open its dump line, or reveal the node it links to).

import * as vscode from 'vscode';
import { COMMANDS, type TreeNodeDto } from '../../protocol';

/** An element of a vIOMMU tree: a node id, with the node once the server has sent it. */
export class ViewNode {
  constructor(
    readonly id: string,
    readonly dto?: TreeNodeDto,
  ) {}
}

const COLLAPSIBLE: Record<TreeNodeDto['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/**
 * The context value menus match: the node's kind, then a word per copy it
 * offers ("leaf value raw json"), so `viewItem =~ /\braw\b/` finds the nodes
 * "Copy raw entry" applies to.
 */
function contextValueOf(dto: TreeNodeDto): string {
  const words = [dto.contextValue ?? 'node'];
  if (dto.copy?.value !== undefined) words.push('value');
  if (dto.copy?.raw !== undefined) words.push('raw');
  if (dto.copy?.json !== undefined) words.push('json');
  return words.join(' ');
}

export function markdownOf(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text);
  md.supportHtml = false;
  md.isTrusted = false;
  return md;
}

export function treeItemOf(node: ViewNode): vscode.TreeItem {
  const dto = node.dto;
  if (!dto) {
    // Only asked for while VS Code walks down to a node it was told to reveal.
    const placeholder = new vscode.TreeItem(node.id, vscode.TreeItemCollapsibleState.Collapsed);
    placeholder.id = node.id;
    return placeholder;
  }
  const label: vscode.TreeItemLabel = dto.changed ? { label: dto.label, highlights: [[0, dto.label.length]] } : { label: dto.label };
  const item = new vscode.TreeItem(label, COLLAPSIBLE[dto.collapsible] ?? vscode.TreeItemCollapsibleState.None);
  item.id = dto.id;
  item.description = dto.description;
  if (dto.tooltip) item.tooltip = markdownOf(dto.tooltip);
  if (dto.icon) item.iconPath = new vscode.ThemeIcon(dto.icon);
  item.contextValue = contextValueOf(dto);
  item.accessibilityInformation = { label: dto.description ? `${dto.label}, ${dto.description}` : dto.label };
  if (dto.link) {
    item.command = { title: 'Show the linked node', command: COMMANDS.treeFollowLink, arguments: [dto.link] };
  } else if (dto.location) {
    item.command = { title: 'Show in the dump', command: COMMANDS.treeRevealSource, arguments: [dto.location] };
  }
  return item;
}
