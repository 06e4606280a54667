// PCI requester ids: 16 bits, bus in 15:8, device in 7:3, function in 2:0.

import { sidName } from '../vtd/source-id';

export function makeSid(bus: number, dev: number, fn: number): number {
  return ((bus & 0xff) << 8) | ((dev & 0x1f) << 3) | (fn & 7);
}

/** "00:05.0" (the form the kernel prints in fault lines and debugfs rows). */
export function formatBdf(sid: number): string {
  return sidName(sid);
}

/** Parses "BB:DD.F" or "SSSS:BB:DD.F" (hex) into its source id and the segment when it names one. */
export function parseRequesterName(text: string): { sid: number; segment?: number } | undefined {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(text.trim());
  if (!m) return undefined;
  const dev = parseInt(m[3], 16);
  if (dev > 0x1f) return undefined;
  const sid = makeSid(parseInt(m[2], 16), dev, parseInt(m[4], 10));
  return m[1] !== undefined ? { sid, segment: parseInt(m[1], 16) } : { sid };
}

/** The source id of "BB:DD.F" or "SSSS:BB:DD.F" (its segment is parseRequesterName's); undefined when it is not one. */
export function parseBdf(text: string): number | undefined {
  return parseRequesterName(text)?.sid;
}
