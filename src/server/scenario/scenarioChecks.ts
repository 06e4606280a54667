// A scenario file checked as the simulator loads it: every error of
// loadScenario (YAML syntax, schema, references across keys) as a diagnostic
// at its line and column; and the code lenses at the top of the file, to run
// it or to step through it in the sidebar (or how many errors stand in the way).

import { DiagnosticSeverity, type CodeLens, type Diagnostic } from 'vscode-languageserver/node';
import { loadScenario } from '../../sim/index';
import { SIMULATION_COMMANDS } from '../../protocol';

export function scenarioDiagnostics(text: string): Diagnostic[] {
  return loadScenario(text).errors.map((e) => {
    const start = { line: e.line - 1, character: e.column - 1 };
    const end = e.endLine > e.line || (e.endLine === e.line && e.endColumn > e.column) ? { line: e.endLine - 1, character: e.endColumn - 1 } : { line: start.line, character: start.character + 1 };
    return { severity: DiagnosticSeverity.Error, range: { start, end }, message: e.message, source: 'viommu-scenario', ...(e.path ? { code: e.path } : {}) };
  });
}

export function scenarioCodeLenses(uri: string, text: string): CodeLens[] {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const loaded = loadScenario(text);
  if (!loaded.scenario) {
    const n = loaded.errors.length;
    return [{ range, command: { title: `${n} error${n === 1 ? '' : 's'} to fix before this scenario runs`, command: '' } }];
  }
  return [
    { range, command: { title: '$(play) Run scenario', command: SIMULATION_COMMANDS.runScenario, arguments: [uri] } },
    { range, command: { title: '$(debug-step-over) Step in sidebar', command: SIMULATION_COMMANDS.stepInSidebar, arguments: [uri] } },
  ];
}
