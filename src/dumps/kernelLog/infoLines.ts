// Informative IOMMU lines of the boot log (drivers/iommu/intel/dmar.c,
// iommu.c, irq_remapping.c and drivers/iommu/iommu.c) turned into records:
// which unit exists, its CAP/ECAP, the IR mode, the invalidation policy,
// which device joined which group. Values stay as printed text, except the
// unit line, whose CAP/ECAP are decoded elsewhere and so are kept as bigint.

import type { Span } from '../types';
import type { DmarInfoRecord, FaultStatusRecord, UnitInfoRecord } from './types';
import { readDec, readHex, trimEndBlanks } from './scan';
import { parsePciName, requesterId } from './pciName';

/** A message after its "DMAR: " / "DMAR-IR: " / "iommu: " tag, with its line and column. */
export interface Message {
  tag: string;
  text: string;
  line: number;
  /** Column of text[0] on the line. */
  offset: number;
}

type Info = Omit<DmarInfoRecord, 'span' | 'kind'>;

function spanOf(m: Message): Span {
  return { line: m.line, start: m.offset, end: m.offset + m.text.length };
}

function info(m: Message, key: string, value: string, extra: Partial<Info> = {}): DmarInfoRecord {
  return { kind: 'dmar-info', key, value, span: spanOf(m), ...extra };
}

/** Fixed sentences and the key each becomes. */
const SENTENCES: readonly [string, string, string][] = [
  ['IOMMU enabled', 'iommu-enabled', ''],
  ['Intel(R) Virtualization Technology for Directed I/O', 'vtd-initialised', ''],
  ['IOMMU batching disallowed due to virtualization', 'batching-disallowed', ''],
  // Wording before 5.17 of the same decision (caching mode forces strict).
  ['Disable batched IOTLB flush due to virtualization', 'batching-disallowed', ''],
  ['VT-d Scalable Mode not enabled, no PASID allocation', 'scalable-mode', 'not enabled'],
  ['Queued invalidation will be enabled to support x2apic and Intr-remapping.', 'ir-queued-invalidation', ''],
];

/** "Prefix <rest>" sentences whose rest is the value. */
const PREFIXED: readonly [string, string][] = [
  ['Host address width ', 'host-address-width'],
  ['DRHD base: ', 'drhd'],
  ['RMRR base: ', 'rmrr'],
  ['ATSR flags: ', 'atsr'],
  ['SATC flags: ', 'satc'],
  ['RHSA base: ', 'rhsa'],
  ['IOAPIC id ', 'ioapic-under-drhd'],
  ['HPET id ', 'hpet-under-drhd'],
  ['Enabled IRQ remapping in ', 'ir-mode'],
  ['Default domain type: ', 'default-domain'],
  ['DMA domain TLB invalidation policy: ', 'strict-policy'],
];

/** Drops a trailing "(set via kernel command line)" style remark. */
function withoutRemark(s: string): string {
  const p = s.indexOf(' (');
  return (p >= 0 ? s.slice(0, p) : s).trim();
}

/** "dmar0: reg_base_addr fed90000 ver 1:0 cap d2008c22260286 ecap f00f4e". */
function matchUnitInfo(m: Message): UnitInfoRecord | { error: string } | undefined {
  const t = m.text;
  const colon = t.indexOf(': reg_base_addr ');
  if (colon < 0) return undefined;
  const unit = t.slice(0, colon);
  const fail = { error: `unreadable "${unit}: reg_base_addr ..." unit line` };
  const base = readHex(t, colon + 16, 16);
  if (!base || !t.startsWith(' ver ', base.end)) return fail;
  const major = readDec(t, base.end + 5);
  if (!major || t.charCodeAt(major.end) !== 58 /* : */) return fail;
  const minor = readDec(t, major.end + 1);
  if (!minor || !t.startsWith(' cap ', minor.end)) return fail;
  const cap = readHex(t, minor.end + 5, 16);
  if (!cap || !t.startsWith(' ecap ', cap.end)) return fail;
  const ecap = readHex(t, cap.end + 6, 16);
  if (!ecap || trimEndBlanks(t).length !== ecap.end) return fail;
  return {
    kind: 'unit-info',
    unit,
    regBase: base.value,
    verMajor: major.value,
    verMinor: minor.value,
    cap: cap.value,
    ecap: ecap.value,
    span: spanOf(m),
    capSpan: { line: m.line, start: m.offset + cap.start, end: m.offset + cap.end },
    ecapSpan: { line: m.line, start: m.offset + ecap.start, end: m.offset + ecap.end },
  };
}

/** "DRHD: handling fault status reg %x". */
function matchFaultStatus(m: Message): FaultStatusRecord | { error: string } | undefined {
  const head = 'DRHD: handling fault status reg ';
  if (!m.text.startsWith(head)) return undefined;
  const v = readHex(m.text, head.length, 8);
  if (!v || trimEndBlanks(m.text).length !== v.end) return { error: 'unreadable fault status value' };
  return { kind: 'fault-status', fsts: Number(v.value), span: spanOf(m) };
}

/**
 * A tagged IOMMU message (not a fault, not a dump line) as a record. Any
 * DMAR message not in the tables becomes key 'message': the kernel prints
 * many more, and none of them is an error of the log.
 */
export function matchInfoMessage(m: Message): DmarInfoRecord | UnitInfoRecord | FaultStatusRecord | { error: string } {
  const status = matchFaultStatus(m);
  if (status) return status;
  const unit = matchUnitInfo(m);
  if (unit) return unit;
  const text = trimEndBlanks(m.text);
  for (const [sentence, key, value] of SENTENCES) if (text === sentence) return info(m, key, value);
  for (const [prefix, key] of PREFIXED) {
    if (!text.startsWith(prefix)) continue;
    const rest = text.slice(prefix.length);
    if (key === 'ir-mode') return info(m, key, rest.endsWith(' mode') ? rest.slice(0, -5) : rest);
    if (key === 'strict-policy') return info(m, key, withoutRemark(rest).replace(/ mode$/, ''));
    if (key === 'default-domain') return info(m, key, withoutRemark(rest));
    // "IOAPIC id 0 under DRHD base  0xfed90000 IOMMU 0": the whole sentence says it best.
    if (key === 'ioapic-under-drhd' || key === 'hpet-under-drhd') return info(m, key, text);
    return info(m, key, rest.trim());
  }
  if (text.startsWith('No ') && text.endsWith(' found')) return info(m, 'not-found', text.slice(3, -6));
  // "dmar0: Using Queued invalidation" / "dmar0: Using Register based invalidation"
  const using = text.indexOf(': Using ');
  if (using > 0) {
    const how = text.slice(using + 8);
    if (how === 'Queued invalidation') return info(m, 'queued-invalidation', text.slice(0, using));
    if (how === 'Register based invalidation') return info(m, 'register-invalidation', text.slice(0, using));
  }
  return info(m, 'message', text);
}

/**
 * "pci 0000:00:05.0: Adding to iommu group 5" (or "Removing from"); `body`
 * is the whole message with its column.
 */
export function matchGroupLine(body: string, line: number, offset: number): DmarInfoRecord | undefined {
  let key = 'group-add';
  let k = body.indexOf(': Adding to iommu group ');
  let head = 24;
  if (k < 0) {
    k = body.indexOf(': Removing from iommu group ');
    head = 28;
    key = 'group-remove';
  }
  if (k < 0) return undefined;
  const group = readDec(body, k + head);
  if (!group) return undefined;
  // The device name is the last word before ": Adding".
  const nameStart = body.lastIndexOf(' ', k) + 1;
  const name = body.slice(nameStart, k);
  const addr = parsePciName(name);
  const text = trimEndBlanks(body);
  return {
    kind: 'dmar-info',
    key,
    value: name,
    span: { line, start: offset, end: offset + text.length },
    group: group.value,
    ...(addr ? { bdf: requesterId(addr), segment: addr.segment } : {}),
  };
}

/**
 * Page-request (PRI / SVA) messages of drivers/iommu/intel/prq.c (split from
 * svm.c in 6.13), which has no pr_fmt: "IOMMU: dmar0: PRQ overflow
 * detected", "IOMMU: dmar0: Address is not canonical", "dmar0: Invalid page
 * request: 0000000000000021 0000000001234003" and the like. Key
 * 'page-request', the message as value, and the unit.
 */
export function matchPageRequestLine(line: string, n: number, body: number): DmarInfoRecord | undefined {
  let i = body;
  if (line.startsWith('IOMMU: ', i)) i += 7;
  const colon = line.indexOf(': ', i);
  if (colon < 0 || colon - i > 16) return undefined;
  const unit = line.slice(i, colon);
  if (!/^dmar\d+$/.test(unit)) return undefined;
  const text = trimEndBlanks(line.slice(colon + 2));
  const known = text.startsWith('Invalid page request: ') || PAGE_REQUEST_MESSAGES.some((m) => text === m);
  if (!known || (i === body && !text.startsWith('Invalid page request: '))) return undefined;
  return { kind: 'dmar-info', key: 'page-request', value: text, unit, span: { line: n, start: body, end: colon + 2 + text.length } };
}

const PAGE_REQUEST_MESSAGES = [
  'Address is not canonical',
  'Page request in Privilege Mode',
  'Execution request not supported',
  'PRQ overflow detected',
  'PRQ overflow cleared',
  'Failed to allocate page request queue',
  'Failed to create IRQ vector for page request queue',
  'Failed to allocate iopf queue',
  'Failed to request IRQ for page request queue',
];

/**
 * The lines that name the machine: "DMI: <vendor> <product>, BIOS ..."
 * (key 'dmi') and the ACPI DMAR table with its OEM ids, "ACPI: DMAR
 * 0x000000003FFE2347 000098 (v01 BOCHS  BXPC ...)" (key 'acpi-dmar'), whose
 * values are the rest of the line. QEMU's firmware signs its tables BOCHS /
 * BXPC and its DMI names QEMU.
 */
export function matchMachineLine(line: string, n: number, body: number): DmarInfoRecord | undefined {
  for (const [head, key] of [
    ['DMI: ', 'dmi'],
    ['ACPI: DMAR ', 'acpi-dmar'],
  ] as const) {
    if (!line.startsWith(head, body)) continue;
    const value = trimEndBlanks(line.slice(body + head.length));
    return { kind: 'dmar-info', key, value, span: { line: n, start: body, end: body + head.length + value.length } };
  }
  return undefined;
}
