import { strict as assert } from 'node:assert';
import { pathToFileURL } from 'node:url';
import {
  SimulationBreakpointRequest,
  SimulationCatalogRequest,
  SimulationStartRequest,
  AtsFlowRequest,
  SimulationStatusRequest,
  SimulationStepRequest,
  SimulationStopRequest,
  SourceInfoRequest,
  TreeChildrenRequest,
  TreeNodeAtRequest,
  type SourceRef,
  type ViewKey,
} from '../../src/protocol';
import { legacyCaptureDir } from '../helpers';
import { TestLspClient } from './lspClient';

describe('language server: simulation sessions in the views', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => {
    client = new TestLspClient();
    await client.initialize(legacyCaptureDir);
  });
  after(() => client.stop());

  it('draws the ATS flow of a simulation (static-dpdk after 3000 events): vhost\'s device IOTLB, its requests and fills', async () => {
    const start = await client.request(SimulationStartRequest, { builtin: 'static-dpdk' });
    const session = start.status!.session;
    await client.request(SimulationStepRequest, { session, action: 'step', count: 3000 });
    const flow = await client.request(AtsFlowRequest, { source: { kind: 'simulation', uri: session } });
    assert.ok(flow, 'a flow, not "no QEMU trace"');
    assert.equal(flow.uri, '');
    const net = flow.devices.find((d) => d.deviceTlbEnabled && d.events.length > 0);
    assert.ok(net, JSON.stringify(flow.devices.map((d) => [d.bdf, d.events.length])));
    assert.ok(net.events.some((e) => e.label === 'translation request' && e.from === 'device' && e.to === 'iommu'));
    assert.ok(net.events.some((e) => e.label === 'translation completion' && e.from === 'iommu' && e.to === 'device'));
    assert.ok(net.events.every((e, i) => i === 0 || e.line > net.events[i - 1].line && e.line < 3000), 'events in run order, up to the position');
    assert.equal(await client.request(SimulationStopRequest, { session }), true);
    assert.equal(await client.request(AtsFlowRequest, { source: { kind: 'simulation', uri: session } }), null);
  });

  it('steps dynamic-strict: each event explained, the IOTLB changing with highlights, and back to the same digest', async () => {
    const start = await client.request(SimulationStartRequest, { builtin: 'dynamic-strict' });
    const session = start.status!.session;
    const source: SourceRef = { kind: 'simulation', uri: session };
    const tree = (view: ViewKey, parentId?: string) => client.request(TreeChildrenRequest, { view, source, parentId });
    await client.request(SimulationBreakpointRequest, { session, add: { kind: 'guest-unmap' } });
    const atUnmap = await client.request(SimulationStepRequest, { session, action: 'runToBreakpoint' });
    assert.equal(atUnmap.hit, true);
    assert.equal(atUnmap.events.at(-1)?.text, 'guest unmaps IOVA 0xffffc000 (1 page(s))');
    const steps = await client.request(SimulationStepRequest, { session, action: 'step', count: 4 });
    assert.deepEqual(steps.events.map((e) => e.kind), ['qi-submit', 'reg-write', 'inv-desc', 'iotlb-invalidate']);
    const now = (await tree('simulator'))[1];
    assert.equal(now.label, 'IOTLB invalidation (domain 2 pages 0xffffc000 AM 0): 1 entries removed');
    assert.equal(now.changed, true);
    const chain = await tree('simulator', now.id);
    assert.deepEqual(chain.slice(0, 3).map((n) => n.label.replace(/^#\d+ /, '')), ['guest unmaps IOVA 0xffffc000 (1 page(s))', 'guest queues 2 descriptors (the last a wait) and writes IQT = 26: a trap to QEMU', 'exit to QEMU: IQT <- 0x1a0']);
    const iotlb = await tree('iotlb');
    const domain = iotlb.find((n) => n.label === 'Domain 0x2')!;
    assert.equal(domain.changed, true);
    assert.equal(domain.description, '19 entries · 00:03.0');
    const { digest, position } = steps.status!;
    await client.request(SimulationStepRequest, { session, action: 'step', count: 50 });
    const back = await client.request(SimulationStepRequest, { session, action: 'stepBack', count: 50 });
    assert.equal(back.status?.position, position);
    assert.equal(back.status?.digest, digest);
    const info = await client.request(SourceInfoRequest, { source, view: 'iotlb' });
    assert.equal(info?.note, `event ${position} of ${start.status!.total}`);
    assert.equal(await client.request(TreeNodeAtRequest, { view: 'iotlb', source, uri: 'file:///x', line: 0 }), null, 'a simulation has no dump lines');
    assert.equal(await client.request(SimulationStopRequest, { session }), true);
    assert.deepEqual(await tree('iotlb'), [], 'a stopped session shows nothing');
    assert.equal(await client.request(SimulationStatusRequest, { session }), null);
  });

  it('runs fault-unmapped-iova to its first fault, seeded from the open capture or booted', async () => {
    const booted = await client.request(SimulationStartRequest, { builtin: 'fault-unmapped-iova' });
    const hit = await client.request(SimulationStepRequest, { session: booted.status!.session, action: 'runToBreakpoint', breakpoint: { fault: true } });
    assert.equal(hit.hitBreakpoint, 'any fault');
    assert.match(hit.events.at(-1)!.text, /^DMA read of IOVA 0x2345000 faults: 0x06 PTE Read access is not set$/);
    const seeded = await client.request(SimulationStartRequest, { builtin: 'fault-unmapped-iova', capture: pathToFileURL(legacyCaptureDir).toString() });
    assert.match(seeded.status?.origin ?? '', /seeded from linux-6\.1-qemu-7\.2-legacy$/);
    const source: SourceRef = { kind: 'simulation', uri: seeded.status!.session };
    await client.request(SimulationStepRequest, { session: seeded.status!.session, action: 'runToEnd' });
    const bus = (await client.request(TreeChildrenRequest, { view: 'contextTables', source, parentId: 'u:dmar0' })).find((n) => n.label === 'Bus 00')!;
    const devices = (await client.request(TreeChildrenRequest, { view: 'contextTables', source, parentId: bus.id })).filter((n) => /^device\b/.test(n.contextValue ?? ''));
    assert.equal(devices.length, 9, "the capture's nine context entries, read back from guest memory");
  });

  it('answers bad requests with errors, not exceptions', async () => {
    const bad = await client.request(SimulationStartRequest, { text: 'name: x\nworkload: { packets: -1 }\n' });
    assert.deepEqual(bad.errors, [{ line: 2, column: 22, message: 'workload.packets: must be at least 0, got -1' }]);
    const r = await client.request(SimulationStepRequest, { session: 'sim-404', action: 'step' });
    assert.match(r.error ?? '', /no simulation session/);
    const s = await client.request(SimulationStartRequest, { builtin: 'no-iommu' });
    const wrong = await client.request(SimulationStepRequest, { session: s.status!.session, action: 'runToBreakpoint', breakpoint: { requester: 'nope' } });
    assert.match(wrong.error ?? '', /requester "nope" is not BB:DD\.F/);
    await assert.rejects(client.request(SimulationBreakpointRequest, { session: s.status!.session, add: { kind: 'bogus' } }), /unknown event kind "bogus"/);
    const cat = await client.request(SimulationCatalogRequest, {});
    assert.ok(cat.sessions.some((x) => x.session === s.status!.session));
  });
});
