// Finds where the kernel's own message starts on a log line. Kernel logs reach
// us in many wrappings:
//   [    7.917397] DMAR: ...                          dmesg
//   <3>[    7.917397] DMAR: ...                       dmesg -r, /dev/kmsg copies
//   [    7.917397][    T1] DMAR: ...                  CONFIG_PRINTK_CALLER
//   [Sun Nov 24 07:16:01 2024] DMAR: ...             dmesg -T
//   kern  :err   : [    7.917397] DMAR: ...          dmesg -x
//   Nov 24 07:16:01 host kernel: [    7.9] DMAR: ...  syslog (kern.log)
//   2024-11-24T07:16:01.123456+00:00 host kernel: ... journalctl -o short-iso, rsyslog
//   DMAR: ...                                        no prefix at all
// Everything here scans a bounded number of characters from the line start.

import { decEnd, isDigitCode, skipBlanks } from './scan';

export type PrefixStyle = 'timestamp' | 'syslog' | 'human-time' | 'none';

export interface LinePrefix {
  /** Index where the message (e.g. "DMAR: ...") starts. */
  body: number;
  /** Seconds since boot, from a "[ seconds.micros]" stamp. */
  time?: number;
  style: PrefixStyle;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How far into a line a syslog header may reach before " kernel: ". */
const SYSLOG_HEADER_MAX = 160;

/** "[ 12.345678]" at i: the time and the index after ']'. */
function readTimestamp(s: string, i: number): { time: number; end: number } | undefined {
  if (s.charCodeAt(i) !== 91 /* [ */) return undefined;
  let j = skipBlanks(s, i + 1);
  const intStart = j;
  j = decEnd(s, j);
  if (j === intStart || j - intStart > 12) return undefined;
  let end = j;
  if (s.charCodeAt(j) === 46 /* . */) {
    end = decEnd(s, j + 1);
    if (end === j + 1 || end - j > 10) return undefined;
  }
  if (s.charCodeAt(end) !== 93 /* ] */) return undefined;
  return { time: Number(s.slice(intStart, end)), end: end + 1 };
}

/** "[    T123]" / "[    C2]" caller id after the time stamp (CONFIG_PRINTK_CALLER). */
function skipCallerId(s: string, i: number): number {
  if (s.charCodeAt(i) !== 91) return i;
  const j = skipBlanks(s, i + 1);
  const c = s.charCodeAt(j);
  if (c !== 84 /* T */ && c !== 67 /* C */) return i;
  const e = decEnd(s, j + 1);
  return e > j + 1 && s.charCodeAt(e) === 93 ? e + 1 : i;
}

/** "[Sun Nov 24 07:16:01 2024]" of dmesg -T: index after ']' or -1. */
function humanTimeEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 91) return -1;
  const close = s.indexOf(']', i);
  if (close < 0 || close - i > 40) return -1;
  const inner = s.slice(i + 1, close);
  return MONTHS.some((m) => inner.includes(m)) && inner.includes(':') ? close + 1 : -1;
}

/** True when a line starts like a syslog header: "Nov 24 ..." or "2024-11-24T...". */
function startsLikeSyslog(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  // Month names start with a capital letter: anything else needs no string made.
  if (c >= 65 && c <= 90 && s.charCodeAt(i + 3) === 32 && MONTHS.includes(s.slice(i, i + 3))) return true;
  return (
    isDigitCode(s.charCodeAt(i)) &&
    isDigitCode(s.charCodeAt(i + 3)) &&
    s.charCodeAt(i + 4) === 45 /* - */ &&
    s.charCodeAt(i + 7) === 45 &&
    (s.charCodeAt(i + 10) === 84 /* T */ || s.charCodeAt(i + 10) === 32)
  );
}

/** Index after "<host> kernel: " when it starts at i (one word, then "kernel: "), else -1. */
function afterHostKernel(s: string, i: number): number {
  const k = s.indexOf(' kernel: ', i);
  if (k < 0 || k - i > 64) return -1;
  for (let j = i; j < k; j++) if (s.charCodeAt(j) === 32) return -1;
  return k + ' kernel: '.length;
}

/** Splits the wrapping off a kernel log line. Never throws. */
export function splitLinePrefix(line: string): LinePrefix {
  let i = skipBlanks(line, 0);
  let style: PrefixStyle = 'none';
  let time: number | undefined;

  // syslog header: the message follows " kernel: ".
  if (startsLikeSyslog(line, i)) {
    const k = line.indexOf(' kernel: ', i);
    if (k >= 0 && k < SYSLOG_HEADER_MAX) {
      i = skipBlanks(line, k + ' kernel: '.length);
      style = 'syslog';
    }
  }
  // dmesg -x: facility and level, each padded to 6 ("kern  :err   : ").
  if (line.startsWith('kern  :', i) && line.charCodeAt(i + 13) === 58 /* : */) i = skipBlanks(line, i + 14);
  // printk level "<N>".
  if (line.charCodeAt(i) === 60 /* < */) {
    const e = decEnd(line, i + 1);
    if (e > i + 1 && e - i <= 4 && line.charCodeAt(e) === 62 /* > */) i = e + 1;
  }
  const stamp = readTimestamp(line, i);
  if (stamp) {
    time = stamp.time;
    i = skipCallerId(line, stamp.end);
    if (style === 'none') style = 'timestamp';
    // journalctl -o short-monotonic: "[    7.917397] host kernel: DMAR: ..."
    const afterHost = afterHostKernel(line, skipBlanks(line, i));
    if (afterHost >= 0) i = afterHost;
  } else {
    const h = humanTimeEnd(line, i);
    if (h >= 0) {
      i = h;
      if (style === 'none') style = 'human-time';
    }
  }
  return { body: skipBlanks(line, i), time, style };
}
