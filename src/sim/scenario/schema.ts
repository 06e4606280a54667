// THE scenario schema: every key a `*.viommu.yaml` file may hold, what it
// means, what values it takes and its default. Validation (validate.ts), the
// CLI and (later) the language server's diagnostics, hovers and completion
// all read this one object. Platform keys are QEMU's property names.

import { COST_CONSTANTS } from '../costModel';
import type { NumberNode, ObjectNode, SchemaNode } from './schemaTypes';

const onoff = (description: string, def: boolean | 'auto', allowAuto = false): SchemaNode => ({ kind: 'onoff', description, default: def, allowAuto });
const int = (description: string, def: number | undefined, min = 0, max = Number.MAX_SAFE_INTEGER, unit?: string): NumberNode => ({ kind: 'integer', description, default: def, min, max, unit });
const device = { kind: 'string', description: 'Name of a device listed under `devices`.' } as const;
const atPacket = int('Run this request before packet N of the workload (0: right after boot).', 0);

const platform: ObjectNode = {
  kind: 'object',
  description: 'The emulated machine: intel-iommu properties by their QEMU names, the KVM irqchip and vhost.',
  properties: {
    iommu: { kind: 'enum', description: '`intel-iommu` (a vIOMMU, QEMU `-device intel-iommu`) or `none` (no vIOMMU: DMA uses guest physical addresses).', values: ['intel-iommu', 'none'], default: 'intel-iommu' },
    qemu: { kind: 'enum', description: "The QEMU version modelled: 7.2 (Debian 12's, the VM lane's), 8.2, 9.1 or 10.1. Before 9.1 a page-selective invalidation compares only 8 bits of the masked address; before 8.2 interrupt-remapping faults are not recorded and vhost takes device-TLB invalidations whether or not the guest enabled ATS; 7.2 ignores PASID-based descriptors; x-flts (first stage) needs 10.", values: ['7.2', '8.2', '9.1', '10.1'], default: '10.1' },
    intremap: onoff('Interrupt remapping (ECAP.IR). `auto` (QEMU\'s default) is on unless KVM\'s irqchip is the full in-kernel one; QEMU refuses `on` with kernel-irqchip=on.', 'auto', true),
    'caching-mode': onoff('CAP.CM: the guest must invalidate after every map too (needed for VFIO). Linux >= 5.11 then forces strict invalidation.', false),
    'device-iotlb': onoff('ECAP.DT: device-TLB (ATS) support; with `ats: on` devices, vhost takes device-TLB invalidations.', false),
    'aw-bits': { kind: 'integer', description: 'Guest address width (MGAW, and the host address width for reserved bits): 39 (3-level) or 48 (4-level) as QEMU accepts; 57 (5-level) is the simulator modelling hardware.', oneOf: [39, 48, 57], default: 48 },
    'x-scalable-mode': onoff('Scalable-mode translation (ECAP.SMTS): scalable root, context and PASID tables.', false),
    'x-flts': onoff("First-stage translation (QEMU 10's x-flts, in scalable mode): the guest's DMA domains use x86-format first-stage tables (PGTT = 001). Linux then skips the caching-mode flush on map and keeps lazy invalidation under caching mode.", false),
    'dma-translation': onoff('DMA remapping at all (off: SAGAW = 0, the IOMMU serves interrupt remapping only).', true),
    pt: onoff('ECAP.PT: pass-through context entries, used by a guest booted with iommu=pt.', true),
    eim: onoff('ECAP.EIM (x2APIC destinations in IRTEs). auto: on when interrupt remapping runs with the split irqchip.', 'auto', true),
    'snoop-control': onoff('ECAP.SC: the SNP bit of leaf entries is honoured rather than reserved.', false),
    'stale-tm': onoff('Allow the TM bit (62) in leaf entries (x-stale-tm).', false),
    irqchip: { kind: 'enum', description: 'KVM irqchip (`-accel kvm,kernel-irqchip=`): split (IOAPIC in QEMU, MSI routes in KVM), on (all in KVM: no interrupt remapping), off (all in QEMU).', values: ['split', 'on', 'off'], default: 'split' },
    vhost: onoff('vhost-net backend (in the host kernel, with its device IOTLB); off: QEMU does the virtio DMA itself.', true),
    'vhost-metadata-cache': onoff("vhost's O(1) virtqueue metadata cache (Linux f889491380).", true),
    'vhost-iotlb-entries': int('Capacity of vhost\'s device IOTLB (module parameter max_iotlb_entries).', 2048, 1, 1 << 20),
    'iotlb-policy': { kind: 'enum', description: "QEMU's IOTLB when full: `qemu` resets the whole table (VTD_IOTLB_MAX_SIZE), `lru` evicts one entry.", values: ['qemu', 'lru'], default: 'qemu' },
    'iotlb-size': int('Entries of the emulated IOTLB.', 1024, 1, 1 << 20),
    'compat-interrupts': { kind: 'enum', description: 'Compatibility-format interrupts while remapping is on and CFI is off: `block` records fault 0x25 (hardware); `pass` delivers them unchanged (QEMU up to 10.1).', values: ['block', 'pass'], default: 'pass' },
  },
};

const devices: SchemaNode = {
  kind: 'array',
  description: 'PCI devices behind the IOMMU.',
  items: {
    kind: 'object',
    description: 'One PCI device.',
    required: ['name', 'bdf'],
    properties: {
      name: { kind: 'string', description: 'A name to refer to the device in the workload.' },
      bdf: { kind: 'bdf', description: 'Requester id "BB:DD.F", e.g. 00:03.0.' },
      kind: { kind: 'enum', description: "`virtio-net` (vhost or QEMU backend), `ats-nic` (a device with its own ATS translation cache), `emulated` (QEMU does its DMA), `vfio` (a host device assigned to the guest: its DMA goes through the host IOMMU, which QEMU keeps in step with the guest's tables through MAP/UNMAP notifiers; needs caching mode).", values: ['virtio-net', 'ats-nic', 'emulated', 'vfio'], default: 'virtio-net' },
      ats: onoff('The device exposes ATS (virtio `ats=on`).', false),
      msi: { kind: 'enum', description: 'Interrupt message format the guest programs: remappable (an IR-aware driver) or compat (compatibility format, not remapped).', values: ['remappable', 'compat'], default: 'remappable' },
      vectors: int('MSI-X vectors.', 1, 1, 64),
    },
  },
};

const guest: ObjectNode = {
  kind: 'object',
  description: 'The guest\'s DMA API model.',
  properties: {
    linux: { kind: 'enum', description: "The guest kernel's intel-iommu driver: `6.1` submits each invalidation on its own (an IOTLB flush, then a device-TLB flush: two traps); `6.12` batches the descriptors of one flush into one submission (qi_batch). Both force strict invalidation under caching mode for second-stage domains.", values: ['6.1', '6.12'], default: '6.12' },
    dma: { kind: 'enum', description: '`static`: map once with huge pages (DPDK); `dynamic`: a kernel driver maps and unmaps each buffer; `passthrough`: the guest booted with iommu=pt.', values: ['static', 'dynamic', 'passthrough'], default: 'dynamic' },
    invalidation: { kind: 'enum', description: '`strict` (iommu.strict=1: flush on every unmap) or `lazy` (the flush queue: 256 entries per CPU, 10 ms timer). Caching mode forces strict (Linux >= 5.11).', values: ['strict', 'lazy'], default: 'strict' },
    'huge-pages': { kind: 'enum', description: 'Page size of the static mapping.', values: ['4K', '2M', '1G'], default: '2M' },
    'static-bytes': int('Bytes the static model maps at start.', 1 << 30, 4096, 2 ** 40, 'bytes'),
    'flush-queue-size': int('Entries of the lazy flush queue (IOVA_DEFAULT_FQ_SIZE).', 256, 1, 1 << 20),
    'flush-queue-timeout-ms': int('Flush-queue timer (IOVA_DEFAULT_FQ_TIMEOUT).', 10, 1, 60000, 'ms'),
    buffers: int('Buffers the driver cycles through (ring size).', 256, 1, 65536),
  },
};

const requestBase = { device, 'at-packet': atPacket };

const requests: SchemaNode = {
  kind: 'array',
  description: 'Explicit requests, in order, each before packet `at-packet`.',
  items: {
    kind: 'tagged',
    description: 'A request chosen by `type`.',
    tag: 'type',
    variants: {
      dma: {
        kind: 'object',
        description: 'The device reads or writes an IOVA.',
        required: ['device', 'iova'],
        properties: { ...requestBase, iova: { kind: 'address', description: 'The IOVA.' }, access: { kind: 'enum', description: 'read or write.', values: ['read', 'write'], default: 'read' }, count: int('How many times.', 1, 1, 1 << 24) },
      },
      map: {
        kind: 'object',
        description: 'The guest maps one page for the device.',
        required: ['device', 'iova', 'gpa'],
        properties: {
          ...requestBase,
          iova: { kind: 'address', description: 'IOVA (aligned to the page size).' },
          gpa: { kind: 'address', description: 'Guest physical address.' },
          'page-size': { kind: 'enum', description: 'Page size.', values: ['4K', '2M', '1G'], default: '4K' },
          access: { kind: 'enum', description: 'Rights given to the device: read (DMA_TO_DEVICE), write, or read-write.', values: ['read', 'write', 'read-write'], default: 'read-write' },
        },
      },
      unmap: { kind: 'object', description: 'The guest unmaps a 4 KiB page (with the scenario\'s flushing).', required: ['device', 'iova'], properties: { ...requestBase, iova: { kind: 'address', description: 'IOVA.' } } },
      msi: { kind: 'object', description: 'The device raises an interrupt.', required: ['device'], properties: { ...requestBase, vector: int('Vector index within the device.', 0, 0, 63), count: int('How many times.', 1, 1, 1 << 24) } },
      ioapic: {
        kind: 'object',
        description: 'A device asserts an IOAPIC pin (QEMU\'s IOAPIC, source id ff:00.0); the guest programs the pin at boot in remappable format.',
        required: ['pin'],
        properties: { pin: int('IOAPIC pin.', undefined, 0, 23), level: onoff('Level-triggered pin.', false), count: int('How many times.', 1, 1, 1 << 24), 'at-packet': atPacket },
      },
      'irte-update': {
        kind: 'object',
        description: 'The guest rewrites a vector\'s IRTE (new vector or destination), and flushes the interrupt entry cache later (or never).',
        required: ['device', 'new-vector'],
        properties: {
          ...requestBase,
          vector: int('Vector index within the device.', 0, 0, 63),
          'new-vector': int('The new interrupt vector.', undefined, 0x10, 0xff),
          destination: int('The new destination (APIC id, or logical bits in xAPIC mode).', undefined, 0, 0xffffffff),
          'iec-after-packets': { kind: 'integer', description: 'Packets until the IEC invalidation (0: at once, -1: never).', default: 0, min: -1 },
        },
      },
    },
  },
};

const workload: ObjectNode = {
  kind: 'object',
  description: 'What runs: packets through the network device, interrupts, explicit requests.',
  properties: {
    packets: int('Packets to send (one buffer each, read by the device).', 0, 0, 100_000_000),
    'packet-bytes': { kind: 'numbers', description: 'Packet size, or a list of sizes picked at random (seeded).', min: 1, max: 65536, default: [64] },
    'rate-pps': { kind: 'number', description: 'Offered packets per second (0: as fast as the bottleneck allows).', default: 0, min: 0, unit: 'packets/s' },
    'interrupt-every': int('One device interrupt every N packets (0: none).', 0),
    'interrupt-jitter': int('Random extra packets between interrupts (seeded).', 0),
    device: { kind: 'string', description: 'The device carrying the packets (default: the first network device).' },
    'frag-bytes': int('Bytes per fragment of a packet larger than a frame (a GSO packet: the headers in the linear part, the data in page fragments, each mapped on its own). TCP fills 32 KiB (order-3) page fragments.', 32768, 4096, 65536, 'bytes'),
    'warmup-packets': { kind: 'integer', description: 'Packets left out of the steady-state figures while the caches fill (default: one turn of the buffer ring, at most a quarter of the run).', min: 0 },
    echo: onoff('Each packet is answered, as a ping is: the device also receives a packet into a receive buffer, which the guest unmaps and replaces with a newly mapped one (virtio-net\'s refill).', false),
    requests,
  },
};

const costs: ObjectNode = {
  kind: 'object',
  description: 'Cost constants (ns) overriding the defaults of the cost model.',
  properties: Object.fromEntries(
    COST_CONSTANTS.map((c) => [c.key, { kind: 'number', description: `${c.source} [${c.tag}] (default ${c.value} ${c.unit})`, min: 0, default: c.value, unit: c.unit } as NumberNode]),
  ),
};

const expect: ObjectNode = {
  kind: 'object',
  description: 'What the scenario should reproduce (checked by `viommu simulate --table`).',
  properties: {
    'relative-throughput': { kind: 'range', description: '[min, max] of the relative throughput.' },
    'per-interrupt-cost-ns': { kind: 'range', description: '[min, max] remapping cost per interrupt, ns.' },
    faults: { kind: 'array', description: 'Fault reasons that must be recorded.', items: int('A fault reason code.', undefined, 0, 255) },
    refused: { kind: 'string', description: 'QEMU must refuse the platform with this message.' },
    prediction: onoff('The range is the model\'s prediction, not a published measurement.', false),
    anchor: { kind: 'string', description: 'Where the expected figure comes from.' },
  },
};

export const SCENARIO_SCHEMA: ObjectNode = {
  kind: 'object',
  description: 'A vIOMMU simulation scenario (*.viommu.yaml).',
  required: ['name'],
  properties: {
    name: { kind: 'string', description: 'Scenario name.' },
    description: { kind: 'string', description: 'What the scenario shows.' },
    seed: int('Seed of the random choices (packet sizes, jitter): the same seed gives the same events.', 1),
    platform,
    devices,
    guest,
    workload,
    costs,
    expect,
  },
};

/** The schema node at a key path (for hovers and completion), or undefined. */
export function schemaAt(path: readonly (string | number)[], root: SchemaNode = SCENARIO_SCHEMA, tagValue?: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const key of path) {
    if (!node) return undefined;
    if (node.kind === 'array') node = node.items;
    if (node.kind === 'tagged') node = tagValue && Object.hasOwn(node.variants, tagValue) ? node.variants[tagValue] : undefined;
    if (typeof key === 'number') continue;
    if (!node || node.kind !== 'object') return undefined;
    node = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
  }
  return node;
}
