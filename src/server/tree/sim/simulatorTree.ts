// The Simulator view: the scenario and where the run is (event k of n, the
// packet, the simulated time), the current event explained in words with the
// chain of events that led to it and where its cost comes from, what the last
// step did (or the breakpoint it stopped at), the figures so far, the
// breakpoints, the kernel's fault messages and the unit's registers.

import type { TreeNodeDto, WireSimEvent } from '../../../protocol';
import { mdEscape, structureMarkdown } from '../../markdown';
import { decodeRegister } from '../../../vtd/registers';
import { decodeFrcd } from '../../../vtd/faultReasons';
import { childId, parseId, segment } from '../nodeIds';
import { chainOf, chainSentence, costSourceText, costText, MAX_CHAIN, phrase } from './simEventWords';
import { FIGURES_ID, figureChildren, figuresNode } from './simFiguresTree';
import { platformNodes, RUN_NODE_ID, runNode } from './simRunNode';
import { plural, timeText, type SimTreeContext } from './simTreeContext';

// A node that can have children and one that cannot have different ids: VS Code keeps
// what it first saw of an id's expandability.
const NOT_STARTED_ID = segment('now', 'start');
const NOW_ID = segment('now', 'event');
const STEP_ID = segment('step', 'last');
const MOVED_BACK_ID = segment('step', 'back');
const BREAKPOINTS_ID = segment('bp', 'breakpoints');
const NO_BREAKPOINT_ID = segment('bp', 'none');
const LOG_ID = segment('log', 'kernel');
const REGISTERS_ID = segment('reg', 'registers');

function breakpointNodeId(id: number): string {
  return childId(BREAKPOINTS_ID, 'b', id);
}

function eventNode(parent: string, e: WireSimEvent, icon: string): TreeNodeDto {
  return {
    id: childId(parent, 'e', e.index),
    label: `#${e.index} ${phrase(e)}`,
    description: `${e.kind} · ${e.thread} · ${costText(e)}`,
    tooltip: [`**#${e.index} ${mdEscape(e.kind)}**${e.trace ? ` (QEMU trace event \`${e.trace}\`)` : ''}`, '', mdEscape(e.text), '', `Thread ${e.thread}, at ${timeText(e.time)}, ${costText(e)}.`].join('\n'),
    collapsible: 'none',
    contextValue: 'simEvent',
    icon,
    copy: { value: e.text, json: e },
  };
}

/** The events that led to the current one in its operation (oldest first, the current last). */
function currentChain(ctx: SimTreeContext): WireSimEvent[] {
  const p = ctx.snapshot.position;
  return chainOf(ctx.session.eventsBetween(Math.max(0, p - MAX_CHAIN), p, MAX_CHAIN, ctx.snapshot));
}

function nowNode(ctx: SimTreeContext): TreeNodeDto {
  const chain = currentChain(ctx);
  const e = chain[chain.length - 1];
  if (!e) {
    return {
      id: NOT_STARTED_ID,
      label: 'Not started',
      description: 'Step to run the first event',
      tooltip: 'The guest has not run yet. Step (or Run to Breakpoint, Run to End) to apply the first event: the guest\'s IOMMU driver bringing the unit up.',
      collapsible: 'none',
      contextValue: 'simNow',
      icon: 'debug-start',
    };
  }
  const sentence = chainSentence(chain);
  const source = costSourceText(e, ctx.session.scenario);
  const tooltip = [`**Event #${e.index}** of ${ctx.session.total}: ${mdEscape(e.kind)}${e.trace ? ` (QEMU trace event \`${e.trace}\`)` : ''}`, '', mdEscape(sentence), '', `Cost: ${costText(e)} on the ${e.thread} thread.`];
  if (source) tooltip.push('', mdEscape(source));
  return {
    id: NOW_ID,
    label: phrase(e),
    description: `#${e.index} · ${e.thread} · ${costText(e)}`,
    tooltip: tooltip.join('\n'),
    collapsible: 'expanded',
    contextValue: 'simNow',
    icon: 'debug-stackframe',
    copy: { value: sentence, json: chain },
  };
}

function nowChildren(ctx: SimTreeContext): TreeNodeDto[] {
  const chain = currentChain(ctx);
  const e = chain[chain.length - 1];
  if (!e) return [];
  const out = chain.map((x, i) => eventNode(NOW_ID, x, i === chain.length - 1 ? 'debug-stackframe' : 'debug-stackframe-dot'));
  const source = costSourceText(e, ctx.session.scenario);
  if (source) {
    out.push({ id: childId(NOW_ID, 'cost', 'source'), label: 'Cost', description: source, tooltip: mdEscape(source), collapsible: 'none', contextValue: 'simCost', icon: 'symbol-unit', copy: { value: source } });
  }
  return out;
}

function lastStepNode(ctx: SimTreeContext): TreeNodeDto | undefined {
  const s = ctx.session;
  if (s.previous === undefined || ctx.snapshot.position !== s.position) return undefined;
  const count = s.position - s.lastFrom;
  let description: string;
  if (s.lastHit) description = `stopped at breakpoint ${s.lastHit.text} (#${s.lastHit.index}) · ${plural(count, 'event')}`;
  else if (s.position < s.previous) description = s.position === 0 ? `reset from event ${s.previous}` : `back from event ${s.previous} to ${s.position}`;
  else description = count === 0 ? 'no event (at the end)' : `${plural(count, 'event')} (#${s.lastFrom}–#${s.position - 1})`;
  return {
    id: count > 0 ? STEP_ID : MOVED_BACK_ID,
    label: 'Last step',
    description,
    tooltip: count > 200 ? `The step ran ${count} events; the last 200 are listed.` : count > 0 ? 'The events the last step ran.' : 'The step ran no event.',
    collapsible: count > 0 ? 'collapsed' : 'none',
    contextValue: 'simStep',
    icon: s.lastHit ? 'debug-breakpoint' : 'history',
  };
}

function breakpointsNode(ctx: SimTreeContext): TreeNodeDto {
  const list = ctx.session.breakpoints;
  return {
    id: list.length ? BREAKPOINTS_ID : NO_BREAKPOINT_ID,
    label: 'Breakpoints',
    description: list.length ? `${list.length} set` : 'none (Add Breakpoint… in the title bar)',
    tooltip: 'Run to Breakpoint stops after the first event (after the current one) that any of them matches: an event kind, a requester, an IOVA range, a fault.',
    collapsible: list.length ? 'expanded' : 'none',
    contextValue: 'simBreakpoints',
    icon: 'debug-breakpoint-log',
  };
}

function breakpointNodes(ctx: SimTreeContext): TreeNodeDto[] {
  return ctx.session.status().breakpoints.map((b) => ({
    id: breakpointNodeId(b.id),
    label: b.text,
    description: ctx.session.lastHit?.text === b.text ? `hit at #${ctx.session.lastHit.index}` : undefined,
    tooltip: `Breakpoint ${b.id}: ${mdEscape(b.text)}`,
    collapsible: 'none',
    contextValue: 'simBreakpoint',
    icon: 'debug-breakpoint',
    copy: { value: b.text, json: b },
  }));
}

function kernelLogNode(ctx: SimTreeContext): TreeNodeDto | undefined {
  const log = ctx.state.faults.kernelLog;
  if (!log.length) return undefined;
  return { id: LOG_ID, label: 'Kernel log', description: plural(log.length, 'line'), tooltip: 'What the guest kernel printed about the faults it handled.', collapsible: 'collapsed', contextValue: 'simLog', icon: 'output' };
}

function kernelLogLines(ctx: SimTreeContext): TreeNodeDto[] {
  return ctx.state.faults.kernelLog.map((line, i) => ({
    id: childId(LOG_ID, 'l', i),
    label: line,
    tooltip: mdEscape(line),
    collapsible: 'none',
    contextValue: 'simLogLine',
    icon: 'error',
    copy: { value: line },
  }));
}

/** A register's decoded summary ("TES IRES QIES" for GSTS), or its value when it has no fields. */
function registerSummary(name: string, value: string | undefined): string {
  if (value === undefined) return '—';
  const s = decodeRegister(name, BigInt(value));
  return s.fields.length > 1 ? `${value} (${s.summary})` : value;
}

function registersNode(ctx: SimTreeContext): TreeNodeDto | undefined {
  const regs = ctx.state.registers;
  if (Object.keys(regs).length === 0) return undefined;
  const st = ctx.state.faults;
  return {
    id: REGISTERS_ID,
    label: 'Registers',
    description: `GSTS ${registerSummary('GSTS', regs.GSTS)} · FSTS ${registerSummary('FSTS', st.fsts)} · IQH ${regs.IQH ?? '—'} · IQT ${regs.IQT ?? '—'}`,
    tooltip: `The emulated unit's registers. Fault record: ${mdEscape(st.frcd.summary)} (\`${st.frcd.hi}:${st.frcd.lo}\`).`,
    collapsible: 'collapsed',
    contextValue: 'simRegisters',
    icon: 'symbol-variable',
  };
}

function registerNodes(ctx: SimTreeContext): TreeNodeDto[] {
  const out: TreeNodeDto[] = Object.entries(ctx.state.registers).map(([name, value]) => {
    const s = decodeRegister(name, BigInt(value));
    return {
      id: childId(REGISTERS_ID, 'r', name),
      label: name,
      description: registerSummary(name, value),
      tooltip: structureMarkdown(s, name),
      collapsible: 'none',
      contextValue: 'simRegister',
      icon: 'symbol-constant',
      copy: { value, json: { name, value, summary: s.summary } },
    };
  });
  // The fault recording register, by its name (FRCD0 at CAP.FRO), decoded.
  const f = ctx.state.faults.frcd;
  out.push({
    id: childId(REGISTERS_ID, 'r', 'FRCD0'),
    label: 'FRCD0',
    description: `${f.hi}:${f.lo} (${f.summary})`,
    tooltip: structureMarkdown(decodeFrcd(BigInt(f.hi), BigInt(f.lo)), 'FRCD0'),
    collapsible: 'none',
    contextValue: 'simRegister',
    icon: 'symbol-constant',
    copy: { value: `${f.hi}:${f.lo}`, json: f },
  });
  return out;
}

export function simulatorChildren(ctx: SimTreeContext, parentId: string | undefined): TreeNodeDto[] {
  if (parentId === undefined) {
    return [runNode(ctx), nowNode(ctx), lastStepNode(ctx), figuresNode(ctx), breakpointsNode(ctx), kernelLogNode(ctx), registersNode(ctx)].filter((n): n is TreeNodeDto => n !== undefined);
  }
  const segs = parseId(parentId);
  if (!segs || segs.length !== 1) return [];
  switch (parentId) {
    case RUN_NODE_ID:
      return platformNodes(ctx, RUN_NODE_ID);
    case NOW_ID:
      return nowChildren(ctx);
    case STEP_ID:
      return ctx.session.lastStepEvents().map((e) => eventNode(STEP_ID, e, 'debug-stackframe-dot'));
    case BREAKPOINTS_ID:
      return breakpointNodes(ctx);
    case LOG_ID:
      return kernelLogLines(ctx);
    case REGISTERS_ID:
      return registerNodes(ctx);
    default:
      return parentId === FIGURES_ID ? figureChildren(ctx) : [];
  }
}
