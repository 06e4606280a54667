import { strict as assert } from 'node:assert';
import { builtinText, loadBuiltin, loadScenario, runScenario, SimulationSession } from '../../src/sim/index';
import { breakpointText, specOf } from '../../src/server/sim/breakpoints';
import { MAX_SESSION_EVENTS, ServerSimulation } from '../../src/server/sim/serverSimulation';
import { SimulationRegistry, MAX_SESSIONS } from '../../src/server/sim/simulationRegistry';
import { editBreakpoints, simulationCatalog, startSimulation, stepSimulation } from '../../src/server/features/simulationRequests';
import { captureEntryOf } from './tree-captureEntry';
import { legacyCaptureDir } from '../helpers';
import { pathToFileURL } from 'node:url';

const builtin = (name: string) => loadBuiltin(name).scenario!;
const noDocuments = { get: () => undefined };

describe('server simulation sessions: stepping by replay', () => {
  it('counts the whole run once, and reaches every position with the digest src/sim\'s own session gives', () => {
    const s = new ServerSimulation('t', builtin('dynamic-strict'), 'built-in dynamic-strict');
    assert.equal(s.total, runScenario(builtin('dynamic-strict')).result.events);
    const reference = new SimulationSession(builtin('dynamic-strict'));
    for (const n of [1, 57, 400]) {
      s.step(n);
      reference.step(n);
      assert.equal(s.position, reference.position);
      assert.equal(s.status().digest, reference.digest);
    }
  });

  it('steps back to the same state: same digest, same IOTLB, same routes at the same position', () => {
    const s = new ServerSimulation('t', builtin('dynamic-strict'), 'x');
    s.step(300);
    const at300 = s.snapshot().state(300);
    s.step(25);
    assert.notEqual(s.status().digest, at300.digest);
    const back = s.stepBack(25);
    assert.equal(s.position, 300);
    assert.equal(back.eventCount, 0, 'a move back runs no event');
    const again = s.snapshot().state(300);
    assert.equal(again.digest, at300.digest);
    assert.deepEqual(again.iotlb, at300.iotlb);
    assert.deepEqual(again.routes, at300.routes);
    assert.equal(s.previous, 325, 'the views compare with where the step came from');
  });

  it('runs to the end, resets to the start, and never leaves [0, total]', () => {
    const s = new ServerSimulation('t', builtin('fault-write-readonly'), 'x');
    const end = s.runToEnd();
    assert.equal(s.position, s.total);
    assert.equal(s.finished, true);
    assert.equal(end.eventCount, s.total);
    assert.equal(s.step(5).eventCount, 0, 'nothing past the end');
    assert.equal(s.status().digest, runScenario(builtin('fault-write-readonly')).result.digest);
    s.reset();
    assert.equal(s.position, 0);
    assert.equal(s.stepBack().eventCount, 0);
    assert.equal(s.position, 0);
  });

  it('describes the last 200 events of a long step, and says how many it ran', () => {
    const s = new ServerSimulation('t', builtin('dynamic-strict'), 'x');
    const r = s.step(1000);
    assert.equal(r.eventCount, 1000);
    assert.equal(r.events.length, 200);
    assert.deepEqual([r.events[0].index, r.events.at(-1)!.index], [800, 999]);
  });
});

describe('server simulation sessions: breakpoints', () => {
  it('runs to the first fault of fault-unmapped-iova and stops right after it', () => {
    const s = new ServerSimulation('t', builtin('fault-unmapped-iova'), 'x');
    s.addBreakpoint(specOf({ fault: true }));
    const r = s.runToBreakpoint();
    assert.equal(r.hit, true);
    assert.equal(r.hitBreakpoint, 'any fault');
    const last = r.events.at(-1)!;
    assert.equal(last.kind, 'dmar-fault');
    assert.equal(last.requester, '00:05.0');
    assert.match(last.text, /0x06 PTE Read access is not set/);
    assert.equal(s.position, last.index + 1);
    assert.deepEqual(s.lastHit, { index: last.index, text: 'any fault' });
  });

  it('stops at the earliest of several breakpoints, after the current event, and runs to the end when none matches', () => {
    const s = new ServerSimulation('t', builtin('dynamic-strict'), 'x');
    s.addBreakpoint(specOf({ kind: 'guest-unmap' }));
    s.addBreakpoint(specOf({ kind: 'iotlb-update', requester: '00:03.0', iovaFrom: '0xffffc000', iovaTo: '0xffffcfff' }));
    const first = s.runToBreakpoint();
    assert.equal(first.events.at(-1)!.kind, 'iotlb-update', 'the IOVA fill of packet 0 comes before its unmap');
    assert.equal(first.events.at(-1)!.address, '0xffffc000');
    const second = s.runToBreakpoint();
    assert.equal(second.events.at(-1)!.kind, 'guest-unmap');
    assert.ok(second.events.at(-1)!.index > first.events.at(-1)!.index);
    const none = new ServerSimulation('t', builtin('dynamic-strict'), 'x').runToBreakpoint(specOf({ kind: 'iotlb-reset' }));
    assert.equal(none.hit, false);
  });

  it('refuses breakpoints it cannot match, with a reason', () => {
    assert.throws(() => specOf({ kind: 'no-such-event' }), /unknown event kind "no-such-event"/);
    assert.throws(() => specOf({ requester: '3.0' }), /not BB:DD\.F/);
    assert.throws(() => specOf({}), /needs an event kind, a requester, an IOVA range or a fault/);
    assert.throws(() => specOf({ iovaFrom: '0x2000', iovaTo: '0x1000' }), /is empty/);
    assert.throws(() => specOf({ iovaFrom: 'zz' }), /not a number/);
    assert.equal(breakpointText(specOf({ fault: 6, requester: '00:05.0', iovaFrom: '0x1000', iovaTo: '0x1fff' })), 'fault 0x06 · 00:05.0 · IOVA 0x1000–0x1fff');
  });
});

describe('server simulation requests', () => {
  it('starts a built-in, a scenario text or a file, and reports a scenario\'s errors with their line and column', () => {
    const reg = new SimulationRegistry();
    const a = startSimulation(reg, { builtin: 'dynamic-lazy' }, noDocuments);
    assert.equal(a.status?.scenario, 'dynamic-lazy');
    assert.equal(a.status?.origin, 'built-in dynamic-lazy');
    assert.equal(a.status?.position, 0);
    const bad = startSimulation(reg, { text: 'name: x\nplatform:\n  aw-bits: 40\n', uri: 'file:///w/x.viommu.yaml' }, noDocuments);
    assert.equal(bad.status, undefined);
    assert.deepEqual(bad.errors, [{ line: 3, column: 12, message: 'platform.aw-bits: expected one of 39, 48, 57, got 40' }]);
    assert.match(startSimulation(reg, { builtin: 'nope' }, noDocuments).error ?? '', /no built-in scenario "nope"/);
    assert.match(startSimulation(reg, { uri: 'file:///no/such.viommu.yaml' }, noDocuments).error ?? '', /cannot read such\.viommu\.yaml: ENOENT/);
    const open = startSimulation(reg, { uri: 'file:///w/open.viommu.yaml' }, { get: () => ({ getText: () => 'name: from-editor\n' }) });
    assert.equal(open.status?.scenario, 'from-editor');
    assert.equal(open.status?.origin, 'open.viommu.yaml');
  });

  it('refuses to step a scenario of more than MAX_SESSION_EVENTS events, and says what to do instead', () => {
    const reg = new SimulationRegistry();
    // dynamic-strict makes about 28 events a packet: 100 M packets would be 2.8 billion events, each step a recorded replay.
    const text = builtinText('dynamic-strict')!.replace(/packets: \d+/, 'packets: 100000000');
    const r = startSimulation(reg, { text, uri: 'file:///w/huge.viommu.yaml' }, noDocuments);
    assert.equal(r.status, undefined);
    assert.match(r.error ?? '', /^huge\.viommu\.yaml cannot be stepped: it makes more than 2,000,000 events, .*lower workload\.packets, or run it whole with "viommu simulate"$/);
    assert.equal(reg.all().length, 0, 'no session kept');
    assert.ok(MAX_SESSION_EVENTS >= runScenario(builtin('dynamic-strict')).result.events, 'the built-ins fit');
  });

  it('seeds a session from a capture folder, and says so', () => {
    const reg = new SimulationRegistry();
    const entry = captureEntryOf(legacyCaptureDir);
    const workspace = { captureFor: () => entry } as unknown as Parameters<typeof startSimulation>[3];
    const r = startSimulation(reg, { builtin: 'fault-unmapped-iova', capture: pathToFileURL(legacyCaptureDir).toString() }, noDocuments, workspace);
    assert.match(r.status?.origin ?? '', /^built-in fault-unmapped-iova seeded from linux-6\.1-qemu-7\.2-legacy$/);
    assert.equal(reg.get(r.status!.session)!.capture, entry.capture);
  });

  it('moves a session by action, edits its breakpoints and answers unknown sessions with an error', () => {
    const reg = new SimulationRegistry();
    const id = startSimulation(reg, { builtin: 'fault-unmapped-iova' }, noDocuments).status!.session;
    assert.match(stepSimulation(reg, { session: id, action: 'runToBreakpoint' }).error ?? '', /no breakpoint is set/);
    const withBp = editBreakpoints(reg, { session: id, add: { fault: 6 } });
    assert.deepEqual(withBp?.breakpoints, [{ id: 1, text: 'fault 0x06', fault: 6 }]);
    const hit = stepSimulation(reg, { session: id, action: 'runToBreakpoint' });
    assert.equal(hit.hit, true);
    assert.equal(hit.status?.position, hit.events.at(-1)!.index + 1);
    assert.equal(stepSimulation(reg, { session: id, action: 'stepBack', count: 3 }).status?.position, hit.status!.position - 3);
    assert.equal(stepSimulation(reg, { session: id, action: 'runToEnd' }).status?.finished, true);
    assert.equal(editBreakpoints(reg, { session: id, remove: 1 })?.breakpoints.length, 0);
    assert.throws(() => editBreakpoints(reg, { session: id, add: { kind: 'bogus' } }), /unknown event kind/);
    assert.match(stepSimulation(reg, { session: 'sim-99', action: 'step' }).error ?? '', /no simulation session "sim-99"/);
    assert.equal(editBreakpoints(reg, { session: 'sim-99', add: { fault: true } }), null);
  });

  it('keeps a bounded number of sessions, and lists the built-ins with their anchors and the event kinds', () => {
    const reg = new SimulationRegistry();
    const scenario = loadScenario('name: tiny\n').scenario!;
    const ids = Array.from({ length: MAX_SESSIONS + 2 }, () => reg.start(scenario, 'x').id);
    assert.equal(reg.all().length, MAX_SESSIONS);
    assert.equal(reg.get(ids[0]), undefined);
    assert.ok(reg.get(ids.at(-1)));
    const cat = simulationCatalog(reg);
    assert.equal(cat.builtins.length, 15);
    assert.match(cat.builtins.find((b) => b.name === 'dynamic-strict')!.anchor ?? '', /asterinas pull request 1482/);
    assert.ok(cat.eventKinds.includes('dmar-fault') && cat.eventKinds.includes('iotlb-invalidate'));
  });
});
