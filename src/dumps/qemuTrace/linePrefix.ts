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
// Every reader here scans a bounded number of bytes from the line start, on
// the line's UTF-8 bytes (dumps/byteText.ts): the prefixes are ASCII, so an
// offset is a column wherever the line before it is ASCII.

import { ByteRun, decodeRange } from '../byteText';

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
export const PREFIX_PID_AT = 1;
const PREFIX_ISO_TIME = 2;
const PREFIX_PROGRAM = 4;
const PREFIX_THREAD = 8;

export const PREFIX_NAMES: readonly [number, string][] = [
  [PREFIX_PID_AT, 'log backend with pid@seconds stamps (-msg timestamp=on before QEMU 10.1)'],
  [PREFIX_ISO_TIME, 'ISO 8601 time before each line (-msg timestamp=on, QEMU 10.1 on)'],
  [PREFIX_PROGRAM, 'program name before each line'],
  [PREFIX_THREAD, '"(pid:thread): " before each line'],
];

function digitsAt(text: Buffer, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = text[i + k] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** "2026-03-02T10:15:42.118338Z " at i: the epoch seconds and the index after the space, or undefined. */
function isoTimeAt(text: Buffer, i: number, to: number): { time: number; end: number } | undefined {
  if (to - i < 21) return undefined;
  const year = digitsAt(text, i, 4);
  if (year < 0 || text[i + 4] !== 45 || text[i + 7] !== 45 || text[i + 10] !== 84 /* T */) return undefined;
  const month = digitsAt(text, i + 5, 2);
  const day = digitsAt(text, i + 8, 2);
  const hour = digitsAt(text, i + 11, 2);
  const minute = digitsAt(text, i + 14, 2);
  const second = digitsAt(text, i + 17, 2);
  if (month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || text[i + 13] !== 58 || text[i + 16] !== 58) return undefined;
  let j = i + 19;
  let frac = 0;
  if (text[j] === 46 /* . */) {
    j++;
    let scale = 0.1;
    const s = j;
    while (j < to && j - s < 9) {
      const d = text[j] - 48;
      if (d < 0 || d > 9) break;
      frac += d * scale;
      scale /= 10;
      j++;
    }
    if (j === s) return undefined;
  }
  // "Z", or a "+hh:mm" / "-hh:mm" offset.
  let offset = 0;
  const c = text[j];
  if (c === 90 /* Z */) j++;
  else if ((c === 43 || c === 45) && text[j + 3] === 58) {
    const oh = digitsAt(text, j + 1, 2);
    const om = digitsAt(text, j + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    offset = (c === 43 ? 1 : -1) * (oh * 3600 + om * 60);
    j += 6;
  } else return undefined;
  if (text[j] !== 32) return undefined;
  const time = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 + frac - offset;
  return Number.isFinite(time) ? { time, end: j + 1 } : undefined;
}

/** "qemu-system-x86_64: " at i (a program name: letters, digits, '-', '_', '.', at least one '-' or no '_'-only event look): end or -1. */
function programAt(text: Buffer, i: number, to: number): number {
  let j = i;
  let dash = false;
  while (j < to && j - i < 64) {
    const c = text[j];
    if (c === 58 /* : */) break;
    if (c === 45 /* - */) dash = true;
    else if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46)) return -1;
    j++;
  }
  // An event name never has '-': a word with one before ': ' is a program name.
  if (j === i || !dash || text[j] !== 58 || text[j + 1] !== 32) return -1;
  return j + 2;
}

/** What digitsTo read last: `value` with the digits appended. */
let digitsValue = 0;

/**
 * The run of decimal digits at text[i, limit): where it ends (i when there
 * is none), and `value` with its digits appended in digitsValue. Nothing
 * allocated: every stamped trace line reads its pid and time with it.
 */
function digitsTo(text: Buffer, i: number, limit: number, value = 0): number {
  let j = i;
  for (; j < limit; j++) {
    const d = text[j] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  digitsValue = value;
  return j;
}

/** "(12345:vcpu 0): " at i: pid, thread and end, or undefined. */
function threadAt(text: Buffer, i: number, to: number): { pid: number; thread: string; end: number } | undefined {
  if (text[i] !== 40 /* ( */) return undefined;
  const j = digitsTo(text, i + 1, Math.min(to, i + 12));
  const pid = digitsValue;
  if (j === i + 1 || text[j] !== 58) return undefined;
  // Looked for in the 64 bytes after the pid only, so a line cannot make the search long.
  const found = text.subarray(j, Math.min(to, j + 67)).indexOf('): ');
  const close = found < 0 ? -1 : j + found;
  if (close < 0 || close - j > 64) return undefined;
  return { pid, thread: decodeRange(text, j + 1, close), end: close + 3 };
}

/** Exact powers of ten (all of them are doubles up to 10^22). */
const TEN_POW = Array.from({ length: 23 }, (_, k) => 10 ** k);
const EXACT = 2 ** 53;

/** What pidStampAt read: the pid and the time; the value of the seconds' digits and where their '.' is (-1: none). */
export const stampRead = { pid: 0, time: 0, seconds: 0, dot: -1 };

/**
 * "12345@1719999999.123456:" at i: the index after the ':' (pid and time in
 * `stampRead`), or -1. One pass, nothing allocated: this is every line of a
 * trace taken with -msg timestamp=on before QEMU 10.1. The time is what
 * Number() gives of its text: the digits as one integer over a power of ten
 * while that integer is exact (below 2^53; the quotient of two exact doubles
 * is the correctly rounded value), Number() of the text otherwise.
 */
function pidStampAt(text: Buffer, i: number, to: number): number {
  const j = digitsTo(text, i, Math.min(to, i + 11));
  const pid = digitsValue;
  if (j === i || j >= to || text[j] !== 64 /* @ */) return -1;
  const t0 = j + 1;
  const limit = Math.min(to, t0 + 24);
  // Seconds, then an optional '.' and its digits (Number() reads nothing else: a second '.' is NaN).
  let k = digitsTo(text, t0, limit);
  let n = digitsValue;
  let digits = k - t0;
  const seconds = n;
  let dot = -1;
  if (k < limit && text[k] === 46) {
    dot = k;
    k = digitsTo(text, k + 1, limit, n);
    n = digitsValue;
    digits += k - dot - 1;
  }
  if (k >= to || text[k] !== 58 /* : */ || digits === 0) return -1;
  const frac = dot < 0 ? 0 : k - dot - 1;
  const time = n < EXACT && frac <= 22 ? (frac === 0 ? n : n / TEN_POW[frac]) : Number(text.toString('latin1', t0, k));
  if (!Number.isFinite(time)) return -1;
  stampRead.pid = pid;
  stampRead.time = time;
  stampRead.seconds = seconds;
  stampRead.dot = dot;
  return k + 1;
}

/**
 * pidStampAt for the lines of one trace, which mostly share their pid and
 * their seconds with the line before: the last "pid@seconds." is kept, and
 * a line that starts with it (compared four bytes a load) has only its
 * fraction read. Same results as pidStampAt, in stampRead.
 */
export class PidStampReader {
  private readonly prefix = new ByteRun();
  private pid = 0;
  private seconds = 0;
  /** Digits of the seconds, and the offset of the time's first digit in the prefix. */
  private secondsDigits = 0;
  private timeStart = 0;

  read(view: DataView, text: Buffer, i: number, to: number): number {
    const p = this.prefix;
    const n = p.length;
    if (n > 0 && i + n < to && p.at(view, text, i)) {
      const k = digitsTo(text, i + n, Math.min(to, i + this.timeStart + 24));
      const f = digitsValue;
      const frac = k - i - n;
      if (k < to && text[k] === 58 && this.secondsDigits + frac > 0 && frac <= 22) {
        const whole = this.seconds * TEN_POW[frac] + f;
        if (whole < EXACT) {
          stampRead.pid = this.pid;
          stampRead.time = frac === 0 ? whole : whole / TEN_POW[frac];
          return k + 1;
        }
      }
    }
    const end = pidStampAt(text, i, to);
    if (end >= 0 && stampRead.dot >= 0) {
      const timeStart = text.indexOf(64, i) + 1 - i;
      p.set(text, i, stampRead.dot + 1);
      this.pid = stampRead.pid;
      this.seconds = stampRead.seconds;
      this.timeStart = timeStart;
      this.secondsDigits = stampRead.dot - i - timeStart;
    }
    return end;
  }
}

/** The prefixes of the line text[from, to]. Never throws; `end` is `from` when there are none. */
export function tracePrefixAt(text: Buffer, from: number, to: number): TracePrefix {
  const p: TracePrefix = { end: from, styles: 0 };
  let i = from;
  const c0 = text[i];
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
    p.program = decodeRange(text, i, prog - 2);
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
  const c = text[i];
  if (c >= 48 && c <= 57) {
    const end = pidStampAt(text, i, to);
    if (end >= 0) {
      p.pid = stampRead.pid;
      p.time = stampRead.time;
      p.styles |= PREFIX_PID_AT;
      i = end;
    }
  }
  p.end = i;
  return p;
}
