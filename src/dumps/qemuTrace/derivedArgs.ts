// Arguments worked out from the printed ones, for events whose raw values
// need a second look.

import type { ArgValue } from './template';

/**
 * vtd_iotlb_page_hit / vtd_iotlb_page_update print the address of the access
 * that was translated, not the page: `iova` stays as printed, `iovaPage` is
 * its 4 KiB page and `pageOffset` its low 12 bits. The project API also calls
 * those low bits `perm`; in the real capture they take values such as 0xa44
 * and 0x620 (byte offsets of the accesses), so the permission of the entry is
 * better read from the low bits of `slpte`.
 */
function iotlbPage(args: Record<string, ArgValue>): void {
  const iova = args.iova;
  if (typeof iova !== 'bigint') return;
  args.iovaPage = iova & ~0xfffn;
  args.pageOffset = Number(iova & 0xfffn);
  args.perm = Number(iova & 0xfffn);
}

/** The arguments iotlbPage adds, in the order it adds them. */
const IOTLB_PAGE_ARGS = ['iovaPage', 'pageOffset', 'perm'];

const DERIVE: Record<string, (args: Record<string, ArgValue>) => void> = {
  vtd_iotlb_page_hit: iotlbPage,
  vtd_iotlb_page_update: iotlbPage,
};

/** The names of the arguments DERIVE adds to each event, in the order it adds them. */
const DERIVED_NAMES: Record<string, readonly string[]> = {
  vtd_iotlb_page_hit: IOTLB_PAGE_ARGS,
  vtd_iotlb_page_update: IOTLB_PAGE_ARGS,
};

/** Adds the derived arguments of an event, in place. */
export function addDerivedArgs(name: string, args: Record<string, ArgValue>): void {
  derivedArgsOf(name)?.(args);
}

/** The function that adds an event's derived arguments, if it has any (looked up once per event). */
export function derivedArgsOf(name: string): ((args: Record<string, ArgValue>) => void) | undefined {
  return Object.prototype.hasOwnProperty.call(DERIVE, name) ? DERIVE[name] : undefined;
}

/** The names of the arguments addDerivedArgs adds to an event, in the order it adds them. */
export function derivedArgNames(name: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(DERIVED_NAMES, name) ? DERIVED_NAMES[name] : [];
}
