// The views' filter: what the user typed, read as one query. A keyword says
// what a number is ("did 4", "iova 0xffefd000", "hpa 0x268e000", "irte 17",
// "irq 25"); a requester id needs none ("00:04.0"); a bare number is matched
// as whatever the view has numbers of (a DID, an IOVA or host address, an
// IRTE index or guest IRQ); any other text matches names (devices, units,
// the action names of /proc/interrupts), case-insensitively.

import { parseRequesterName } from '../../model/bdf';
import { parseNumber } from '../../vtd/u64';

export type TreeFilter =
  /** A requester; `segment` when the text named one (SSSS:BB:DD.F): then only that segment's. */
  | { kind: 'bdf'; sid: number; segment?: number; text: string }
  | { kind: 'did'; did: number; text: string }
  | { kind: 'iova'; address: bigint; text: string }
  | { kind: 'hpa'; address: bigint; text: string }
  | { kind: 'irte'; index: number; text: string }
  | { kind: 'irq'; irq: string; text: string }
  | { kind: 'number'; value: bigint; text: string }
  | { kind: 'text'; needle: string; text: string };

const KEYWORDS: Record<string, 'did' | 'iova' | 'hpa' | 'irte' | 'irq' | 'bdf'> = {
  did: 'did',
  domain: 'did',
  iova: 'iova',
  hpa: 'hpa',
  host: 'hpa',
  phys: 'hpa',
  irte: 'irte',
  index: 'irte',
  irq: 'irq',
  gsi: 'irq',
  bdf: 'bdf',
  sid: 'bdf',
};

/** Reads filter text; undefined for blank text. */
export function parseFilter(input: string | undefined): TreeFilter | undefined {
  const text = (input ?? '').trim();
  if (text === '') return undefined;
  const keyed = /^([a-zA-Z]+)\s*[:= ]\s*(\S+)$/.exec(text);
  if (keyed) {
    const kind = KEYWORDS[keyed[1].toLowerCase()];
    const value = keyed[2];
    if (kind === 'bdf') {
      const name = parseRequesterName(value);
      if (name !== undefined) return { kind, ...name, text };
    } else if (kind === 'irq') {
      if (/^\d+$/.test(value)) return { kind, irq: String(Number(value)), text };
    } else if (kind) {
      const n = parseNumber(value);
      if (n !== undefined) {
        if (kind === 'did') return n <= 0xffffn ? { kind, did: Number(n), text } : undefined;
        if (kind === 'irte') return n <= 0xffffn ? { kind, index: Number(n), text } : undefined;
        return { kind, address: n, text };
      }
    }
  }
  const name = parseRequesterName(text);
  if (name !== undefined) return { kind: 'bdf', ...name, text };
  const n = parseNumber(text);
  if (n !== undefined) return { kind: 'number', value: n, text };
  return { kind: 'text', needle: text.toLowerCase(), text };
}

/** True when the filter is a bare number equal to `n`. */
export function numberIs(f: TreeFilter, n: number | bigint): boolean {
  return f.kind === 'number' && f.value === BigInt(n);
}

/** True when the filter is text found in one of `names`. */
export function textIn(f: TreeFilter, ...names: (string | undefined)[]): boolean {
  return f.kind === 'text' && names.some((n) => n !== undefined && n.toLowerCase().includes(f.needle));
}

/** The address the filter names (an IOVA, a host address, or a bare number), with which it can be. */
export function filterAddress(f: TreeFilter): { address: bigint; iova: boolean; hpa: boolean } | undefined {
  if (f.kind === 'iova') return { address: f.address, iova: true, hpa: false };
  if (f.kind === 'hpa') return { address: f.address, iova: false, hpa: true };
  if (f.kind === 'number') return { address: f.value, iova: true, hpa: true };
  return undefined;
}
