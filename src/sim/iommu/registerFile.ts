// The VT-d register block QEMU emulates (DMAR_REG_SIZE = 0x230 bytes at
// 0xfed90000): storage as 32-bit words, with the offsets the specification
// gives. The behaviour of writes (GCMD one-shots, W1C bits, the queue tail)
// lives in vtdIommu.ts; this file only stores and names.

export const REG = {
  VER: 0x00,
  CAP: 0x08,
  ECAP: 0x10,
  GCMD: 0x18,
  GSTS: 0x1c,
  RTADDR: 0x20,
  CCMD: 0x28,
  FSTS: 0x34,
  FECTL: 0x38,
  FEDATA: 0x3c,
  FEADDR: 0x40,
  FEUADDR: 0x44,
  IQH: 0x80,
  IQT: 0x88,
  IQA: 0x90,
  ICS: 0x9c,
  IECTL: 0xa0,
  IEDATA: 0xa4,
  IEADDR: 0xa8,
  IEUADDR: 0xac,
  IRTA: 0xb8,
  IVA: 0xf0,
  IOTLB: 0xf8,
  FRCD: 0x220,
} as const;

const REG_SIZE = 0x230;

/** 64-bit registers (the others are 32-bit). */
const WIDE = new Set<number>([REG.CAP, REG.ECAP, REG.RTADDR, REG.CCMD, REG.IQH, REG.IQT, REG.IQA, REG.IRTA, REG.IVA, REG.IOTLB, REG.FRCD, REG.FRCD + 8]);

export const REGISTER_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(REG).map(([k, v]) => [v, k]));

// GCMD / GSTS bits.
export const GCMD_TE = 1 << 31;
export const GCMD_SRTP = 1 << 30;
export const GCMD_QIE = 1 << 26;
export const GCMD_IRE = 1 << 25;
export const GCMD_SIRTP = 1 << 24;
export const GCMD_CFI = 1 << 23;

// FSTS bits.
export const FSTS_PFO = 1 << 0;
export const FSTS_PPF = 1 << 1;
export const FSTS_IQE = 1 << 4;
export const FSTS_ICE = 1 << 5;
export const FSTS_ITE = 1 << 6;
// FECTL / IECTL bits.
export const CTL_IM = 1 << 31;
export const CTL_IP = 1 << 30;

export class RegisterFile {
  readonly words = new Uint32Array(REG_SIZE / 4);

  get32(offset: number): number {
    return this.words[offset >>> 2];
  }

  set32(offset: number, value: number): void {
    this.words[offset >>> 2] = value >>> 0;
  }

  hi(offset: number): number {
    return this.words[(offset >>> 2) + 1];
  }

  lo(offset: number): number {
    return this.words[offset >>> 2];
  }

  set64(offset: number, hi: number, lo: number): void {
    this.words[offset >>> 2] = lo >>> 0;
    this.words[(offset >>> 2) + 1] = hi >>> 0;
  }

  get64(offset: number): bigint {
    return (BigInt(this.hi(offset)) << 32n) | BigInt(this.lo(offset));
  }

  static isWide(offset: number): boolean {
    return WIDE.has(offset);
  }

  /** Every named register with its value (64-bit ones whole). */
  named(): { name: string; offset: number; value: bigint }[] {
    return Object.entries(REG).map(([name, offset]) => ({
      name,
      offset,
      value: WIDE.has(offset) ? this.get64(offset) : BigInt(this.get32(offset)),
    }));
  }
}
