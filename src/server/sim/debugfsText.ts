// A simulated guest's IOMMU as Linux's intel-iommu debugfs would print it:
// iommu_regset from the emulated registers, dmar_translation_struct and
// domain_translation_struct (the v5.18–v6.6 layout) from the tables in guest
// memory, ir_translation_struct from the interrupt remapping table. The
// capture views read these files exactly as they read a real capture, so a
// simulated table and a dumped one look the same.

import type { CaptureFile } from '../../model/types';
import type { World } from '../../sim/world';
import { REG } from '../../sim/iommu/registerFile';
import { bitsOf } from '../../vtd/u64';
import { contextRows, irteRows, leafRows, rootTableOf, type ContextRow } from './guestTables';

/** The unit's name and register base, as QEMU's intel-iommu shows to Linux. */
const SIM_UNIT = 'dmar0';
const REGISTER_BASE = 'fed90000';
/** Leaves printed per device (a static 4 KiB mapping can have millions). */
const MAX_LEAVES_PER_DEVICE = 65536;

/** The registers iommu_regset prints that the emulated unit has, in the kernel's order. */
const REGSET: readonly (keyof typeof REG)[] = ['VER', 'GCMD', 'GSTS', 'FSTS', 'FECTL', 'FEDATA', 'FEADDR', 'FEUADDR', 'ICS', 'CAP', 'ECAP', 'RTADDR', 'CCMD', 'IQH', 'IQT', 'IQA', 'IRTA'];

const h16 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
const x2 = (n: number) => n.toString(16).padStart(2, '0');
const bdfText = (bus: number, devfn: number) => `${x2(bus)}:${x2(devfn >> 3)}.${devfn & 7}`;

interface SimDebugfs {
  files: CaptureFile[];
  /** What the files leave out (leaves past the limit). */
  notes: string[];
}

function regsetText(w: World): string {
  const regs = w.iommu!.regs;
  const lines = [`IOMMU: ${SIM_UNIT} Register Base Address: ${REGISTER_BASE}`, 'Name\t\t\tOffset\t\tContents'];
  const wide = new Set<string>(['CAP', 'ECAP', 'RTADDR', 'CCMD', 'IQH', 'IQT', 'IQA', 'IRTA']);
  for (const name of REGSET) {
    const offset = REG[name];
    const value = wide.has(name) ? regs.get64(offset) : BigInt(regs.get32(offset));
    lines.push(`${name.padEnd(16)}\t0x${x2(offset)}\t\t${h16(value)}`);
  }
  return lines.join('\n') + '\n';
}

function dmarText(rtaddr: bigint, rows: readonly ContextRow[]): string {
  const lines = [`IOMMU ${SIM_UNIT}: Root Table Address: 0x${rootTableOf(rtaddr).address.toString(16)}`, 'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry'];
  for (const r of rows) {
    const head = `${bdfText(r.bus, r.devfn)}\t${h16(r.rootHi)}:${h16(r.rootLo)}\t${h16(r.ctxHi)}:${h16(r.ctxLo)}\t`;
    if (!rootTableOf(rtaddr).scalable) {
      lines.push(`${head}${'-1'.padEnd(6)}\t${h16(0n)}:${h16(0n)}:${h16(0n)}`);
      continue;
    }
    for (const p of r.pasids) lines.push(`${head}${String(p.pasid).padEnd(6)}\t${h16(p.qwords[2])}:${h16(p.qwords[1])}:${h16(p.qwords[0])}`);
  }
  return lines.join('\n') + '\n';
}

function domainText(w: World, rows: readonly ContextRow[], notes: string[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    if (!r.table) continue;
    lines.push(`Device 0000:${bdfText(r.bus, r.devfn)} @0x${r.table.pgd.toString(16)}`, 'IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE');
    const leaves = leafRows(w.mem, r.table.pgd, r.table.levels, MAX_LEAVES_PER_DEVICE);
    for (const leaf of leaves.rows) {
      const cols = [5, 4, 3, 2, 1].map((level) => h16(leaf.entries.get(level) ?? 0n));
      lines.push(`0x${(leaf.iova >> 12n).toString(16).padStart(13, '0')} |\t${cols.join('\t')}`);
    }
    if (leaves.truncated) notes.push(`${bdfText(r.bus, r.devfn)}: only the first ${MAX_LEAVES_PER_DEVICE} leaves of its page table are shown.`);
    lines.push('');
  }
  return lines.join('\n');
}

function irText(w: World, irta: bigint, irEnabled: boolean): string {
  const lines = [`Remapped Interrupt supported on IOMMU: ${SIM_UNIT}`];
  if (!irEnabled && (irta & ~0xfffn) === 0n) return [...lines, 'Interrupt Remapping is not enabled', ''].join('\n');
  lines.push(` IR table address:${(irta & ~0xfffn).toString(16)}`, ' Entry SrcID   DstID    Vct IRTE_high\t\tIRTE_low');
  for (const e of irteRows(w.mem, irta)) {
    const sid = Number(bitsOf(e.hi, 15, 0));
    const dst = Number(bitsOf(e.lo, 63, 32));
    const vector = Number(bitsOf(e.lo, 23, 16));
    const bdf = bdfText(sid >> 8, sid & 0xff);
    lines.push(` ${String(e.index).padEnd(5)} ${bdf} ${dst.toString(16).padStart(8, '0')} ${x2(vector)}  ${e.hi.toString(16).padStart(16, '0')}\t${e.lo.toString(16).padStart(16, '0')}`);
  }
  return lines.join('\n') + '\n';
}

/** The debugfs files of the simulated unit; none without an IOMMU (or before QEMU would start). */
export function simDebugfs(w: World): SimDebugfs {
  const iommu = w.iommu;
  const notes: string[] = [];
  if (!iommu || w.refusal) return { files: [], notes };
  const files: CaptureFile[] = [{ name: 'iommu_regset', text: regsetText(w) }];
  const rtaddr = iommu.regs.get64(REG.RTADDR);
  if ((rtaddr & ~0xfffn) !== 0n) {
    const rows = contextRows(w.mem, rtaddr);
    files.push({ name: 'dmar_translation_struct', text: dmarText(rtaddr, rows) });
    files.push({ name: 'domain_translation_struct', text: domainText(w, rows, notes) });
  }
  if (w.scenario.platform.intremap) files.push({ name: 'ir_translation_struct', text: irText(w, iommu.regs.get64(REG.IRTA), iommu.irEnabled) });
  return { files, notes };
}
