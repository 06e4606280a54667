// A scenario once validated: plain values, defaults filled in. The YAML shape
// (names, descriptions, defaults) is in schema.ts; this is what the engine runs.

import type { Costs } from '../costModel';
import type { PlatformOptions } from '../platform';

type DeviceKind = 'virtio-net' | 'ats-nic' | 'emulated' | 'vfio';

export interface DeviceSpec {
  name: string;
  /** "BB:DD.F". */
  bdf: string;
  sid: number;
  kind: DeviceKind;
  /** The device exposes ATS (virtio `ats=on`): device-TLB invalidations reach its cache. */
  ats: boolean;
  /** Message format the guest programs: remappable (an IR-aware driver) or compatibility. */
  msiFormat: 'remappable' | 'compat';
  vectors: number;
}

type GuestDma = 'static' | 'dynamic' | 'passthrough';

export interface GuestSpec {
  /** The guest kernel's driver: 6.12 batches the descriptors of one flush into one submission (qi_batch). */
  linux: '6.1' | '6.12';
  dma: GuestDma;
  /** iommu.strict=1 (strict) or the lazy flush queue; caching mode forces strict (Linux >= 5.11). */
  invalidation: 'strict' | 'lazy';
  /** Static mapping page size as a shift: 12, 21 (2 MiB) or 30 (1 GiB). */
  hugePageShift: number;
  /** Bytes mapped once by the static model. */
  staticBytes: number;
  flushQueueSize: number;
  flushQueueTimeoutMs: number;
  /** Buffers the driver cycles through (the ring size). */
  buffers: number;
}

export type RequestSpec =
  | { type: 'dma'; device: string; iova: bigint; write: boolean; count: number; atPacket: number }
  | { type: 'map'; device: string; iova: bigint; gpa: bigint; pageShift: number; read: boolean; write: boolean; atPacket: number }
  | { type: 'unmap'; device: string; iova: bigint; pageShift: number; atPacket: number }
  | { type: 'msi'; device: string; vector: number; count: number; atPacket: number }
  | { type: 'ioapic'; device: string; pin: number; level: boolean; count: number; atPacket: number }
  | { type: 'irte-update'; device: string; vector: number; newVector: number; destination?: number; iecAfterPackets: number; atPacket: number };

export interface WorkloadSpec {
  packets: number;
  /** Packet sizes to pick from (uniformly, with the seed). */
  packetBytes: number[];
  /** Offered packets per second; 0 = as fast as the bottleneck allows. */
  ratePps: number;
  /** One interrupt every N packets (0: none). */
  interruptEvery: number;
  /** Random extra packets between interrupts, 0..jitter (seeded). */
  interruptJitter: number;
  /** The device that carries the packets (default: the first network device). */
  device?: string;
  /** Bytes of each fragment of a packet larger than a frame (TCP fills 32 KiB page fragments). */
  fragBytes: number;
  /** Packets excluded from the steady-state figures (undefined: one turn of the buffer ring, at most a quarter of the run). */
  warmupPackets?: number;
  /** Each packet is answered (ping): the device also receives one, into a receive buffer the guest then unmaps and replaces. */
  echo: boolean;
  requests: RequestSpec[];
}

export interface Expectation {
  relativeThroughput?: [number, number];
  perInterruptCostNs?: [number, number];
  faults?: number[];
  refused?: string;
  /** The range is the model's prediction, not a measurement. */
  prediction: boolean;
  anchor?: string;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  platform: PlatformOptions;
  devices: DeviceSpec[];
  guest: GuestSpec;
  workload: WorkloadSpec;
  costs: Costs;
  expect?: Expectation;
}
