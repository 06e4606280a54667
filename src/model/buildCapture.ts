// One capture, one picture: parse every file of a capture folder and merge
// them into units, requesters, domains, interrupts, invalidations and faults.

import { parseDump } from '../dumps/registry';
import type { Finding } from '../dumps/types';
import { LineIndex } from '../dumps/lineIndex';
import type { Capture, CaptureFile, ParsedFile } from './types';
import { collectUnits } from './units';
import { attachPageTables, collectDomains, collectRequesters } from './requesters';
import { collectIrqs, collectIrtes, linkInterrupts } from './interrupts';
import { collectFaults, collectGroups, collectInvalidations } from './history';
import { crossFindings, specFindings } from './crossChecks';

/** Files a capture folder may hold that are not dumps (the capture manifest, notes). */
const NOT_DUMPS = /(^|\/)(manifest\.json|README(\.md)?|\.[^/]*)$/i;

export function parseCaptureFile(file: CaptureFile): ParsedFile {
  return { name: file.name, lines: new LineIndex(file.text), parsed: parseDump(file.text, file.name) };
}

export function buildCapture(files: readonly CaptureFile[]): Capture {
  const parsed = files
    .filter((f) => !NOT_DUMPS.test(f.name))
    .map(parseCaptureFile)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return buildCaptureFromParsed(parsed);
}

export function buildCaptureFromParsed(parsed: ParsedFile[]): Capture {
  const units = collectUnits(parsed);
  const requesters = collectRequesters(parsed, units);
  attachPageTables(parsed, requesters);
  const domains = collectDomains(requesters);
  const irtes = collectIrtes(parsed, units);
  const irqs = collectIrqs(parsed);
  linkInterrupts(parsed, irtes, irqs, requesters);
  const invalidations = collectInvalidations(parsed, units);
  const faults = collectFaults(parsed, requesters);
  const groups = collectGroups(parsed, requesters);

  const capture: Capture = {
    files: parsed,
    units: [...units.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    requesters: new Map([...requesters.entries()].sort((a, b) => a[0] - b[0])),
    domains: new Map([...domains.entries()].sort((a, b) => a[0] - b[0])),
    irtes,
    irqs,
    invalidations,
    faults,
    groups,
    findings: [],
  };
  capture.findings = [...fileFindings(parsed), ...specFindings(capture), ...crossFindings(capture)];
  return capture;
}

/** The findings each parser reported, tagged with their file. */
function fileFindings(parsed: readonly ParsedFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of parsed) {
    if (!f.parsed) {
      if (f.lines.hasText()) {
        out.push({ severity: 'info', kind: 'syntax', code: 'unknown-format', message: `${f.name}: not a format vIOMMU Inspector reads`, span: { line: 0, start: 0, end: 0 }, file: f.name });
      }
      continue;
    }
    for (const finding of f.parsed.findings) out.push({ ...finding, file: f.name });
  }
  return out;
}
