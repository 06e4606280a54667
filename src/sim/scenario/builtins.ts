// The built-in scenarios: loaded from the embedded sample texts.

import { BUILTIN_SCENARIO_TEXTS } from './builtinTexts';
import { loadScenario, type LoadResult } from './load';

export function builtinNames(): string[] {
  return Object.keys(BUILTIN_SCENARIO_TEXTS);
}

export function builtinText(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(BUILTIN_SCENARIO_TEXTS, name) ? BUILTIN_SCENARIO_TEXTS[name] : undefined;
}

/** A built-in scenario, loaded; errors when the name is unknown. */
export function loadBuiltin(name: string): LoadResult {
  const text = builtinText(name);
  if (text === undefined) return { errors: [{ line: 1, column: 1, endLine: 1, endColumn: 1, path: '', message: `no built-in scenario "${name}" (built-ins: ${builtinNames().join(', ')})` }] };
  return loadScenario(text);
}
