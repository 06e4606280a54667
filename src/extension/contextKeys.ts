// Every context key the extension sets (package.json's `when` clauses read
// them), and the one function that sets them.

import * as vscode from 'vscode';

export const CONTEXT_KEYS = {
  /** The sidebar shows a source (a capture or a simulation). */
  hasSource: 'viommu.hasSource',
  /** Views of the sidebar with a filter set (their ids). */
  filteredViews: 'viommu.filteredViews',
  /** Second-Level Tables shows coalesced ranges. */
  coalesced: 'viommu.secondLevel.coalesced',
  /** Trace views with a filter set (their ids). */
  traceFilteredViews: 'viommu.trace.filteredViews',
  /** The trace views replay to a line, not the whole trace. */
  traceAsOfLine: 'viommu.trace.asOfLine',
  /** The IOVA Walk view holds walks. */
  hasWalks: 'viommu.walk.hasWalks',
  /** A simulation session runs; the views show it. */
  simulationActive: 'viommu.simulation.active',
  simulationShown: 'viommu.simulation.shown',
  /** A large file's summary is open (Go to Line in Large File applies). */
  largeFileOpen: 'viommu.largeFileOpen',
} as const;

type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];

export function setContextKey(key: ContextKey, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
