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
export { parseKernelLog, KernelLogStream, MAX_KERNEL_LINE } from './parseKernelLog';
export { splitLinePrefix, type LinePrefix, type PrefixStyle } from './linePrefix';
export { parsePciName, requesterId, type PciAddress } from './pciName';

/** Messages only the IOMMU drivers print, at the start of a message. */
const IOMMU_TAGS = ['DMAR: ', 'DMAR:[', 'DMAR-IR: ', 'INTR-REMAP', 'iommu: '];

/** How far into a file the kernel log detector looks for an IOMMU line (a boot log prints its first around line 100). */
const KERNEL_LOG_DETECT_CHARS = 1 << 20;
const KERNEL_LOG_DETECT_LINES = 8000;

/**
 * True when the file is a kernel log. Decided by the IOMMU lines inside, in
 * whatever wrapping the log was saved (dmesg, dmesg -T or -t, a kernel
 * without PRINTK_TIME, journalctl -k, syslog, a serial console with other
 * lines between): a line whose message starts with an IOMMU driver tag
 * ("DMAR: ", "DMAR-IR: ", "iommu: ", "INTR-REMAP") in the first 8000
 * lines. A "[ seconds]" stamp or a syslog "host kernel:" header on one of the
 * first 40 lines also decides, so a log without IOMMU lines is still one.
 */
export function looksLikeKernelLog(head: string, text: string = head): boolean {
  const scan = text.length > KERNEL_LOG_DETECT_CHARS ? text.slice(0, KERNEL_LOG_DETECT_CHARS) : text;
  // Where each word next occurs: found once per occurrence, not once per line.
  const next = DETECT_WORDS.map(() => -1);
  const nameless = (from: number, end: number): boolean => {
    for (let w = 0; w < DETECT_WORDS.length; w++) {
      if (next[w] < from) {
        const at = scan.indexOf(DETECT_WORDS[w], from);
        next[w] = at < 0 ? scan.length : at;
      }
      if (next[w] < end) return false;
    }
    return true;
  };
  let start = 0;
  for (let n = 0; n < KERNEL_LOG_DETECT_LINES && start < scan.length; n++) {
    let end = scan.indexOf('\n', start);
    if (end < 0) end = scan.length;
    const from = start;
    start = end + 1;
    // Most lines name no IOMMU word: skip them without cutting them out.
    const early = n < 40;
    if (!early && nameless(from, end)) continue;
    const line = scan.slice(from, Math.min(end, from + 1024));
    const p = splitLinePrefix(line);
    if (early && (p.style === 'timestamp' || p.style === 'syslog')) return true;
    if (IOMMU_TAGS.some((t) => line.startsWith(t, p.body))) return true;
  }
  return false;
}

const DETECT_WORDS = ['DMAR', 'iommu: ', 'INTR-REMAP'];
