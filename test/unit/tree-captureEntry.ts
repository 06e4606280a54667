// The real legacy capture as the language server holds it (a CaptureEntry
// with file URIs), and a shorthand to ask a view for children, for the
// sidebar view-model tests.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCapture } from '../../src/model/buildCapture';
import type { CaptureEntry } from '../../src/server/captureWorkspace';
import { captureChildren, captureNodeAtLine } from '../../src/server/tree/capture/captureTreeSource';
import type { SourceRef, TreeChildrenParams, TreeNodeDto, ViewKey } from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';

export function captureEntryOf(dir: string): CaptureEntry {
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  const capture = buildCapture(names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
  return { folder: dir, capture, uris: new Map(names.map((n) => [n, pathToFileURL(join(dir, n)).toString()])) };
}

let legacy: CaptureEntry | undefined;

/** Built once for all the tree tests. */
export function legacyEntry(): CaptureEntry {
  legacy ??= captureEntryOf(legacyCaptureDir);
  return legacy;
}

export const legacySource: SourceRef = { kind: 'capture', uri: pathToFileURL(legacyCaptureDir).toString() };

export type ViewOptions = Omit<TreeChildrenParams, 'view' | 'source' | 'parentId'>;

export function children(view: ViewKey, parentId?: string, options: ViewOptions = {}, entry = legacyEntry()): TreeNodeDto[] {
  return captureChildren(entry, { view, source: legacySource, parentId, ...options });
}

/** The child with this label (fails the test when there is none). */
export function child(nodes: TreeNodeDto[], label: string): TreeNodeDto {
  const n = nodes.find((x) => x.label === label);
  if (!n) throw new Error(`no node "${label}" among ${nodes.map((x) => x.label).join(', ')}`);
  return n;
}

export function nodeAt(view: ViewKey, file: string, line: number, options: { filter?: string; coalesce?: boolean } = {}): string | null {
  return captureNodeAtLine(legacyEntry(), { view, source: legacySource, uri: pathToFileURL(join(legacyCaptureDir, file)).toString(), line, ...options });
}
