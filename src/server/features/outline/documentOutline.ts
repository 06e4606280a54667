// The outline of one document, whatever its format: the tree of blocks the
// document symbols show and the folding ranges fold.

import type { CancellationToken, DocumentSymbol } from 'vscode-languageserver/node';
import type { DomainParseResult } from '../../../dumps/debugfs/domainTranslation';
import { decodeScopeOf } from '../../../model/decodeScope';
import type { Capture } from '../../../model/types';
import type { DecodeContext } from '../../../vtd/layout';
import type { CaptureWorkspace } from '../../captureWorkspace';
import type { DocumentAnalysis } from '../../analysis';
import { dmarOutline, invalidationOutline, irteOutline, perfOutline, regsetOutline } from './debugfsOutline';
import { pageTableOutline } from './pageTableOutline';
import { iommuGroupsOutline, kernelLogOutline, procInterruptsOutline } from './logOutline';
import { traceOutline } from './traceOutline';
import { CANCELLED, SymbolBudget, type OutlineInput } from './symbolBuild';

/**
 * The outline of a document; undefined when the request was cancelled.
 * Never throws: a record shape a builder did not expect gives what was built
 * before it.
 */
export function documentOutline(workspace: CaptureWorkspace, doc: DocumentAnalysis, token?: CancellationToken): DocumentSymbol[] | undefined {
  const p = doc.parsed;
  if (!p) return [];
  let capture: Capture | undefined | null = null;
  const contexts = new Map<string, DecodeContext>();
  const input: OutlineInput = {
    doc,
    budget: new SymbolBudget(token),
    capture: () => {
      if (capture === null) capture = workspace.captureOf(doc.uri)?.capture;
      return capture;
    },
    ctx: (unit) => {
      const key = unit ?? '';
      let ctx = contexts.get(key);
      if (!ctx) {
        ctx = decodeScopeOf(input.capture()).unit(unit);
        contexts.set(key, ctx);
      }
      return ctx;
    },
  };
  try {
    switch (p.format) {
      case 'iommu_regset':
        return regsetOutline(input, p.records);
      case 'dmar_translation_struct':
        return dmarOutline(input, p.records);
      case 'domain_translation_struct':
        return pageTableOutline(input, p.records, (p as DomainParseResult).notEnabled ?? []);
      case 'ir_translation_struct':
        return irteOutline(input, p.records);
      case 'invalidation_queue':
        return invalidationOutline(input, p.records);
      case 'dmar_perf_latency':
        return perfOutline(input, p.records);
      case 'dmesg':
        return kernelLogOutline(input, p.records);
      case 'proc_interrupts':
        return procInterruptsOutline(input, p.records);
      case 'qemu_trace':
        return traceOutline(input, p.records);
      case 'iommu_groups':
        return iommuGroupsOutline(input, p.records);
      default:
        return [];
    }
  } catch (err) {
    if (err === CANCELLED) return undefined;
    return [];
  }
}
