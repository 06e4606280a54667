// One capture, one picture: parse every file of a capture folder and merge
// them into units, requesters, domains, interrupts, invalidations and faults.

import { parseDump } from '../dumps/registry';
import type { Finding } from '../dumps/types';
import { LineIndex } from '../dumps/lineIndex';
import type { Capture, CaptureFile, LeftOutFile, ParsedFile } from './types';
import { detectPlatform } from './platform';
import { collectUnits, decideIrteModes } from './units';
import { attachPageTables, collectDomains, collectRequesters, RequesterRegistry } from './requesters';
import { collectIrqs, collectIrtes, linkInterrupts } from './interrupts';
import { collectFaults, collectGroups, collectInvalidations } from './history';
import { crossFindings, specFindings } from './crossChecks';
import { faultFindings } from './faultChecks';

/** Files a capture folder may hold that are not dumps (the capture manifest, notes). */
const NOT_DUMPS = /(^|\/)(manifest\.json|README(\.md)?|\.[^/]*)$/i;

function parseCaptureFile(file: CaptureFile): ParsedFile {
  const f: ParsedFile = { name: file.name, lines: new LineIndex(file.text), parsed: parseDump(file.text, file.name) };
  if (file.converted) f.converted = file.converted;
  return f;
}

interface BuildOptions {
  /** Files of the folder the reader did not read, and why. */
  leftOut?: readonly LeftOutFile[];
}

export function buildCapture(files: readonly CaptureFile[], options: BuildOptions = {}): Capture {
  const parsed = files
    .filter((f) => !NOT_DUMPS.test(f.name))
    .map(parseCaptureFile)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return buildCaptureFromParsed(parsed, options);
}

export function buildCaptureFromParsed(parsed: ParsedFile[], options: BuildOptions = {}): Capture {
  const units = collectUnits(parsed);
  decideIrteModes(parsed, units);
  const registry = new RequesterRegistry();
  collectRequesters(parsed, units, registry);
  attachPageTables(parsed, registry, units);
  const irtes = collectIrtes(parsed, units);
  const irqs = collectIrqs(parsed);
  linkInterrupts(parsed, irtes, irqs, registry);
  const faults = collectFaults(parsed, registry);
  const groups = collectGroups(parsed, registry);
  const requesters = registry.keyed(units);
  for (const f of faults) if (f.requester) f.requester = registry.resolve(f.requester);
  for (const [g, members] of groups) groups.set(g, [...new Set(members.map((r) => registry.resolve(r)))]);
  const domains = collectDomains(requesters);
  const invalidations = collectInvalidations(parsed, units);

  const unitList = [...units.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const capture: Capture = {
    files: parsed,
    leftOut: [...(options.leftOut ?? [])],
    platform: detectPlatform(parsed, unitList),
    units: unitList,
    requesters,
    domains,
    irtes,
    irqs,
    invalidations,
    faults,
    groups,
    findings: [],
  };
  capture.findings = [...fileFindings(parsed), ...specFindings(capture), ...crossFindings(capture), ...faultFindings(capture)];
  return capture;
}

/**
 * The capture with files that were streamed (model/streamedFile.ts) added to
 * one built from the rest of its folder (which the streams were checked
 * against): the findings made while streaming are kept with it.
 */
export function captureWithStreamed(rest: Capture, streamed: readonly { file: ParsedFile; findings: readonly Finding[] }[], options: BuildOptions = {}): Capture {
  if (streamed.length === 0) return rest;
  const files = [...rest.files, ...streamed.map((s) => s.file)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const capture = buildCaptureFromParsed(files, { leftOut: options.leftOut ?? rest.leftOut });
  for (const s of streamed) capture.findings.push(...s.findings);
  return capture;
}

/** The findings each parser reported, tagged with their file. */
function fileFindings(parsed: readonly ParsedFile[]): Finding[] {
  const out: Finding[] = [];
  for (const f of parsed) {
    if (f.converted) out.push({ severity: 'info', kind: 'syntax', code: 'converted', message: `${f.name}: read from ${f.converted}`, span: { line: 0, start: 0, end: 0 }, file: f.name });
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
