// viommu/openLargeFile: reads a dump too large for the editor (VS Code does
// not hand files above 50 MB to extensions) in the background, streaming, with
// progress and cancellation, parses it, and makes it part of its capture.
// Above `streamAboveMiB` (128 by default) the file is never held: it is
// streamed through the model (model/streamedFile.ts: a trace replayed, a
// page-table dump checked block by block against its capture), a sparse
// line index is made of it, and viommu/largeFileLines reads any of its lines
// from disk by byte offset. Memory is then independent of the file's size.

import { onRequest } from '../onRequest';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { CloseLargeFileRequest, LargeFileLinesRequest, OpenLargeFileRequest, type LargeFileLinesParams, type LargeFileLinesResult, type OpenLargeFileParams, type OpenLargeFileResult } from '../../protocol';
import { describeStreamed, StreamedFile } from '../../model/streamedFile';
import { headText, openByteChunks, openTextChunks } from '../../io/streamFile';
import { FileLineIndex } from '../../io/lineIndex';
import { DocumentAnalysis } from '../analysis';
import { fsPathOf, type CaptureWorkspace } from '../captureWorkspace';
import type { Feature } from './feature';

/** A JS string cannot be longer than about 512 MiB: a file held whole must fit in one. */
const MAX_STRING_BYTES = 512 * 1024 * 1024 - 64;

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A file small enough to hold, read whole through the same chunked reader as
 * a streamed one (io/streamFile.ts: its encodings, up to its size when
 * opened), answering other requests and the cancel between chunks.
 */
async function readHeld(path: string, size: number, token: CancellationToken, progress: (done: number, total: number) => void): Promise<string> {
  if (size > MAX_STRING_BYTES) throw new Error(`${basename(path)} is ${(size / 2 ** 20).toFixed(0)} MiB: larger than the ${MAX_STRING_BYTES >> 20} MiB one text can hold. Split it (e.g. with split -l) and open the parts.`);
  const { chunks } = openTextChunks(path);
  const parts: string[] = [];
  for (const { text, done } of chunks) {
    parts.push(text);
    progress(done, size);
    await yieldToRequests();
    if (token.isCancellationRequested) {
      chunks.return(undefined);
      throw new Error('cancelled');
    }
  }
  return parts.join('');
}


/** Streams a file too large to hold: its summary, findings and line index; nothing of its text is kept. */
async function streamLargeFile(workspace: CaptureWorkspace, params: OpenLargeFileParams, path: string, size: number, token: CancellationToken, reporter?: WorkDoneProgressReporter): Promise<OpenLargeFileResult> {
  const empty: OpenLargeFileResult = { uri: params.uri, bytes: size, lineCount: 0, records: 0, dialect: [], findings: [], findingCount: 0 };
  const name = basename(path);
  const file = new StreamedFile(name, headText(path), workspace.captureOf(params.uri)?.capture);
  if (file.passes === 0) return { ...empty, format: file.format, error: `${name} is ${(size / 2 ** 20).toFixed(0)} MiB of ${file.format ?? 'a format not recognised'}: only QEMU traces, page-table dumps and kernel logs are streamed; split it (e.g. with split -l) and open the parts.` };
  reporter?.begin('vIOMMU: streaming', 0, name, true);
  try {
    const steps = file.passes + 1;
    let step = 0;
    const report = (done: number) => reporter?.report(Math.floor((100 * (step + done / Math.max(size, 1))) / steps), `${name}: pass ${step + 1} of ${steps}, ${(done / 2 ** 20).toFixed(0)} of ${(size / 2 ** 20).toFixed(0)} MiB`);
    let converted: string | undefined;
    for (; step < file.passes; step++) {
      const { chunks, converted: conv } = openByteChunks(path);
      file.startPass();
      let k = 0;
      for (const { bytes, done } of chunks) {
        file.push(bytes);
        if (++k % 8 === 0) {
          report(done);
          await yieldToRequests();
          if (token.isCancellationRequested) {
            chunks.return(undefined);
            return { ...empty, error: 'cancelled' };
          }
        }
      }
      file.endPass();
      converted = conv();
    }
    report(0);
    await yieldToRequests();
    const index = FileLineIndex.build(path, size);
    const { file: parsed, findings: extra } = file.result(size, converted);
    workspace.streamedFiles.set(params.uri, index);
    if (parsed.streamed?.trace) workspace.streamedTimelines.set(params.uri, parsed.streamed.trace.timeline);
    workspace.largeFiles.add(params.uri);
    const findings = [...(parsed.parsed?.findings ?? []), ...extra];
    return {
      uri: params.uri,
      format: file.format,
      bytes: size,
      lineCount: index.lineCount,
      records: parsed.streamed?.records ?? 0,
      dialect: parsed.parsed?.dialect ?? [],
      findings: findings.slice(0, 200).map((f) => ({ line: f.span.line, severity: f.severity, code: f.code, message: f.message })),
      findingCount: findings.length,
      streamed: parsed.streamed ? describeStreamed(parsed.streamed) : undefined,
    };
  } finally {
    reporter?.done();
  }
}

/** Lines of a large file: from its line index when it was streamed, else from the text the server holds. */
export function largeFileLines(workspace: CaptureWorkspace, params: LargeFileLinesParams): LargeFileLinesResult {
  const count = Math.max(0, Math.min(Math.floor(Number(params.count) || 0), 5000));
  const from = Math.max(0, Math.floor(Number(params.line) || 0));
  const index = workspace.streamedFiles.get(params.uri);
  if (index) {
    try {
      return { first: from, lines: index.lines(from, count), lineCount: index.lineCount };
    } catch (err) {
      return { first: from, lines: [], lineCount: index.lineCount, error: err instanceof Error ? err.message : String(err) };
    }
  }
  const held = workspace.largeFiles.has(params.uri) ? workspace.document(params.uri) : undefined;
  if (!held) return { first: from, lines: [], lineCount: 0, error: 'This file is not open as a large file.' };
  const lines: string[] = [];
  for (let l = from; l < Math.min(from + count, held.lines.count); l++) lines.push(held.lines.line(l) ?? '');
  return { first: from, lines, lineCount: held.lines.count };
}

export async function openLargeFile(workspace: CaptureWorkspace, params: OpenLargeFileParams, token: CancellationToken, reporter?: WorkDoneProgressReporter): Promise<OpenLargeFileResult> {
  const empty: OpenLargeFileResult = { uri: params.uri, bytes: 0, lineCount: 0, records: 0, dialect: [], findings: [], findingCount: 0 };
  const path = fsPathOf(params.uri);
  if (!path) return { ...empty, error: 'Only files on disk can be opened this way.' };
  const streamAbove = (typeof params.streamAboveMiB === 'number' && params.streamAboveMiB >= 0 ? params.streamAboveMiB : 128) * 2 ** 20;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { ...empty, error: `${basename(path)} is not a regular file: only dump files on disk can be opened this way.` };
    size = st.size;
  } catch (err) {
    return { ...empty, error: err instanceof Error ? err.message : String(err) };
  }
  if (size > streamAbove) {
    try {
      return await streamLargeFile(workspace, params, path, size, token, reporter);
    } catch (err) {
      return { ...empty, error: err instanceof Error ? err.message : String(err) };
    }
  }
  let text: string;
  try {
    reporter?.begin('vIOMMU: reading', 0, basename(path), true);
    text = await readHeld(path, size, token, (d, t) => reporter?.report(Math.floor((100 * d) / Math.max(t, 1)), `${(d / 2 ** 20).toFixed(0)} of ${(t / 2 ** 20).toFixed(0)} MiB`));
    reporter?.report(100, 'parsing');
  } catch (err) {
    reporter?.done();
    return { ...empty, error: err instanceof Error ? err.message : String(err) };
  }
  const analysis = new DocumentAnalysis(params.uri, 0, text, basename(path));
  workspace.setDocument(analysis);
  workspace.largeFiles.add(params.uri);
  reporter?.done();
  const findings = analysis.parsed?.findings ?? [];
  return {
    uri: params.uri,
    format: analysis.format,
    bytes: Buffer.byteLength(text),
    lineCount: analysis.lines.count,
    records: analysis.parsed?.records.length ?? 0,
    dialect: analysis.parsed?.dialect ?? [],
    findings: findings.slice(0, 200).map((f) => ({ line: f.span.line, severity: f.severity, code: f.code, message: f.message })),
    findingCount: findings.length,
  };
}

export const largeFilesFeature: Feature = {
  capabilities: {},
  register: ({ connection, workspace }) => registerLargeFiles(connection, workspace),
};

function registerLargeFiles(connection: Connection, workspace: CaptureWorkspace): void {
  onRequest(connection, OpenLargeFileRequest, async (params, token) => {
    const reporter = params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : await connection.window.createWorkDoneProgress().catch(() => undefined);
    // Cancelled from the request or from the progress notification's button.
    const progressToken = (reporter as { token?: CancellationToken } | undefined)?.token;
    const either = {
      get isCancellationRequested() {
        return token.isCancellationRequested || progressToken?.isCancellationRequested === true;
      },
      onCancellationRequested: token.onCancellationRequested,
    } as CancellationToken;
    return openLargeFile(workspace, params, either, reporter);
  });
  // The client closes a large file when its summary is closed; its text and parse are then let go.
  onRequest(connection, CloseLargeFileRequest, (params) => {
    const uri = typeof params?.uri === 'string' ? params.uri : '';
    if (!workspace.largeFiles.delete(uri)) return { closed: false };
    workspace.closeDocument(uri);
    return { closed: true };
  });
  onRequest(connection, LargeFileLinesRequest, (params) => largeFileLines(workspace, params));
}
