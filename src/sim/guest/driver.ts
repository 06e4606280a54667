// The guest's intel-iommu driver, reduced to what it does to the IOMMU:
// bring-up (queued invalidation, interrupt remapping with CFI cleared, root
// table, translation enable), attaching devices (a domain id, a page table,
// context_set_* and, under caching mode, the device-selective context flush
// and the domain IOTLB flush of domain_context_mapping_one), map/unmap with
// strict or lazy flushing (caching mode forces strict, Linux >= 5.11), and
// interrupt setup (IRTE allocation, prepare_irte/modify_irte + IEC flush,
// the remappable MSI programmed into the device).

import { encodeCompatMsi, encodeRemappableMsi } from '../../vtd/msi';
import { K } from '../events/kinds';
import type { Recorder } from '../events/recorder';
import { hiOf, loOf } from '../halves';
import type { GuestMemory } from '../memory';
import { MAMV } from '../iommu/capabilities';
import { GCMD_CFI, GCMD_IRE, GCMD_QIE, GCMD_SIRTP, GCMD_SRTP, GCMD_TE, REG } from '../iommu/registerFile';
import type { VtdIommu } from '../iommu/vtdIommu';
import type { PlatformOptions } from '../platform';
import { eimEnabled } from '../platform';
import type { DeviceSpec, GuestSpec } from '../scenario/types';
import { ContextTables, TT_DEVICE_TLB, TT_PASS_THROUGH, TT_TRANSLATE } from './contextTables';
import { ccDescriptor, deviceTlbDescriptor, iecDescriptor, iotlbDescriptor, piotlbDescriptor, type Descriptor } from './descriptors';
import { FlushQueue } from './flushQueue';
import { IovaAllocator } from './iovaAllocator';
import { IrqRemapTable } from './irqRemapTable';
import { frameHi, frameLo, PageAllocator } from './pageAllocator';
import { PageTableWriter } from './pageTableWriter';
import { QueuedInvalidation } from './qiSubmit';

export interface MsiMessage {
  addrHi: number;
  addrLo: number;
  data: number;
  /** IRTE index, or -1 for a compatibility-format message. */
  irte: number;
  vector: number;
}

/** What the driver keeps per device. */
export interface GuestDevice {
  spec: DeviceSpec;
  did: number;
  passThrough: boolean;
  ats: boolean;
  tables?: PageTableWriter;
  iova: IovaAllocator;
  msi: MsiMessage[];
}

/** The first guest vector handed to device interrupts. */
const FIRST_VECTOR = 0x22;

export class GuestDriver {
  readonly ctx: ContextTables;
  readonly qi: QueuedInvalidation;
  readonly irt?: IrqRemapTable;
  readonly fq: FlushQueue;
  readonly strict: boolean;
  /** Linux 6.12's qi_batch: the IOTLB and device-TLB descriptors of one flush go in one submission. */
  readonly batched: boolean;
  /** DMA domains use first-stage tables: the IOMMU offers only the first stage (QEMU's x-flts). */
  readonly firstStage: boolean;
  readonly devices = new Map<number, GuestDevice>();
  private gcmd = 0;
  private nextDid = 2;
  private nextVector = FIRST_VECTOR;

  constructor(
    private readonly mem: GuestMemory,
    private readonly pages: PageAllocator,
    private readonly iommu: VtdIommu,
    private readonly rec: Recorder,
    private readonly platform: PlatformOptions,
    guest: GuestSpec,
  ) {
    this.ctx = new ContextTables(mem, pages, platform.scalableMode);
    this.qi = new QueuedInvalidation(mem, pages, iommu, rec);
    if (platform.intremap) this.irt = new IrqRemapTable(mem, pages);
    this.fq = new FlushQueue(guest.flushQueueSize, guest.flushQueueTimeoutMs * 1e6);
    // Linux >= 5.11 (29b32839725f): no flush queue when the IOMMU reports caching mode.
    this.firstStage = platform.scalableMode && platform.xFlts;
    // Linux >= 5.11 (29b32839725f), 6.x per domain: caching mode forces strict for second-stage domains only.
    this.strict = guest.invalidation === 'strict' || (platform.cachingMode && !this.firstStage);
    this.batched = guest.linux !== '6.1';
  }

  get cachingMode(): boolean {
    return this.platform.cachingMode;
  }

  private command(bit: number, persistent: boolean): void {
    if (persistent) this.gcmd = (this.gcmd | bit) >>> 0;
    this.iommu.write32(REG.GCMD, (this.gcmd | bit) >>> 0);
  }

  /** Boot: QI, then interrupt remapping (intel_enable_irq_remapping), then DMA remapping (init_dmars). */
  init(dmaRemapping: boolean): void {
    const iommu = this.iommu;
    iommu.write64(REG.IQT, 0, 0);
    iommu.writeReg64(REG.IQA, this.qi.iqa);
    this.command(GCMD_QIE, true);
    if (this.irt) {
      const eim = eimEnabled(this.platform);
      iommu.writeReg64(REG.IRTA, this.irt.base | (eim ? 0x800n : 0n) | 0xfn);
      this.command(GCMD_SIRTP, false);
      this.qi.submit([iecDescriptor(true)]);
      this.gcmd &= ~GCMD_CFI; // Linux disables compatibility-format interrupts
      this.command(GCMD_IRE, true);
    }
    iommu.write32(REG.FEDATA, 0x21);
    iommu.write32(REG.FEADDR, 0xfee01004);
    iommu.write32(REG.FECTL, 0);
    if (!dmaRemapping) return;
    const root = BigInt(this.ctx.rootPfn) * 4096n;
    iommu.writeReg64(REG.RTADDR, this.platform.scalableMode ? root | 0x400n : root);
    this.command(GCMD_SRTP, false);
    this.qi.submit([ccDescriptor(1)]);
    this.qi.submit([iotlbDescriptor(1)]);
    this.command(GCMD_TE, true);
  }

  /** Puts a device in its own domain (or the identity domain with iommu=pt). */
  attach(spec: DeviceSpec, passThrough: boolean): GuestDevice {
    const ats = spec.ats && this.platform.deviceIotlb;
    const dev: GuestDevice = { spec, did: passThrough ? 1 : this.nextDid++, passThrough, ats, iova: new IovaAllocator(), msi: [] };
    const aw = this.platform.awBits >= 48 ? 2 : 1;
    const levels = aw + 2;
    let tt = TT_PASS_THROUGH;
    if (!passThrough) {
      dev.tables = this.firstStage ? new PageTableWriter(this.mem, this.pages, 4, false, true) : new PageTableWriter(this.mem, this.pages, levels, false);
      tt = ats ? TT_DEVICE_TLB : TT_TRANSLATE;
    }
    const setting = { did: dev.did, aw, tt, rootHi: dev.tables?.rootHi ?? 0, rootLo: dev.tables?.rootLo ?? 0 };
    const at = this.platform.scalableMode ? this.ctx.setScalable(spec.sid, { ...setting, dte: ats, firstStage: this.firstStage && !passThrough }) : this.ctx.setLegacy(spec.sid, setting);
    this.rec.emit(K.contextWrite, spec.sid, hiOf(at), loOf(at), 0, 0, dev.did, tt);
    if (this.cachingMode) {
      this.qi.submit([ccDescriptor(3, 0, spec.sid, 0)]);
      this.qi.submit([iotlbDescriptor(2, dev.did)]);
    }
    this.devices.set(spec.sid, dev);
    return dev;
  }

  /** The PSI (or DSI when the range is too large) covering `pages` pages from `pfn`; PASID-based (RID_PASID 0) for a first-stage domain. */
  private iotlbFlushFor(did: number, pfn: number, pages: number): Descriptor {
    let am = 0;
    while (1 << am < pages) am++;
    if (am > MAMV) return this.domainFlush(did);
    const base = pfn - (pfn % (1 << am));
    return this.firstStage ? piotlbDescriptor(3, did, 0, frameHi(base), frameLo(base), am) : iotlbDescriptor(3, did, frameHi(base), frameLo(base), am);
  }

  /** A domain's whole IOTLB flush: domain-selective, or PASID-selective for a first-stage domain. */
  private domainFlush(did: number): Descriptor {
    return this.firstStage ? piotlbDescriptor(2, did, 0) : iotlbDescriptor(2, did);
  }

  /** Maps `pages` pages of 2^shift bytes at IOVA frame `iovaPfn`; caching mode flushes the new range (map=1). */
  mapRange(dev: GuestDevice, iovaPfn: number, gpaPfn: number, pages: number, shift: number, read: boolean, write: boolean): void {
    const t = dev.tables;
    if (!t) return;
    const step = 2 ** (shift - 12);
    for (let i = 0; i < pages; i++) {
      const ip = iovaPfn + i * step;
      const gp = gpaPfn + i * step;
      t.map(frameHi(ip), frameLo(ip), frameHi(gp), frameLo(gp), shift, read, write);
    }
    this.rec.emit(K.guestMap, dev.spec.sid, frameHi(iovaPfn), frameLo(iovaPfn), frameHi(gpaPfn), frameLo(gpaPfn), pages * step, (read ? 1 : 0) | (write ? 2 : 0));
    // Caching mode: a new mapping is flushed too, but only in a second-stage domain (a first-stage one
    // relies on the IOMMU not caching non-present entries of the first stage).
    if (this.cachingMode && !this.firstStage) this.qi.submit([this.iotlbFlushFor(dev.did, iovaPfn, pages * step)]);
  }

  /** dma_map_single of a buffer: a fresh IOVA, its PTEs, and the caching-mode flush. Returns the IOVA frame. */
  mapBuffer(dev: GuestDevice, gpaPfn: number, pages: number, deviceWrites: boolean): number {
    const pfn = dev.iova.alloc(pages);
    // DMA_TO_DEVICE gives the device read access only.
    this.mapRange(dev, pfn, gpaPfn, pages, 12, true, deviceWrites);
    return pfn;
  }

  /** dma_unmap_single: PTEs cleared, then the strict flush (PSI, device-TLB) or the flush queue. */
  unmapBuffer(dev: GuestDevice, pfn: number, pages: number, now: number): void {
    const t = dev.tables;
    if (!t) return;
    for (let i = 0; i < pages; i++) t.unmap(frameHi(pfn + i), frameLo(pfn + i), 12);
    this.rec.emit(K.guestUnmap, dev.spec.sid, frameHi(pfn), frameLo(pfn), 0, 0, pages, 0);
    if (this.strict) {
      const flush = [this.iotlbFlushFor(dev.did, pfn, pages)];
      if (dev.ats) {
        let mask = 0;
        while (1 << mask < pages) mask++;
        flush.push(deviceTlbDescriptor(dev.spec.sid, frameHi(pfn), frameLo(pfn), mask));
      }
      if (this.batched) this.qi.submit(flush);
      else for (const d of flush) this.qi.submit([d]);
      dev.iova.free(pfn, pages);
      return;
    }
    this.rec.emit(K.fqQueue, dev.spec.sid, frameHi(pfn), frameLo(pfn), 0, 0, this.fq.entries.length + 1, pages);
    if (this.fq.push({ pfn, pages }, now)) this.flushQueue(dev, false);
  }

  /** The flush-queue flush: a domain IOTLB flush (and, without caching mode, a whole device-TLB flush), then the IOVAs are freed. */
  flushQueue(dev: GuestDevice, byTimer: boolean): void {
    const n = this.fq.entries.length;
    const flush = [this.domainFlush(dev.did)];
    if (dev.ats && !this.cachingMode) flush.push(deviceTlbDescriptor(dev.spec.sid, 0, 0, 52));
    if (this.batched) this.qi.submit(flush);
    else for (const d of flush) this.qi.submit([d]);
    for (const e of this.fq.drain(byTimer)) dev.iova.free(e.pfn, e.pages);
    this.rec.emit(K.fqFlush, dev.spec.sid, 0, 0, 0, 0, n, byTimer ? 1 : 0);
  }

  /** The destination of device interrupts: CPU 0 (flat logical bit 0 in xAPIC mode, APIC id 0 in x2APIC mode). */
  private destination(): { destination: number; logical: boolean; x2apic: boolean } {
    const x2apic = eimEnabled(this.platform) && this.iommu.eime;
    return x2apic ? { destination: 0, logical: false, x2apic } : { destination: 1, logical: true, x2apic };
  }

  /** Allocates IRTEs (when remapping is on and the driver uses it) and composes each vector's message. */
  setupInterrupts(dev: GuestDevice): MsiMessage[] {
    const d = this.destination();
    const remap = this.irt !== undefined && this.iommu.irEnabled && dev.spec.msiFormat === 'remappable';
    const base = remap ? (this.irt as IrqRemapTable).alloc(dev.spec.vectors) : -1;
    for (let v = 0; v < dev.spec.vectors; v++) {
      const vector = this.nextVector++;
      if (remap) {
        const index = base + v;
        this.writeIrte(dev, index, vector, d.destination);
        this.qi.submit([iecDescriptor(false, index, 0)]);
        const m = encodeRemappableMsi(index, 0);
        dev.msi.push({ addrHi: hiOf(m.address), addrLo: loOf(m.address), data: Number(m.data), irte: index, vector });
      } else {
        const m = encodeCompatMsi({ destination: d.destination, vector, logical: d.logical, level: false });
        dev.msi.push({ addrHi: hiOf(m.address), addrLo: loOf(m.address), data: Number(m.data), irte: -1, vector });
      }
      const m = dev.msi[v];
      this.rec.emit(K.msiProgram, dev.spec.sid, m.addrHi, m.addrLo, 0, 0, m.data, v);
    }
    return dev.msi;
  }

  /** modify_irte without the IEC flush that should follow it. */
  writeIrte(dev: GuestDevice, index: number, vector: number, destination: number): void {
    this.writeIrteFor(dev.spec.sid, index, vector, destination, false);
  }

  /** An IRTE for any source id (devices, the IOAPIC); `level` keeps TM, which Linux leaves at edge for MSIs. */
  writeIrteFor(sid: number, index: number, vector: number, destination: number, level: boolean): void {
    const irt = this.irt as IrqRemapTable;
    const d = this.destination();
    const e = irt.write(index, { vector, destination, x2apic: d.x2apic, logical: d.logical, sid, trigger: level ? 'level' : 'edge' });
    this.rec.emit(K.irteWrite, sid, hiOf(e.hi), loOf(e.hi), hiOf(e.lo), loOf(e.lo), index, vector);
  }

  /** The next free guest vector. */
  allocVector(): number {
    return this.nextVector++;
  }

  /** The IEC flush of one entry (qi_flush_iec). */
  flushIec(index: number): void {
    this.qi.submit([iecDescriptor(false, index, 0)]);
  }
}
