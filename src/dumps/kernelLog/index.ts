// The kernel log (dmesg / journal / syslog) format: IOMMU faults with their
// table-walk dumps, unit and boot information, and everything else as 'other'.

import { splitLinePrefix } from './linePrefix';

export type {
  KernelLogRecord,
  FaultDumpLine,
  DmarFaultRecord,
  IrFaultRecord,
  FaultStatusRecord,
  FaultDumpRecord,
  UnitInfoRecord,
  DmarInfoRecord,
  OtherRecord,
  FaultEra,
} from './types';
export { FAULT_ERAS, recordLine, recordSpan } from './types';
export { parseKernelLog, MAX_KERNEL_LINE } from './parseKernelLog';
export { splitLinePrefix, type LinePrefix, type PrefixStyle } from './linePrefix';
export { parsePciName, requesterId, type PciAddress } from './pciName';

/** Messages only the IOMMU drivers print, at the start of a message. */
const IOMMU_TAGS = ['DMAR: ', 'DMAR:[', 'DMAR-IR: ', 'INTR-REMAP', 'iommu: '];

/**
 * True when the first lines look like a kernel log: a "[ seconds]" stamp or a
 * syslog "host kernel:" header on some line, or a line starting with an IOMMU
 * driver tag. Looks at no more than the first 40 lines of `head`.
 */
export function looksLikeKernelLog(head: string): boolean {
  let start = 0;
  for (let n = 0; n < 40 && start < head.length; n++) {
    let end = head.indexOf('\n', start);
    if (end < 0) end = head.length;
    const line = head.slice(start, Math.min(end, start + 1024));
    start = end + 1;
    const p = splitLinePrefix(line);
    if (p.style === 'timestamp' || p.style === 'syslog') return true;
    if (IOMMU_TAGS.some((t) => line.startsWith(t, p.body))) return true;
  }
  return false;
}
