// Queued-invalidation descriptors (128 or 256 bits), as found in the
// invalidation_queue debugfs file, qi_submit ftrace lines and QEMU's
// vtd_inv_desc trace. Decoding, validation against CAP/ECAP, a one-line
// summary, and a cheap fact extractor for the simulator.

import { DecodeContext, Field, FieldSpec, SpecFinding, Structure, decodeFields } from './layout';
import { bitSet, bitsOf, fromQwords, hex, MASK64, sizeName } from './u64';
import { sidName } from './source-id';
import {
  CC_GRANULARITY,
  INV_DESC_LAYOUTS,
  IOTLB_GRANULARITY,
  PASID_CACHE_GRANULARITY,
  PASID_IOTLB_GRANULARITY,
  UNKNOWN_FIELDS,
  UPPER_PRIVATE_DATA_FIELDS,
  UPPER_RESERVED_FIELDS,
} from './invalidation-layouts';

export const INV_DESC_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'context-cache',
  2: 'iotlb',
  3: 'device-tlb',
  4: 'iec',
  5: 'wait',
  6: 'pasid-iotlb',
  7: 'pasid-cache',
  8: 'pasid-device-tlb',
  9: 'page-group-response',
};

const TITLES: Readonly<Record<number, string>> = {
  1: 'Context-cache invalidate descriptor',
  2: 'IOTLB invalidate descriptor',
  3: 'Device-TLB invalidate descriptor',
  4: 'Interrupt entry cache invalidate descriptor',
  5: 'Invalidation wait descriptor',
  6: 'PASID-based IOTLB invalidate descriptor',
  7: 'PASID-cache invalidate descriptor',
  8: 'PASID-based device-TLB invalidate descriptor',
  9: 'Page group response descriptor',
};

// CAP/ECAP bits the checks below depend on.
const CAP_PSI = 39;
const ECAP_DT = 2;
const ECAP_PRS = 29;
const ECAP_DIT = 41;
const ECAP_PDS = 42;
const ECAP_SMTS = 43;

/** Descriptor type: qw0 bits 3:0, with bits 11:9 as type bits 6:4. */
export function invDescriptorType(qw0: bigint): number {
  return Number(bitsOf(qw0, 3, 0) | (bitsOf(qw0, 11, 9) << 4n));
}

/** The address range a (PASID-based) device-TLB invalidation covers. */
interface DeviceTlbRange {
  base: bigint;
  /** Bytes; 2^64 when `all`. */
  size: bigint;
  /** ADDR bits 62:12 all ones with S = 1: the whole address space. */
  all: boolean;
}

/**
 * The PCIe ATS size encoding: S = 0 is one 4 KiB page; S = 1 makes the
 * number of trailing one bits of ADDR[63:12] the size, 8 KiB << count, with
 * the base aligned down to that size (as QEMU does: 8K << cto64(addr >> 12)).
 */
export function deviceTlbRange(addr: bigint, s: boolean): DeviceTlbRange {
  const a = addr & MASK64 & ~0xfffn;
  if (!s) return { base: a, size: 4096n, all: false };
  const page = a >> 12n;
  let ones = 0;
  while (ones < 52 && ((page >> BigInt(ones)) & 1n) === 1n) ones++;
  if (ones >= 51) return { base: 0n, size: 1n << 64n, all: true };
  const size = 8192n << BigInt(ones);
  return { base: a & ~(size - 1n), size, all: false };
}

/** The facts of a descriptor, without building a Structure. */
export interface InvDescriptorInfo {
  type: number;
  /** INV_DESC_TYPE_NAMES name, or 'unknown'. */
  name: string;
  /** 'global' | 'domain' | 'device' | 'page' | 'index' | 'pasid' | 'reserved'. */
  granularity?: string;
  did?: number;
  sid?: number;
  fm?: number;
  /** IOTLB kinds: ADDR; device-TLB kinds: the base of the invalidated range. */
  addr?: bigint;
  am?: number;
  ih?: boolean;
  pasid?: number;
  /** Bytes invalidated by a page-selective or device-TLB descriptor. */
  size?: bigint;
  /** Device-TLB kinds: the whole address space. */
  all?: boolean;
  /** Device-TLB kinds: S. */
  s?: boolean;
  mip?: number;
  pfsid?: number;
  dr?: boolean;
  dw?: boolean;
  iidx?: number;
  im?: number;
  statusAddress?: bigint;
  statusData?: number;
  ifFlag?: boolean;
  sw?: boolean;
  fn?: boolean;
  pd?: boolean;
  /** Page group response. */
  responseCode?: number;
  prgi?: number;
}

function pfsidOf(qw0: bigint): number {
  return Number((bitsOf(qw0, 63, 52) << 4n) | bitsOf(qw0, 15, 12));
}

function deviceTlbFacts(info: InvDescriptorInfo, qw1: bigint, s: boolean): void {
  const range = deviceTlbRange(qw1, s);
  info.s = s;
  info.addr = range.base;
  info.size = range.size;
  info.all = range.all;
}

/** Quadword i as an unsigned 64-bit value; missing or non-bigint entries read as 0. */
function qword(qwords: readonly bigint[], i: number): bigint {
  const v = qwords[i];
  return typeof v === 'bigint' ? v & MASK64 : 0n;
}

export function invDescriptorInfo(qwords: readonly bigint[]): InvDescriptorInfo {
  const qw0 = qword(qwords, 0);
  const qw1 = qword(qwords, 1);
  const type = invDescriptorType(qw0);
  const info: InvDescriptorInfo = { type, name: INV_DESC_TYPE_NAMES[type] ?? 'unknown' };
  const g2 = Number(bitsOf(qw0, 5, 4));
  const did = Number(bitsOf(qw0, 31, 16));
  switch (type) {
    case 1:
      Object.assign(info, { granularity: CC_GRANULARITY[g2] ?? 'reserved', did, sid: Number(bitsOf(qw0, 47, 32)), fm: Number(bitsOf(qw0, 49, 48)) });
      break;
    case 2:
    case 6: {
      const names = type === 2 ? IOTLB_GRANULARITY : PASID_IOTLB_GRANULARITY;
      Object.assign(info, { granularity: names[g2] ?? 'reserved', did });
      if (type === 2) Object.assign(info, { dw: bitSet(qw0, 6), dr: bitSet(qw0, 7) });
      else info.pasid = Number(bitsOf(qw0, 51, 32));
      if (g2 === 3) {
        const am = Number(bitsOf(qw1, 5, 0));
        Object.assign(info, { addr: qw1 & ~0xfffn, am, ih: bitSet(qw1, 6), size: 4096n << BigInt(am) });
      }
      break;
    }
    case 3:
      Object.assign(info, { granularity: 'device', sid: Number(bitsOf(qw0, 47, 32)), mip: Number(bitsOf(qw0, 20, 16)), pfsid: pfsidOf(qw0) });
      deviceTlbFacts(info, qw1, bitSet(qw1, 0));
      break;
    case 4:
      Object.assign(info, { granularity: bitSet(qw0, 4) ? 'index' : 'global', iidx: Number(bitsOf(qw0, 47, 32)), im: Number(bitsOf(qw0, 31, 27)) });
      break;
    case 5:
      Object.assign(info, {
        ifFlag: bitSet(qw0, 4),
        sw: bitSet(qw0, 5),
        fn: bitSet(qw0, 6),
        pd: bitSet(qw0, 7),
        statusData: Number(bitsOf(qw0, 63, 32)),
        statusAddress: qw1 & ~3n,
      });
      break;
    case 7:
      Object.assign(info, { granularity: PASID_CACHE_GRANULARITY[g2] ?? 'reserved', did, pasid: Number(bitsOf(qw0, 51, 32)) });
      break;
    case 8:
      Object.assign(info, {
        granularity: bitSet(qw1, 0) ? 'device' : 'pasid',
        sid: Number(bitsOf(qw0, 31, 16)),
        pasid: Number(bitsOf(qw0, 51, 32)),
        mip: Number(bitsOf(qw0, 8, 4)),
        pfsid: pfsidOf(qw0),
      });
      deviceTlbFacts(info, qw1, bitSet(qw1, 11));
      break;
    case 9:
      Object.assign(info, {
        sid: Number(bitsOf(qw0, 31, 16)),
        pasid: Number(bitsOf(qw0, 51, 32)),
        responseCode: Number(bitsOf(qw0, 15, 12)),
        prgi: Number(bitsOf(qw1, 11, 3)),
      });
      break;
  }
  return info;
}

// ---------------------------------------------------------------- summaries

const RESPONSE_CODES: Readonly<Record<number, string>> = { 0: 'success', 1: 'invalid request', 15: 'response failure' };

function pagesText(info: InvDescriptorInfo): string {
  return `addr=${hex(info.addr ?? 0n)} AM=${info.am} (${sizeName(info.size ?? 0n)})${info.ih ? ' IH' : ''}`;
}

function rangeText(info: InvDescriptorInfo): string {
  return info.all ? 'all addresses' : `addr=${hex(info.addr ?? 0n)} (${sizeName(info.size ?? 0n)})`;
}

function deviceExtras(info: InvDescriptorInfo): string {
  return (info.pfsid ? ` PFSID ${sidName(info.pfsid)}` : '') + (info.mip ? ` MIP=${info.mip}` : '');
}

const SELECTIVE: Readonly<Record<string, string>> = {
  global: 'global',
  domain: 'domain-selective',
  device: 'device-selective',
  page: 'page-selective',
  pasid: 'PASID-selective',
  reserved: 'reserved granularity',
};

function summaryOf(info: InvDescriptorInfo): string {
  const g = SELECTIVE[info.granularity ?? ''] ?? info.granularity ?? '';
  switch (info.type) {
    case 1:
      if (info.granularity === 'device') return `context-cache device-selective SID ${sidName(info.sid ?? 0)} FM=${info.fm} DID=${info.did}`;
      return info.granularity === 'domain' ? `context-cache domain-selective DID=${info.did}` : `context-cache ${g}`;
    case 2: {
      const drain = (info.dr ? ' DR' : '') + (info.dw ? ' DW' : '');
      if (info.granularity === 'page') return `IOTLB page-selective DID=${info.did} ${pagesText(info)}${drain}`;
      return info.granularity === 'domain' ? `IOTLB domain-selective DID=${info.did}${drain}` : `IOTLB ${g}${drain}`;
    }
    case 3:
      return `device-TLB SID ${sidName(info.sid ?? 0)} ${rangeText(info)}${deviceExtras(info)}`;
    case 4: {
      if (info.granularity === 'global') return 'IEC global';
      const im = info.im ?? 0;
      return `IEC index ${info.iidx} (${hex(info.iidx ?? 0)})${im ? ` IM=${im} (${2 ** im} entries)` : ''}`;
    }
    case 5: {
      const flags = (['ifFlag', 'sw', 'fn', 'pd'] as const).filter((k) => info[k]).map((k) => (k === 'ifFlag' ? 'IF' : k.toUpperCase()));
      const head = `wait ${flags.join(' ') || '(no flags)'}`;
      return info.sw ? `${head} status ${hex(info.statusData ?? 0)} → ${hex(info.statusAddress ?? 0n)}` : head;
    }
    case 6: {
      const base = `PASID-IOTLB ${g} DID=${info.did} PASID=${hex(info.pasid ?? 0)}`;
      return info.granularity === 'page' ? `${base} ${pagesText(info)}` : base;
    }
    case 7: {
      if (info.granularity === 'global') return 'PASID-cache global';
      const pasid = info.granularity === 'pasid' ? ` PASID=${hex(info.pasid ?? 0)}` : '';
      return `PASID-cache ${g} DID=${info.did}${pasid}`;
    }
    case 8: {
      const which = info.granularity === 'device' ? 'all PASIDs' : `PASID=${hex(info.pasid ?? 0)}`;
      return `PASID device-TLB SID ${sidName(info.sid ?? 0)} ${which} ${rangeText(info)}${deviceExtras(info)}`;
    }
    case 9: {
      const rc = RESPONSE_CODES[info.responseCode ?? 0] ?? `response code ${info.responseCode}`;
      return `page-group response RID ${sidName(info.sid ?? 0)} PASID=${hex(info.pasid ?? 0)} PRGI=${info.prgi}: ${rc}`;
    }
    default:
      return `invalid descriptor type ${hex(info.type)}`;
  }
}

// --------------------------------------------------------------- validation

function finding(severity: SpecFinding['severity'], code: string, message: string, field?: string): SpecFinding {
  return field === undefined ? { severity, code, message } : { severity, code, message, field };
}

function pageSelectiveFindings(info: InvDescriptorInfo, ctx: DecodeContext): SpecFinding[] {
  const out: SpecFinding[] = [];
  const am = info.am ?? 0;
  if (ctx.cap !== undefined) {
    const mamv = Number(bitsOf(ctx.cap, 53, 48));
    // QEMU compares with its fixed MAMV (18) and stops the queue (IQE).
    if (am > mamv) out.push(finding('error', 'am-above-mamv', `AM=${am} exceeds CAP.MAMV=${mamv}: the descriptor is invalid (IQE)`, 'AM'));
    if (info.type === 2 && !bitSet(ctx.cap, CAP_PSI)) {
      out.push(finding('error', 'psi-unsupported', 'Page-selective IOTLB invalidation on a unit without CAP.PSI', 'G'));
    }
  }
  const low = (info.addr ?? 0n) & ((1n << BigInt(12 + am)) - 1n);
  if (low !== 0n) {
    // QEMU compares gfn & ~mask, i.e. it silently invalidates the aligned
    // block that contains ADDR; real hardware behaviour is undefined.
    out.push(
      finding('warning', 'psi-addr-unaligned', `ADDR ${hex(info.addr ?? 0n)} is not aligned to 2^${am} pages (${sizeName(info.size ?? 0n)}); the low bits are ignored`, 'ADDR'),
    );
  }
  return out;
}

function needsEcap(ctx: DecodeContext, bit: number, code: string, message: string): SpecFinding[] {
  if (ctx.ecap === undefined || bitSet(ctx.ecap, bit)) return [];
  return [finding('error', code, message, 'TYPE[3:0]')];
}

function semanticFindings(info: InvDescriptorInfo, ctx: DecodeContext): SpecFinding[] {
  const out: SpecFinding[] = [];
  if (info.name === 'unknown') {
    const note = info.type === 0xa ? ' (0xa was the page stream response of the withdrawn extended-context mode)' : '';
    out.push(finding('error', 'invalid-descriptor-type', `Invalid descriptor type ${hex(info.type)}${note}: the unit stops with an invalidation queue error (IQE, "invalid descriptor type")`, 'TYPE[3:0]'));
    return out;
  }
  if (info.granularity === 'reserved') {
    out.push(finding('error', 'reserved-granularity', 'Reserved granularity value: the descriptor is invalid (QEMU: IQE)', 'G'));
  }
  if (info.granularity === 'page' && (info.type === 2 || info.type === 6)) out.push(...pageSelectiveFindings(info, ctx));
  if (info.type === 3 || info.type === 8) {
    out.push(...needsEcap(ctx, ECAP_DT, 'device-tlb-unsupported', 'Device-TLB invalidation on a unit without ECAP.DT (device-TLB support)'));
    if (info.pfsid && ctx.ecap !== undefined && !bitSet(ctx.ecap, ECAP_DIT)) {
      // Without DIT the PFSID bits are reserved; QEMU's reserved mask covers
      // them, so it stops the queue (IQE). Linux leaves PFSID 0 then.
      out.push(finding('error', 'pfsid-without-dit', `PFSID ${sidName(info.pfsid)} is set but the unit has no ECAP.DIT: the PFSID bits are reserved`, 'PFSID[15:4]'));
    }
  }
  if (info.type >= 6 && info.type <= 8) {
    out.push(...needsEcap(ctx, ECAP_SMTS, 'pasid-descriptor-without-smts', 'PASID-based descriptor on a unit without scalable mode (ECAP.SMTS): invalid descriptor type (IQE)'));
  }
  if (info.type === 9) out.push(...needsEcap(ctx, ECAP_PRS, 'page-response-without-prs', 'Page group response on a unit without page requests (ECAP.PRS)'));
  if (info.type === 4 && info.granularity === 'index' && ctx.ecap !== undefined) {
    const mhmv = Number(bitsOf(ctx.ecap, 23, 20));
    if ((info.im ?? 0) > mhmv) out.push(finding('error', 'im-above-mhmv', `IM=${info.im} exceeds ECAP.MHMV=${mhmv}`, 'IM'));
  }
  if (info.type === 5 && info.pd && ctx.ecap !== undefined && !bitSet(ctx.ecap, ECAP_PDS)) {
    // QEMU reserves bit 7 of the wait descriptor (no page requests): IQE.
    out.push(finding('error', 'pd-without-pds', 'PD (page-request drain) set on a unit without ECAP.PDS: the bit is reserved', 'PD'));
  }
  return out;
}

// ------------------------------------------------------------------ decoder

function setAddress(fields: Field[], name: string, address: bigint): void {
  for (const f of fields) if (f.name === name) f.address = address;
}

function shapeFindings(count: number): SpecFinding[] {
  if (count === 2 || count === 4) return [];
  if (count < 2) return [finding('error', 'truncated-descriptor', `A descriptor has at least two quadwords; got ${count} (the missing ones read as 0)`)];
  if (count === 3) return [finding('error', 'truncated-descriptor', 'A 256-bit descriptor has four quadwords; got 3 (qw3 reads as 0)')];
  return [finding('warning', 'extra-quadwords', `A descriptor has at most four quadwords; ${count - 4} extra ignored`)];
}

/**
 * Decodes a descriptor given as its quadwords, lowest first (qw0, qw1 and,
 * for 256-bit descriptors, qw2, qw3). Type 'inv-<name>' or 'inv-unknown'.
 * Fields carry the specification's names; ADDR and STATADDR also carry the
 * address they stand for.
 */
export function decodeInvDescriptor(qwords: readonly bigint[], ctx: DecodeContext = {}): Structure {
  const count = qwords.length;
  const wide = count >= 3;
  const q = [0, 1, 2, 3].map((i) => qword(qwords, i)).slice(0, wide ? 4 : 2);
  const raw = fromQwords(q);
  const info = invDescriptorInfo(q);
  const known = INV_DESC_LAYOUTS[info.type];
  const specs: FieldSpec[] = [...(known ?? UNKNOWN_FIELDS)];
  if (wide) specs.push(...(info.type === 9 ? UPPER_PRIVATE_DATA_FIELDS : known ? UPPER_RESERVED_FIELDS : []));
  const decoded = decodeFields(specs, raw, ctx);
  setAddress(decoded.fields, 'ADDR', q[1] & ~0xfffn);
  setAddress(decoded.fields, 'STATADDR', q[1] & ~3n);
  for (const f of decoded.findings) {
    if (f.code === 'reserved-bits') f.message += '; the unit stops with an invalidation queue error (IQE)';
  }
  return {
    type: known ? `inv-${info.name}` : 'inv-unknown',
    title: TITLES[info.type] ?? 'Invalidation descriptor of unknown type',
    width: wide ? 256 : 128,
    raw,
    fields: decoded.fields,
    findings: [...shapeFindings(count), ...decoded.findings, ...semanticFindings(info, ctx)],
    summary: summaryOf(info),
  };
}
