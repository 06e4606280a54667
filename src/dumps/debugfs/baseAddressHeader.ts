// The unit header iommu_regset and dmar_perf_latency share,
//   "IOMMU: %s Register Base Address: %llx",
// read in place from the file text when it has single spaces (as the kernel
// prints it). Any other shape is left to the parsers' string code.

import { LineScanner, isBlankCode } from '../fastScan';

const HEAD = 'IOMMU: ';
const MID = ' Register Base Address: ';

/** Where the unit name and the base address lie on the last header scan() accepted. */
export class BaseAddressHeader {
  nameStart = 0;
  nameEnd = 0;
  baseStart = 0;
  baseEnd = 0;

  /** True when the scanner's line is such a header; the base address is then in `sc.hex`. */
  scan(sc: LineScanner): boolean {
    const from = sc.start;
    if (!sc.startsWithAt(from, HEAD)) return false;
    const ns = from + HEAD.length;
    let ne = ns;
    while (ne < sc.end && !isBlankCode(sc.text.charCodeAt(ne))) ne++;
    const bs = ne + MID.length;
    if (ne === ns || bs >= sc.end || !sc.startsWithAt(ne, MID)) return false;
    const digits = sc.has0x(bs) ? bs + 2 : bs;
    const be = sc.hexDigits(digits);
    // At most 66 characters, as hexValue() of debugfs/scan.ts accepts.
    if (be <= digits || be - bs > 66 || !sc.restIsBlank(be)) return false;
    this.nameStart = ns;
    this.nameEnd = ne;
    this.baseStart = bs;
    this.baseEnd = be;
    return true;
  }
}
