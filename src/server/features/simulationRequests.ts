// The simulator's custom requests (src/protocol.ts "Simulation sessions"):
// start a session (a built-in, a scenario document or text, optionally
// seeded from a capture), move it (step, step back, to a breakpoint, to the
// end, to the start), edit its breakpoints, ask where it is, stop it, and
// the catalogue the extension's pickers offer. The views read a session
// through the tree requests (tree/simTreeSource.ts).

import { registerChartRequests } from './chartRequests';
import { onRequest } from '../onRequest';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  SimulationBreakpointRequest,
  SimulationCatalogRequest,
  SimulationStartRequest,
  SimulationStatusRequest,
  SimulationStepRequest,
  SimulationStopRequest,
  type SimulationBreakpointParams,
  type SimulationCatalog,
  type SimulationStartParams,
  type SimulationStartResult,
  type SimulationStatus,
  type SimulationStepParams,
  type SimulationStepResult,
} from '../../protocol';
import { builtinNames, loadBuiltin } from '../../sim/index';
import { KIND_SPECS } from '../../sim/events/kinds';
import type { CaptureWorkspace } from '../captureWorkspace';
import { specOf } from '../sim/breakpoints';
import { scenarioInput, documentName } from '../sim/scenarioInput';
import { TooManyEventsError, type StepOutcome } from '../sim/serverSimulation';
import type { SimulationRegistry } from '../sim/simulationRegistry';
import type { Feature } from './feature';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function startSimulation(registry: SimulationRegistry, params: SimulationStartParams, documents: { get(uri: string): { getText(): string } | undefined }, workspace?: CaptureWorkspace): SimulationStartResult {
  const input = scenarioInput(params ?? {}, (uri) => documents.get(uri)?.getText());
  if (!input.ok) return { error: input.error, errors: input.errors };
  let origin = input.origin;
  let capture;
  if (params.capture !== undefined) {
    const entry = workspace ? workspace.captureFor(params.capture) : undefined;
    if (!entry || entry.capture.files.length === 0) return { error: `${documentName(params.capture)} cannot be read as a capture` };
    if (entry.capture.units.some((u) => u.mode === 'scalable')) return { error: 'a scalable-mode capture cannot seed a simulation (debugfs does not print every PASID table)' };
    capture = entry.capture;
    origin += ` seeded from ${documentName(entry.folder || params.capture)}`;
  }
  try {
    return { status: registry.start(input.scenario, origin, capture).status() };
  } catch (err) {
    if (err instanceof TooManyEventsError) return { error: `${origin} cannot be stepped: ${err.message}` };
    return { error: `the simulation failed: ${message(err)}` };
  }
}

function move(outcome: () => StepOutcome, status: () => SimulationStatus): SimulationStepResult {
  try {
    const o = outcome();
    const r: SimulationStepResult = { status: status(), hit: o.hit, events: o.events, eventCount: o.eventCount };
    if (o.hitBreakpoint !== undefined) r.hitBreakpoint = o.hitBreakpoint;
    return r;
  } catch (err) {
    return { hit: false, events: [], eventCount: 0, error: message(err) };
  }
}

export function stepSimulation(registry: SimulationRegistry, params: SimulationStepParams): SimulationStepResult {
  const s = registry.get(params?.session);
  if (!s) return { hit: false, events: [], eventCount: 0, error: `no simulation session "${params?.session}"` };
  const status = () => s.status();
  switch (params.action) {
    case 'step':
      return move(() => s.step(params.count ?? 1), status);
    case 'stepBack':
      return move(() => s.stepBack(params.count ?? 1), status);
    case 'runToEnd':
      return move(() => s.runToEnd(), status);
    case 'reset':
      return move(() => s.reset(), status);
    case 'runToBreakpoint':
      return move(() => {
        if (params.breakpoint) return s.runToBreakpoint(specOf(params.breakpoint));
        if (s.breakpoints.length === 0) throw new Error('no breakpoint is set: add one first, or give one to run to');
        return s.runToBreakpoint();
      }, status);
    default:
      return { hit: false, events: [], eventCount: 0, error: `unknown action "${String(params.action)}"` };
  }
}

export function editBreakpoints(registry: SimulationRegistry, params: SimulationBreakpointParams): SimulationStatus | null {
  const s = registry.get(params?.session);
  if (!s) return null;
  if (params.add) s.addBreakpoint(specOf(params.add));
  if (params.remove !== undefined) s.removeBreakpoint(params.remove);
  return s.status();
}

export function simulationCatalog(registry: SimulationRegistry): SimulationCatalog {
  return {
    builtins: builtinNames().map((name) => {
      const s = loadBuiltin(name).scenario;
      return { name, description: s?.description ?? '', ...(s?.expect?.anchor ? { anchor: s.expect.anchor } : {}) };
    }),
    eventKinds: KIND_SPECS.map((k) => k.name),
    sessions: registry.all().map((s) => s.status()),
  };
}

function register(connection: Connection, documents: TextDocuments<TextDocument>, workspace: CaptureWorkspace, registry: SimulationRegistry): void {
  onRequest(connection, SimulationStartRequest, (params) => startSimulation(registry, params, documents, workspace));
  onRequest(connection, SimulationStepRequest, (params) => stepSimulation(registry, params));
  // A wrong breakpoint (an unknown event kind, a requester that is not B:D.F) answers with the error.
  onRequest(connection, SimulationBreakpointRequest, (params) => editBreakpoints(registry, params));
  onRequest(connection, SimulationStatusRequest, (params) => registry.get(params?.session)?.status() ?? null);
  onRequest(connection, SimulationStopRequest, (params) => registry.stop(params?.session));
  onRequest(connection, SimulationCatalogRequest, () => simulationCatalog(registry));
  registerChartRequests(connection, workspace, registry);
}

export const simulationRequestsFeature: Feature = {
  capabilities: {},
  register: ({ connection, documents, workspace, simulations }) => register(connection, documents, workspace, simulations),
};
