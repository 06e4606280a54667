// PCI source ids (requester ids) as VT-d structures carry them: a 16-bit
// bus/device/function number. IRTEs, context-cache and device-TLB
// descriptors and fault records all name devices this way.

/** "bb:dd.f" for a 16-bit source id (bus 15:8, device 7:3, function 2:0). */
export function sidName(sid: number | bigint): string {
  const v = Number(BigInt.asUintN(16, typeof sid === 'bigint' ? sid : BigInt(Math.trunc(Number.isFinite(sid) ? sid : 0))));
  const bus = (v >> 8).toString(16).padStart(2, '0');
  const dev = ((v >> 3) & 0x1f).toString(16).padStart(2, '0');
  return `${bus}:${dev}.${v & 7}`;
}

/**
 * Which source-id bits take part in the comparison for each SQ (source-id
 * qualifier) value of an IRTE with SVT = 01: SQ 01/10/11 leave out function
 * bits 2, 2:1 and 2:0, so one IRTE can serve several functions of a device.
 * The same values appear in QEMU's vtd_irte_get().
 */
export const SQ_COMPARE_MASKS: readonly number[] = [0xffff, 0xfffb, 0xfff9, 0xfff8];

/**
 * Which devfn bits a context-cache FM (function mask) leaves out: FM 01 bit 2,
 * 10 bits 2:1, 11 bits 2:0 (QEMU applies {0, 4, 6, 7} to devfn).
 */
export const FM_IGNORED_BITS: readonly number[] = [0, 4, 6, 7];
