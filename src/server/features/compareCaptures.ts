// viommu/compareCaptures: the semantic diff of two capture folders, as a
// Markdown document the extension shows beside the editor.

import { onRequest } from '../onRequest';
import { basename } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { compareCaptures } from '../../model/compare/index';
import { CompareCapturesRequest, type CompareCapturesParams, type CompareCapturesResult } from '../../protocol';
import type { CaptureEntry, CaptureWorkspace } from '../captureWorkspace';
import { fsPathOf } from '../captureWorkspace';
import { compareMarkdown, type CaptureSide } from './compareMarkdown';
import type { Feature } from './feature';

function sideOf(entry: CaptureEntry, uri: string): CaptureSide {
  const path = entry.folder || fsPathOf(uri);
  return { name: path ? basename(path) || path : uri, uris: entry.uris };
}

function compareCapturesOf(workspace: CaptureWorkspace, params: CompareCapturesParams): CompareCapturesResult {
  const left = params?.left ? workspace.captureFor(params.left) : undefined;
  const right = params?.right ? workspace.captureFor(params.right) : undefined;
  const unreadable = [!left?.capture.files.length ? params?.left : undefined, !right?.capture.files.length ? params?.right : undefined].filter(Boolean);
  if (!left || !right || unreadable.length) {
    return { markdown: '', counts: {}, total: 0, error: `Not a capture folder: ${unreadable.join(', ') || 'no folder given'}` };
  }
  const diff = compareCaptures(left.capture, right.capture);
  return {
    markdown: compareMarkdown(diff, sideOf(left, params.left), sideOf(right, params.right)),
    counts: { ...diff.counts },
    total: diff.differences.length,
  };
}

export const compareCapturesFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => register(connection, workspace),
};

function register(connection: Connection, workspace: CaptureWorkspace): void {
  onRequest(connection, CompareCapturesRequest, (params) => compareCapturesOf(workspace, params));
}
