// Completion in a scenario file, from the schema at the cursor: the keys a
// map may still take (each with what it means and its default), and the
// values of the key the cursor is after (on/off, an enum's values, aw-bits'
// widths, a request's types, the names of the file's devices).

import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver/node';
import { SCENARIO_SCHEMA, schemaAt, type SchemaNode } from '../../sim/index';
import { cursorContext, type CursorContext } from './cursorContext';
import { pathTitle } from './scenarioHover';
import { schemaMarkdown, valuesText } from './schemaWords';

function editOf(ctx: CursorContext, line: number, character: number, newText: string) {
  return { range: { start: { line, character: ctx.start }, end: { line, character } }, newText };
}

function keyItems(ctx: CursorContext, line: number, character: number, lineText: string): CompletionItem[] {
  let node = schemaAt(ctx.path, SCENARIO_SCHEMA, ctx.tag);
  // A list item without its `type` yet: the type comes first.
  const list = ctx.path.length && typeof ctx.path[ctx.path.length - 1] === 'number' ? schemaAt(ctx.path.slice(0, -1)) : undefined;
  if (!node && list?.kind === 'array' && list.items.kind === 'tagged') {
    const tagged = list.items;
    return [{ label: tagged.tag, kind: CompletionItemKind.Property, detail: valuesText(tagged), documentation: { kind: MarkupKind.Markdown, value: tagged.description }, textEdit: editOf(ctx, line, character, `${tagged.tag}: `), command: { title: 'values', command: 'editor.action.triggerSuggest' } }];
  }
  if (node?.kind === 'array') node = node.items;
  if (!node || node.kind !== 'object') return [];
  const inFlow = /[{,]\s*[\w.-]*$/.test(lineText.slice(0, character));
  const indent = ' '.repeat(ctx.start + 2);
  return Object.entries(node.properties)
    .filter(([key]) => !ctx.present.includes(key))
    .map(([key, child], i) => {
      const block = !inFlow && (child.kind === 'object' || child.kind === 'array');
      const text = block ? `${key}:\n${indent}${child.kind === 'array' ? '- ' : ''}` : `${key}: `;
      const item: CompletionItem = {
        label: key,
        kind: block ? CompletionItemKind.Module : CompletionItemKind.Property,
        detail: valuesText(child),
        documentation: { kind: MarkupKind.Markdown, value: schemaMarkdown(pathTitle([...ctx.path, key]), child, ctx.path[0] === 'costs' ? key : undefined) },
        sortText: String(i).padStart(3, '0'),
        textEdit: editOf(ctx, line, character, text),
        insertTextFormat: InsertTextFormat.PlainText,
      };
      if (!block && (child.kind === 'onoff' || child.kind === 'enum' || (child.kind === 'integer' && child.oneOf))) item.command = { title: 'values', command: 'editor.action.triggerSuggest' };
      return item;
    });
}

function valuesOf(ctx: CursorContext, node: SchemaNode | undefined): { values: string[]; def?: string } {
  const key = ctx.path[ctx.path.length - 1];
  const parent = ctx.path.slice(0, -1);
  if (key === 'type') {
    const list = schemaAt(parent.slice(0, -1));
    if (list?.kind === 'array' && list.items.kind === 'tagged') return { values: Object.keys(list.items.variants) };
  }
  if (!node) return { values: [] };
  switch (node.kind) {
    case 'onoff':
      return { values: ['on', 'off', ...(node.allowAuto ? ['auto'] : [])], def: node.default === true ? 'on' : node.default === false ? 'off' : node.default };
    case 'enum':
      return { values: [...node.values], def: node.default };
    case 'integer':
    case 'number':
      return node.oneOf ? { values: node.oneOf.map(String), def: node.default === undefined ? undefined : String(node.default) } : { values: [] };
    case 'string':
      // `device:` names a device of the file.
      if (key === 'device') return { values: ctx.keys.filter((k) => k.path.length === 3 && k.path[0] === 'devices' && k.key === 'name' && k.value).map((k) => k.value!) };
      return { values: [] };
    default:
      return { values: [] };
  }
}

function valueItems(ctx: CursorContext, line: number, character: number, lineText: string): CompletionItem[] {
  const node = schemaAt(ctx.path, SCENARIO_SCHEMA, ctx.tag);
  const { values, def } = valuesOf(ctx, node);
  const space = lineText[ctx.start - 1] === ':' ? ' ' : '';
  return values.map((v, i) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    detail: v === def ? 'default' : undefined,
    documentation: node ? { kind: MarkupKind.Markdown, value: schemaMarkdown(pathTitle(ctx.path), node, ctx.path[0] === 'costs' ? String(ctx.path[1]) : undefined) } : undefined,
    sortText: `${v === def ? 0 : 1}${String(i).padStart(3, '0')}`,
    textEdit: editOf(ctx, line, character, `${space}${v}`),
  }));
}

export function scenarioCompletions(lines: readonly string[], atLine: number, atCharacter: number): CompletionItem[] {
  // A position past the end of the file or of its line stands for the end (LSP clients may send one);
  // the end of a file ending in a newline is the empty line after its last.
  const line = Math.max(0, Math.min(atLine, lines.length));
  const character = Math.max(0, Math.min(atCharacter, (lines[line] ?? '').length));
  const ctx = cursorContext(lines, line, character);
  if (!ctx) return [];
  const lineText = lines[line] ?? '';
  return ctx.kind === 'key' ? keyItems(ctx, line, character, lineText) : valueItems(ctx, line, character, lineText);
}
