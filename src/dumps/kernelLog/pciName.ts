// PCI device names as Linux prints them (dev_name of a pci_dev): "0000:00:1f.2",
// or without the segment ("00:1f.2") as lspci shows them by default. Segments
// above 0xffff exist (VMD domains such as "10000:00:00.0").

import { decEnd, hexEnd } from './scan';

export interface PciAddress {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
}

/** "0000:00:1f.2" or "00:1f.2" → its parts; undefined for other device names. */
export function parsePciName(s: string): PciAddress | undefined {
  let i = 0;
  let segment = 0;
  const first = hexEnd(s, 0);
  if (s.charCodeAt(first) === 58 && s.charCodeAt(hexEnd(s, first + 1)) === 58) {
    if (first === 0 || first > 8) return undefined;
    segment = parseInt(s.slice(0, first), 16);
    i = first + 1;
  }
  const busEnd = hexEnd(s, i);
  if (busEnd - i !== 2 || s.charCodeAt(busEnd) !== 58) return undefined;
  const devEnd = hexEnd(s, busEnd + 1);
  if (devEnd - busEnd !== 3 || s.charCodeAt(devEnd) !== 46) return undefined;
  const fnEnd = decEnd(s, devEnd + 1);
  if (fnEnd !== devEnd + 2 || fnEnd !== s.length) return undefined;
  const dev = parseInt(s.slice(busEnd + 1, devEnd), 16);
  const fn = s.charCodeAt(devEnd + 1) - 48;
  if (dev > 0x1f || fn > 7) return undefined;
  return { segment, bus: parseInt(s.slice(i, busEnd), 16), dev, fn };
}

/** Requester id (bus << 8 | dev << 3 | fn) of an address. */
export function requesterId(a: { bus: number; dev: number; fn: number }): number {
  return (a.bus << 8) | (a.dev << 3) | a.fn;
}
