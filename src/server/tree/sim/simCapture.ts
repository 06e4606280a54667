// The capture views (Context Tables, Second-Level Tables) of a simulation:
// the simulated unit's debugfs files (sim/debugfsText.ts) read into a Capture
// by the same parsers and model as a real capture, so the same builders show
// them. The files have no URI: nodes of a simulation point at no dump line.

import { buildCapture } from '../../../model/buildCapture';
import type { Simulation } from '../../../sim/index';
import type { CaptureEntry } from '../../captureWorkspace';
import { simDebugfs } from '../../sim/debugfsText';

interface SimCapture {
  entry: CaptureEntry;
  notes: string[];
}

const built = new WeakMap<Simulation, SimCapture>();

/** The capture of a replayed run (built once per run). */
export function simCaptureOf(sim: Simulation): SimCapture {
  let c = built.get(sim);
  if (!c) {
    const { files, notes } = simDebugfs(sim.world);
    c = { entry: { folder: '', capture: buildCapture(files), uris: new Map() }, notes };
    built.set(sim, c);
  }
  return c;
}
