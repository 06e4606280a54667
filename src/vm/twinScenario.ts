// The simulator's scenario of a VM guest's twin phase: the same platform as
// the guest's QEMU command line and kernel command line (caching mode,
// scalable mode, ATS, strict or lazy), and the same workload: echoes over
// virtio-net at the rate the guest pings, with QEMU's own virtio doing the
// DMA (no vhost under TCG). `viommu vm` and the VM lane write it beside the
// capture as scenario.viommu.yaml; the lane's twin table compares its run
// with the real trace.

import { TWIN_ECHOES, TWIN_INTERVAL_MS } from './machine';
import type { VmOptions } from './machine';

export const TWIN_SCENARIO_FILE = 'scenario.viommu.yaml';

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function twinScenarioText(o: VmOptions, name: string): string {
  // Linux forces strict invalidation on second-stage domains under caching mode ("IOMMU batching disallowed due to virtualization").
  const lazy = !o.strict && !o.cachingMode;
  return [
    `name: ${name}`,
    'description: >-',
    `  The twin phase of the VM guest "${name}": ${TWIN_ECHOES} echoes over virtio-net,`,
    `  ${TWIN_INTERVAL_MS} ms apart, QEMU's own virtio doing the DMA (no vhost under TCG).`,
    `  Its figures are compared with the real trace's between the twin-begin and`,
    '  twin-end stages (test-results/qemu/twin.md).',
    'seed: 1',
    'platform:',
    '  qemu: "7.2"',
    '  intremap: on',
    `  caching-mode: ${onOff(o.cachingMode)}`,
    `  device-iotlb: ${onOff(o.ats)}`,
    `  x-scalable-mode: ${onOff(o.mode === 'scalable')}`,
    '  aw-bits: 39',
    '  irqchip: split',
    '  vhost: off',
    'devices:',
    `  - { name: net0, bdf: "${o.ats ? '01:00.0' : '00:03.0'}", kind: virtio-net, ats: ${onOff(o.ats)} }`,
    'guest:',
    '  linux: "6.1"',
    '  dma: dynamic',
    `  invalidation: ${lazy ? 'lazy' : 'strict'}`,
    'workload:',
    `  packets: ${TWIN_ECHOES}`,
    '  packet-bytes: 98',
    `  rate-pps: ${1000 / TWIN_INTERVAL_MS}`,
    '  interrupt-every: 1',
    '  echo: on',
    '',
  ].join('\n');
}
