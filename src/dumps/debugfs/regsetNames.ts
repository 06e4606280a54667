// The registers iommu_regset prints, with the offset and width the kernel
// headers give them. Used to check each row's offset against its name and to
// know which rows are 32-bit registers (masked in pre-5.7 dumps).

export interface RegsetRegister {
  offset: number;
  /** Architectural width in bits. */
  width: 32 | 64;
}

const table: [string, number, 32 | 64][] = [
  ['VER', 0x00, 32],
  ['CAP', 0x08, 64],
  ['ECAP', 0x10, 64],
  ['GCMD', 0x18, 32],
  ['GSTS', 0x1c, 32],
  ['RTADDR', 0x20, 64],
  ['CCMD', 0x28, 64],
  ['FSTS', 0x34, 32],
  ['FECTL', 0x38, 32],
  ['FEDATA', 0x3c, 32],
  ['FEADDR', 0x40, 32],
  ['FEUADDR', 0x44, 32],
  ['AFLOG', 0x58, 64],
  ['PMEN', 0x64, 32],
  ['PLMBASE', 0x68, 32],
  ['PLMLIMIT', 0x6c, 32],
  ['PHMBASE', 0x70, 64],
  ['PHMLIMIT', 0x78, 64],
  ['IQH', 0x80, 64],
  ['IQT', 0x88, 64],
  ['IQA', 0x90, 64],
  ['ICS', 0x9c, 32],
  ['IRTA', 0xb8, 64],
  ['PQH', 0xc0, 64],
  ['PQT', 0xc8, 64],
  ['PQA', 0xd0, 64],
  ['PRS', 0xdc, 32],
  ['PECTL', 0xe0, 32],
  ['PEDATA', 0xe4, 32],
  ['PEADDR', 0xe8, 32],
  ['PEUADDR', 0xec, 32],
  ['MTRRCAP', 0x100, 64],
  ['MTRRDEF', 0x108, 64],
  ['MTRR_FIX64K_00000', 0x120, 64],
  ['MTRR_FIX16K_80000', 0x128, 64],
  ['MTRR_FIX16K_A0000', 0x130, 64],
  ['MTRR_FIX4K_C0000', 0x138, 64],
  ['MTRR_FIX4K_C8000', 0x140, 64],
  ['MTRR_FIX4K_D0000', 0x148, 64],
  ['MTRR_FIX4K_D8000', 0x150, 64],
  ['MTRR_FIX4K_E0000', 0x158, 64],
  ['MTRR_FIX4K_E8000', 0x160, 64],
  ['MTRR_FIX4K_F0000', 0x168, 64],
  ['MTRR_FIX4K_F8000', 0x170, 64],
  ['VCCAP', 0xe30, 64],
  ['VCMD', 0xe00, 64],
  ['VCRSP', 0xe10, 64],
];
// MTRR_PHYSBASE0/PHYSMASK0 .. 9 at 0x180 + 16 * n (+ 8 for the mask).
for (let n = 0; n < 10; n++) {
  table.push([`MTRR_PHYSBASE${n}`, 0x180 + 16 * n, 64]);
  table.push([`MTRR_PHYSMASK${n}`, 0x188 + 16 * n, 64]);
}

/** Every register name iommu_regset has printed in some kernel version. */
export const REGSET_REGISTERS: ReadonlyMap<string, RegsetRegister> = new Map(
  table.map(([name, offset, width]) => [name, { offset, width }]),
);
