// A scenario file's text to a Scenario: YAML with positions, the schema's
// checks and defaults, then the checks across keys (unique device names and
// requester ids, requests naming known devices and vectors). Every error has
// a line and a column; nothing throws on bad input.

import { parseBdf } from '../../model/bdf';
import { defaultCosts } from '../costModel';
import { DEFAULT_PLATFORM, type PlatformOptions } from '../platform';
import { SCENARIO_SCHEMA } from './schema';
import type { DeviceSpec, Expectation, GuestSpec, RequestSpec, Scenario, WorkloadSpec } from './types';
import { Validator, type Plain } from './validate';
import { parseYamlNodes, type PNode, type Position, type ScenarioError } from './yamlNodes';

export type { ScenarioError } from './yamlNodes';

export interface LoadResult {
  scenario?: Scenario;
  errors: ScenarioError[];
}

type Obj = { [k: string]: Plain };
const obj = (v: Plain | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const SHIFT: Record<string, number> = { '4K': 12, '2M': 21, '1G': 30 };

/** The node at a key path, for the position of an error found after validation. */
function nodeAt(root: PNode | undefined, path: (string | number)[]): PNode | undefined {
  let n = root;
  for (const k of path) {
    if (!n) return undefined;
    if (typeof k === 'number') n = n.kind === 'seq' ? n.items[k] : undefined;
    else n = n.kind === 'map' ? n.entries.find((e) => e.key === k)?.value : undefined;
  }
  return n;
}

/** A value set at a key path ("workload.packet-bytes" = "1500"), as if the file said so: for sweeps. */
export interface ScenarioOverride {
  path: string;
  value: string;
}

const NO_POS: Position = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** Sets a scalar at a dotted key path of the parsed tree, making the maps on the way; false when a list or scalar is in the way. */
function setAt(root: PNode, path: string[], value: string): boolean {
  let n = root;
  for (let i = 0; i < path.length; i++) {
    if (n.kind !== 'map') return false;
    const key = path[i];
    let e = n.entries.find((x) => x.key === key);
    const last = i === path.length - 1;
    if (!e) {
      e = { key, keyPos: NO_POS, value: last ? { kind: 'scalar', value: null, pos: NO_POS } : { kind: 'map', entries: [], pos: NO_POS } };
      n.entries.push(e);
    }
    if (last) {
      // Numbers stay numbers (bigints for integers, as the YAML reader gives them); on/off and words stay text.
      const scalar: string | number | bigint = /^-?\d+$/.test(value) ? BigInt(value) : /^-?\d*\.\d+$/.test(value) ? Number(value) : value;
      e.value = { kind: 'scalar', value: value === 'on' ? true : value === 'off' ? false : scalar, pos: NO_POS };
      return true;
    }
    n = e.value;
  }
  return false;
}

export function loadScenario(text: string, overrides: readonly ScenarioOverride[] = []): LoadResult {
  const parsed = parseYamlNodes(text);
  for (const o of overrides) {
    if (parsed.root && !setAt(parsed.root, o.path.split('.'), o.value)) {
      parsed.errors.push({ ...NO_POS, path: o.path, message: `${o.path}: cannot be set (a list or a value is in the way)` });
    }
  }
  if (parsed.errors.length > 0 || !parsed.root) {
    const errors = parsed.errors.length ? parsed.errors : [{ line: 1, column: 1, endLine: 1, endColumn: 1, path: '', message: 'empty scenario: expected a map with at least "name"' }];
    return { errors };
  }
  const v = new Validator();
  const plain = obj(v.check(parsed.root, SCENARIO_SCHEMA, ''));
  const at = (path: (string | number)[]): Position => nodeAt(parsed.root, path)?.pos ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const scenario = v.errors.length === 0 ? toScenario(plain, v, at) : undefined;
  return v.errors.length === 0 ? { scenario, errors: [] } : { errors: v.errors };
}

function toPlatform(p: Obj): PlatformOptions {
  return {
    ...DEFAULT_PLATFORM,
    qemu: (p.qemu as PlatformOptions['qemu']) ?? DEFAULT_PLATFORM.qemu,
    iommu: p.iommu !== 'none',
    // intremap=auto: on unless the irqchip is KVM's full in-kernel one (x86_iommu_ir_supported).
    intremap: p.intremap === 'auto' || p.intremap === undefined ? p.irqchip !== 'on' : p.intremap === true,
    cachingMode: p['caching-mode'] === true,
    deviceIotlb: p['device-iotlb'] === true,
    awBits: Number(p['aw-bits']),
    scalableMode: p['x-scalable-mode'] === true,
    xFlts: p['x-flts'] === true,
    dmaTranslation: p['dma-translation'] === true,
    pt: p.pt === true,
    eim: p.eim === 'auto' ? undefined : p.eim === true,
    snoopControl: p['snoop-control'] === true,
    staleTm: p['stale-tm'] === true,
    irqchip: p.irqchip as PlatformOptions['irqchip'],
    vhost: p.vhost === true,
    vhostMetadataCache: p['vhost-metadata-cache'] === true,
    vhostIotlbEntries: Number(p['vhost-iotlb-entries']),
    iotlbPolicy: p['iotlb-policy'] as PlatformOptions['iotlbPolicy'],
    iotlbSize: Number(p['iotlb-size']),
    compatInterrupts: p['compat-interrupts'] as PlatformOptions['compatInterrupts'],
  };
}

function toScenario(s: Obj, v: Validator, at: (path: (string | number)[]) => Position): Scenario {
  const devices: DeviceSpec[] = ((s.devices as Plain[]) ?? []).map((d0) => {
    const d = obj(d0);
    return {
      name: String(d.name),
      bdf: String(d.bdf),
      sid: parseBdf(String(d.bdf)) ?? 0,
      kind: d.kind as DeviceSpec['kind'],
      ats: d.ats === true,
      msiFormat: d.msi as DeviceSpec['msiFormat'],
      vectors: Number(d.vectors),
    };
  });
  const names = new Map<string, number>();
  const sids = new Map<number, number>();
  devices.forEach((d, i) => {
    if (names.has(d.name)) v.error(at(['devices', i, 'name']), `devices[${i}].name`, `device name "${d.name}" is used twice`);
    if (sids.has(d.sid)) v.error(at(['devices', i, 'bdf']), `devices[${i}].bdf`, `requester ${d.bdf} is used twice`);
    names.set(d.name, i);
    sids.set(d.sid, i);
  });
  const g = obj(s.guest);
  const guest: GuestSpec = {
    linux: (g.linux as GuestSpec['linux']) ?? '6.12',
    dma: g.dma as GuestSpec['dma'],
    invalidation: g.invalidation as GuestSpec['invalidation'],
    hugePageShift: SHIFT[String(g['huge-pages'])] ?? 21,
    staticBytes: Number(g['static-bytes']),
    flushQueueSize: Number(g['flush-queue-size']),
    flushQueueTimeoutMs: Number(g['flush-queue-timeout-ms']),
    buffers: Number(g.buffers),
  };
  const w = obj(s.workload);
  const requests: RequestSpec[] = [];
  ((w.requests as Plain[]) ?? []).forEach((r0, i) => {
    const r = obj(r0);
    if (r.type === 'ioapic') {
      requests.push({ type: 'ioapic', device: '', pin: Number(r.pin), level: r.level === true, count: Number(r.count), atPacket: Number(r['at-packet']) });
      return;
    }
    const dev = devices[names.get(String(r.device)) ?? -1];
    const path = `workload.requests[${i}]`;
    if (!dev) {
      v.error(at(['workload', 'requests', i, 'device']), `${path}.device`, `no device named "${r.device}"${devices.length ? ` (devices: ${devices.map((d) => d.name).join(', ')})` : ''}`);
      return;
    }
    const vector = Number(r.vector ?? 0);
    if ((r.type === 'msi' || r.type === 'irte-update') && vector >= dev.vectors) {
      v.error(at(['workload', 'requests', i, 'vector']), `${path}.vector`, `device "${dev.name}" has ${dev.vectors} vector(s)`);
    }
    const base = { device: dev.name, atPacket: Number(r['at-packet']) };
    switch (r.type) {
      case 'dma':
        requests.push({ ...base, type: 'dma', iova: r.iova as bigint, write: r.access === 'write', count: Number(r.count) });
        break;
      case 'map':
        requests.push({ ...base, type: 'map', iova: r.iova as bigint, gpa: r.gpa as bigint, pageShift: SHIFT[String(r['page-size'])], read: r.access !== 'write', write: r.access !== 'read' });
        break;
      case 'unmap':
        requests.push({ ...base, type: 'unmap', iova: r.iova as bigint, pageShift: 12 });
        break;
      case 'msi':
        requests.push({ ...base, type: 'msi', vector, count: Number(r.count) });
        break;
      case 'irte-update':
        requests.push({ ...base, type: 'irte-update', vector, newVector: Number(r['new-vector']), destination: r.destination === undefined ? undefined : Number(r.destination), iecAfterPackets: Number(r['iec-after-packets']) });
        break;
    }
  });
  if (w.device !== undefined && !names.has(String(w.device))) v.error(at(['workload', 'device']), 'workload.device', `no device named "${w.device}"`);
  const workload: WorkloadSpec = {
    packets: Number(w.packets),
    packetBytes: (w['packet-bytes'] as number[]) ?? [64],
    ratePps: Number(w['rate-pps']),
    interruptEvery: Number(w['interrupt-every']),
    interruptJitter: Number(w['interrupt-jitter']),
    device: w.device === undefined ? undefined : String(w.device),
    echo: w.echo === true,
    fragBytes: Number(w['frag-bytes'] ?? 32768),
    warmupPackets: w['warmup-packets'] === undefined ? undefined : Number(w['warmup-packets']),
    requests,
  };
  const costs = { ...defaultCosts(), ...(obj(s.costs) as Record<string, number>) };
  const e = obj(s.expect);
  const faults = (e.faults as number[] | undefined) ?? [];
  const declared = ['relative-throughput', 'per-interrupt-cost-ns', 'refused', 'anchor'].some((k) => e[k] !== undefined) || faults.length > 0;
  const expectation: Expectation | undefined = declared
    ? {
        relativeThroughput: e['relative-throughput'] as [number, number] | undefined,
        perInterruptCostNs: e['per-interrupt-cost-ns'] as [number, number] | undefined,
        faults: faults.length ? faults : undefined,
        refused: e.refused as string | undefined,
        prediction: e.prediction === true,
        anchor: e.anchor as string | undefined,
      }
    : undefined;
  return {
    name: String(s.name),
    description: String(s.description ?? ''),
    seed: Number(s.seed),
    platform: toPlatform(obj(s.platform)),
    devices,
    guest,
    workload,
    costs,
    expect: expectation,
  };
}
