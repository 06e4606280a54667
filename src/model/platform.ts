// Which machine recorded a capture: QEMU's emulated intel-iommu, or a real
// IOMMU. It matters for what a fault records: QEMU's model does not follow
// the VT-d specification everywhere (in scalable mode it records the legacy
// reasons 0x05 / 0x06 for second-level walks, with the PASID-present bit set),
// so a walk says what this machine records, and what the other would.
//
// Evidence of QEMU, any of which decides:
//  - a QEMU trace among the capture's files;
//  - a remapping unit at 0xfed90000 (Q35_HOST_BRIDGE_IOMMU_ADDR in QEMU's
//    hw/pci-host/q35.h) that reports VER 1.0 (QEMU's vtd_init sets 0x10);
//  - the kernel log's DMI line naming QEMU, or its ACPI DMAR table signed
//    by QEMU's firmware (OEM id BOCHS, table id BXPC).
// Evidence of hardware: a DMI line naming another vendor, or a unit that is
// not at 0xfed90000 (real units report VER 1.0 too, so VER alone says nothing).

import type { IommuUnit, ParsedFile } from './types';

export type PlatformKind = 'qemu' | 'hardware' | 'unknown';

export interface Platform {
  kind: PlatformKind;
  /** Why, in words, with the file each fact is in. */
  evidence: string[];
}

const QEMU_IOMMU_BASE = 0xfed90000n;

export function detectPlatform(files: readonly ParsedFile[], units: readonly IommuUnit[]): Platform {
  const qemu: string[] = [];
  const hardware: string[] = [];
  for (const f of files) {
    const p = f.parsed;
    if (p?.format === 'qemu_trace' && p.records.length > 0) qemu.push(`${f.name} is a QEMU trace`);
    if (p?.format !== 'dmesg') continue;
    for (const r of p.records) {
      if (r.kind !== 'dmar-info') continue;
      if (r.key === 'dmi') {
        if (/\bQEMU\b|\bBochs\b|\bKVM\b/i.test(r.value)) qemu.push(`${f.name}: DMI "${r.value.slice(0, 60)}"`);
        else hardware.push(`${f.name}: DMI "${r.value.slice(0, 60)}"`);
      } else if (r.key === 'acpi-dmar' && /\bBOCHS\b|\bBXPC\b/.test(r.value)) {
        qemu.push(`${f.name}: ACPI DMAR table of QEMU's firmware (BOCHS/BXPC)`);
      }
    }
  }
  for (const u of units) {
    const ver = u.registers.get('VER');
    if (u.baseAddress === QEMU_IOMMU_BASE && (ver === undefined || (ver & 0xffn) === 0x10n)) {
      qemu.push(`${u.name} at 0xfed90000${ver !== undefined ? ', VER 1.0' : ''} (QEMU's intel-iommu)`);
    } else if (u.baseAddress !== undefined && u.baseAddress !== QEMU_IOMMU_BASE) {
      hardware.push(`${u.name} at 0x${u.baseAddress.toString(16)} (QEMU's intel-iommu is always at 0xfed90000)`);
    }
  }
  if (qemu.length > 0) return { kind: 'qemu', evidence: qemu };
  if (hardware.length > 0) return { kind: 'hardware', evidence: hardware };
  return { kind: 'unknown', evidence: [] };
}

