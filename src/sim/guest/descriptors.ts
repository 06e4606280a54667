// Invalidation descriptors built the way Linux builds them (qi_flush_context,
// qi_flush_iotlb, qi_flush_dev_iotlb, qi_flush_iec / qi_global_iec and the
// wait descriptor of qi_submit_sync), as four 32-bit words: qw0 lo, qw0 hi,
// qw1 lo, qw1 hi. They decode with src/vtd/invalidation.ts like any dump.

export type Descriptor = [number, number, number, number];

/** Context-cache invalidation: granularity 1 global, 2 domain, 3 device (with SID and FM). */
export function ccDescriptor(granularity: number, did = 0, sid = 0, fm = 0): Descriptor {
  return [(1 | ((granularity & 3) << 4) | ((did & 0xffff) << 16)) >>> 0, ((sid & 0xffff) | ((fm & 3) << 16)) >>> 0, 0, 0];
}

/**
 * IOTLB invalidation: granularity 1 global, 2 domain (DSI), 3 page-selective
 * (PSI: 2^am pages at addr). DR and DW are set, as Linux does when CAP.DRD /
 * CAP.DWD are (QEMU has both).
 */
export function iotlbDescriptor(granularity: number, did = 0, addrHi = 0, addrLo = 0, am = 0, ih = false): Descriptor {
  const qw0 = (2 | ((granularity & 3) << 4) | (1 << 6) | (1 << 7) | ((did & 0xffff) << 16)) >>> 0;
  if (granularity !== 3) return [qw0, 0, 0, 0];
  return [qw0, 0, ((addrLo & ~0xfff) | (ih ? 0x40 : 0) | (am & 0x3f)) >>> 0, addrHi >>> 0];
}

/**
 * PASID-based IOTLB invalidation (qi_flush_piotlb, for first-stage domains):
 * granularity 2 all of the PASID's entries in the domain, 3 page-selective
 * (2^am pages at addr).
 */
export function piotlbDescriptor(granularity: number, did: number, pasid: number, addrHi = 0, addrLo = 0, am = 0): Descriptor {
  const qw0lo = (6 | ((granularity & 3) << 4) | ((did & 0xffff) << 16)) >>> 0;
  const qw0hi = pasid & 0xfffff;
  if (granularity !== 3) return [qw0lo, qw0hi, 0, 0];
  return [qw0lo, qw0hi, ((addrLo & ~0xfff) | (am & 0x3f)) >>> 0, addrHi >>> 0];
}

/**
 * Device-TLB invalidation of 2^mask pages at addr for a requester, as
 * qi_flush_dev_iotlb: mask > 0 sets S and fills ADDR's low bits with ones
 * (the PCIe size encoding); QDEP >= 32 is written as 0.
 */
export function deviceTlbDescriptor(sid: number, addrHi: number, addrLo: number, mask: number, qdep = 0): Descriptor {
  let lo = (addrLo & ~0xfff) >>> 0;
  let hi = addrHi >>> 0;
  let s = 0;
  if (mask > 0) {
    s = 1;
    // addr |= (1 << (12 + mask - 1)) - 1, then ADDR keeps bits 63:12.
    const bits = 12 + mask - 1;
    if (bits >= 32) {
      lo = 0xffffffff;
      hi = (hi | (bits >= 64 ? 0xffffffff : (2 ** (bits - 32) - 1))) >>> 0;
    } else {
      lo = (lo | ((1 << bits) - 1)) >>> 0;
    }
    lo = (lo & ~0xfff) >>> 0;
    // Bit 63 stays clear (ADDR all ones up to bit 62 means "everything").
    hi = (hi & 0x7fffffff) >>> 0;
  }
  const q = qdep >= 32 ? 0 : qdep & 0x1f;
  return [(3 | (q << 16)) >>> 0, sid & 0xffff, (lo | s) >>> 0, hi];
}

/** Interrupt entry cache invalidation: global, or 2^mask entries from `index`. */
export function iecDescriptor(global: boolean, index = 0, mask = 0): Descriptor {
  if (global) return [4, 0, 0, 0];
  return [(4 | 0x10 | ((mask & 0x1f) << 27)) >>> 0, index & 0xffff, 0, 0];
}

/** Wait descriptor with status write (QI_DONE = 2 by default) and optionally IF. */
export function waitDescriptor(statusHi: number, statusLo: number, data = 2, interrupt = false): Descriptor {
  return [(5 | 0x20 | (interrupt ? 0x10 : 0)) >>> 0, data >>> 0, (statusLo & ~3) >>> 0, statusHi >>> 0];
}

/** The descriptor as qwords (for src/vtd's decoders). */
export function descriptorQwords(d: Descriptor): bigint[] {
  return [(BigInt(d[1]) << 32n) | BigInt(d[0]), (BigInt(d[3]) << 32n) | BigInt(d[2])];
}
