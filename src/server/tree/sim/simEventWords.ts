// Simulation events in words for the Simulator view: one short phrase per
// event (a trapped register write reads as the exit to QEMU it is), the chain
// of events that led to the current one in the same operation (an unmap, its
// invalidation descriptors, the IQT write, what QEMU did with them), and
// which cost-model constant an event's cost comes from.

import { COST_CONSTANTS, type Scenario } from '../../../sim/index';
import type { WireSimEvent } from '../../../protocol';
import { timeText } from './simTreeContext';

/** Events that start an operation: a chain never reaches back past one. */
const STARTS = new Set([
  'guest-map',
  'guest-unmap',
  'packet-guest',
  'packet-backend',
  'devtlb-request',
  'devtlb-hit',
  'msi',
  'fq-flush',
  'msi-program',
  'ioapic-rte-write',
  'root-write',
  'context-write',
  'irte-write',
  'route-add',
  'route-fixup-error',
  'refused',
]);

/** The longest chain shown. */
export const MAX_CHAIN = 16;

/** Events a trapped MMIO write to the IOMMU (or an MSI QEMU remaps itself) costs: a VM exit to QEMU. */
const EXITS = new Set(['reg-write', 'irq-uncached']);

export function phrase(e: WireSimEvent): string {
  if (EXITS.has(e.kind)) return `exit to QEMU: ${e.text}`;
  if (e.kind === 'inv-desc') return e.text.replace(/^descriptor \d+: /, '');
  return e.text;
}

export function costText(e: WireSimEvent): string {
  return e.costNs > 0 ? timeText(e.costNs) : 'no cost';
}

/** A phrase with its cost when it has one: "exit to QEMU: IQT <- 0x160 (1.5 µs)". */
function costedPhrase(e: WireSimEvent): string {
  return e.costNs > 0 ? `${phrase(e)} (${timeText(e.costNs)})` : phrase(e);
}

/** From the operation's first event to `events`' last (which is the current event); `events` are consecutive, oldest first. */
export function chainOf(events: readonly WireSimEvent[]): WireSimEvent[] {
  const current = events[events.length - 1];
  if (!current) return [];
  const out: WireSimEvent[] = [current];
  for (let i = events.length - 2; i >= 0 && out.length < MAX_CHAIN; i--) {
    if (STARTS.has(out[0].kind)) break;
    const e = events[i];
    if (e.thread !== current.thread && e.thread !== 'none') break;
    out.unshift(e);
  }
  return out;
}

/** "guest unmaps IOVA 0xffffc000 (1 page(s)) (1.1 µs) → … → IOTLB invalidation …". */
export function chainSentence(chain: readonly WireSimEvent[]): string {
  return chain.map(costedPhrase).join(' → ');
}

/** The cost constant an event kind is charged from, for this scenario. */
function costKeyOf(kind: string, s: Scenario): string | undefined {
  const strict = s.guest.invalidation === 'strict' || s.platform.cachingMode;
  switch (kind) {
    case 'reg-write':
      return 'exit-user-ns';
    case 'packet-guest':
      return 'guest-packet-ns';
    case 'packet-backend':
      return s.platform.vhost ? 'backend-packet-ns' : 'qemu-backend-packet-ns';
    case 'devtlb-hit':
      return s.platform.vhostMetadataCache ? 'devtlb-hit-ns' : 'devtlb-hit-no-metadata-cache-ns';
    case 'devtlb-request':
      return s.platform.vhost ? 'devtlb-miss-ns' : 'ats-translation-ns';
    case 'page-walk':
      return 'qemu-walk-ns';
    case 'iotlb-hit':
      return 'qemu-iotlb-hit-ns';
    case 'inv-desc':
      return 'qi-emulation-ns';
    case 'wait-status-write':
      return 'wait-descriptor-ns';
    case 'guest-map':
    case 'guest-unmap':
      return strict ? 'guest-dma-api-strict-ns' : 'guest-dma-api-lazy-ns';
    case 'route-deliver':
    case 'route-stale-deliver':
      return 'irq-cached-route-ns';
    case 'irq-uncached':
      return 'irq-uncached-ns';
    case 'route-update-all':
      return 'route-update-ns';
    case 'notify-unmap':
      return 'notify-vhost-ns';
    case 'devtlb-invalidate':
      return s.platform.vhost ? 'notify-vhost-ns' : 'ats-invalidation-ns';
    default:
      return undefined;
  }
}

/** Where an event's cost comes from, in words ("register-write-ns = 1500 ns [E]: …"), plain text. */
export function costSourceText(e: WireSimEvent, s: Scenario): string | undefined {
  const key = costKeyOf(e.kind, s);
  const c = key ? COST_CONSTANTS.find((x) => x.key === key) : undefined;
  if (!key || !c) return undefined;
  const value = s.costs[key] ?? c.value;
  const overridden = value !== c.value ? ` (the scenario sets ${value} ${c.unit}; default ${c.value})` : '';
  return `${key} = ${value} ${c.unit}${overridden} [${c.tag}]: ${c.source}`;
}
