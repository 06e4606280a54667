// Interrupt Remapping Table Entries (128 bits). Bit 15 (IM) selects the
// layout: 0 = remapped (the IRTE holds vector and destination), 1 = posted
// (the IRTE points to a posted-interrupt descriptor of a vCPU). Field names
// follow the VT-d specification; layouts as in Linux `struct irte` and
// QEMU's VTD_IR_TableEntry.

import { DecodeContext, Field, FieldSpec, SpecFinding, Structure, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, fromHiLo, hex, MASK64 } from './u64';
import { SQ_COMPARE_MASKS, sidName } from './source-id';

/** Fault reason "reserved fields in the IRTE" (QEMU VTD_FR_IR_IRTE_RSVD). */
const FR_IRTE_RSVD = 0x24;

/** CAP.PI: the unit supports posted interrupts (IM=1 entries). */
const CAP_PI_BIT = 59;

const DELIVERY_MODES: Record<number, string> = {
  0: 'fixed',
  1: 'lowest-priority',
  2: 'SMI',
  4: 'NMI',
  5: 'INIT',
  7: 'ExtINT',
};

/** Name of a delivery-mode value (IRTE DLM, MSI data 10:8, IOAPIC RTE 10:8). */
export function deliveryModeName(dlm: number): string {
  return DELIVERY_MODES[dlm] ?? 'reserved';
}

const SQ_VALUES: Record<number, string> = {
  0: 'compare all 16 SID bits',
  1: 'ignore SID bit 2',
  2: 'ignore SID bits 2:1',
  3: 'ignore SID bits 2:0',
};

const SVT_VALUES: Record<number, string> = {
  0: 'no source-id verification',
  1: 'verify requester id against SID under the SQ mask',
  2: 'verify requester bus is within SID[15:8]..SID[7:0]',
};

function describeSid(v: bigint): string {
  return `${sidName(v)} (${hex(v, 4)})`;
}

/**
 * Which destination format applies. IRTA.EIME decides when it is known;
 * otherwise a DST with nothing outside bits 15:8 is taken as xAPIC, since an
 * x2APIC id of that shape (a multiple of 256) is rare in practice.
 */
function irteUsesX2apic(dst: number, eime?: boolean): boolean {
  if (eime !== undefined) return eime;
  return (dst & 0xffff00ff) !== 0;
}

/** The APIC id an IRTE DST field stands for in the given mode. */
function irteApicId(dst: number, x2apic: boolean): number {
  return x2apic ? dst >>> 0 : (dst >>> 8) & 0xff;
}

/** The CPUs (bit numbers) a bitmap names: [1] for 0x02. */
function bitsIn(map: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) if ((map >>> i) & 1) out.push(i);
  return out;
}

/**
 * What a destination means, in words. Physical: an APIC id. Logical xAPIC
 * (flat model, as Linux programs it for up to 8 CPUs): an 8-bit bitmap with one
 * bit per CPU, so 0x02 is CPU 1. Logical x2APIC (cluster model): bits 31:16
 * the cluster, bits 15:0 a bitmap of its 16 members, member m of cluster c
 * being x2APIC id 16c + m.
 */
function destinationName(apicId: number, logical: boolean, x2apic: boolean): string {
  if (!logical) return `${x2apic ? 'x2APIC' : 'APIC'} ${apicId}`;
  if (!x2apic) {
    const cpus = bitsIn(apicId & 0xff, 8);
    return `CPU${cpus.length === 1 ? '' : 's'} ${cpus.join(', ') || 'none'} (logical ${hex(apicId & 0xff, 2)})`;
  }
  const cluster = apicId >>> 16;
  const members = bitsIn(apicId & 0xffff, 16);
  return `cluster ${cluster} member${members.length === 1 ? '' : 's'} ${members.join(', ') || 'none'} (x2APIC id${members.length === 1 ? '' : 's'} ${members.map((m) => cluster * 16 + m).join(', ') || '-'})`;
}

function describeDst(v: bigint, ctx: DecodeContext, lo: bigint): string {
  const dst = Number(v);
  const x2 = irteUsesX2apic(dst, ctx.eime);
  const how = ctx.eime === undefined ? ' (mode guessed: the unit does not say whether it uses x2APIC)' : '';
  const id = irteApicId(dst, x2);
  const where = x2 ? `${hex(v, 8)}` : `bits 15:8 of ${hex(v, 8)}`;
  return `${destinationName(id, bitSet(lo, 2), x2)}, ${x2 ? 'x2APIC' : 'xAPIC'} destination ${where}${how}`;
}

const SOURCE_FIELDS: FieldSpec[] = [
  field('SID', 79, 64, 'Source Identifier', { describe: describeSid }),
  field('SQ', 81, 80, 'Source-id Qualifier', { values: SQ_VALUES }),
  field('SVT', 83, 82, 'Source Validation Type', { values: SVT_VALUES }),
];

/** Remapped format (IM = 0). */
const IRTE_REMAPPED_FIELDS: readonly FieldSpec[] = [
  field('P', 0, 0, 'Present'),
  field('FPD', 1, 1, 'Fault Processing Disable'),
  field('DM', 2, 2, 'Destination Mode', { values: { 0: 'physical', 1: 'logical' } }),
  field('RH', 3, 3, 'Redirection Hint'),
  field('TM', 4, 4, 'Trigger Mode', { values: { 0: 'edge', 1: 'level' } }),
  field('DLM', 7, 5, 'Delivery Mode', { values: DELIVERY_MODES }),
  field('AVAIL', 11, 8, 'Available (ignored by hardware)'),
  reserved(14, 12, FR_IRTE_RSVD),
  field('IM', 15, 15, 'IRTE Mode', { values: { 0: 'remapped', 1: 'posted' } }),
  field('V', 23, 16, 'Vector', { describe: (v) => hex(v, 2) }),
  reserved(31, 24, FR_IRTE_RSVD),
  field('DST', 63, 32, 'Destination ID', { describe: (v, ctx) => describeDst(v, ctx, ctx.entryLow ?? 0n) }),
  ...SOURCE_FIELDS,
  reserved(127, 84, FR_IRTE_RSVD),
];

/** Posted format (IM = 1). PDA_L holds descriptor address bits 31:6, PDA_H bits 63:32. */
const IRTE_POSTED_FIELDS: readonly FieldSpec[] = [
  field('P', 0, 0, 'Present'),
  field('FPD', 1, 1, 'Fault Processing Disable'),
  reserved(7, 2, FR_IRTE_RSVD),
  field('AVAIL', 11, 8, 'Available (ignored by hardware)'),
  reserved(13, 12, FR_IRTE_RSVD),
  field('URG', 14, 14, 'Urgent'),
  field('IM', 15, 15, 'IRTE Mode', { values: { 0: 'remapped', 1: 'posted' } }),
  field('VV', 23, 16, 'Virtual Vector', { describe: (v) => hex(v, 2) }),
  reserved(37, 24, FR_IRTE_RSVD),
  field('PDA_L', 63, 38, 'Posted Descriptor Address (bits 31:6)', { describe: (v) => hex(v << 6n) }),
  ...SOURCE_FIELDS,
  reserved(95, 84, FR_IRTE_RSVD),
  field('PDA_H', 127, 96, 'Posted Descriptor Address (bits 63:32)', { describe: (v) => hex(v << 32n) }),
];

/** The facts of an IRTE, without building a Structure. */
export interface IrteInfo {
  present: boolean;
  posted: boolean;
  fpd: boolean;
  /** Remapped: V; posted: VV (the guest vector). */
  vector: number;
  /** APIC id: x2APIC = the 32-bit DST; xAPIC = DST bits 15:8. 0 for posted entries. */
  destination: number;
  destMode: 'physical' | 'logical';
  redirectionHint: boolean;
  trigger: 'edge' | 'level';
  deliveryMode: string;
  sid: number;
  sq: number;
  svt: number;
  /** Posted only. */
  urgent?: boolean;
  /** Posted only: the posted-interrupt descriptor address (64-byte aligned). */
  pda?: bigint;
  /** Remapped only: whether the destination was read as an x2APIC id. */
  x2apic?: boolean;
}

function postedDescriptorAddress(hi: bigint, lo: bigint): bigint {
  return (bitsOf(hi, 63, 32) << 32n) | (bitsOf(lo, 63, 38) << 6n);
}

export function irteInfo(hi: bigint, lo: bigint, ctx: DecodeContext = {}): IrteInfo {
  hi &= MASK64;
  lo &= MASK64;
  const posted = bitSet(lo, 15);
  const base = {
    present: bitSet(lo, 0),
    posted,
    fpd: bitSet(lo, 1),
    vector: Number(bitsOf(lo, 23, 16)),
    sid: Number(bitsOf(hi, 15, 0)),
    sq: Number(bitsOf(hi, 17, 16)),
    svt: Number(bitsOf(hi, 19, 18)),
  };
  if (posted) {
    return {
      ...base,
      destination: 0,
      destMode: 'physical',
      redirectionHint: false,
      trigger: 'edge',
      deliveryMode: 'fixed',
      urgent: bitSet(lo, 14),
      pda: postedDescriptorAddress(hi, lo),
    };
  }
  const dst = Number(bitsOf(lo, 63, 32));
  const x2apic = irteUsesX2apic(dst, ctx.eime);
  return {
    ...base,
    destination: irteApicId(dst, x2apic),
    destMode: bitSet(lo, 2) ? 'logical' : 'physical',
    redirectionHint: bitSet(lo, 3),
    trigger: bitSet(lo, 4) ? 'level' : 'edge',
    deliveryMode: deliveryModeName(Number(bitsOf(lo, 7, 5))),
    x2apic,
  };
}

/** Which source-id checks an interrupt request goes through. */
type SourceCheckModel = 'spec' | 'qemu';

/**
 * Source-id verification as hardware does it (SVT 00 none, 01 SID with SQ
 * mask, 10 bus range start..end, 11 reserved → false).
 *
 * With model 'qemu' the bus range is read the way QEMU's vtd_irte_get() reads
 * it: SID[15:8] as the highest and SID[7:0] as the lowest bus, the opposite of
 * the specification and of Linux set_irte_verify_bus(). QEMU also rejects
 * SVT = 11 (as a verification failure, fault 0x26).
 */
export function irteSourceMatches(info: IrteInfo, requesterId: number, model: SourceCheckModel = 'spec'): boolean {
  const rid = requesterId & 0xffff;
  const sid = info.sid & 0xffff;
  switch (info.svt) {
    case 0:
      return true;
    case 1: {
      const mask = SQ_COMPARE_MASKS[info.sq & 3];
      return (rid & mask) === (sid & mask);
    }
    case 2: {
      const bus = rid >> 8;
      const [low, high] = model === 'qemu' ? [sid & 0xff, sid >> 8] : [sid >> 8, sid & 0xff];
      return bus >= low && bus <= high;
    }
    default:
      return false;
  }
}

function safeBig(n: number | undefined, bits: number): bigint {
  if (n === undefined || !Number.isFinite(n)) return 0n;
  return BigInt.asUintN(bits, BigInt(Math.trunc(n)));
}

/**
 * Builds an IRTE the way Linux prepare_irte() does (for the simulator): P=1,
 * RH=1 always, DLM fixed, DM from the APIC driver's logical mode, and the
 * trigger left at edge (level-triggered IOAPIC pins keep the level in the
 * RTE) unless asked otherwise. xAPIC destinations go to DST bits 15:8.
 * SVT defaults to 01 with SQ 00 (exact requester-id match), as for MSIs.
 */
export function encodeRemappedIrte(p: {
  vector: number;
  destination: number;
  x2apic: boolean;
  logical: boolean;
  sid: number;
  sq?: number;
  svt?: number;
  trigger?: 'edge' | 'level';
}): { hi: bigint; lo: bigint } {
  const dst = p.x2apic ? safeBig(p.destination, 32) : safeBig(p.destination, 8) << 8n;
  const lo =
    1n | // P
    ((p.logical ? 1n : 0n) << 2n) |
    (1n << 3n) | // RH
    ((p.trigger === 'level' ? 1n : 0n) << 4n) |
    (safeBig(p.vector, 8) << 16n) |
    (dst << 32n);
  const hi = safeBig(p.sid, 16) | (safeBig(p.sq ?? 0, 2) << 16n) | (safeBig(p.svt ?? 1, 2) << 18n);
  return { hi, lo };
}

/** Where a remapped IRTE sends its interrupt, in words (destinationName of its facts). */
export function irteDestinationName(info: IrteInfo): string {
  return destinationName(info.destination, info.destMode === 'logical', info.x2apic === true);
}

/** Sets the address a field stands for when its bits sit elsewhere in the entry. */
function setAddress(fields: Field[], name: string, address: bigint): void {
  for (const f of fields) if (f.name === name) f.address = address;
}

function sourceSummary(sid: number, sq: number, svt: number): string {
  const svtBits = svt.toString(2).padStart(2, '0');
  switch (svt) {
    case 0:
      return 'SID not verified (SVT=00)';
    case 1:
      return `SID ${sidName(sid)} (SVT=01 SQ=${sq.toString(2).padStart(2, '0')})`;
    case 2:
      return `bus ${hex(sid >> 8, 2).slice(2)}..${hex(sid & 0xff, 2).slice(2)} (SVT=10)`;
    default:
      return `SID ${sidName(sid)} (SVT=${svtBits} reserved)`;
  }
}

function irteSummary(raw: bigint, info: IrteInfo): string {
  const head = (info.present ? 'IRTE P' : 'IRTE not present') + (info.fpd ? ' FPD' : '');
  if (raw === 0n) return head;
  const source = sourceSummary(info.sid, info.sq, info.svt);
  if (info.posted) {
    return `${head} posted vector ${hex(info.vector, 2)}${info.urgent ? ' URG' : ''} → PD ${hex(info.pda ?? 0n)}, ${source}`;
  }
  const to = irteDestinationName(info);
  return `${head} vector ${hex(info.vector, 2)} → ${to}${info.destMode === 'logical' ? '' : ' physical'} ${info.deliveryMode} ${info.trigger}, ${source}`;
}

function extraFindings(lo: bigint, info: IrteInfo, ctx: DecodeContext): SpecFinding[] {
  const out: SpecFinding[] = [];
  if (info.svt === 3) {
    // The specification reserves SVT 11. QEMU treats it as a failed
    // verification (fault 0x26) whenever the request carries a source id.
    out.push({
      severity: 'error',
      code: 'svt-reserved',
      message: 'SVT = 11 is a reserved source-validation type; QEMU rejects such requests as a source-id verification failure (0x26)',
      field: 'SVT',
      faultReason: 0x26,
    });
  }
  if (info.posted) {
    if (ctx.cap !== undefined && !bitSet(ctx.cap, CAP_PI_BIT)) {
      // Without CAP.PI the IM bit is reserved. QEMU does not look at IM at
      // all and would remap the entry as if it were IM = 0.
      out.push({
        severity: 'error',
        code: 'posted-without-pi',
        message: 'Posted-format IRTE (IM=1) on a unit without posted-interrupt support (CAP.PI = 0): IM is then a reserved bit',
        field: 'IM',
        faultReason: FR_IRTE_RSVD,
      });
    }
    return out;
  }
  const dlm = Number(bitsOf(lo, 7, 5));
  if (DELIVERY_MODES[dlm] === undefined) {
    out.push({
      severity: 'warning',
      code: 'dlm-reserved',
      message: `Delivery mode ${dlm.toString(2).padStart(3, '0')} is reserved`,
      field: 'DLM',
    });
  }
  const dst = Number(bitsOf(lo, 63, 32));
  if (ctx.eime === false && (dst & 0xffff00ff) !== 0) {
    // In xAPIC mode only DST bits 15:8 carry the APIC id; the rest is
    // reserved. QEMU does not check: it silently uses bits 15:8.
    out.push({
      severity: 'error',
      code: 'xapic-dst-reserved',
      message: `xAPIC mode (IRTA.EIME = 0) but DST ${hex(dst, 8)} has bits outside 15:8 set (QEMU ignores them and uses bits 15:8)`,
      field: 'DST',
      faultReason: FR_IRTE_RSVD,
    });
  }
  return out;
}

/**
 * Decodes an IRTE given as Linux prints it (hi = bits 127:64, lo = 63:0).
 * Type 'irte-remapped' or 'irte-posted', chosen by IM (bit 15).
 *
 * QEMU checks the reserved bits 14:12, 31:24 and 127:84 (fault 0x24) and
 * then the source id; it neither emulates posted entries nor looks at IM.
 */
export function decodeIrte(hi: bigint, lo: bigint, ctx: DecodeContext = {}): Structure {
  const findings: SpecFinding[] = [];
  if (hi < 0n || lo < 0n || hi > MASK64 || lo > MASK64) {
    findings.push({ severity: 'error', code: 'value-too-wide', message: 'IRTE halves must be 64-bit values; extra bits were dropped' });
  }
  hi &= MASK64;
  lo &= MASK64;
  const raw = fromHiLo(hi, lo);
  const info = irteInfo(hi, lo, ctx);
  const specs = info.posted ? IRTE_POSTED_FIELDS : IRTE_REMAPPED_FIELDS;
  const decoded = decodeFields(specs, raw, { ...ctx, entryLow: lo });
  if (info.posted) {
    setAddress(decoded.fields, 'PDA_L', bitsOf(lo, 63, 38) << 6n);
    setAddress(decoded.fields, 'PDA_H', bitsOf(hi, 63, 32) << 32n);
  }
  findings.push(...decoded.findings, ...extraFindings(lo, info, ctx));
  return {
    type: info.posted ? 'irte-posted' : 'irte-remapped',
    title: info.posted ? 'Interrupt remapping table entry (posted)' : 'Interrupt remapping table entry (remapped)',
    width: 128,
    raw,
    fields: decoded.fields,
    findings,
    summary: irteSummary(raw, info),
  };
}
