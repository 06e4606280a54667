// Listings of /sys/kernel/iommu_groups, in the shapes people capture them:
//
//   ls -l /sys/kernel/iommu_groups/*/devices/      (the capture's form)
//     /sys/kernel/iommu_groups/6/devices/:
//     total 0
//     lrwxrwxrwx 1 0 0 0 Nov 24 07:16 0000:00:1f.0 -> ../../../../devices/pci0000:00/0000:00:1f.0
//   ls /sys/kernel/iommu_groups/*/devices/         (names only, after the same headers)
//   find /sys/kernel/iommu_groups/                 (one path per line)
//     /sys/kernel/iommu_groups/6/devices/0000:00:1f.0
//   the common shell loop printing "IOMMU Group 6 00:1f.0 ISA bridge [0601]: ..." (lspci -nns)
//
// Records come one per group, in order of first appearance, with devices in
// the order listed. A group's span is the line that first named it.

import type { ParseResult, Span } from './types';
import { FindingLimiter, longLine } from './findingLimit';
import { unrecognised } from './types';
import { LineScanner } from './fastScan';
import { parsePciName } from './kernelLog/pciName';

interface IommuGroupDevice {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
  span: Span;
}

export interface IommuGroup {
  kind: 'iommu-group';
  group: number;
  devices: IommuGroupDevice[];
  span: Span;
}

const ROOT = '/sys/kernel/iommu_groups/';
const LOOP_HEAD = 'IOMMU Group ';

/** Files a group directory holds besides devices/ (find lists them). */
const GROUP_FILES = new Set(['', 'devices', 'type', 'reserved_regions', 'name']);

function smallDecimal(s: string): number | undefined {
  if (s.length === 0 || s.length > 9) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(s);
}

const LS_HEADERS = 'ls headers';
const LS_LONG = 'ls -l of the devices directories';
const HEADER_TAIL = '/devices/:';
const ARROW = ' -> ';

/** Longer lines are not lines of a groups listing (a path or an lspci line is short). */
const MAX_GROUPS_LINE = 64 * 1024;

class IommuGroupsParser {
  readonly records: IommuGroup[] = [];
  private readonly findings = new FindingLimiter();
  private readonly byNumber = new Map<number, IommuGroup>();
  private readonly shapes = new Set<string>();
  /** Group of the last "…/devices/:" header (ls output). */
  private current: IommuGroup | undefined;
  private readonly sc: LineScanner;
  /** Where " -> " next occurs at or after the current line (the text length when nowhere). */
  private nextArrow = -1;
  private sawLsLong = false;

  constructor(text: string) {
    this.sc = new LineScanner(text);
  }

  run(): ParseResult<IommuGroup> {
    const sc = this.sc;
    while (sc.advance()) {
      if (sc.end - sc.start > MAX_GROUPS_LINE) this.findings.add(longLine(sc.line, sc.end - sc.start, MAX_GROUPS_LINE));
      else if (!this.fastLine()) this.line(sc.line, sc.lineText());
    }
    return { format: 'iommu_groups', dialect: [...this.shapes], records: this.records, findings: this.findings.finish(), lineCount: sc.count };
  }

  /**
   * The lines of an `ls -l` listing in their usual shape, read in place: an
   * empty line, "total …", a "/sys/kernel/iommu_groups/<n>/devices/:" header
   * and a link line naming a PCI device. False for any other line (line()
   * then reads it).
   */
  private fastLine(): boolean {
    const sc = this.sc;
    const text = sc.text;
    const from = sc.start;
    const end = sc.end;
    if (from === end) return true;
    const c0 = text.charCodeAt(from);
    // "total <n>": old listings; something must follow the word once trimmed.
    if (c0 === 116 /* t */) return sc.startsWithAt(from, 'total ') && sc.trimmedEnd(from) > from + 6;
    if (c0 === 47 /* / */) return this.fastHeader(from);
    if (c0 !== 108 /* l */ || !this.current) return false;
    // A link: the device name is the word before " -> ".
    let arrow = this.nextArrow;
    if (arrow < from) {
      arrow = text.indexOf(ARROW, from);
      if (arrow < 0) arrow = text.length;
      this.nextArrow = arrow;
    }
    // The arrow must lie within the trimmed line (its last space is not trailing).
    if (arrow + ARROW.length > sc.trimmedEnd(from)) return false;
    let nameStart = arrow;
    while (nameStart > from) {
      const c = text.charCodeAt(nameStart - 1);
      if (c === 32 || c === 9) break;
      nameStart--;
    }
    const a = pciNameAt(sc, nameStart, arrow);
    if (!a) return false;
    this.current.devices.push({ segment: a.segment, bus: a.bus, dev: a.dev, fn: a.fn, span: { line: sc.line, start: nameStart - from, end: arrow - from } });
    if (!this.sawLsLong) {
      this.sawLsLong = true;
      this.shapes.add(LS_LONG);
    }
    return true;
  }

  /** "/sys/kernel/iommu_groups/<n>/devices/:" (trailing blanks allowed). */
  private fastHeader(from: number): boolean {
    const sc = this.sc;
    if (!sc.startsWithAt(from, ROOT)) return false;
    const ds = from + ROOT.length;
    const de = sc.decimalDigits(ds);
    if (de <= ds || de - ds > 9 || !sc.startsWithAt(de, HEADER_TAIL)) return false;
    const trimmed = sc.trimmedEnd(from);
    if (trimmed !== de + HEADER_TAIL.length) return false;
    this.current = this.group(sc.decimal, { line: sc.line, start: 0, end: trimmed - from });
    this.shapes.add(LS_HEADERS);
    return true;
  }

  private group(num: number, span: Span): IommuGroup {
    let g = this.byNumber.get(num);
    if (!g) {
      g = { kind: 'iommu-group', group: num, devices: [], span };
      this.byNumber.set(num, g);
      this.records.push(g);
    }
    return g;
  }

  /** Adds device `name` (at column `start` of line n) to a group; false when it is not a PCI name. */
  private addDevice(g: IommuGroup, name: string, n: number, start: number): boolean {
    const a = parsePciName(name);
    if (!a) return false;
    g.devices.push({ segment: a.segment, bus: a.bus, dev: a.dev, fn: a.fn, span: { line: n, start, end: start + name.length } });
    return true;
  }

  private line(n: number, raw: string): void {
    const line = raw.trimEnd();
    const text = line.trimStart();
    const indent = line.length - text.length;
    if (text === '' || text.startsWith('total ')) return;
    const span: Span = { line: n, start: 0, end: line.length };

    if (text.startsWith(ROOT)) return this.path(n, text, indent, span);
    if (text.startsWith(LOOP_HEAD)) return this.loopLine(n, text, indent, span);

    // ls -l: "lrwxrwxrwx 1 0 0 0 Nov 24 07:16 0000:00:1f.0 -> ../../../../devices/..."
    const arrow = text.indexOf(' -> ');
    if (arrow >= 0 && this.current) {
      let nameStart = arrow;
      while (nameStart > 0 && text[nameStart - 1] !== ' ' && text[nameStart - 1] !== '\t') nameStart--;
      if (this.addDevice(this.current, text.slice(nameStart, arrow), n, indent + nameStart)) {
        this.shapes.add('ls -l of the devices directories');
        return;
      }
    }
    // ls without -l: names separated by blanks.
    if (arrow < 0 && this.current) {
      let ok = true;
      let i = 0;
      while (i < text.length && ok) {
        while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
        const s = i;
        while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++;
        if (i > s) ok = this.addDevice(this.current, text.slice(s, i), n, indent + s);
      }
      if (ok) {
        this.shapes.add('ls of the devices directories');
        return;
      }
    }
    this.findings.add(unrecognised(n, line, 'an iommu_groups listing'));
  }

  /** "/sys/kernel/iommu_groups/6/devices/:" (ls header) or a find path. */
  private path(n: number, text: string, indent: number, span: Span): void {
    const rest = text.slice(ROOT.length);
    if (rest === '' || rest === ':') return; // find's first line: the root itself
    const slash = rest.indexOf('/');
    const num = smallDecimal(slash < 0 ? rest.replace(/:$/, '') : rest.slice(0, slash));
    if (num === undefined) {
      this.findings.add(unrecognised(n, text, 'an iommu_groups listing'));
      return;
    }
    const g = this.group(num, span);
    const after = slash < 0 ? '' : rest.slice(slash + 1);
    if (after === 'devices/:' || after === 'devices:') {
      this.current = g;
      this.shapes.add('ls headers');
      return;
    }
    this.current = undefined;
    this.shapes.add('find paths');
    if (after.startsWith('devices/')) {
      const name = after.slice(8);
      // Deeper paths (find -L following the links) are not group members.
      if (name.indexOf('/') >= 0) return;
      if (this.addDevice(g, name, n, indent + ROOT.length + slash + 1 + 8)) return;
    } else if (GROUP_FILES.has(after.replace(/\/$/, ''))) return;
    this.findings.add(unrecognised(n, text, 'an iommu_groups listing'));
  }

  /** "IOMMU Group 6 00:1f.0 ISA bridge [0601]: ..." (also "IOMMU Group 6: 0000:00:1f.0 ..."). */
  private loopLine(n: number, text: string, indent: number, span: Span): void {
    let i = LOOP_HEAD.length;
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const num = smallDecimal(text.slice(i, j));
    if (text[j] === ':') j++;
    if (num !== undefined && text[j] === ' ') {
      i = j + 1;
      let e = i;
      while (e < text.length && text[e] !== ' ') e++;
      const g = this.group(num, span);
      this.current = undefined;
      if (this.addDevice(g, text.slice(i, e), n, indent + i)) {
        this.shapes.add('IOMMU Group loop with lspci');
        return;
      }
    }
    this.findings.add(unrecognised(n, text, 'an iommu_groups listing'));
  }
}

/** Parses an iommu_groups listing. Never throws. */
export function parseIommuGroups(text: string): ParseResult<IommuGroup> {
  return new IommuGroupsParser(text).run();
}

/**
 * parsePciName on the line's text[from, to) for the usual "ssss:bb:dd.f" (four
 * segment digits); undefined for anything else, which parsePciName then reads.
 */
function pciNameAt(sc: LineScanner, from: number, to: number): { segment: number; bus: number; dev: number; fn: number } | undefined {
  if (to - from !== 12 || sc.text.charCodeAt(from + 4) !== 58 /* : */) return undefined;
  let segment = 0;
  for (let i = from; i < from + 4; i++) {
    const d = sc.hexDigitAt(i);
    if (d < 0) return undefined;
    segment = segment * 16 + d;
  }
  const sid = sc.bdfAt(from + 5);
  if (sid < 0) return undefined;
  return { segment, bus: sid >> 8, dev: (sid >> 3) & 0x1f, fn: sid & 7 };
}

/** True when the first non-blank line is a /sys/kernel/iommu_groups path or an "IOMMU Group N" line. */
export function looksLikeIommuGroups(head: string): boolean {
  const first = head.split('\n', 8).find((l) => l.trim() !== '');
  if (first === undefined) return false;
  const t = first.trim();
  return t.startsWith(ROOT) || (t.startsWith(LOOP_HEAD) && t.length > LOOP_HEAD.length && t.charCodeAt(LOOP_HEAD.length) >= 48 && t.charCodeAt(LOOP_HEAD.length) <= 57);
}
