// The VT-d register file: names, offsets and widths (Linux iommu.h — every
// register the kernel's iommu_regset debugfs file has printed in any version,
// plus the invalidation-event and queue-error registers it never prints), the
// bit layout of each, and the consistency checks of one unit's registers read
// together. CAP/ECAP live in capEcap.ts, the fault recording register next to
// the fault reasons (faultReasons.ts); both are re-exported here.

import { DecodeContext, Field, FieldSpec, SpecFinding, Structure, checkAddressWidth, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, hex, MASK32, MASK64 } from './u64';
import { capInfo, decodeCap, decodeEcap, ecapInfo, hostAddressWidth } from './capEcap';

export type { CapInfo, EcapInfo } from './capEcap';
export { capInfo, ecapInfo } from './capEcap';
export { decodeFrcd } from './faultReasons';

interface RegisterInfo {
  name: string;
  offset: number;
  width: 32 | 64;
  title: string;
}

// Fixed-range MTRRs, at 0x120 + 8·i: the name says the range size and start.
const FIXED_MTRRS = ['FIX64K_00000', 'FIX16K_80000', 'FIX16K_A0000', 'FIX4K_C0000', 'FIX4K_C8000', 'FIX4K_D0000', 'FIX4K_D8000', 'FIX4K_E0000', 'FIX4K_E8000', 'FIX4K_F0000', 'FIX4K_F8000'];

function reg(name: string, offset: number, width: 32 | 64, title: string): RegisterInfo {
  return { name, offset, width, title };
}

/** The four 32-bit registers of an event interrupt: xxCTL, xxDATA, xxADDR, xxUADDR. */
function eventRegisters(prefix: string, offset: number, what: string): RegisterInfo[] {
  return ['Control', 'Data', 'Address', 'Upper Address'].map((part, i) =>
    reg(`${prefix}${['CTL', 'DATA', 'ADDR', 'UADDR'][i]}`, offset + 4 * i, 32, `${what} ${part} Register`),
  );
}

/** Every named register, by offset. IVA/IOTLB (at ECAP.IRO) and FRCD (at CAP.FRO) move, so they are not here. */
export const REGISTERS: readonly RegisterInfo[] = [
  reg('VER', 0x00, 32, 'Version Register'),
  reg('CAP', 0x08, 64, 'Capability Register'),
  reg('ECAP', 0x10, 64, 'Extended Capability Register'),
  reg('GCMD', 0x18, 32, 'Global Command Register'),
  reg('GSTS', 0x1c, 32, 'Global Status Register'),
  reg('RTADDR', 0x20, 64, 'Root Table Address Register'),
  reg('CCMD', 0x28, 64, 'Context Command Register'),
  reg('FSTS', 0x34, 32, 'Fault Status Register'),
  ...eventRegisters('FE', 0x38, 'Fault Event'),
  reg('AFLOG', 0x58, 64, 'Advanced Fault Log Register'),
  reg('PMEN', 0x64, 32, 'Protected Memory Enable Register'),
  reg('PLMBASE', 0x68, 32, 'Protected Low-Memory Base Register'),
  reg('PLMLIMIT', 0x6c, 32, 'Protected Low-Memory Limit Register'),
  reg('PHMBASE', 0x70, 64, 'Protected High-Memory Base Register'),
  reg('PHMLIMIT', 0x78, 64, 'Protected High-Memory Limit Register'),
  reg('IQH', 0x80, 64, 'Invalidation Queue Head Register'),
  reg('IQT', 0x88, 64, 'Invalidation Queue Tail Register'),
  reg('IQA', 0x90, 64, 'Invalidation Queue Address Register'),
  reg('ICS', 0x9c, 32, 'Invalidation Completion Status Register'),
  ...eventRegisters('IE', 0xa0, 'Invalidation Event'),
  reg('IQER', 0xb0, 64, 'Invalidation Queue Error Record Register'),
  reg('IRTA', 0xb8, 64, 'Interrupt Remapping Table Address Register'),
  reg('PQH', 0xc0, 64, 'Page Request Queue Head Register'),
  reg('PQT', 0xc8, 64, 'Page Request Queue Tail Register'),
  reg('PQA', 0xd0, 64, 'Page Request Queue Address Register'),
  reg('PRS', 0xdc, 32, 'Page Request Status Register'),
  ...eventRegisters('PE', 0xe0, 'Page Request Event'),
  reg('MTRRCAP', 0x100, 64, 'MTRR Capability Register'),
  reg('MTRRDEF', 0x108, 64, 'MTRR Default Type Register'),
  ...FIXED_MTRRS.map((n, i) => reg(`MTRR_${n}`, 0x120 + 8 * i, 64, `Fixed-range MTRR (${n.slice(3, n.indexOf('_'))}iB ranges from 0x${n.slice(n.indexOf('_') + 1)})`)),
  ...Array.from({ length: 10 }, (_, n) => [
    reg(`MTRR_PHYSBASE${n}`, 0x180 + 16 * n, 64, `Variable-range MTRR ${n} Base`),
    reg(`MTRR_PHYSMASK${n}`, 0x188 + 16 * n, 64, `Variable-range MTRR ${n} Mask`),
  ]).flat(),
  reg('VCMD', 0xe00, 64, 'Virtual Command Register'),
  reg('VCRSP', 0xe10, 64, 'Virtual Command Response Register'),
  reg('VCCAP', 0xe30, 64, 'Virtual Command Capability Register'),
];

const BY_NAME = new Map(REGISTERS.map((r) => [r.name, r]));
const BY_OFFSET = new Map(REGISTERS.map((r) => [r.offset, r]));

export function registerByName(name: string): RegisterInfo | undefined {
  return BY_NAME.get(name.trim().toUpperCase());
}

export function registerByOffset(offset: number): RegisterInfo | undefined {
  return BY_OFFSET.get(offset);
}

// ---- layouts ----------------------------------------------------------------

const onOff = (on: string, off: string) => (v: bigint) => (v === 1n ? on : off);

/** Registers of one control/data/address/upper-address interrupt block (fault, invalidation, page request events). */
function eventRegisterLayouts(prefix: 'FE' | 'IE' | 'PE', what: string): Record<string, FieldSpec[]> {
  return {
    [`${prefix}CTL`]: [
      reserved(29, 0),
      field('IP', 30, 30, 'Interrupt Pending', { describe: onOff(`a ${what} interrupt is pending (held back by IM)`, 'no interrupt pending') }),
      field('IM', 31, 31, 'Interrupt Mask', { describe: onOff(`${what} interrupts are masked`, `${what} interrupts are delivered`) }),
    ],
    [`${prefix}DATA`]: [
      field('IMD', 15, 0, 'Interrupt Message Data', { describe: (v) => `MSI data ${hex(v, 4)} (vector ${hex(v & 0xffn, 2)})` }),
      field('EIMD', 31, 16, 'Extended Interrupt Message Data', { describe: (v) => hex(v, 4) }),
    ],
    [`${prefix}ADDR`]: [reserved(1, 0), field('MA', 31, 2, 'Message Address', { address: true })],
    [`${prefix}UADDR`]: [field('MUA', 31, 0, 'Message Upper Address', { describe: (v) => hex(v, 8) })],
  };
}

const QUEUE_INDEX = (what: string) => (v: bigint) => `${what} ${v} (byte offset ${hex(v * 16n)}; descriptor ${v / 2n} if 256-bit)`;

const IQA_FIELDS: FieldSpec[] = [
  field('QS', 2, 0, 'Queue Size', { describe: (v) => `${1n << v} page(s): ${1n << (v + 8n)} × 128-bit or ${1n << (v + 7n)} × 256-bit descriptors` }),
  reserved(10, 3),
  field('DW', 11, 11, 'Descriptor Width', { values: { 0: '128-bit descriptors', 1: '256-bit descriptors (scalable mode)' } }),
  field('IQA', 63, 12, 'Invalidation Queue Base Address', { address: true }),
];

const IRTA_FIELDS: FieldSpec[] = [
  field('S', 3, 0, 'Size', { describe: (v) => `${1n << (v + 1n)} entries (2^(S+1))` }),
  reserved(10, 4),
  field('EIME', 11, 11, 'Extended Interrupt Mode Enable', { values: { 0: 'xAPIC: 8-bit destination ids in IRTE bits 47:40', 1: 'x2APIC: 32-bit destination ids' } }),
  field('IRTA', 63, 12, 'Interrupt Remapping Table Address', { address: true }),
];

// GCMD bit (write) and the GSTS bit that reports it, from bit 31 down.
const COMMAND_BITS: [string, string, string, string, string][] = [
  ['TE', 'Translation Enable', 'TES', 'Translation Enable Status', 'DMA remapping enabled'],
  ['SRTP', 'Set Root Table Pointer', 'RTPS', 'Root Table Pointer Status', 'root table pointer latched'],
  ['SFL', 'Set Fault Log', 'FLS', 'Fault Log Status', 'fault log pointer latched'],
  ['EAFL', 'Enable Advanced Fault Logging', 'AFLS', 'Advanced Fault Logging Status', 'advanced fault logging enabled'],
  ['WBF', 'Write Buffer Flush', 'WBFS', 'Write Buffer Flush Status', 'write-buffer flush in progress'],
  ['QIE', 'Queued Invalidation Enable', 'QIES', 'Queued Invalidation Enable Status', 'invalidation queue enabled'],
  ['IRE', 'Interrupt Remapping Enable', 'IRES', 'Interrupt Remapping Enable Status', 'interrupt remapping enabled'],
  ['SIRTP', 'Set Interrupt Remap Table Pointer', 'IRTPS', 'Interrupt Remapping Table Pointer Status', 'IRT pointer latched'],
  ['CFI', 'Compatibility Format Interrupt', 'CFIS', 'Compatibility Format Interrupt Status', 'compatibility-format interrupts pass unremapped'],
];

function commandBits(status: boolean): FieldSpec[] {
  const out = COMMAND_BITS.map(([cmd, cmdTitle, sts, stsTitle, meaning], i) =>
    status
      ? field(sts, 31 - i, 31 - i, stsTitle, { describe: onOff(meaning, 'clear') })
      : field(cmd, 31 - i, 31 - i, cmdTitle, { describe: onOff(`requests: ${cmdTitle.toLowerCase()}`, 'clear') }),
  );
  out.push(reserved(31 - COMMAND_BITS.length, 0));
  return out;
}

const LAYOUTS: Record<string, FieldSpec[]> = {
  VER: [field('MIN', 3, 0, 'Minor Version number'), field('MAX', 7, 4, 'Major Version number'), reserved(31, 8)],
  GCMD: commandBits(false),
  GSTS: commandBits(true),
  RTADDR: [
    reserved(9, 0),
    field('TTM', 11, 10, 'Translation Table Mode', {
      values: { 0: 'legacy root/context tables', 1: 'scalable-mode root/context tables', 2: 'abort-DMA mode (newer specification)', 3: 'reserved' },
    }),
    field('RTA', 63, 12, 'Root Table Address', { address: true }),
  ],
  CCMD: [
    field('DID', 15, 0, 'Domain-ID'),
    field('SID', 31, 16, 'Source-ID', { describe: (v) => hex(v, 4) }),
    field('FM', 33, 32, 'Function Mask', { values: { 0: 'no bits masked', 1: 'SID bit 2 masked', 2: 'SID bits 2:1 masked', 3: 'SID bits 2:0 masked' } }),
    reserved(58, 34),
    field('CAIG', 60, 59, 'Context Actual Invalidation Granularity', { values: { 0: 'none reported', 1: 'global', 2: 'domain-selective', 3: 'device-selective' } }),
    field('CIRG', 62, 61, 'Context Invalidation Request Granularity', { values: { 0: 'reserved', 1: 'global', 2: 'domain-selective', 3: 'device-selective' } }),
    field('ICC', 63, 63, 'Invalidate Context-Cache', { describe: onOff('invalidation in progress', 'idle') }),
  ],
  FSTS: [
    field('PFO', 0, 0, 'Primary Fault Overflow', { describe: onOff('a fault was lost: every fault record was full', 'clear') }),
    field('PPF', 1, 1, 'Primary Pending Fault', { describe: onOff('at least one fault record holds an unserviced fault', 'clear') }),
    field('AFO', 2, 2, 'Advanced Fault Overflow', { describe: onOff('advanced fault log overflowed', 'clear') }),
    field('APF', 3, 3, 'Advanced Pending Fault', { describe: onOff('advanced fault log has entries', 'clear') }),
    field('IQE', 4, 4, 'Invalidation Queue Error', { describe: onOff('the queue stopped on a bad descriptor (see IQER)', 'clear') }),
    field('ICE', 5, 5, 'Invalidation Completion Error', { describe: onOff('a device-TLB invalidation completed with an error', 'clear') }),
    field('ITE', 6, 6, 'Invalidation Time-out Error', { describe: onOff('a device-TLB invalidation timed out', 'clear') }),
    field('PRO', 7, 7, 'Page Request Overflow (deprecated)', { describe: onOff('set', 'clear') }),
    field('FRI', 15, 8, 'Fault Record Index', { describe: (v) => `first pending record: ${v}` }),
    reserved(31, 16),
  ],
  ...eventRegisterLayouts('FE', 'fault event'),
  ...eventRegisterLayouts('IE', 'invalidation completion'),
  ...eventRegisterLayouts('PE', 'page request'),
  AFLOG: [reserved(8, 0), field('FLS', 11, 9, 'Fault Log Size', { describe: (v) => `${1n << v} page(s)` }), field('FLA', 63, 12, 'Fault Log Address', { address: true })],
  PMEN: [
    field('PRS', 0, 0, 'Protected Region Status', { describe: onOff('protected regions active', 'inactive') }),
    reserved(30, 1),
    field('EPM', 31, 31, 'Enable Protected Memory', { describe: onOff('DMA to the protected regions is blocked', 'disabled') }),
  ],
  PLMBASE: [field('PLMB', 31, 0, 'Protected Low-Memory Base', { address: true })],
  PLMLIMIT: [field('PLML', 31, 0, 'Protected Low-Memory Limit', { address: true })],
  PHMBASE: [field('PHMB', 63, 0, 'Protected High-Memory Base', { address: true })],
  PHMLIMIT: [field('PHML', 63, 0, 'Protected High-Memory Limit', { address: true })],
  IQH: [reserved(3, 0), field('QH', 18, 4, 'Queue Head', { describe: QUEUE_INDEX('next descriptor hardware fetches:') }), reserved(63, 19)],
  IQT: [reserved(3, 0), field('QT', 18, 4, 'Queue Tail', { describe: QUEUE_INDEX('next descriptor software writes:') }), reserved(63, 19)],
  IQA: IQA_FIELDS,
  ICS: [field('IWC', 0, 0, 'Invalidation Wait Descriptor Complete', { describe: onOff('a wait descriptor with IF completed', 'clear') }), reserved(31, 1)],
  // IQER field placement after the VT-d specification (not checked against code).
  IQER: [
    field('IQEI', 3, 0, 'Invalidation Queue Error Info', {
      values: { 0: 'no error', 1: 'tail beyond queue', 2: 'descriptor fetch error', 3: 'invalid descriptor type', 4: 'reserved bits set in a descriptor', 5: 'invalid wait status address', 6: 'tail not 256-bit aligned' },
    }),
    reserved(31, 4),
    field('ICESID', 47, 32, 'Invalidation Completion Error Source-ID', { describe: (v) => hex(v, 4) }),
    field('ITESID', 63, 48, 'Invalidation Time-out Error Source-ID', { describe: (v) => hex(v, 4) }),
  ],
  IRTA: IRTA_FIELDS,
  PQH: [reserved(4, 0), field('PQH', 18, 5, 'Page Queue Head', { describe: (v) => `page request ${v}` }), reserved(63, 19)],
  PQT: [reserved(4, 0), field('PQT', 18, 5, 'Page Queue Tail', { describe: (v) => `page request ${v}` }), reserved(63, 19)],
  PQA: [field('PQS', 2, 0, 'Page Queue Size', { describe: (v) => `${1n << v} page(s)` }), reserved(11, 3), field('PQA', 63, 12, 'Page Request Queue Base Address', { address: true })],
  PRS: [
    field('PPR', 0, 0, 'Pending Page Request', { describe: onOff('page requests are waiting', 'clear') }),
    field('PRO', 1, 1, 'Page Request Overflow', { describe: onOff('a page request was lost', 'clear') }),
    reserved(31, 2),
  ],
  VCMD: [field('CMD', 7, 0, 'Command', { values: { 0: 'none', 1: 'allocate PASID', 2: 'free PASID' } }), field('OPERAND', 63, 8, 'Operand')],
  VCRSP: [field('IP', 0, 0, 'In Progress'), field('SC', 2, 1, 'Status Code'), reserved(7, 3), field('RSLT', 63, 8, 'Result')],
  // Not in REGISTERS (their offset is ECAP.IRO × 16), but decodable by name.
  IVA: [field('AM', 5, 0, 'Address Mask', { describe: (v) => `2^${v} pages` }), field('IH', 6, 6, 'Invalidation Hint'), reserved(11, 7), field('ADDR', 63, 12, 'Address', { address: true })],
  IOTLB: [
    reserved(31, 0),
    field('DID', 47, 32, 'Domain-ID'),
    field('DW', 48, 48, 'Drain Writes'),
    field('DR', 49, 49, 'Drain Reads'),
    reserved(56, 50),
    field('IAIG', 58, 57, 'IOTLB Actual Invalidation Granularity', { values: { 0: 'none reported', 1: 'global', 2: 'domain-selective', 3: 'page-selective' } }),
    reserved(59, 59),
    field('IIRG', 61, 60, 'IOTLB Invalidation Request Granularity', { values: { 0: 'reserved', 1: 'global', 2: 'domain-selective', 3: 'page-selective' } }),
    reserved(62, 62),
    field('IVT', 63, 63, 'Invalidate IOTLB', { describe: onOff('invalidation in progress', 'idle') }),
  ],
};

// ---- decoding ---------------------------------------------------------------

/** Set flags and non-zero fields, most significant layout entries as listed. */
function genericSummary(fields: Field[]): string {
  const parts: string[] = [];
  for (const f of fields) {
    if (f.reserved || f.raw === 0n) continue;
    if (f.msb === f.lsb) parts.push(f.name);
    else if (f.address !== undefined) parts.push(`${f.name}=${hex(f.address)}`);
    else parts.push(`${f.name}=${f.raw < 10n ? f.raw.toString() : hex(f.raw)}`);
  }
  return parts.length ? parts.join(' ') : '0';
}

function customSummary(name: string, v: bigint, fields: Field[], wide256: boolean): string {
  switch (name) {
    case 'VER':
      return `VT-d ${bitsOf(v, 7, 4)}.${bitsOf(v, 3, 0)}`;
    case 'RTADDR':
      return `RTA=${hex(v & ~0xfffn)} ${['legacy', 'scalable', 'abort-DMA', 'TTM=11'][Number(bitsOf(v, 11, 10))]}`;
    case 'IRTA':
      return `IRTA=${hex(v & ~0xfffn)} S=${bitsOf(v, 3, 0)} (${1n << (bitsOf(v, 3, 0) + 1n)} entries) ${bitSet(v, 11) ? 'x2APIC' : 'xAPIC'}`;
    case 'IQA': {
      const qs = bitsOf(v, 2, 0);
      const wide = bitSet(v, 11) || wide256;
      return `IQA=${hex(v & ~0xfffn)} QS=${qs} (${1n << (qs + (wide ? 7n : 8n))} × ${wide ? 256 : 128}-bit)`;
    }
    case 'IQH':
    case 'IQT':
      return wide256
        ? `${name === 'IQH' ? 'QH' : 'QT'}=${bitsOf(v, 18, 5)} (256-bit descriptors; offset ${hex(v & 0x7ffe0n)})`
        : `${name === 'IQH' ? 'QH' : 'QT'}=${bitsOf(v, 18, 4)} (offset ${hex(v & 0x7fff0n)})`;
    default:
      return genericSummary(fields);
  }
}

/**
 * Checks of one register that need CAP/ECAP or the address width: the
 * register-set checks below, run on this register plus the context's
 * CAP/ECAP, and the host-address-width check of its base address.
 */
function registerChecks(name: string, v: bigint, ctx: DecodeContext): SpecFinding[] {
  const regs = new Map<string, bigint>([[name, v]]);
  if (ctx.cap !== undefined) regs.set('CAP', ctx.cap);
  if (ctx.ecap !== undefined) regs.set('ECAP', ctx.ecap);
  const out: SpecFinding[] = checkRegisterSet(regs)
    .filter((f) => f.field === name)
    .map((f) => ({ ...f, field: undefined }));
  const base = ({ RTADDR: 'RTA', IRTA: 'IRTA', IQA: 'IQA' } as Record<string, string>)[name];
  const beyond = base ? checkAddressWidth(v, base, 63, hostAddressWidth(ctx)) : undefined;
  if (beyond) out.push({ ...beyond, severity: 'warning' });
  return out;
}

/**
 * Decodes one register by name (case-insensitive). Registers without a bit
 * layout decode as one VALUE field; an unknown name does too, with an
 * 'unknown-register' info finding. Never throws.
 */
export function decodeRegister(name: string, value: bigint, ctx: DecodeContext = {}): Structure {
  const key = name.trim().toUpperCase();
  if (key === 'CAP') return decodeCap(value, ctx);
  if (key === 'ECAP') return decodeEcap(value, ctx);
  const info = registerByName(key);
  const width = info?.width ?? 64;
  const full = value & MASK64;
  const raw = width === 32 ? full & MASK32 : full;
  // MTRR*, VCCAP and unknown names: one VALUE field.
  const specs = LAYOUTS[key] ?? [field('VALUE', width - 1, 0, 'Value')];
  const decoded = decodeFields(specs, raw, ctx);
  // A set reserved bit in a register is odd (hardware reads them as 0) but records no fault.
  const findings: SpecFinding[] = decoded.findings.map((f) => ({ ...f, severity: 'warning', message: `${key}: ${f.message}` }));
  if (!info && !LAYOUTS[key]) {
    findings.push({ severity: 'info', code: 'unknown-register', message: `${name} is not a VT-d register this decoder knows; shown as a plain value` });
  }
  if (width === 32 && full !== raw) {
    findings.push({
      severity: 'info',
      code: 'upper-half-ignored',
      message: `${key} is a 32-bit register; bits 63:32 (${hex(full >> 32n)}) belong to the register 4 bytes further on (64-bit read)`,
    });
  }
  findings.push(...registerChecks(key, raw, ctx));
  // QEMU before 9.1 reads IQA back without DW (commit "intel_iommu: Fix IQA.DW read-back", 9.1): the
  // width must come from elsewhere, and the head and tail are 256-bit indexes then.
  const wide256 = ctx.queue256From !== undefined && (key === 'IQA' || key === 'IQH' || key === 'IQT');
  if (wide256 && key === 'IQA' && !bitSet(raw, 11)) {
    findings.push({
      severity: 'info',
      code: 'iqa-dw-lost',
      field: 'DW',
      message: `IQA.DW reads 0, but ${ctx.queue256From} shows 256-bit descriptors: QEMU before 9.1 does not return DW when IQA is read, so IQA, IQH and IQT are read as 256-bit`,
    });
  }
  return {
    type: `reg-${key.toLowerCase()}`,
    title: info ? `${info.title} (${key})` : key,
    width,
    raw,
    fields: decoded.fields,
    findings,
    summary: customSummary(key, raw, decoded.fields, wide256),
  };
}

// ---- one unit's registers together -------------------------------------------

function finding(severity: SpecFinding['severity'], code: string, field: string, message: string): SpecFinding {
  return { severity, code, field, message };
}

/** Queue depth in descriptors of an IQA value. */
function queueEntries(iqa: bigint): bigint {
  return 1n << (bitsOf(iqa, 2, 0) + (bitSet(iqa, 11) ? 7n : 8n));
}

function checkQueue(get: (n: string) => bigint | undefined, gsts: bigint | undefined, out: SpecFinding[]): void {
  const iqa = get('IQA');
  const qies = gsts !== undefined && bitSet(gsts, 26);
  if (qies && iqa !== undefined && (iqa & ~0xfffn) === 0n) {
    out.push(finding('error', 'qi-without-queue', 'IQA', 'GSTS.QIES is set but the invalidation queue base (IQA) is 0'));
  }
  if (iqa === undefined) return;
  const entries = queueEntries(iqa);
  const wide = bitSet(iqa, 11);
  for (const name of ['IQH', 'IQT']) {
    const v = get(name);
    if (v === undefined) continue;
    const index = wide ? bitsOf(v, 18, 5) : bitsOf(v, 18, 4);
    if (index >= entries) {
      out.push(finding('error', 'queue-index-beyond-size', name, `${name} points at descriptor ${index}, beyond the ${entries}-entry queue of IQA.QS=${bitsOf(iqa, 2, 0)}`));
    }
    if (wide && bitSet(v, 4)) {
      out.push(finding('error', 'queue-index-misaligned', name, `${name} bit 4 is set while IQA.DW selects 256-bit descriptors (QEMU raises IQE for this tail)`));
    }
  }
  const iqh = get('IQH');
  const iqt = get('IQT');
  if (qies && iqh !== undefined && iqt !== undefined && iqh !== iqt) {
    out.push(finding('info', 'queue-not-drained', 'IQH', `IQH (${hex(iqh)}) differs from IQT (${hex(iqt)}): descriptors were still pending when the registers were read`));
  }
}

function checkFaultState(get: (n: string) => bigint | undefined, out: SpecFinding[]): void {
  const fsts = get('FSTS');
  if (fsts !== undefined) {
    const flags: [number, SpecFinding['severity'], string, string][] = [
      [1, 'warning', 'fault-pending', 'FSTS.PPF: a fault record holds a fault software has not cleared'],
      [0, 'warning', 'fault-overflow', 'FSTS.PFO: faults were lost because every fault record was full'],
      [4, 'warning', 'invalidation-queue-error', 'FSTS.IQE: the invalidation queue stopped on a bad descriptor (IQER tells why)'],
      [5, 'warning', 'invalidation-completion-error', 'FSTS.ICE: a device-TLB invalidation completed with an error'],
      [6, 'warning', 'invalidation-timeout', 'FSTS.ITE: a device-TLB invalidation timed out'],
      [2, 'info', 'advanced-fault-overflow', 'FSTS.AFO: the advanced fault log overflowed'],
      [3, 'info', 'advanced-fault-pending', 'FSTS.APF: the advanced fault log holds faults'],
    ];
    for (const [bit, severity, code, message] of flags) if (bitSet(fsts, bit)) out.push(finding(severity, code, 'FSTS', message));
  }
  const fectl = get('FECTL');
  if (fectl !== undefined && bitSet(fectl, 31)) {
    out.push(finding('warning', 'fault-interrupt-masked', 'FECTL', 'FECTL.IM: fault event interrupts are masked, so the driver is not told about new faults'));
  }
  if (fectl !== undefined && bitSet(fectl, 30)) {
    out.push(finding('info', 'fault-interrupt-pending', 'FECTL', 'FECTL.IP: a fault event interrupt is pending'));
  }
  const feaddr = get('FEADDR');
  if (fectl !== undefined && !bitSet(fectl, 31) && feaddr !== undefined && feaddr !== 0n && (feaddr & 0xfff00000n) !== 0xfee00000n) {
    out.push(finding('warning', 'fault-msi-address', 'FEADDR', `FEADDR ${hex(feaddr)} is not an MSI address (0xFEExxxxx): fault interrupts go nowhere useful`));
  }
}

/** Fault records or IOTLB registers placed where iommu_regset prints MTRR rows (0x100-0x21f). */
function checkOverlaps(regs: ReadonlyMap<string, bigint>, cap: bigint | undefined, ecap: bigint | undefined, out: SpecFinding[]): void {
  const mtrrRows = [...regs.keys()].filter((n) => n.startsWith('MTRR'));
  if (mtrrRows.length === 0) return;
  const hits = (start: number, end: number) => mtrrRows.filter((n) => {
    const off = registerByName(n)?.offset;
    return off !== undefined && off >= start && off < end;
  });
  if (cap !== undefined) {
    const c = capInfo(cap);
    const rows = hits(c.froOffset, c.froOffset + 16 * c.nfr);
    if (rows.length) out.push(finding('info', 'fault-records-in-mtrr-rows', 'CAP', `CAP.FRO puts the ${c.nfr} fault record(s) at ${hex(c.froOffset)}: rows ${rows.join(', ')} show fault records, not MTRRs`));
  }
  if (ecap !== undefined) {
    const iro = ecapInfo(ecap).iroOffset;
    const rows = hits(iro, iro + 16);
    if (rows.length) out.push(finding('info', 'iotlb-registers-in-mtrr-rows', 'ECAP', `ECAP.IRO puts IVA/IOTLB at ${hex(iro)}: rows ${rows.join(', ')} show them, not MTRRs`));
  }
}

/**
 * Consistency of one unit's registers (names as iommu_regset prints them).
 * Each finding names the register it is about in `field`.
 */
export function checkRegisterSet(regs: ReadonlyMap<string, bigint>): SpecFinding[] {
  const out: SpecFinding[] = [];
  const get = (n: string) => regs.get(n);
  const gsts = get('GSTS');
  const cap = get('CAP');
  const ecap = get('ECAP');
  const capI = cap !== undefined ? capInfo(cap) : undefined;
  const ecapI = ecap !== undefined ? ecapInfo(ecap) : undefined;
  const rtaddr = get('RTADDR');
  const irta = get('IRTA');
  const iqa = get('IQA');
  if (gsts !== undefined) {
    const tes = bitSet(gsts, 31);
    const ires = bitSet(gsts, 25);
    if (tes && !bitSet(gsts, 30)) out.push(finding('error', 'tes-without-rtps', 'GSTS', 'GSTS.TES is set but RTPS is not: translation runs without a latched root table'));
    if (ires && !bitSet(gsts, 24)) out.push(finding('error', 'ires-without-irtps', 'GSTS', 'GSTS.IRES is set but IRTPS is not: remapping runs without a latched IRT pointer'));
    if (tes && capI && capI.supportedAws.length === 0) out.push(finding('error', 'tes-without-sagaw', 'CAP', 'GSTS.TES is set but CAP.SAGAW lists no table depth'));
    if (bitSet(gsts, 26) && ecapI && !ecapI.qi) out.push(finding('error', 'qies-without-qi', 'GSTS', 'GSTS.QIES is set but ECAP.QI is clear'));
    if (ires && ecapI && !ecapI.ir) out.push(finding('error', 'ires-without-ir', 'GSTS', 'GSTS.IRES is set but ECAP.IR is clear'));
    if (ires && irta !== undefined && (irta & ~0xfffn) === 0n) out.push(finding('error', 'ir-without-table', 'IRTA', 'GSTS.IRES is set but the IRT base (IRTA) is 0'));
    if (tes && rtaddr !== undefined && (rtaddr & ~0xfffn) === 0n) out.push(finding('warning', 'root-table-at-zero', 'RTADDR', 'GSTS.TES is set with the root table at address 0'));
    if (bitSet(gsts, 23) && ires) {
      const x2 = irta !== undefined && bitSet(irta, 11);
      out.push(finding(x2 ? 'warning' : 'info', 'cfis-set', 'GSTS', `GSTS.CFIS: compatibility-format interrupts bypass remapping${x2 ? ' (ignored in x2APIC mode)' : ''}`));
    }
  }
  if (rtaddr !== undefined) {
    const ttm = Number(bitsOf(rtaddr, 11, 10));
    if (ttm === 1 && ecapI && !ecapI.smts) out.push(finding('error', 'ttm-scalable-unsupported', 'RTADDR', 'RTADDR.TTM = 01 (scalable mode) but ECAP.SMTS is clear'));
    if (ttm === 3) out.push(finding('warning', 'ttm-reserved', 'RTADDR', 'RTADDR.TTM = 11 is reserved'));
  }
  if (irta !== undefined && bitSet(irta, 11) && ecapI && !ecapI.eim) {
    out.push(finding('error', 'eime-without-eim', 'IRTA', 'IRTA.EIME (x2APIC mode) is set but ECAP.EIM is clear'));
  }
  if (iqa !== undefined && bitSet(iqa, 11) && ecapI && !ecapI.smts) {
    out.push(finding('error', 'iqa-dw-without-smts', 'IQA', 'IQA.DW (256-bit descriptors) is set but ECAP.SMTS is clear'));
  }
  checkQueue(get, gsts, out);
  checkFaultState(get, out);
  checkOverlaps(regs, cap, ecap, out);
  return out;
}
