// Matchers for the DMA and interrupt-remapping fault lines of
// drivers/iommu/intel/dmar.c (dmar_fault_do_one), in every format the kernel
// has used:
//   two-line:    DMAR:[DMA Read] Request device [%02x:%02x.%d] fault addr %llx
//                DMAR:[fault reason %02d] %s
//                INTR-REMAP: Request device [[%02x:%02x.%d] fault index %llx
//                INTR-REMAP:[fault reason %02d] %s
//   single-line: [DMA Read] Request device [%02x:%02x.%d] fault addr %llx [fault reason %02d] %s
//   pasid:       [DMA Read] Request device [..] PASID %x fault addr %llx [fault reason %02d] %s
//   hex-0x-bdf:  [DMA Read NO_PASID] Request device [0x%02x:0x%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s
//   hex:         [DMA Read PASID 0x%x] Request device [%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s
//                [INTR-REMAP] Request device [%02x:%02x.%d] fault index 0x%llx [fault reason 0x%02x] %s
// "%02d" means the reason is printed in decimal before 5.14 ("fault reason 37"
// is 0x25). Addresses and indexes are %llx: hex with or without 0x.
// The matchers walk the line once; they return a reason string instead of
// throwing when a line starts like a fault but does not finish like one.

import type { FaultEra } from './types';
import { decEnd, hexEnd, readHex, skip0x, trimEndBlanks } from './scan';

/** Bus, device and function of "[bb:dd.f]", with the columns of "bb:dd.f". */
interface DeviceField {
  bus: number;
  dev: number;
  fn: number;
  start: number;
  end: number;
  /** Printed as "[0x00:0x02.0]" (a 5.14 quirk). */
  zeroX: boolean;
}

/** "[fault reason NN] text". */
export interface ReasonField {
  value: number;
  start: number;
  end: number;
  hex: boolean;
  text: string;
}

export interface DmaFaultMatch {
  kind: 'dma';
  type: 'read' | 'write';
  device: DeviceField;
  address: bigint;
  addrStart: number;
  addrEnd: number;
  /** How the PASID was printed. */
  pasidForm: 'none' | 'no-pasid' | 'tag' | 'midline';
  pasid?: number;
  /** Absent in the first half of the two-line format. */
  reason?: ReasonField;
}

export interface IrFaultMatch {
  kind: 'ir';
  device: DeviceField;
  index: number;
  indexStart: number;
  indexEnd: number;
  reason?: ReasonField;
}

/** Why a line that looked like a fault was not understood. */
interface FaultMismatch {
  kind: 'mismatch';
  message: string;
}

const REQUEST_DEVICE = ' Request device [';
const FAULT_REASON = '[fault reason ';

/** "bb:dd.f]" at i (the '[' already consumed); accepts the 0x and doubled-'[' quirks. */
function readDevice(s: string, i: number): DeviceField | FaultMismatch {
  if (s.charCodeAt(i) === 91 /* [ */) i++; // "[[%02x:..." of the old INTR-REMAP line
  const start = i;
  let j = skip0x(s, i);
  const zeroX = j !== i;
  const busEnd = hexEnd(s, j);
  if (busEnd === j || busEnd - j > 2 || s.charCodeAt(busEnd) !== 58 /* : */) return bad('bus number');
  const bus = parseInt(s.slice(j, busEnd), 16);
  j = skip0x(s, busEnd + 1);
  const devEnd = hexEnd(s, j);
  if (devEnd === j || devEnd - j > 2 || s.charCodeAt(devEnd) !== 46 /* . */) return bad('device number');
  const dev = parseInt(s.slice(j, devEnd), 16);
  const fnEnd = decEnd(s, devEnd + 1);
  if (fnEnd !== devEnd + 2 || s.charCodeAt(fnEnd) !== 93 /* ] */) return bad('function number');
  const fn = s.charCodeAt(devEnd + 1) - 48;
  if (dev > 0x1f || fn > 7) return bad('device (device above 1f or function above 7)');
  return { bus, dev, fn, start, end: fnEnd, zeroX };
}

function bad(what: string): FaultMismatch {
  return { kind: 'mismatch', message: `unreadable ${what} in a fault line` };
}

/** True for the "looked like a fault but was not" outcome of a matcher. */
export function isMismatch(x: object): x is FaultMismatch {
  return (x as { kind?: string }).kind === 'mismatch';
}

/**
 * "[fault reason NN] text" at or after i, when the line has one. The reason
 * is hex when printed with 0x, decimal otherwise (%02d before 5.14).
 */
export function readReason(s: string, i: number): ReasonField | FaultMismatch | undefined {
  const k = s.indexOf(FAULT_REASON, i);
  if (k < 0) return undefined;
  const start = k + FAULT_REASON.length;
  const digits = skip0x(s, start);
  const hex = digits !== start;
  const end = hex ? hexEnd(s, digits) : decEnd(s, digits);
  if (end === digits || end - digits > 3 || s.charCodeAt(end) !== 93 /* ] */) return bad('fault reason');
  const value = parseInt(s.slice(digits, end), hex ? 16 : 10);
  if (value > 0xff) return bad('fault reason (above 0xff)');
  const text = trimEndBlanks(s.slice(end + 1)).trimStart();
  return { value, start, end, hex, text };
}

/** A "[DMA Read|Write ...] Request device ..." line; undefined when the line has none. */
export function matchDmaFault(s: string, from: number): DmaFaultMatch | FaultMismatch | undefined {
  const k = s.indexOf('[DMA ', from);
  if (k < 0 || s.indexOf(REQUEST_DEVICE, k) < 0) return undefined;
  let j = k + 5;
  let type: 'read' | 'write';
  if (s.startsWith('Read', j)) {
    type = 'read';
    j += 4;
  } else if (s.startsWith('Write', j)) {
    type = 'write';
    j += 5;
  } else return bad('access type (neither DMA Read nor DMA Write)');

  let pasidForm: DmaFaultMatch['pasidForm'] = 'none';
  let pasid: number | undefined;
  if (s.startsWith(' NO_PASID', j)) {
    pasidForm = 'no-pasid';
    j += 9;
  } else if (s.startsWith(' PASID ', j)) {
    const p = readHex(s, j + 7, 8);
    if (!p) return bad('PASID');
    pasidForm = 'tag';
    pasid = Number(p.value);
    j = p.end;
  }
  if (s.charCodeAt(j) !== 93 /* ] */ || !s.startsWith(REQUEST_DEVICE, j + 1)) return bad('"[DMA ...] Request device [" text');
  const device = readDevice(s, j + 1 + REQUEST_DEVICE.length);
  if (isMismatch(device)) return device;
  j = device.end + 1;

  if (s.startsWith(' PASID ', j)) {
    const p = readHex(s, j + 7, 8);
    if (!p) return bad('PASID');
    pasidForm = 'midline';
    // "PASID ffffffff" is how kernels before 5.14 printed "no PASID".
    pasid = p.value === 0xffffffffn ? undefined : Number(p.value);
    j = p.end;
  }
  if (!s.startsWith(' fault addr ', j)) return bad('"fault addr"');
  const addr = readHex(s, j + 12, 16);
  if (!addr) return bad('fault address (not hex, or wider than 64 bits)');
  const reason = readReason(s, addr.end);
  if (reason && isMismatch(reason)) return reason;
  return { kind: 'dma', type, device, address: addr.value, addrStart: addr.start, addrEnd: addr.end, pasidForm, pasid, reason };
}

/** An "[INTR-REMAP] Request device ..." or old "INTR-REMAP: Request device [[..." line. */
export function matchIrFault(s: string, from: number): IrFaultMatch | FaultMismatch | undefined {
  const k = s.indexOf('INTR-REMAP', from);
  if (k < 0) return undefined;
  let j = k + 10;
  const c = s.charCodeAt(j);
  if (c !== 93 /* ] */ && c !== 58 /* : */) return undefined;
  if (!s.startsWith(REQUEST_DEVICE, j + 1)) return undefined;
  const device = readDevice(s, j + 1 + REQUEST_DEVICE.length);
  if (isMismatch(device)) return device;
  j = device.end + 1;
  if (!s.startsWith(' fault index ', j)) return bad('"fault index"');
  const idx = readHex(s, j + 13, 16);
  if (!idx) return bad('fault index');
  // The index is addr >> 48 of the fault record: at most 16 bits.
  if (idx.value > 0xffffn) return bad('fault index (wider than 16 bits)');
  const reason = readReason(s, idx.end);
  if (reason && isMismatch(reason)) return reason;
  return { kind: 'ir', device, index: Number(idx.value), indexStart: idx.start, indexEnd: idx.end, reason };
}

/** Which print format a complete fault line follows. */
export function faultEra(m: DmaFaultMatch | IrFaultMatch, reason: ReasonField, twoLine: boolean): FaultEra {
  if (twoLine) return 'two-line';
  if (reason.hex) return m.device.zeroX ? 'hex-0x-bdf' : 'hex';
  return m.kind === 'dma' && m.pasidForm === 'midline' ? 'pasid' : 'single-line';
}
