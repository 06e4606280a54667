// Events as people read them: one line of text per event, using src/vtd's
// decoders for the entries and descriptors the event carries (so a
// simulated IRTE or invalidation reads exactly like one from a dump).

import { decodeContextEntry } from '../../vtd/contextEntry';
import { faultReasonLabel } from '../../vtd/faultReasons';
import { decodeInvDescriptor } from '../../vtd/invalidation';
import { decodeIrte } from '../../vtd/irte';
import { decodeIoapicRte } from '../../vtd/ioapic';
import { decodeSlEntry } from '../../vtd/paging';
import { sidName } from '../../vtd/source-id';
import { hex, sizeName } from '../../vtd/u64';
import { REGISTER_NAMES } from '../iommu/registerFile';
import { IQE_REASONS } from '../iommu/invalidationQueue';
import { hexHalves, joinHalves } from '../halves';
import { K, KIND_SPECS, THREAD_NAMES } from './kinds';
import type { RawEvent } from './log';

export interface SimEventView {
  index: number;
  /** Simulated time, ns. */
  time: number;
  kind: string;
  /** The QEMU/KVM trace event it mirrors. */
  trace?: string;
  thread: string;
  costNs: number;
  requester?: string;
  /** The IOVA or address the event is about. */
  address?: string;
  text: string;
  mutates: boolean;
}

const a = (e: RawEvent) => hexHalves(e.aHi, e.aLo);
const b = (e: RawEvent) => hexHalves(e.bHi, e.bLo);
const rights = (n: number) => ((n & 1 ? 'R' : '') + (n & 2 ? 'W' : '')) || '-';
const size = (shift: number) => (shift >= 64 ? 'everything' : sizeName(1n << BigInt(shift)));

function text(e: RawEvent): string {
  switch (e.kind) {
    case K.regWrite:
      return `${REGISTER_NAMES[e.aLo] ?? hex(e.aLo)} <- ${b(e)}`;
    case K.contextWrite:
      return `context entry at ${a(e)}: DID ${e.c}, TT ${e.d.toString(2).padStart(2, '0')}`;
    case K.irteWrite:
      return `IRTE ${e.c} <- ${decodeIrte(joinHalves(e.aHi, e.aLo), joinHalves(e.bHi, e.bLo)).summary}`;
    case K.ccHit:
      return `context cache hit (generation ${e.c})`;
    case K.ccUpdate:
      return `context cache fill (gen ${e.c} -> ${e.d}): ${decodeContextEntry(joinHalves(e.aHi, e.aLo), joinHalves(e.bHi, e.bLo)).summary}`;
    case K.iotlbHit:
      return `IOTLB hit IOVA ${a(e)} -> ${decodeSlEntry(joinHalves(e.bHi, e.bLo), e.d).summary} (DID ${e.c})`;
    case K.iotlbHitDenied:
      return `IOTLB entry allows ${rights(e.c)}, not a ${e.d ? 'write' : 'read'}: QEMU's memory core aborts the access, no fault recorded`;
    case K.pageWalk:
      return `page walk of IOVA ${a(e)}: ${e.d} reads, stopped at level ${e.c} on ${b(e)}`;
    case K.iotlbUpdate:
      return `IOTLB fill IOVA ${a(e)} DID ${e.c}: ${decodeSlEntry(joinHalves(e.bHi, e.bLo), e.d).summary}`;
    case K.iotlbReset:
      return `IOTLB reset (reason: iotlb exceeds size limit): ${e.c} entries dropped`;
    case K.translatePt:
      return `pass-through: IOVA ${a(e)} used as the address`;
    case K.dmarTranslate:
      return `${e.d ? 'write' : 'read'} IOVA ${a(e)} -> ${b(e)} (${size(e.c)} page)`;
    case K.dmarFault:
      return `DMA ${e.d ? 'write' : 'read'} of IOVA ${a(e)} faults: ${faultReasonLabel(e.c)}`;
    case K.faultDisabled:
      return `fault ${hex(e.c, 2)} not recorded: FPD is set for this requester`;
    case K.faultRecorded:
      return `fault recorded in FRCD: ${faultReasonLabel(e.c)}`;
    case K.faultOverflow:
      return `fault ${hex(e.c, 2)} lost: the fault record is in use, FSTS.PFO set`;
    case K.faultCompressed:
      return `fault ${hex(e.c, 2)} not recorded: a fault of the same requester is pending`;
    case K.faultEvent:
      return e.d ? 'fault event masked (FECTL.IM): FECTL.IP set' : `fault event interrupt: data ${hex(e.c)} to ${a(e)}`;
    case K.qiSubmit:
      return `guest queues ${e.c} descriptors (the last a wait) and writes IQT = ${e.d}: a trap to QEMU`;
    case K.invDesc: {
      const q = [joinHalves(e.aHi, e.aLo), joinHalves(e.bHi, e.bLo)];
      return `descriptor ${e.d}: ${decodeInvDescriptor(q).summary}`;
    }
    case K.ccInvalidate:
      return e.c === 3 ? `context cache: ${e.d & 0xffff} device(s) invalidated (FM ${e.d >> 16})` : `context cache: generation bumped (${e.c === 1 ? 'global' : `domain ${e.bLo}`})`;
    case K.iotlbInvalidate: {
      const what = ['', 'global', `domain ${e.bLo}`, `domain ${e.bLo} pages ${a(e)} AM ${e.d >>> 20}`, '', '', `domain ${e.bLo} PASID`, `domain ${e.bLo} PASID pages ${a(e)}`][e.c] ?? '';
      return `IOTLB invalidation (${what}): ${e.d & 0xfffff} entries removed`;
    }
    case K.iqe:
      return `invalidation queue error at descriptor ${e.c}: ${IQE_REASONS[e.d] ?? e.d} (FSTS.IQE)`;
    case K.waitStatus:
      return `wait descriptor: status ${hex(e.c)} written to ${a(e)}`;
    case K.waitInterrupt:
      return ['invalidation completion already pending', 'IM in IECTL set, no event', 'invalidation completion event'][e.c] ?? '';
    case K.notifyUnmap:
      return `UNMAP notifier to vhost: ${a(e)} + ${size(e.d)}, ${e.c} entries dropped from its IOTLB`;
    case K.notifyDevIotlb:
      return `device-TLB invalidation of ${sidName(e.sid)}: ${a(e)} + ${size(e.c)}`;
    case K.iecNotify:
      return e.c ? 'IEC invalidation: global' : `IEC invalidation: index ${e.aLo} mask ${e.d}`;
    case K.devtlbHit:
      return `device IOTLB hit ${a(e)} -> ${b(e)}`;
    case K.devtlbRequest:
      return `device IOTLB miss on ${a(e)} (${e.d ? 'write' : 'read'}): translation request`;
    case K.devtlbCompletion:
      return e.bHi === 0 && e.bLo === 0 && e.c < 12 ? `translation failed: ${faultReasonLabel(e.c)}` : `translation completion: ${a(e)} -> ${b(e)} (${size(e.c)}, ${rights(e.d)})`;
    case K.devtlbFill:
      return `device IOTLB fill ${a(e)} -> ${b(e)} (${size(e.c)}, ${rights(e.d)})`;
    case K.devtlbInvalidate:
      return `device IOTLB invalidation ${a(e)} + ${size(e.d)}: ${e.c} entries dropped`;
    case K.devtlbInvCompletion:
      return 'invalidation completion from the device';
    case K.guestMap:
      return `guest maps IOVA ${a(e)} -> ${b(e)} (${e.c} page(s), ${rights(e.d)})`;
    case K.guestUnmap:
      return `guest unmaps IOVA ${a(e)} (${e.c} page(s))`;
    case K.fqQueue:
      return `flush queue holds ${e.c} IOVA range(s)`;
    case K.fqFlush:
      return `flush queue flushed (${e.d ? 'timer' : 'full'}): ${e.c} ranges freed`;
    case K.msi:
      return `MSI vector ${e.d}: address ${a(e)} data ${hex(e.c)}`;
    case K.irRemap:
      return `IRTE ${e.d}: (${b(e)}) -> (address ${a(e)}, data ${hex(e.c)}) vector ${hex(e.c & 0xff, 2)}`;
    case K.irFault:
      return `interrupt remapping fault: ${faultReasonLabel(e.c)} (IRTE ${e.aLo})${e.d ? '' : ', not recorded (route building)'}`;
    case K.routeAdd:
      return `KVM route GSI ${e.c}: address ${a(e)} data ${hex(e.d)} (translated once)`;
    case K.routeFixupError:
      return `VT-d failed to remap interrupt for GSI ${e.c} (${faultReasonLabel(e.d)}): no KVM route`;
    case K.routeDeliver:
      return `KVM injects vector ${hex(e.d, 2)} from the cached route GSI ${e.c}`;
    case K.routeStaleDeliver:
      return `KVM injects vector ${hex(e.d, 2)} from GSI ${e.c}, a STALE route: the IRTE changed and no IEC invalidation followed yet`;
    case K.routeUpdateAll:
      return `Updated ${e.c} MSI routes (kvm_update_msi_routes_all, KVM_SET_GSI_ROUTING)`;
    case K.irqUncached:
      return 'QEMU remaps the MSI itself (vtd_mem_ir_write)';
    case K.irqDelivered:
      return `vector ${hex(e.c, 2)} delivered`;
    case K.packetGuest:
      return `packet ${e.c}: the guest queues ${e.d} bytes`;
    case K.packetBackend:
      return `packet ${e.c}: the backend sends it`;
    case K.refused:
      return 'QEMU refuses to start with this platform';
    case K.ioapicRteWrite:
      return `IOAPIC pin ${e.c} RTE <- ${decodeIoapicRte(joinHalves(e.aHi, e.aLo)).summary}`;
    case K.vfioMap:
      return `shadow MAP for the assigned device: VFIO_IOMMU_MAP_DMA ${a(e)} -> ${b(e)} (${size(e.c)})`;
    case K.vfioUnmap:
      return `shadow UNMAP for the assigned device: VFIO_IOMMU_UNMAP_DMA ${a(e)} (${size(e.c)})`;
    case K.msiProgram:
      return `MSI-X vector ${e.d} programmed: address ${a(e)} data ${hex(e.c)}`;
    case K.dmaAborted:
      return `DMA ${e.d ? 'write' : 'read'} of ${a(e)} aborted`;
    default:
      return KIND_SPECS[e.kind]?.name ?? '';
  }
}

export function describeEvent(e: RawEvent): SimEventView {
  const spec = KIND_SPECS[e.kind];
  const view: SimEventView = {
    index: e.index,
    time: e.time,
    kind: spec?.name ?? String(e.kind),
    thread: THREAD_NAMES[e.thread] ?? 'none',
    costNs: e.cost,
    text: text(e),
    mutates: spec?.mutates ?? false,
  };
  if (spec?.trace) view.trace = spec.trace;
  if (e.sid >= 0) view.requester = sidName(e.sid);
  if (e.aHi !== 0 || e.aLo !== 0) view.address = a(e);
  return view;
}
