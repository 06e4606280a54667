// Where a new session's scenario comes from: a built-in by name, the text
// of a scenario document (the open document's, else the file on disk), or
// text sent with the request; and the words that say so in the views.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { builtinText, loadScenario, type Scenario } from '../../sim/index';
import type { SimulationStartParams } from '../../protocol';
import { fsPathOf } from '../captureWorkspace';

type ScenarioInput =
  | { ok: true; scenario: Scenario; origin: string }
  | { ok: false; error?: string; errors?: { line: number; column: number; message: string }[] };

/** The name of a scenario document for the views: its file name. */
export function documentName(uri: string): string {
  const path = fsPathOf(uri);
  return path ? basename(path) : uri;
}

/** Reads the scenario a start request names; `openText` gives an open document's current text. */
export function scenarioInput(params: SimulationStartParams, openText: (uri: string) => string | undefined): ScenarioInput {
  let text: string | undefined;
  let origin: string;
  if (params.builtin !== undefined) {
    text = builtinText(params.builtin);
    if (text === undefined) return { ok: false, error: `no built-in scenario "${params.builtin}"` };
    origin = `built-in ${params.builtin}`;
  } else if (params.text !== undefined) {
    text = params.text;
    origin = params.uri ? documentName(params.uri) : 'scenario text';
  } else if (params.uri !== undefined) {
    text = openText(params.uri);
    if (text === undefined) {
      const path = fsPathOf(params.uri);
      try {
        text = path ? readFileSync(path, 'utf8') : undefined;
      } catch (err) {
        return { ok: false, error: `cannot read ${documentName(params.uri)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
      }
    }
    if (text === undefined) return { ok: false, error: `cannot read ${params.uri}` };
    origin = documentName(params.uri);
  } else {
    return { ok: false, error: 'name a built-in scenario, a scenario file or scenario text' };
  }
  const loaded = loadScenario(text);
  if (!loaded.scenario) return { ok: false, errors: loaded.errors.map((e) => ({ line: e.line, column: e.column, message: e.message })) };
  return { ok: true, scenario: loaded.scenario, origin };
}
