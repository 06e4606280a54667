// CAP and ECAP as QEMU computes them (vtd_cap_init() in hw/i386/intel_iommu.c):
// one fault-recording register at 0x220, ND=6, MAMV=18, PSI, 2 MiB and 1 GiB
// second-level pages, MGAW = aw-bits, SAGAW from aw-bits when dma-translation
// is on, CM with caching-mode; ECAP QI|IRO always, IR|MHMV with intremap, EIM,
// DT with device-iotlb, PT, SMTS|SRS|SLTS with x-scalable-mode, SC.

import type { PlatformOptions } from '../platform';
import { eimEnabled } from '../platform';

const FRCD_OFFSET = 0x220;
const IOTLB_REG_OFFSET = 0xf0;
export const MAMV = 18;
export const MHMV = 15;

export function capOf(p: PlatformOptions): bigint {
  let cap =
    (BigInt(FRCD_OFFSET >> 4) << 24n) | // FRO
    6n | // ND: 65536 domain ids
    (BigInt(MAMV) << 48n) |
    (1n << 39n) | // PSI
    (3n << 34n) | // SLLPS: 2 MiB and 1 GiB
    (BigInt(p.awBits - 1) << 16n); // MGAW
  cap |= (1n << 55n) | (1n << 54n); // DRD | DWD (dma-drain, default on)
  if (p.dmaTranslation) {
    if (p.awBits >= 39) cap |= 1n << 9n;
    if (p.awBits >= 48) cap |= 1n << 10n;
    if (p.awBits >= 57) cap |= 1n << 11n; // the simulator's 5-level extension
  }
  if (p.cachingMode) cap |= 1n << 7n;
  return cap;
}

export function ecapOf(p: PlatformOptions): bigint {
  let ecap = (1n << 1n) | (BigInt(IOTLB_REG_OFFSET >> 4) << 8n); // QI | IRO
  if (p.intremap) ecap |= (1n << 3n) | (BigInt(MHMV) << 20n);
  if (eimEnabled(p)) ecap |= 1n << 4n;
  if (p.deviceIotlb) ecap |= 1n << 2n;
  if (p.pt) ecap |= 1n << 6n;
  if (p.snoopControl) ecap |= 1n << 7n;
  // x-flts: SMTS and FSTS (bit 47) only; else scalable mode offers SMTS, SRS and SLTS (vtd_cap_init).
  if (p.scalableMode && p.xFlts) ecap |= (1n << 43n) | (1n << 47n);
  else if (p.scalableMode) ecap |= (1n << 43n) | (1n << 31n) | (1n << 46n);
  return ecap;
}
