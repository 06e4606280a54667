// /proc/interrupts (kernel/irq/proc.c show_interrupts, and the x86 rows of
// arch/x86/kernel/irq.c arch_show_interrupts). Layout of a row:
//   "%*d: "  then "%10u " per online CPU, then " %8s" chip name,
//   " %*lu" hwirq, "-%-8s" flow handler name, "  %s" action names (", " between)
// e.g. " 25:          0          0  IR-PCI-MSI 65536-edge      virtio1-config".
// x86 summary rows ("NMI:", "LOC:", ...) carry counts and a description; ERR
// and MIS carry a single count. Old kernels (before hwirq was printed) put the
// flow in the chip word: "IR-PCI-MSI-edge"; kernels with per-device MSI
// domains (6.2 on) name the device in the chip: "IR-PCI-MSIX-0000:00:03.0".
//
// For the PCI MSI chips the hwirq encodes the requester: Linux computes it in
// pci_msi_domain_calc_hwirq as msi index | pci_dev_id << 11 | segment << 27,
// which is how a vector is tied back to a device and to its IRTE.

import type { ParseResult, Span } from './types';
import { FindingLimiter, longLine } from './findingLimit';
import { unrecognised } from './types';
import { LineScanner } from './fastScan';
import { FieldOrder, RowColumnsCache, type RowColumns } from './rowColumns';

/** The field of an IRQ row whose column is kept, for spanOf(): the action names (on rows that print them). */
type ProcInterruptsRowField = 'name';

export interface ProcInterruptsRow {
  kind: 'irq';
  /** '24', 'NMI', 'LOC', ... */
  irq: string;
  /** One count per CPU column (one only for ERR / MIS). */
  counts: number[];
  /** 'IR-IO-APIC', 'IR-PCI-MSI', 'IR-PCI-MSIX', 'vIR-PCI-MSIX', 'DMAR-MSI', 'PCI-MSI', 'IO-APIC', ... without any device suffix. */
  chip?: string;
  /** Device named in the chip by per-device MSI domains ("0000:00:03.0"). */
  chipDevice?: string;
  hwirq?: number;
  /** 'edge' | 'fasteoi' | 'level' | ... */
  trigger?: string;
  /** The action (handler) names, e.g. 'eth1-rx-0'. */
  name?: string;
  /** Description of an x86 summary row, e.g. 'Local timer interrupts'. */
  description?: string;
  /** PCI MSI rows: requester id (bus << 8 | devfn) of the device. */
  requesterId?: number;
  /** PCI MSI rows: PCI segment of the device. */
  segment?: number;
  /** PCI MSI rows: MSI / MSI-X vector index within the device. */
  msiIndex?: number;
  /** The chip is an interrupt-remapping one ("IR-...", or "vIR-..." on a unit with caching mode, Linux 6.2 to about 6.9). */
  remapped: boolean;
  /** The row's line; spanOf(row, 'name') is where `name` is on it (when there is one). */
  line: number;
  lineEnd: number;
  columns: RowColumns<ProcInterruptsRowField>;
}

export interface ProcInterrupts {
  kind: 'proc-interrupts';
  /** Column titles of the header: 'CPU0', 'CPU1', ... (offline CPUs are absent). */
  cpus: string[];
  rows: ProcInterruptsRow[];
  /** The header line. */
  span: Span;
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Next blank-separated word at or after i (scans once; no regex). */
function nextWord(s: string, i: number): Word | undefined {
  // A CR is a blank: the line end of a CRLF copy.
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9 || s.charCodeAt(i) === 13)) i++;
  if (i >= s.length) return undefined;
  const start = i;
  while (i < s.length && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9 && s.charCodeAt(i) !== 13) i++;
  return { text: s.slice(start, i), start, end: i };
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The header "           CPU0       CPU1 ..." → the CPU names, or undefined. */
function headerCpus(line: string): string[] | undefined {
  const cpus: string[] = [];
  let w = nextWord(line, 0);
  while (w) {
    if (!w.text.startsWith('CPU') || !isDigits(w.text.slice(3))) return undefined;
    cpus.push(w.text);
    w = nextWord(line, w.end);
  }
  return cpus.length > 0 ? cpus : undefined;
}

/** The first n counts of a row as an array of exactly that size (a literal for the usual few CPUs). */
function countsOf(scratch: number[], n: number): number[] {
  switch (n) {
    case 1:
      return [scratch[0]];
    case 2:
      return [scratch[0], scratch[1]];
    case 4:
      return [scratch[0], scratch[1], scratch[2], scratch[3]];
    default:
      return scratch.slice(0, n);
  }
}

/** Index of the first character at or after i that is not a space or TAB (as nextWord skips). */
function blanksFrom(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** End of the word (no space or TAB) that starts at i. */
function wordEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) break;
    i++;
  }
  return i;
}

function blankOrEnd(s: string, i: number, end: number): boolean {
  if (i >= end) return true;
  const c = s.charCodeAt(i);
  return c === 32 || c === 9;
}

/**
 * Chips whose hwirq is the PCI MSI encoding. "vIR-" is the prefix Linux 6.2
 * to about 6.9 gives the per-device MSI chips of a remapping unit with
 * caching mode set (virt_dmar_msi_parent_ops in intel/irq_remapping.c: a
 * virtual IOMMU, which is what QEMU's intel-iommu with caching-mode=on is).
 */
const PCI_MSI_CHIPS = ['vIR-PCI-MSIX', 'vIR-PCI-MSI', 'IR-PCI-MSI', 'IR-PCI-MSIX', 'PCI-MSI', 'PCI-MSIX'];

/** Whether a chip name is one of an interrupt-remapping unit ("IR-", or "vIR-" on a virtual one). */
function isRemappedChip(chip: string): boolean {
  return chip.startsWith('IR-') || chip.startsWith('vIR-');
}

/** Splits "IR-PCI-MSIX-0000:00:03.0" into chip and device, "IR-PCI-MSI-edge" into chip and flow. */
function splitChip(word: string): { chip: string; device?: string; flow?: string } {
  for (const base of PCI_MSI_CHIPS) {
    if (word.length > base.length && word.startsWith(base + '-')) {
      const rest = word.slice(base.length + 1);
      if (rest.indexOf(':') >= 0) return { chip: base, device: rest };
    }
  }
  for (const flow of ['edge', 'fasteoi', 'level']) {
    if (word.endsWith('-' + flow) && word.length > flow.length + 1) return { chip: word.slice(0, -flow.length - 1), flow };
  }
  return { chip: word };
}

/** "0000:00:03.0" → segment and requester id. */
function parseDeviceName(s: string): { segment: number; requesterId: number } | undefined {
  const parts = s.split(':');
  if (parts.length !== 3) return undefined;
  const dot = parts[2].indexOf('.');
  if (dot !== 2 || parts[2].length !== 4) return undefined;
  const seg = parseInt(parts[0], 16);
  const bus = parseInt(parts[1], 16);
  const dev = parseInt(parts[2].slice(0, 2), 16);
  const fn = parseInt(parts[2].slice(3), 10);
  if (![seg, bus, dev, fn].every(Number.isFinite) || bus > 0xff || dev > 0x1f || fn > 7) return undefined;
  return { segment: seg, requesterId: (bus << 8) | (dev << 3) | fn };
}

/** Chip names and flow handler names as printed, so a row does not slice its own copy. */
const COMMON_CHIPS = ['IR-IO-APIC', 'IR-PCI-MSI', 'IR-PCI-MSIX', 'DMAR-MSI', 'PCI-MSI', 'PCI-MSIX', 'IO-APIC', 'IR-HPET', 'HPET-MSI', 'INTEL-IR-POST'];
const COMMON_CHIP_REMAPPED = COMMON_CHIPS.map((c) => c.startsWith('IR-'));
const COMMON_CHIP_PCI_MSI = COMMON_CHIPS.map((c) => PCI_MSI_CHIPS.includes(c));
const COMMON_FLOWS = ['edge', 'fasteoi', 'level'];

const NAMED_ROW = new FieldOrder<ProcInterruptsRowField>(['name']);
const UNNAMED_ROW = new FieldOrder<ProcInterruptsRowField>([]);

/** Longer lines are not rows of /proc/interrupts (11 characters per CPU: 8192 CPUs make 90 KB). */
const MAX_INTERRUPTS_LINE = 256 * 1024;

class ProcInterruptsParser {
  readonly records: ProcInterrupts[] = [];
  private readonly findings = new FindingLimiter();
  private current: ProcInterrupts | undefined;
  private readonly sc: LineScanner;
  /** The counts of the row being read. */
  private readonly counts: number[] = [];
  private readonly columns = new RowColumnsCache<ProcInterruptsRowField>(1);

  constructor(text: string) {
    this.sc = new LineScanner(text);
  }

  run(): ParseResult<ProcInterrupts> {
    const sc = this.sc;
    while (sc.advance()) {
      if (sc.end - sc.start > MAX_INTERRUPTS_LINE) {
        this.findings.add(longLine(sc.line, sc.end - sc.start, MAX_INTERRUPTS_LINE));
        continue;
      }
      const fast = this.current ? this.scanRow(this.current) : undefined;
      if (fast) this.current?.rows.push(fast);
      else this.line(sc.line, sc.lineText());
    }
    const dialect: string[] = [];
    let perDevice = false;
    let flowInChip = false;
    for (const rec of this.records) {
      for (const r of rec.rows) {
        if (r.chipDevice !== undefined) perDevice = true;
        if (r.chip !== undefined && r.hwirq === undefined && r.trigger !== undefined) flowInChip = true;
      }
    }
    if (perDevice) dialect.push('per-device MSI chips (6.2+)');
    if (flowInChip) dialect.push('flow in chip name, no hwirq (old kernels)');
    return { format: 'proc_interrupts', dialect, records: this.records, findings: this.findings.finish(), lineCount: sc.count };
  }

  /** The index of the word at i in `words` (a character comparison), or -1. */
  private known(i: number, e: number, words: readonly string[]): number {
    for (let k = 0; k < words.length; k++) if (words[k].length === e - i && this.sc.startsWithAt(i, words[k])) return k;
    return -1;
  }

  /**
   * The hot path: a numbered IRQ row under a CPU header, with a count per CPU,
   * a chip printed bare (no flow or device suffix) and a "<hwirq>-<flow>"
   * word, read in place; undefined for any other line (line() then reads it).
   * Builds the record with its properties in the order row() adds them.
   */
  private scanRow(current: ProcInterrupts): ProcInterruptsRow | undefined {
    const sc = this.sc;
    const text = sc.text;
    const from = sc.start;
    const end = sc.end;
    const ncpu = current.cpus.length;
    if (ncpu === 0) return undefined;
    let i = from;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const irqStart = i;
    while (i < end && i - from <= 32 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === irqStart || i >= end || text.charCodeAt(i) !== 58 /* : */ || i - from > 32) return undefined;
    const irqEnd = i;
    // Counts: exactly one per CPU column, at most 10 digits each.
    const scratch = this.counts;
    i = blanksFrom(text, i + 1, end);
    for (let k = 0; k < ncpu; k++) {
      const e = sc.decimalDigits(i);
      if (e <= i || e - i > 10 || !blankOrEnd(text, e, end)) return undefined;
      scratch[k] = sc.decimal;
      i = blanksFrom(text, e, end);
    }
    // The chip: one of the common names, printed bare.
    const cs = i;
    const ce = wordEnd(text, cs, end);
    const chipIndex = this.known(cs, ce, COMMON_CHIPS);
    if (chipIndex < 0) return undefined;
    const chip = COMMON_CHIPS[chipIndex];
    // "<hwirq>-<flow>", the flow a common one.
    const hs = blanksFrom(text, ce, end);
    const he = wordEnd(text, hs, end);
    const ds = sc.decimalDigits(hs);
    if (ds <= hs || ds >= he || text.charCodeAt(ds) !== 45 /* - */) return undefined;
    const hwirq = sc.decimal;
    const flowIndex = this.known(ds + 1, he, COMMON_FLOWS);
    if (flowIndex < 0) return undefined;
    const trigger = COMMON_FLOWS[flowIndex];
    // The action names: the rest of the line, if any.
    const ns = blanksFrom(text, he, end);
    const line = sc.line;
    const irq = text.slice(irqStart, irqEnd);
    const counts = countsOf(scratch, ncpu);
    const remapped = COMMON_CHIP_REMAPPED[chipIndex];
    if (ns >= end) {
      const row: ProcInterruptsRow = { kind: 'irq', irq, counts, chip, remapped, line, lineEnd: end - from, columns: this.columnsOf(), hwirq, trigger };
      this.decodeMsi(row);
      return row;
    }
    // As row(): the end of the trimmed line, even if that is before the word.
    const nameEnd = sc.trimmedEnd(from);
    const name = text.slice(ns, nameEnd);
    const lineEnd = end - from;
    const columns = this.columnsOf(ns - from, nameEnd - from);
    if (COMMON_CHIP_PCI_MSI[chipIndex]) {
      return {
        kind: 'irq',
        irq,
        counts,
        chip,
        remapped,
        line,
        lineEnd,
        columns,
        hwirq,
        trigger,
        name,
        msiIndex: hwirq % 2048,
        requesterId: Math.floor(hwirq / 2048) % 65536,
        segment: Math.floor(hwirq / 2 ** 27),
      };
    }
    return { kind: 'irq', irq, counts, chip, remapped, line, lineEnd, columns, hwirq, trigger, name };
  }

  /** The columns of a row: of its name when it has one at [nameStart, nameEnd). */
  private columnsOf(nameStart = -1, nameEnd = -1): RowColumns<ProcInterruptsRowField> {
    const b = this.columns.bounds;
    if (nameStart < 0) return this.columns.get(UNNAMED_ROW);
    b[0] = nameStart;
    b[1] = nameEnd;
    return this.columns.get(NAMED_ROW);
  }

  private line(n: number, line: string): void {
    if (line.trim() === '') return;
    const cpus = headerCpus(line);
    if (cpus) {
      this.current = { kind: 'proc-interrupts', cpus, rows: [], span: { line: n, start: 0, end: line.length } };
      this.records.push(this.current);
      return;
    }
    const row = this.row(n, line);
    if (!row) {
      this.findings.add(unrecognised(n, line, '/proc/interrupts'));
      return;
    }
    if (!this.current) {
      this.findings.add({
        severity: 'warning',
        kind: 'syntax',
        code: 'missing-cpu-header',
        message: 'Interrupt rows without the "CPU0 CPU1 ..." header line: CPU columns are guessed from the counts.',
        span: { line: n, start: 0, end: line.length },
      });
      this.current = { kind: 'proc-interrupts', cpus: [], rows: [], span: { line: n, start: 0, end: 0 } };
      this.records.push(this.current);
    }
    this.current.rows.push(row);
  }

  private row(n: number, line: string): ProcInterruptsRow | undefined {
    const colon = line.indexOf(':');
    if (colon < 0 || colon > 32) return undefined;
    const irq = line.slice(0, colon).trim();
    if (irq.length === 0 || irq.indexOf(' ') >= 0) return undefined;
    const numeric = isDigits(irq);
    const columns = this.columnsOf();
    const ncpu = this.current && this.current.cpus.length > 0 ? this.current.cpus.length : Infinity;

    // Counts: up to one per CPU column, %10u each.
    const counts: number[] = [];
    let pos = colon + 1;
    let w = nextWord(line, pos);
    while (w && counts.length < ncpu && isDigits(w.text) && w.text.length <= 10) {
      counts.push(Number(w.text));
      pos = w.end;
      w = nextWord(line, pos);
    }
    if (counts.length === 0) return undefined;
    if (!numeric) {
      const description = w ? line.slice(w.start).trim() : undefined;
      return { kind: 'irq', irq, counts, ...(description ? { description } : {}), remapped: false, line: n, lineEnd: line.length, columns };
    }
    if (ncpu !== Infinity && counts.length < ncpu) this.shortRow(n, line, counts.length, ncpu);
    if (!w) return { kind: 'irq', irq, counts, remapped: false, line: n, lineEnd: line.length, columns };

    const chipWord = splitChip(w.text);
    const row: ProcInterruptsRow = { kind: 'irq', irq, counts, chip: chipWord.chip, remapped: isRemappedChip(chipWord.chip), line: n, lineEnd: line.length, columns };
    if (chipWord.flow) row.trigger = chipWord.flow;
    if (chipWord.device) {
      row.chipDevice = chipWord.device;
      const d = parseDeviceName(chipWord.device);
      if (d) {
        row.requesterId = d.requesterId;
        row.segment = d.segment;
      }
    }
    pos = w.end;
    // "65536-edge": hwirq and flow handler, unless the chip word already had the flow.
    const hw = chipWord.flow ? undefined : nextWord(line, pos);
    if (hw) {
      const dash = hw.text.indexOf('-');
      const num = dash >= 0 ? hw.text.slice(0, dash) : '';
      if (dash >= 0 && (num === '' || (isDigits(num) && num.length <= 15))) {
        if (num !== '') row.hwirq = Number(num);
        const flow = hw.text.slice(dash + 1);
        if (flow) row.trigger = flow;
        pos = hw.end;
      }
    }
    const rest = nextWord(line, pos);
    if (rest) {
      const end = line.trimEnd().length;
      row.name = line.slice(rest.start, end);
      row.columns = this.columnsOf(rest.start, end);
    }
    this.decodeMsi(row);
    return row;
  }

  /** Ties a PCI MSI vector to its device (see the file comment). */
  private decodeMsi(row: ProcInterruptsRow): void {
    if (row.chip === undefined || row.hwirq === undefined || !PCI_MSI_CHIPS.includes(row.chip)) return;
    if (row.chipDevice !== undefined) {
      // Per-device domains number the vectors of one device from 0.
      row.msiIndex = row.hwirq;
      return;
    }
    row.msiIndex = row.hwirq % 2048;
    row.requesterId = Math.floor(row.hwirq / 2048) % 65536;
    row.segment = Math.floor(row.hwirq / 2 ** 27);
  }

  private shortRow(n: number, line: string, got: number, want: number): void {
    this.findings.add({
      severity: 'warning',
      kind: 'syntax',
      code: 'missing-cpu-counts',
      message: `Interrupt row with ${got} count(s) for ${want} CPU columns.`,
      span: { line: n, start: 0, end: line.length },
    });
  }
}

/** Parses /proc/interrupts text (one or several snapshots). Never throws. */
export function parseProcInterrupts(text: string): ParseResult<ProcInterrupts> {
  return new ProcInterruptsParser(text).run();
}

/** True when the first non-blank line is the "CPU0 CPU1 ..." header. */
export function looksLikeProcInterrupts(head: string): boolean {
  const lines = head.split('\n', 8);
  const first = lines.find((l) => l.trim() !== '');
  return first !== undefined && headerCpus(first.length > 4096 ? first.slice(0, 4096) : first) !== undefined;
}
