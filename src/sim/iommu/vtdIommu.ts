// The emulated VT-d unit, as QEMU's intel-iommu device: its registers and
// their side effects, the context cache, the IOTLB, fault recording, and the
// hooks through which invalidations reach the rest of the machine (vhost's
// device IOTLB, KVM's MSI routes). Translation, interrupt remapping and the
// invalidation queue are in translate.ts, interruptRemap.ts and
// invalidationQueue.ts; they work on this state.

import { qemuBehaviour, type QemuBehaviour } from '../qemuVersion';
import type { EventSink } from '../events/log';
import { K } from '../events/kinds';
import type { GuestMemory } from '../memory';
import type { PlatformOptions } from '../platform';
import { eimEnabled } from '../platform';
import { hiOf, loOf } from '../halves';
import { capOf, ecapOf } from './capabilities';
import { ContextCache, emptyContextFields } from './contextCache';
import type { UnitShape } from './contextReader';
import { FaultRecorder } from './faultRecorder';
import { Iotlb } from './iotlb';
import { walkMasks, emptyWalkResult, type WalkMasks } from './slWalk';
import {
  CTL_IM,
  CTL_IP,
  FSTS_ICE,
  FSTS_IQE,
  FSTS_ITE,
  FSTS_PFO,
  GCMD_CFI,
  GCMD_IRE,
  GCMD_QIE,
  GCMD_SIRTP,
  GCMD_SRTP,
  GCMD_TE,
  REG,
  RegisterFile,
} from './registerFile';
import { processInvalidationQueue } from './invalidationQueue';

/** Where invalidations and completions leave the IOMMU. */
interface IommuHooks {
  /** A device-TLB invalidation (descriptor type 3 or 8): range [base, base + 2^sizeShift), or everything. */
  deviceTlbInvalidate(sid: number, pasid: number, baseHi: number, baseLo: number, sizeShift: number): void;
  /** IOTLB invalidation seen by UNMAP-only notifiers (vhost without ATS): the range of a domain, or sizeShift 64 for all. */
  unmapNotify(did: number, addrHi: number, addrLo: number, sizeShift: number): void;
  /** A context-cache invalidation: QEMU replays the affected devices' domains to their MAP notifiers (vtd_address_space_sync); sid -1 for all. */
  contextSync(sid: number, fm: number): void;
  /** Interrupt entry cache invalidation (QEMU's IEC notifiers: KVM MSI routes, split IOAPIC). */
  iecInvalidate(global: boolean, index: number, mask: number): void;
  /** The invalidation-completion interrupt of a wait descriptor with IF. */
  waitInterrupt(): void;
}

const NO_HOOKS: IommuHooks = {
  deviceTlbInvalidate() {},
  unmapNotify() {},
  contextSync() {},
  iecInvalidate() {},
  waitInterrupt() {},
};

export class VtdIommu {
  readonly regs = new RegisterFile();
  readonly cap: bigint;
  readonly ecap: bigint;
  /** What the QEMU version modelled does differently. */
  readonly behaviour: QemuBehaviour;
  readonly cc = new ContextCache();
  readonly iotlb: Iotlb;
  readonly faults: FaultRecorder;
  readonly masks: WalkMasks;
  private readonly scalableMasks: WalkMasks;
  readonly shape: UnitShape;
  dmarEnabled = false;
  irEnabled = false;
  qiEnabled = false;
  cfiEnabled = false;
  /** Queue entries and descriptor width (0 = 128-bit, 1 = 256-bit), latched at QIE. */
  iqSize = 0;
  iqDw = 0;
  iqBaseHi = 0;
  iqBaseLo = 0;
  irtBaseHi = 0;
  irtBaseLo = 0;
  irtSize = 0;
  eime = false;
  /** Scratch objects reused on the hot path. */
  readonly scratchContext = emptyContextFields();
  readonly scratchWalk = emptyWalkResult();

  constructor(
    readonly mem: GuestMemory,
    readonly options: PlatformOptions,
    public sink: EventSink,
    public hooks: IommuHooks = NO_HOOKS,
  ) {
    this.cap = capOf(options);
    this.ecap = ecapOf(options);
    this.behaviour = qemuBehaviour(options.qemu);
    this.iotlb = new Iotlb(options.iotlbSize, options.iotlbPolicy, this.behaviour.psiMaskBits);
    this.faults = new FaultRecorder(this.regs, { emit: (...a) => this.sink.emit(...a) });
    const scalable = options.scalableMode;
    this.masks = walkMasks(options.awBits, options.staleTm, options.snoopControl || scalable);
    this.scalableMasks = walkMasks(options.awBits, options.staleTm, true);
    this.shape = {
      rootHi: 0,
      rootLo: 0,
      scalable: false,
      sagaw: Number((this.cap >> 8n) & 0x1fn),
      haw: options.awBits,
      pt: options.pt,
      dt: options.deviceIotlb,
      fs: options.scalableMode && options.xFlts,
    };
    this.regs.set32(REG.VER, 0x10);
    this.regs.set64(REG.CAP, hiOf(this.cap), loOf(this.cap));
    this.regs.set64(REG.ECAP, hiOf(this.ecap), loOf(this.ecap));
    this.regs.set32(REG.FECTL, CTL_IM);
    this.regs.set32(REG.IECTL, CTL_IM);
  }

  /** The walk masks of the current root table mode (scalable mode allows SNP in leaves). */
  walkMasksNow(): WalkMasks {
    return this.shape.scalable ? this.scalableMasks : this.masks;
  }

  // ---- MMIO writes (the guest driver's view) ----

  write32(offset: number, value: number): void {
    value >>>= 0;
    // Traced first (as QEMU's vtd_reg_write), halted after its effect.
    if (this.sink.announce) this.sink.announce(K.regWrite, -1, 0, offset, 0, value, 4, 0);
    else this.sink.emit(K.regWrite, -1, 0, offset, 0, value, 4, 0);
    this.apply32(offset, value);
    this.sink.settle?.();
  }

  private apply32(offset: number, value: number): void {
    switch (offset) {
      case REG.GCMD:
        this.gcmd(value);
        return;
      case REG.FSTS: {
        const w1c = value & (FSTS_PFO | FSTS_IQE | FSTS_ICE | FSTS_ITE);
        this.regs.set32(REG.FSTS, this.regs.get32(REG.FSTS) & ~w1c);
        return;
      }
      case REG.FECTL: {
        const old = this.regs.get32(REG.FECTL);
        const next = (value & CTL_IM) | (old & CTL_IP);
        this.regs.set32(REG.FECTL, next);
        if ((old & CTL_IM) && !(value & CTL_IM) && (old & CTL_IP)) {
          this.regs.set32(REG.FECTL, next & ~CTL_IP);
          this.sink.emit(K.faultEvent, -1, 0, this.regs.get32(REG.FEADDR), 0, 0, this.regs.get32(REG.FEDATA), 0);
        }
        return;
      }
      case REG.ICS:
        if (value & 1) this.regs.set32(REG.ICS, 0);
        return;
      case REG.IECTL: {
        const old = this.regs.get32(REG.IECTL);
        this.regs.set32(REG.IECTL, (value & CTL_IM) | (old & CTL_IP));
        if ((old & CTL_IM) && !(value & CTL_IM) && (old & CTL_IP)) {
          this.regs.set32(REG.IECTL, value & CTL_IM);
          this.hooks.waitInterrupt();
        }
        return;
      }
      default:
        this.regs.set32(offset, value);
    }
  }

  write64(offset: number, hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (this.sink.announce) this.sink.announce(K.regWrite, -1, 0, offset, hi, lo, 8, 0);
    else this.sink.emit(K.regWrite, -1, 0, offset, hi, lo, 8, 0);
    this.apply64(offset, hi, lo);
    this.sink.settle?.();
  }

  private apply64(offset: number, hi: number, lo: number): void {
    switch (offset) {
      case REG.RTADDR:
        this.regs.set64(offset, hi, (lo & 0xfffffc00) >>> 0);
        return;
      case REG.IQA:
        this.regs.set64(offset, hi, (lo & 0xfffff807) >>> 0);
        return;
      case REG.IRTA:
        this.regs.set64(offset, hi, (lo & 0xfffff80f) >>> 0);
        return;
      case REG.IQT:
        this.regs.set64(offset, 0, lo & 0x7fff0);
        if (this.qiEnabled) processInvalidationQueue(this);
        return;
      case REG.FRCD + 8:
        if (hi & 0x80000000) this.faults.clearRecord();
        return;
      case REG.CAP:
      case REG.ECAP:
      case REG.IQH:
        return; // read-only
      default:
        this.regs.set64(offset, hi, lo);
    }
  }

  /** The effects of a GCMD write, as vtd_handle_gcmd_write(). */
  private gcmd(value: number): void {
    const status = this.regs.get32(REG.GSTS);
    const changed = status ^ value;
    let gsts = status;
    if (changed & GCMD_TE && this.dmarEnabled !== ((value & GCMD_TE) !== 0)) {
      this.dmarEnabled = (value & GCMD_TE) !== 0;
      gsts = this.dmarEnabled ? gsts | GCMD_TE : gsts & ~GCMD_TE;
      // vtd_handle_gcmd_te: translation switched on or off, the caches are reset.
      this.cc.invalidateAll();
      this.iotlb.invalidateAll();
    }
    if (value & GCMD_SRTP) {
      this.shape.rootHi = this.regs.hi(REG.RTADDR);
      this.shape.rootLo = (this.regs.lo(REG.RTADDR) & ~0xfff) >>> 0;
      this.shape.scalable = ((this.regs.lo(REG.RTADDR) >>> 10) & 3) === 1 && this.options.scalableMode;
      gsts |= GCMD_SRTP;
      // vtd_handle_gcmd_srtp resets the caches: a new root table.
      this.cc.invalidateAll();
      this.iotlb.invalidateAll();
    }
    if (changed & GCMD_QIE && this.qiEnabled !== ((value & GCMD_QIE) !== 0)) {
      if (value & GCMD_QIE) {
        const iqaLo = this.regs.lo(REG.IQA);
        this.iqDw = (iqaLo >>> 11) & 1 && this.options.scalableMode ? 1 : 0;
        this.iqSize = 1 << ((iqaLo & 7) + 8 - this.iqDw);
        this.iqBaseHi = this.regs.hi(REG.IQA);
        this.iqBaseLo = (iqaLo & ~0xfff) >>> 0;
        this.qiEnabled = true;
        gsts |= GCMD_QIE;
        this.regs.set32(REG.GSTS, gsts >>> 0);
        if (this.regs.lo(REG.IQT) !== 0) processInvalidationQueue(this);
      } else if (this.regs.lo(REG.IQH) === this.regs.lo(REG.IQT)) {
        this.qiEnabled = false;
        gsts &= ~GCMD_QIE;
        this.regs.set64(REG.IQH, 0, 0);
      }
    }
    if (value & GCMD_SIRTP) {
      this.irtBaseHi = this.regs.hi(REG.IRTA);
      const lo = this.regs.lo(REG.IRTA);
      this.irtBaseLo = (lo & ~0xfff) >>> 0;
      this.irtSize = 2 ** ((lo & 0xf) + 1);
      this.eime = (lo & 0x800) !== 0 && eimEnabled(this.options);
      gsts |= GCMD_SIRTP;
      this.regs.set32(REG.GSTS, gsts >>> 0);
      this.hooks.iecInvalidate(true, 0, 0);
    }
    if (changed & GCMD_IRE && this.irEnabled !== ((value & GCMD_IRE) !== 0) && this.options.intremap) {
      this.irEnabled = (value & GCMD_IRE) !== 0;
      gsts = this.irEnabled ? gsts | GCMD_IRE : gsts & ~GCMD_IRE;
    }
    if (changed & GCMD_CFI) {
      this.cfiEnabled = (value & GCMD_CFI) !== 0;
      gsts = this.cfiEnabled ? gsts | GCMD_CFI : gsts & ~GCMD_CFI;
    }
    this.regs.set32(REG.GSTS, gsts >>> 0);
  }

  // ---- bigint conveniences for callers outside the hot path ----

  writeReg64(offset: number, value: bigint): void {
    this.write64(offset, hiOf(value), loOf(value));
  }

  readReg64(offset: number): bigint {
    return this.regs.get64(offset);
  }

  readReg32(offset: number): number {
    return this.regs.get32(offset);
  }
}
