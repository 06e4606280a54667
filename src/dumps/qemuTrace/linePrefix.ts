// What QEMU's log puts before a trace event's name, by version:
//   12345@1719999999.123456:vtd_ir_enable enable 1
//       "-msg timestamp=on" before QEMU 10.1: pid@seconds.micros:
//   2026-03-02T10:15:42.118338Z vtd_ir_enable enable 1
//       "-msg timestamp=on" from QEMU 10.1 (an ISO 8601 UTC time and a space)
//   qemu-system-x86_64: (12345:vcpu 0): vtd_ir_enable enable 1
//       the program name and "(pid:thread): " of the proposed log prefix
// in any combination, in that order (time, program, thread, old stamp). Lines
// of QEMU's own messages (error_report, on the same stream when the user
// captured stderr with the trace) start with the program name too:
//   qemu-system-x86_64: vtd_iommu_translate: detected translation failure (dev=00:05:00, iova=0x2345000)
// Every reader here scans a bounded number of characters from the line start.

export interface TracePrefix {
  /** Where the event name (or the message of a QEMU message line) starts. */
  end: number;
  pid?: number;
  /** Seconds: since the epoch for both stamp forms. */
  time?: number;
  /** The program name ("qemu-system-x86_64") when printed. */
  program?: string;
  /** The thread name of the "(pid:thread)" prefix. */
  thread?: string;
  /** Which prefixes the line had, for the dialect. */
  styles: number;
}

/** Prefix styles, as bits of TracePrefix.styles. */
const PREFIX_PID_AT = 1;
const PREFIX_ISO_TIME = 2;
const PREFIX_PROGRAM = 4;
const PREFIX_THREAD = 8;

export const PREFIX_NAMES: readonly [number, string][] = [
  [PREFIX_PID_AT, 'log backend with pid@seconds stamps (-msg timestamp=on before QEMU 10.1)'],
  [PREFIX_ISO_TIME, 'ISO 8601 time before each line (-msg timestamp=on, QEMU 10.1 on)'],
  [PREFIX_PROGRAM, 'program name before each line'],
  [PREFIX_THREAD, '"(pid:thread): " before each line'],
];

function digitsAt(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = text.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** "2026-03-02T10:15:42.118338Z " at i: the epoch seconds and the index after the space, or undefined. */
function isoTimeAt(text: string, i: number, to: number): { time: number; end: number } | undefined {
  if (to - i < 21) return undefined;
  const year = digitsAt(text, i, 4);
  if (year < 0 || text.charCodeAt(i + 4) !== 45 || text.charCodeAt(i + 7) !== 45 || text.charCodeAt(i + 10) !== 84 /* T */) return undefined;
  const month = digitsAt(text, i + 5, 2);
  const day = digitsAt(text, i + 8, 2);
  const hour = digitsAt(text, i + 11, 2);
  const minute = digitsAt(text, i + 14, 2);
  const second = digitsAt(text, i + 17, 2);
  if (month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || text.charCodeAt(i + 13) !== 58 || text.charCodeAt(i + 16) !== 58) return undefined;
  let j = i + 19;
  let frac = 0;
  if (text.charCodeAt(j) === 46 /* . */) {
    j++;
    let scale = 0.1;
    const s = j;
    while (j < to && j - s < 9) {
      const d = text.charCodeAt(j) - 48;
      if (d < 0 || d > 9) break;
      frac += d * scale;
      scale /= 10;
      j++;
    }
    if (j === s) return undefined;
  }
  // "Z", or a "+hh:mm" / "-hh:mm" offset.
  let offset = 0;
  const c = text.charCodeAt(j);
  if (c === 90 /* Z */) j++;
  else if ((c === 43 || c === 45) && text.charCodeAt(j + 3) === 58) {
    const oh = digitsAt(text, j + 1, 2);
    const om = digitsAt(text, j + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    offset = (c === 43 ? 1 : -1) * (oh * 3600 + om * 60);
    j += 6;
  } else return undefined;
  if (text.charCodeAt(j) !== 32) return undefined;
  const time = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 + frac - offset;
  return Number.isFinite(time) ? { time, end: j + 1 } : undefined;
}

/** "qemu-system-x86_64: " at i (a program name: letters, digits, '-', '_', '.', at least one '-' or no '_'-only event look): end or -1. */
function programAt(text: string, i: number, to: number): number {
  let j = i;
  let dash = false;
  while (j < to && j - i < 64) {
    const c = text.charCodeAt(j);
    if (c === 58 /* : */) break;
    if (c === 45 /* - */) dash = true;
    else if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46)) return -1;
    j++;
  }
  // An event name never has '-': a word with one before ': ' is a program name.
  if (j === i || !dash || text.charCodeAt(j) !== 58 || text.charCodeAt(j + 1) !== 32) return -1;
  return j + 2;
}

/** The decimal number of at most 11 digits at i: its value and end (end === i when there is none). */
function pidAt(text: string, i: number, to: number): { value: number; end: number } {
  let j = i;
  let value = 0;
  while (j < to && j - i < 11) {
    const d = text.charCodeAt(j) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    j++;
  }
  return { value, end: j };
}

/** "(12345:vcpu 0): " at i: pid, thread and end, or undefined. */
function threadAt(text: string, i: number, to: number): { pid: number; thread: string; end: number } | undefined {
  if (text.charCodeAt(i) !== 40 /* ( */) return undefined;
  const { value: pid, end: j } = pidAt(text, i + 1, to);
  if (j === i + 1 || text.charCodeAt(j) !== 58) return undefined;
  const close = text.indexOf('): ', j);
  if (close < 0 || close >= to || close - j > 64) return undefined;
  return { pid, thread: text.slice(j + 1, close), end: close + 3 };
}

/** "12345@1719999999.123456:" at i. */
function pidAtStamp(text: string, i: number, to: number): { pid: number; time: number; end: number } | undefined {
  const { value: pid, end: j } = pidAt(text, i, to);
  if (j === i || j >= to || text.charCodeAt(j) !== 64 /* @ */) return undefined;
  const t0 = j + 1;
  let k = t0;
  while (k < to && k - t0 < 24) {
    const c = text.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || c === 46)) break;
    k++;
  }
  if (k === t0 || k >= to || text.charCodeAt(k) !== 58 /* : */) return undefined;
  const time = Number(text.slice(t0, k));
  return Number.isFinite(time) ? { pid, time, end: k + 1 } : undefined;
}

/** The prefixes of the line text[from, to). Never throws; `end` is `from` when there are none. */
export function tracePrefixAt(text: string, from: number, to: number): TracePrefix {
  const p: TracePrefix = { end: from, styles: 0 };
  let i = from;
  const c0 = text.charCodeAt(i);
  if (c0 >= 48 && c0 <= 57) {
    const iso = isoTimeAt(text, i, to);
    if (iso) {
      p.time = iso.time;
      p.styles |= PREFIX_ISO_TIME;
      i = iso.end;
    }
  }
  const prog = programAt(text, i, to);
  if (prog >= 0) {
    p.program = text.slice(i, prog - 2);
    p.styles |= PREFIX_PROGRAM;
    i = prog;
  }
  const th = threadAt(text, i, to);
  if (th) {
    p.pid = th.pid;
    p.thread = th.thread;
    p.styles |= PREFIX_THREAD;
    i = th.end;
  }
  const c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    const s = pidAtStamp(text, i, to);
    if (s) {
      p.pid = s.pid;
      p.time = s.time;
      p.styles |= PREFIX_PID_AT;
      i = s.end;
    }
  }
  p.end = i;
  return p;
}
