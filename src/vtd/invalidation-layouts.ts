// Bit layouts of the queued-invalidation descriptors, by descriptor type.
// Positions are in the descriptor as one wide value: qw0 = bits 63:0,
// qw1 = bits 127:64 (so a qw1 field at bits 63:12 is listed as 127:76).
// The type is split over qw0 bits 3:0 and 11:9 (type bits 6:4).
// Reserved ranges match QEMU's VTD_INV_DESC_*_RSVD masks where QEMU has
// them; QEMU stops the queue (IQE) when any of them is set.

import { FieldSpec, field, reserved } from './layout';
import { hex } from './u64';
import { sidName } from './source-id';

const TYPE_LO = field('TYPE[3:0]', 3, 0, 'Descriptor type bits 3:0');
const TYPE_HI = field('TYPE[6:4]', 11, 9, 'Descriptor type bits 6:4');

const describeSid = (v: bigint): string => `${sidName(v)} (${hex(v, 4)})`;
const describePasid = (v: bigint): string => `${v} (${hex(v)})`;

const DID = field('DID', 31, 16, 'Domain Identifier', { describe: (v) => `${v}` });
/** qw1 63:12, shown as the page address it stands for. */
const ADDR = field('ADDR', 127, 76, 'Address', { describe: (v) => hex(v << 12n) });
const AM = field('AM', 69, 64, 'Address Mask (2^AM pages)', { describe: (v) => `${v} (${1n << v} page${v === 0n ? '' : 's'})` });
const IH = field('IH', 70, 70, 'Invalidation Hint (leaf entries only)');
const PFSID_LO = field('PFSID[3:0]', 15, 12, 'Physical Function Source-ID bits 3:0 (with ECAP.DIT)');
const PFSID_HI = field('PFSID[15:4]', 63, 52, 'Physical Function Source-ID bits 15:4 (with ECAP.DIT)');
const PASID = field('PASID', 51, 32, 'Process Address Space ID', { describe: describePasid });

/** Granularity values of each descriptor type that has a 2-bit G field. */
export const CC_GRANULARITY: Record<number, string> = { 1: 'global', 2: 'domain', 3: 'device' };
export const IOTLB_GRANULARITY: Record<number, string> = { 1: 'global', 2: 'domain', 3: 'page' };
export const PASID_IOTLB_GRANULARITY: Record<number, string> = { 2: 'pasid', 3: 'page' };
export const PASID_CACHE_GRANULARITY: Record<number, string> = { 0: 'domain', 1: 'pasid', 3: 'global' };

const FM_VALUES: Record<number, string> = {
  0: 'no mask: compare all SID bits',
  1: 'ignore SID bit 2',
  2: 'ignore SID bits 2:1',
  3: 'ignore SID bits 2:0',
};

/** Type 1. */
const CONTEXT_CACHE_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('G', 5, 4, 'Granularity', { values: { 1: 'global', 2: 'domain-selective', 3: 'device-selective' } }),
  reserved(8, 6),
  TYPE_HI,
  reserved(15, 12),
  DID,
  field('SID', 47, 32, 'Source Identifier', { describe: describeSid }),
  field('FM', 49, 48, 'Function Mask', { values: FM_VALUES }),
  reserved(63, 50),
  reserved(127, 64),
];

/** Type 2. */
const IOTLB_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('G', 5, 4, 'Granularity', { values: { 1: 'global', 2: 'domain-selective', 3: 'page-selective within domain' } }),
  field('DW', 6, 6, 'Drain Writes'),
  field('DR', 7, 7, 'Drain Reads'),
  reserved(8, 8),
  TYPE_HI,
  reserved(15, 12),
  DID,
  reserved(63, 32),
  AM,
  IH,
  reserved(75, 71),
  ADDR,
];

/** Type 3 (PCIe ATS invalidation sent to the device). */
const DEVICE_TLB_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  reserved(8, 4),
  TYPE_HI,
  PFSID_LO,
  field('MIP', 20, 16, 'Max Invalidations Pending (the device ATS queue depth; 0 = 32)'),
  reserved(31, 21),
  field('SID', 47, 32, 'Source Identifier', { describe: describeSid }),
  reserved(51, 48),
  PFSID_HI,
  field('S', 64, 64, 'Size (range encoded in ADDR trailing ones)', { values: { 0: 'one 4 KiB page', 1: 'range from ADDR trailing ones' } }),
  reserved(75, 65),
  ADDR,
];

/** Type 4 (interrupt entry cache). */
const IEC_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('G', 4, 4, 'Granularity', { values: { 0: 'global', 1: 'index-selective' } }),
  reserved(8, 5),
  TYPE_HI,
  reserved(26, 12),
  field('IM', 31, 27, 'Index Mask (2^IM entries)', { describe: (v) => `${v} (${1n << v} entr${v === 0n ? 'y' : 'ies'})` }),
  field('IIDX', 47, 32, 'Interrupt Index', { describe: (v) => `${v} (${hex(v)})` }),
  reserved(63, 48),
  reserved(127, 64),
];

/** Type 5. */
const WAIT_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('IF', 4, 4, 'Interrupt Flag (raise the invalidation completion event)'),
  field('SW', 5, 5, 'Status Write'),
  field('FN', 6, 6, 'Fence (later descriptors wait for this one)'),
  field('PD', 7, 7, 'Page-request Drain'),
  reserved(8, 8),
  TYPE_HI,
  reserved(31, 12),
  field('STATDATA', 63, 32, 'Status Data', { describe: (v) => hex(v) }),
  reserved(65, 64),
  field('STATADDR', 127, 66, 'Status Address (dword aligned)', { describe: (v) => hex(v << 2n) }),
];

/** Type 6. Bits 15:12 are reserved here as in the other DID-carrying types; QEMU's mask (0xfff00000000001c0) does not check them. */
const PASID_IOTLB_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('G', 5, 4, 'Granularity', { values: { 2: 'non-global mappings of the PASID', 3: 'page-selective within PASID' } }),
  reserved(8, 6),
  TYPE_HI,
  reserved(15, 12),
  DID,
  PASID,
  reserved(63, 52),
  AM,
  IH,
  reserved(75, 71),
  ADDR,
];

/** Type 7. */
const PASID_CACHE_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('G', 5, 4, 'Granularity', { values: { 0: 'domain-selective (all PASIDs of DID)', 1: 'PASID-selective', 3: 'global' } }),
  reserved(8, 6),
  TYPE_HI,
  reserved(15, 12),
  DID,
  PASID,
  reserved(63, 52),
  reserved(127, 64),
];

/** Type 8. Note S is qw1 bit 11 here, not bit 0 as in type 3. */
const PASID_DEVICE_TLB_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('MIP', 8, 4, 'Max Invalidations Pending (the device ATS queue depth; 0 = 32)'),
  TYPE_HI,
  PFSID_LO,
  field('SID', 31, 16, 'Source Identifier', { describe: describeSid }),
  PASID,
  PFSID_HI,
  field('G', 64, 64, 'Global (all PASIDs of the device)'),
  reserved(74, 65),
  field('S', 75, 75, 'Size (range encoded in ADDR trailing ones)', { values: { 0: 'one 4 KiB page', 1: 'range from ADDR trailing ones' } }),
  ADDR,
];

/** Type 9. LPIG (qw1 bit 2) is reserved since VT-d 4.0; Linux stopped writing it in 2025. */
const PAGE_GROUP_RESPONSE_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  field('PP', 4, 4, 'PASID Present'),
  field('PDP', 5, 5, 'Private Data Present'),
  reserved(8, 6),
  TYPE_HI,
  field('RC', 15, 12, 'Response Code', { values: { 0: 'success', 1: 'invalid request', 15: 'response failure' } }),
  field('RID', 31, 16, 'Requester ID', { describe: describeSid }),
  PASID,
  reserved(63, 52),
  reserved(65, 64),
  field('LPIG', 66, 66, 'Last Page In Group (reserved since VT-d 4.0)'),
  field('PRGI', 75, 67, 'Page Request Group Index', { describe: (v) => `${v}` }),
  reserved(127, 76),
];

/** What is known of a descriptor of an unknown type: its type bits and the raw qwords. */
export const UNKNOWN_FIELDS: readonly FieldSpec[] = [
  TYPE_LO,
  TYPE_HI,
  field('QW0', 63, 0, 'Quadword 0', { describe: (v) => hex(v, 16) }),
  field('QW1', 127, 64, 'Quadword 1', { describe: (v) => hex(v, 16) }),
];

/** qw2 and qw3 of a 256-bit descriptor: reserved for every type but 9. */
export const UPPER_RESERVED_FIELDS: readonly FieldSpec[] = [reserved(191, 128), reserved(255, 192)];

/** qw2 and qw3 of a 256-bit page group response: private data echoed to the device. */
export const UPPER_PRIVATE_DATA_FIELDS: readonly FieldSpec[] = [
  field('PRIVATE_DATA', 255, 128, 'Private data (with PDP)', { describe: (v) => hex(v) }),
];

/** Field layout of each known descriptor type. */
export const INV_DESC_LAYOUTS: Readonly<Record<number, readonly FieldSpec[]>> = {
  1: CONTEXT_CACHE_FIELDS,
  2: IOTLB_FIELDS,
  3: DEVICE_TLB_FIELDS,
  4: IEC_FIELDS,
  5: WAIT_FIELDS,
  6: PASID_IOTLB_FIELDS,
  7: PASID_CACHE_FIELDS,
  8: PASID_DEVICE_TLB_FIELDS,
  9: PAGE_GROUP_RESPONSE_FIELDS,
};
