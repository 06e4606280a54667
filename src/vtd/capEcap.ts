// CAP (0x08) and ECAP (0x10): what a remapping unit supports. Bit positions
// as Linux's cap_*() / ecap_*() macros read them (drivers/iommu/intel/iommu.h).
// Other decoders ask these registers questions through the helpers at the
// bottom (address width, SAGAW, number of domain ids, large pages ...).

import { DecodeContext, FieldSpec, SpecFinding, Structure, decodeFields, field, reserved } from './layout';
import { bitSet, bitsOf, hex, MASK64 } from './u64';

export interface CapInfo {
  nd: number;
  domains: number;
  afl: boolean;
  rwbf: boolean;
  plmr: boolean;
  phmr: boolean;
  cm: boolean;
  sagaw: number;
  /** AW field values allowed, e.g. [1] for SAGAW bit 9. */
  supportedAws: number[];
  /** In bits: field + 1. */
  mgaw: number;
  zlr: boolean;
  /** Bytes. */
  froOffset: number;
  /** Count = field + 1. */
  nfr: number;
  sllps2M: boolean;
  sllps1G: boolean;
  psi: boolean;
  mamv: number;
  dwd: boolean;
  drd: boolean;
  fl1gp: boolean;
  pi: boolean;
  fl5lp: boolean;
  ecmds: boolean;
  esirtps: boolean;
  esrtps: boolean;
}

export interface EcapInfo {
  c: boolean;
  qi: boolean;
  dt: boolean;
  ir: boolean;
  eim: boolean;
  pt: boolean;
  sc: boolean;
  /** Bytes. */
  iroOffset: number;
  mhmv: number;
  mts: boolean;
  nest: boolean;
  prs: boolean;
  ers: boolean;
  srs: boolean;
  nwfs: boolean;
  eafs: boolean;
  pss: number;
  pasid: boolean;
  dit: boolean;
  pds: boolean;
  smts: boolean;
  vcs: boolean;
  slads: boolean;
  slts: boolean;
  flts: boolean;
  smpwcs: boolean;
  rps: boolean;
  pms: boolean;
}

/** Address width in bits of each AW / SAGAW-bit value (AW 4 is a reserved 64-bit encoding). */
const AW_WIDTHS = [30, 39, 48, 57, 64];

function num(v: bigint, msb: number, lsb: number): number {
  return Number(bitsOf(v, msb, lsb));
}

/** Number of domain ids an ND value gives: 2^(4 + 2·ND). */
function domainsOfNd(nd: number): number {
  return 2 ** (4 + 2 * nd);
}

export function capInfo(cap: bigint): CapInfo {
  cap &= MASK64;
  const nd = num(cap, 2, 0);
  const sagaw = num(cap, 12, 8);
  const supportedAws: number[] = [];
  for (let aw = 0; aw < 5; aw++) if ((sagaw >> aw) & 1) supportedAws.push(aw);
  return {
    nd,
    domains: domainsOfNd(nd),
    afl: bitSet(cap, 3),
    rwbf: bitSet(cap, 4),
    plmr: bitSet(cap, 5),
    phmr: bitSet(cap, 6),
    cm: bitSet(cap, 7),
    sagaw,
    supportedAws,
    mgaw: num(cap, 21, 16) + 1,
    zlr: bitSet(cap, 22),
    froOffset: num(cap, 33, 24) * 16,
    nfr: num(cap, 47, 40) + 1,
    sllps2M: bitSet(cap, 34),
    sllps1G: bitSet(cap, 35),
    psi: bitSet(cap, 39),
    mamv: num(cap, 53, 48),
    dwd: bitSet(cap, 54),
    drd: bitSet(cap, 55),
    fl1gp: bitSet(cap, 56),
    pi: bitSet(cap, 59),
    fl5lp: bitSet(cap, 60),
    ecmds: bitSet(cap, 61),
    esirtps: bitSet(cap, 62),
    esrtps: bitSet(cap, 63),
  };
}

export function ecapInfo(ecap: bigint): EcapInfo {
  ecap &= MASK64;
  return {
    c: bitSet(ecap, 0),
    qi: bitSet(ecap, 1),
    dt: bitSet(ecap, 2),
    ir: bitSet(ecap, 3),
    eim: bitSet(ecap, 4),
    pt: bitSet(ecap, 6),
    sc: bitSet(ecap, 7),
    iroOffset: num(ecap, 17, 8) * 16,
    mhmv: num(ecap, 23, 20),
    mts: bitSet(ecap, 25),
    nest: bitSet(ecap, 26),
    prs: bitSet(ecap, 29),
    ers: bitSet(ecap, 30),
    srs: bitSet(ecap, 31),
    nwfs: bitSet(ecap, 33),
    eafs: bitSet(ecap, 34),
    pss: num(ecap, 39, 35),
    pasid: bitSet(ecap, 40),
    dit: bitSet(ecap, 41),
    pds: bitSet(ecap, 42),
    smts: bitSet(ecap, 43),
    vcs: bitSet(ecap, 44),
    slads: bitSet(ecap, 45),
    slts: bitSet(ecap, 46),
    flts: bitSet(ecap, 47),
    smpwcs: bitSet(ecap, 48),
    rps: bitSet(ecap, 49),
    pms: bitSet(ecap, 51),
  };
}

// ---- questions other decoders ask -------------------------------------------

/**
 * Host address width for reserved-bit checks of addresses: ctx.haw, else the
 * unit's MGAW (QEMU reports aw-bits as MGAW and checks against the same
 * value), else 52. Clamped to 12..64 so odd input cannot build odd masks.
 */
export function hostAddressWidth(ctx: DecodeContext = {}): number {
  let haw = ctx.haw;
  if (haw === undefined && ctx.cap !== undefined) haw = capInfo(ctx.cap).mgaw;
  if (haw === undefined || !Number.isFinite(haw)) haw = 52;
  return Math.min(64, Math.max(12, Math.trunc(haw)));
}

/** True when CAP.SAGAW has the bit of this AW value. */
export function sagawAllows(cap: bigint, aw: number): boolean {
  return aw >= 0 && aw <= 4 && bitSet(cap, 8 + aw);
}

/** "39,48" — the address widths a SAGAW value stands for. */
export function sagawWidths(sagaw: number): string {
  const widths = AW_WIDTHS.filter((_, aw) => (sagaw >> aw) & 1);
  return widths.length ? widths.join(',') : 'none';
}

/** Whether CAP.SLLPS lets a second-level entry at this level be a large page. */
export function sllpsAllows(cap: bigint, level: number): boolean {
  // SLLPS bit 0 (CAP bit 34) = 2 MiB (level 2), bit 1 = 1 GiB (level 3), ...
  return level >= 2 && level <= 5 && bitSet(cap, 34 + level - 2);
}

// ---- layouts ----------------------------------------------------------------

const flagText = (on: string, off = 'not supported') => (v: bigint) => (v === 1n ? on : off);

const CAP_FIELDS: FieldSpec[] = [
  field('ND', 2, 0, 'Number of Domains Supported', { describe: (v) => `${domainsOfNd(Number(v))} domain ids (ND=${v})` }),
  field('AFL', 3, 3, 'Advanced Fault Logging', { describe: flagText('supported') }),
  field('RWBF', 4, 4, 'Required Write-Buffer Flushing', { describe: flagText('software must flush the write buffer', 'not required') }),
  field('PLMR', 5, 5, 'Protected Low-Memory Region', { describe: flagText('supported') }),
  field('PHMR', 6, 6, 'Protected High-Memory Region', { describe: flagText('supported') }),
  field('CM', 7, 7, 'Caching Mode', {
    describe: flagText('not-present and faulting entries may be cached: software invalidates after every map (typical of a virtual IOMMU)', 'clear'),
  }),
  field('SAGAW', 12, 8, 'Supported Adjusted Guest Address Widths', { describe: (v) => `${sagawWidths(Number(v))}-bit (${hex(v)})` }),
  reserved(15, 13),
  field('MGAW', 21, 16, 'Maximum Guest Address Width', { describe: (v) => `${v + 1n} bits` }),
  field('ZLR', 22, 22, 'Zero Length Read', { describe: flagText('supported') }),
  field('ISOCH', 23, 23, 'Isochrony (deprecated)', { describe: (v) => (v ? 'set (deprecated)' : 'clear') }),
  field('FRO', 33, 24, 'Fault-recording Register Offset', { describe: (v) => `records at ${hex(v * 16n)} (FRO=${hex(v)})` }),
  field('SLLPS', 37, 34, 'Second Level Large Page Support', { describe: (v) => describeSllps(Number(v)) }),
  reserved(38, 38),
  field('PSI', 39, 39, 'Page Selective Invalidation', { describe: flagText('supported') }),
  field('NFR', 47, 40, 'Number of Fault-recording Registers', { describe: (v) => `${v + 1n} record(s)` }),
  field('MAMV', 53, 48, 'Maximum Address Mask Value', { describe: (v) => `${v} (page-selective invalidation of up to 2^${v} pages)` }),
  field('DWD', 54, 54, 'Write Draining', { describe: flagText('supported') }),
  field('DRD', 55, 55, 'Read Draining', { describe: flagText('supported') }),
  field('FL1GP', 56, 56, 'First Level 1-GByte Page Support', { describe: flagText('supported') }),
  reserved(58, 57),
  field('PI', 59, 59, 'Posted Interrupts Support', { describe: flagText('supported') }),
  field('FL5LP', 60, 60, 'First Level 5-level Paging Support', { describe: flagText('supported') }),
  field('ECMDS', 61, 61, 'Enhanced Command Support', { describe: flagText('supported') }),
  field('ESIRTPS', 62, 62, 'Enhanced Set Interrupt Remap Table Pointer Support', {
    describe: flagText('SIRTP also invalidates the interrupt entry cache'),
  }),
  field('ESRTPS', 63, 63, 'Enhanced Set Root Table Pointer Support', { describe: flagText('SRTP also invalidates caches') }),
];

function describeSllps(v: number): string {
  const sizes = ['2M', '1G', '512G', '256T'].filter((_, i) => (v >> i) & 1);
  return sizes.length ? `large pages: ${sizes.join(', ')}` : 'no large pages (4 KiB only)';
}

const ECAP_FIELDS: FieldSpec[] = [
  field('C', 0, 0, 'Page-walk Coherency', { describe: flagText('hardware snoops page-table reads', 'page-table writes must be flushed from CPU caches') }),
  field('QI', 1, 1, 'Queued Invalidation support', { describe: flagText('supported') }),
  field('DT', 2, 2, 'Device-TLB support', { describe: flagText('supported (ATS; context TT=01 allowed)') }),
  field('IR', 3, 3, 'Interrupt Remapping support', { describe: flagText('supported') }),
  field('EIM', 4, 4, 'Extended Interrupt Mode', { describe: flagText('x2APIC (32-bit destination ids) supported', 'xAPIC only') }),
  reserved(5, 5),
  field('PT', 6, 6, 'Pass Through', { describe: flagText('supported (context TT=10 allowed)') }),
  field('SC', 7, 7, 'Snoop Control', { describe: flagText('SNP bit honoured in leaf entries') }),
  field('IRO', 17, 8, 'IOTLB Register Offset', { describe: (v) => `IVA at ${hex(v * 16n)}, IOTLB at ${hex(v * 16n + 8n)} (IRO=${hex(v)})` }),
  reserved(19, 18),
  field('MHMV', 23, 20, 'Maximum Handle Mask Value', { describe: (v) => `${v} (interrupt entry cache invalidation of up to 2^${v} entries)` }),
  field('ECS', 24, 24, 'Extended Context Support (deprecated)', { describe: (v) => (v ? 'set (deprecated)' : 'clear') }),
  field('MTS', 25, 25, 'Memory Type Support', { describe: flagText('supported') }),
  field('NEST', 26, 26, 'Nested Translation Support', { describe: flagText('supported') }),
  field('DIS', 27, 27, 'Deferred Invalidate Support (deprecated)', { describe: (v) => (v ? 'set (deprecated)' : 'clear') }),
  field('DEP_28', 28, 28, 'Deprecated (Linux reads it as a broken-PASID marker)', { describe: (v) => (v ? 'set' : 'clear') }),
  field('PRS', 29, 29, 'Page Request Support', { describe: flagText('supported') }),
  field('ERS', 30, 30, 'Execute Request Support', { describe: flagText('supported') }),
  field('SRS', 31, 31, 'Supervisor Request Support', { describe: flagText('supported') }),
  reserved(32, 32),
  field('NWFS', 33, 33, 'No Write Flag Support', { describe: flagText('supported') }),
  field('EAFS', 34, 34, 'Extended Accessed Flag Support', { describe: flagText('supported') }),
  field('PSS', 39, 35, 'PASID Size Supported', { describe: (v) => `${v + 1n}-bit PASIDs` }),
  field('PASID', 40, 40, 'Process Address Space ID Support', { describe: flagText('supported') }),
  field('DIT', 41, 41, 'Device-TLB Invalidation Throttle', { describe: flagText('supported (PFSID in device-TLB invalidations)') }),
  field('PDS', 42, 42, 'Page-request Drain Support', { describe: flagText('supported') }),
  field('SMTS', 43, 43, 'Scalable Mode Translation Support', { describe: flagText('supported (RTADDR.TTM=01 allowed)') }),
  field('VCS', 44, 44, 'Virtual Command Support', { describe: flagText('supported') }),
  field('SLADS', 45, 45, 'Second-Level Accessed/Dirty Support', { describe: flagText('supported') }),
  field('SLTS', 46, 46, 'Second-Level Translation Support', { describe: flagText('supported (PGTT=010 allowed)') }),
  field('FLTS', 47, 47, 'First-Level Translation Support', { describe: flagText('supported (PGTT=001 allowed)') }),
  field('SMPWCS', 48, 48, 'Scalable-Mode Page-walk Coherency Support', { describe: flagText('supported') }),
  field('RPS', 49, 49, 'RID-PASID Support', { describe: flagText('supported (RID_PASID may be non-zero)') }),
  reserved(50, 50),
  field('PMS', 51, 51, 'Performance Monitoring Support', { describe: flagText('supported') }),
  reserved(63, 52),
];

/**
 * Newer specification revisions keep defining CAP/ECAP bits this decoder
 * calls reserved, so a set bit there is information, not an error.
 */
function softenReserved(findings: SpecFinding[], reg: string): SpecFinding[] {
  return findings.map((f) =>
    f.code === 'reserved-bits'
      ? { ...f, severity: 'info', code: 'undefined-bits', message: `${reg}: ${f.message}; a newer specification revision may define them` }
      : f,
  );
}

export function capSummary(i: CapInfo): string {
  const parts = [`ND=${i.domains}`, `SAGAW=${sagawWidths(i.sagaw)}`, `MGAW=${i.mgaw}`];
  const flags: [boolean, string][] = [
    [i.afl, 'AFL'],
    [i.rwbf, 'RWBF'],
    [i.plmr, 'PLMR'],
    [i.phmr, 'PHMR'],
    [i.cm, 'CM'],
    [i.zlr, 'ZLR'],
    [i.psi, 'PSI'],
  ];
  for (const [on, name] of flags) if (on) parts.push(name);
  const large = [i.sllps2M ? '2M' : '', i.sllps1G ? '1G' : ''].filter(Boolean);
  if (large.length) parts.push(`SLLPS=${large.join(',')}`);
  parts.push(`NFR=${i.nfr}`, `FRO=${hex(i.froOffset)}`, `MAMV=${i.mamv}`);
  const more: [boolean, string][] = [
    [i.dwd, 'DWD'],
    [i.drd, 'DRD'],
    [i.fl1gp, 'FL1GP'],
    [i.pi, 'PI'],
    [i.fl5lp, 'FL5LP'],
    [i.ecmds, 'ECMDS'],
    [i.esirtps, 'ESIRTPS'],
    [i.esrtps, 'ESRTPS'],
  ];
  for (const [on, name] of more) if (on) parts.push(name);
  return parts.join(' ');
}

export function ecapSummary(i: EcapInfo): string {
  const flags: [boolean, string][] = [
    [i.c, 'C'],
    [i.qi, 'QI'],
    [i.dt, 'DT'],
    [i.ir, 'IR'],
    [i.eim, 'EIM'],
    [i.pt, 'PT'],
    [i.sc, 'SC'],
    [i.mts, 'MTS'],
    [i.nest, 'NEST'],
    [i.prs, 'PRS'],
    [i.ers, 'ERS'],
    [i.srs, 'SRS'],
    [i.nwfs, 'NWFS'],
    [i.eafs, 'EAFS'],
    [i.pasid, 'PASID'],
    [i.dit, 'DIT'],
    [i.pds, 'PDS'],
    [i.smts, 'SMTS'],
    [i.vcs, 'VCS'],
    [i.slads, 'SLADS'],
    [i.slts, 'SLTS'],
    [i.flts, 'FLTS'],
    [i.smpwcs, 'SMPWCS'],
    [i.rps, 'RPS'],
    [i.pms, 'PMS'],
  ];
  const parts = flags.filter(([on]) => on).map(([, name]) => name);
  parts.push(`IRO=${hex(i.iroOffset)}`);
  if (i.ir) parts.push(`MHMV=${i.mhmv}`);
  if (i.pasid) parts.push(`PSS=${i.pss + 1}`);
  return parts.join(' ');
}

export function decodeCap(value: bigint, ctx: DecodeContext = {}): Structure {
  const raw = value & MASK64;
  const { fields, findings } = decodeFields(CAP_FIELDS, raw, ctx);
  const info = capInfo(raw);
  const out = softenReserved(findings, 'CAP');
  if (info.supportedAws.length === 0) {
    out.push({ severity: 'info', code: 'sagaw-empty', message: 'CAP.SAGAW is 0: no second-level table depth is supported (DMA translation off, as QEMU dma-translation=off reports)', field: 'SAGAW' });
  }
  if (info.nd > 6) {
    out.push({ severity: 'warning', code: 'nd-reserved', message: `CAP.ND=${info.nd} is a reserved encoding (at most 6 = 65536 domains)`, field: 'ND' });
  }
  return { type: 'reg-cap', title: 'Capability Register (CAP)', width: 64, raw, fields, findings: out, summary: capSummary(info) };
}

export function decodeEcap(value: bigint, ctx: DecodeContext = {}): Structure {
  const raw = value & MASK64;
  const { fields, findings } = decodeFields(ECAP_FIELDS, raw, ctx);
  const info = ecapInfo(raw);
  const out = softenReserved(findings, 'ECAP');
  if (info.eim && !info.ir) {
    out.push({ severity: 'warning', code: 'eim-without-ir', message: 'ECAP.EIM is set without ECAP.IR: extended interrupt mode only means something with interrupt remapping', field: 'EIM' });
  }
  return { type: 'reg-ecap', title: 'Extended Capability Register (ECAP)', width: 64, raw, fields, findings: out, summary: ecapSummary(info) };
}
