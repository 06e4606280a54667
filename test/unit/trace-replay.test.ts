import { strict as assert } from 'node:assert';
import { parseQemuTrace, type TraceEvent } from '../../src/dumps/qemuTrace/index';
import { parseInvalidationQueue } from '../../src/dumps/debugfs/invalidationQueue';
import { replayTrace } from '../../src/model/traceReplay/index';
import { IotlbModel, gfnOf } from '../../src/model/traceReplay/iotlb';
import type { IotlbEntry } from '../../src/model/traceReplay/types';
import { decodeInvDescriptor, invDescriptorType } from '../../src/vtd/invalidation';
import { fixtureText, legacyCaptureText } from '../helpers';

const traceText = legacyCaptureText('qemu-vtd.trace');
const lines = traceText.split('\n');
const events = parseQemuTrace(traceText).records;
const whole = replayTrace(events, { lineCount: lines.length });

/** Lines of the raw trace that start with an event name: counted without the parser or the replay. */
function countLines(name: string): number {
  return lines.filter((l) => l.startsWith(`${name} `)).length;
}

const key = (e: IotlbEntry) => `${e.sid}:${e.level}:${e.iova.toString(16)}`;

describe('trace replay: QEMU 7.2 IOTLB on the real trace', () => {
  it('counts what the trace shows: 701 hits, 1263 fills, the invalidations and the faults', () => {
    const c = whole.iotlb.counters;
    assert.equal(c.hits, countLines('vtd_iotlb_page_hit'));
    assert.equal(c.hits, 701);
    assert.equal(c.misses, countLines('vtd_iotlb_page_update'));
    assert.equal(c.misses, 1263);
    assert.equal(c.faults, countLines('vtd_dmar_fault'));
    assert.deepEqual(c.invalidations, {
      global: countLines('vtd_inv_desc_iotlb_global'),
      domain: countLines('vtd_inv_desc_iotlb_domain'),
      page: countLines('vtd_inv_desc_iotlb_pages'),
      pasid: 0,
      'pasid-page': 0,
    });
    assert.equal(c.invalidations.page, 1300);
    // No size-limit reset in this trace (the IOTLB never held more than 94 entries);
    // five with the context cache (machine reset twice, root table set, translation on, off).
    assert.deepEqual(c.resets, { sizeLimit: 0, cachesReset: countLines('vtd_context_cache_reset') });
    assert.equal(c.peakEntries, 94);
  });

  it('agrees with every hit and fill once QEMU 7.2\'s 8-bit PSI mask is replayed, and not without it', () => {
    assert.equal(whole.iotlb.psiMaskBits, 8);
    assert.equal(whole.iotlb.psiMaskChoice, 'trace');
    assert.deepEqual(whole.iotlb.counters.checks, { hitsNotHeld: 0, fillsAlreadyHeld: 0, unexpectedResets: 0, missingResets: 0 });
    // With the exact mask (QEMU 9.1+) two fills of 00:03.0 find entries QEMU 7.2 had already dropped.
    const exact = replayTrace(events, { psiMaskBits: 64 });
    assert.equal(exact.iotlb.counters.checks.fillsAlreadyHeld, 2);
    assert.equal(exact.iotlb.counters.checks.hitsNotHeld, 0);
    assert.equal(exact.iotlb.counters.checks.firstMismatchLine, 5478);
    assert.match(lines[5478], /^vtd_iotlb_page_update IOTLB page update sid 0x18 iova 0xffffb402 /);
    // Those are the entries dropped outside the ranges the PSIs named.
    assert.equal(whole.iotlb.counters.entriesBeyondRange, 3);
  });

  it('says "either" when both mask widths agree with the trace (no PSI removed an entry outside its range)', () => {
    const quiet = ['vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x1000 slpte 0x5003 domain 0x4', 'vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x1000 slpte 0x5003 domain 0x4'].join('\n');
    const r = replayTrace(parseQemuTrace(quiet).records);
    assert.equal(r.iotlb.psiMaskChoice, 'either');
    assert.equal(replayTrace(parseQemuTrace(quiet).records, { psiMaskBits: 8 }).iotlb.psiMaskChoice, 'given');
  });

  it('holds, at a line, only entries filled since the last reset before it', () => {
    // 0-based 1711: vtd_context_cache_reset after translation was enabled (vtd_reset_caches).
    assert.equal(lines[1711], 'vtd_context_cache_reset ');
    const at = replayTrace(events, { untilLine: 5000 });
    assert.ok(at.iotlb.entries.length > 0);
    for (const e of at.iotlb.entries) {
      assert.ok(e.line > 1711 && e.line <= 5000);
      const fill = lines[e.line];
      assert.ok(fill.startsWith(`vtd_iotlb_page_update IOTLB page update sid 0x${e.sid.toString(16)} iova 0x`), fill);
      assert.ok(fill.endsWith(`slpte 0x${e.slpte.toString(16)} domain 0x${e.domain.toString(16)}`), fill);
      assert.equal(e.iova, BigInt(/iova (0x[0-9a-f]+)/.exec(fill)?.[1] ?? '0') & ~0xfffn);
    }
    assert.equal(at.asOfLine, 5000);
  });

  it('is empty after the last reset (translation disabled) and keeps what that reset dropped', () => {
    assert.equal(whole.iotlb.entries.length, 0);
    const reset = whole.iotlb.lastReset;
    assert.equal(reset?.line, 23850);
    assert.equal(reset?.reason, 'caches-reset');
    assert.match(lines[23849], /^vtd_dmar_enable enable 0/);
    const before = replayTrace(events, { untilLine: 23849, psiMaskBits: 8 });
    assert.deepEqual(reset?.dropped.map(key).sort(), before.iotlb.entries.map(key).sort());
    assert.equal(before.iotlb.entries.length, 23);
    assert.deepEqual(
      [...new Set(before.iotlb.entries.map((e) => e.sid.toString(16)))].sort(),
      ['10', '18', '20', 'fa'], // 00:02.0, 00:03.0, 00:04.0, 00:1f.2
    );
  });

  it('a page-selective invalidation removes exactly the pages it covers (exact mask), and more with the 8-bit one', () => {
    const exact = new IotlbModel(64);
    const narrow = new IotlbModel(8);
    let checked = 0;
    let withRemovals = 0;
    for (const ev of events) {
      const a = ev.args as Record<string, bigint & number>;
      const line = ev.line;
      if (ev.name === 'vtd_iotlb_page_update') [exact, narrow].forEach((m) => m.fill(line, a.sid, a.iova, a.slpte, a.domain));
      else if (ev.name === 'vtd_iotlb_page_hit') [exact, narrow].forEach((m) => m.hit(line, a.sid, a.iova, a.slpte, a.domain));
      else if (ev.name === 'vtd_inv_desc_iotlb_domain') [exact, narrow].forEach((m) => m.invalidateDomain(line, a.domain));
      else if (ev.name === 'vtd_inv_desc_iotlb_global') [exact, narrow].forEach((m) => m.invalidateGlobal(line));
      else if (ev.name === 'vtd_context_cache_reset') [exact, narrow].forEach((m) => m.cachesReset(line));
      else if (ev.name === 'vtd_inv_desc_iotlb_pages') {
        const lo = a.addr >> 12n;
        const hi = lo + (1n << BigInt(a.mask));
        for (const m of [exact, narrow]) {
          const before = m.entries();
          m.invalidatePages(line, a.domain, a.addr, a.mask);
          const after = new Set(m.entries().map(key));
          const removed = before.filter((e) => !after.has(key(e)));
          const covered = before.filter((e) => e.domain === a.domain && gfnOf(e.iova, 1) >= lo && gfnOf(e.iova, 1) < hi);
          if (m === exact) assert.deepEqual(removed.map(key).sort(), covered.map(key).sort(), `line ${line + 1}`);
          else {
            for (const e of covered) assert.ok(removed.includes(e), `line ${line + 1}`);
            // The rest agree with ADDR in gfn bits 7:0 under the mask, which is all QEMU 7.2 compared.
            const mask = 0xffn & ~((1n << BigInt(a.mask)) - 1n);
            for (const e of removed.filter((x) => !covered.includes(x))) assert.equal((e.iova >> 12n) & mask, (a.addr >> 12n) & mask);
          }
          if (m === exact && removed.length) withRemovals++;
        }
        checked++;
      }
    }
    assert.equal(checked, 1300);
    assert.ok(withRemovals > 100, `${withRemovals}`);
  });

  it('resets at the size limit after the fill that caused it, and keeps that fill', () => {
    const fill = (i: number) => `vtd_iotlb_page_update IOTLB page update sid 0x20 iova 0x${(0x100000 + i * 0x1000).toString(16)} slpte 0x${(0x2000003 + i * 0x1000).toString(16)} domain 0x6`;
    const body = Array.from({ length: 1025 }, (_, i) => fill(i));
    const withReset = [...body, 'vtd_iotlb_reset IOTLB reset (reason: iotlb exceeds size limit)', 'vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x500010 slpte 0x2400003 domain 0x6'];
    const r = replayTrace(parseQemuTrace(withReset.join('\n')).records);
    assert.equal(r.iotlb.entries.length, 1);
    assert.equal(r.iotlb.entries[0].iova, 0x500000n);
    assert.equal(r.iotlb.entries[0].hits, 1);
    assert.equal(r.iotlb.counters.resets.sizeLimit, 1);
    assert.equal(r.iotlb.lastReset?.dropped.length, 1024);
    assert.deepEqual(r.iotlb.counters.checks, { hitsNotHeld: 0, fillsAlreadyHeld: 0, unexpectedResets: 0, missingResets: 0 });
    // Without the reset line the replay says QEMU should have printed one.
    const missing = replayTrace(parseQemuTrace([...body, fill(2000)].join('\n')).records, { psiMaskBits: 64 });
    assert.equal(missing.iotlb.counters.checks.missingResets, 1);
    const early = replayTrace(parseQemuTrace([fill(0), 'vtd_iotlb_reset IOTLB reset (reason: iotlb exceeds size limit)'].join('\n')).records, { psiMaskBits: 64 });
    assert.equal(early.iotlb.counters.checks.unexpectedResets, 1);
  });
});

describe('trace replay: the context cache', () => {
  it('follows the generations QEMU prints, with no mismatch', () => {
    const cc = whole.contextCache;
    assert.equal(cc.counters.hits, countLines('vtd_iotlb_cc_hit'));
    assert.equal(cc.counters.updates, countLines('vtd_iotlb_cc_update'));
    assert.equal(cc.counters.resets, 5);
    assert.equal(cc.counters.globalInvalidations, 1);
    assert.equal(cc.counters.deviceInvalidations, 9);
    assert.equal(cc.counters.generationMismatches, 0);
  });

  it('bumps the generation on a global invalidation and resets it to 1', () => {
    assert.match(lines[1506], /^vtd_inv_desc_cc_global/);
    assert.equal(replayTrace(events, { untilLine: 1505 }).contextCache.generation, 1);
    assert.equal(replayTrace(events, { untilLine: 1506 }).contextCache.generation, 2);
    assert.equal(replayTrace(events, { untilLine: 1711 }).contextCache.generation, 1);
    // The first load after translation was enabled: 00:04.0, generation 0 -> 1.
    const first = replayTrace(events, { untilLine: 1830 }).contextCache.entries;
    assert.deepEqual(first.map((e) => [e.sid, e.gen, e.hi, e.lo]), [[0x20, 1, 0x601n, 0x1b1c001n]]);
    // Translation disabled at the end: every cached entry invalid.
    assert.ok(whole.contextCache.entries.every((e) => e.gen === 0 && e.invalidatedLine === 23850));
  });
});

describe('trace replay: ATS', () => {
  it('finds no device-TLB traffic in the real trace: 00:03.0 never had its device TLB enabled', () => {
    assert.equal(whole.ats.devtlbDescriptors, 0);
    assert.equal(whole.ats.devices.length, 0);
    assert.equal(lines.filter((l) => /^vtd_inv_desc invalidate desc type device/.test(l)).length, 0);
    const virtio = whole.ats.contexts.find((c) => c.sid === 0x18);
    assert.equal(virtio?.lo, 0x1b18001n); // TT = 00: untranslated requests only
    assert.equal(virtio?.deviceTlbEnabled, false);
    // Nor does the guest's invalidation queue hold a device-TLB descriptor: only IOTLB and wait descriptors.
    const ring = parseInvalidationQueue(legacyCaptureText('invalidation_queue')).records[0];
    assert.equal(ring.descriptors.length, 256);
    assert.deepEqual([...new Set(ring.descriptors.map((d) => invDescriptorType(d.qwords[0])))].sort(), [2, 5]);
  });

  it('decodes the device-TLB flow of a hand-written trace in QEMU\'s formats', () => {
    const fx = parseQemuTrace(fixtureText('traces', 'ats-device-tlb.trace')).records;
    const r = replayTrace(fx);
    assert.deepEqual(r.ats.devices.map((d) => d.sid), [0x18]); // 00:04.0 has no device TLB
    const d = r.ats.devices[0];
    assert.equal(d.deviceTlbEnabled, true);
    assert.equal(d.domain, 5);
    assert.deepEqual(d.counts, { translations: 4, devtlbInvalidations: 5, waits: 4 });
    const inv = d.events.filter((e) => e.kind === 'devtlb-invalidation');
    assert.deepEqual(
      inv.map((e) => [e.line + 1, e.range?.base, e.range?.size, e.range?.all]),
      [
        [33, 0xfffe0000n, 0x2000n, false], // S=1, ADDR bit 12 clear: 8 KiB
        [41, 0xfff00000n, 0x10000n, false], // S=1, ADDR bits 14:12 set: 64 KiB, base aligned down
        [43, 0xffeba000n, 0x1000n, false], // S=0: one page
        [51, 0n, 1n << 64n, true], // S=1, ADDR bits 62:12 all ones
        [53, 0x10000000n, 0x4000n, false], // PASID-based, 16 KiB
      ],
    );
    assert.equal(decodeInvDescriptor(inv[1].qwords as bigint[]).type, 'inv-device-tlb');
    assert.equal(decodeInvDescriptor(inv[4].qwords as bigint[]).type, 'inv-pasid-device-tlb');
    // Each invalidation is followed by QEMU's DEVIOTLB_UNMAP (no trace line of its own).
    const unmaps = d.events.filter((e) => e.kind === 'devtlb-unmap');
    assert.deepEqual(unmaps.map((e) => [e.line, e.shown, e.from, e.to]), inv.map((e) => [e.line, 'implied', 'iommu', 'device']));
    // The waits of the same fetches, and their completion.
    assert.deepEqual(
      d.events.filter((e) => e.kind.startsWith('wait')).map((e) => `${e.line + 1} ${e.kind}`),
      ['27 wait', '28 wait-status', '35 wait', '36 wait-status', '45 wait', '46 wait-interrupt', '55 wait', '56 wait-status'],
    );
    assert.deepEqual(
      d.events.filter((e) => e.kind === 'translation').map((e) => e.cached),
      [false, false, true, false],
    );
    assert.equal(d.events.find((e) => e.kind === 'fault')?.line, 59);
    // Lines in file order.
    assert.deepEqual(d.events.map((e) => e.line), [...d.events.map((e) => e.line)].sort((x, y) => x - y));
  });
});

describe('trace replay: interrupt routes', () => {
  it('builds the routes QEMU remapped on delivery in the real (TCG) trace', () => {
    const byIndex = new Map(whole.routes.filter((r) => r.index !== undefined).map((r) => [r.index, r]));
    assert.deepEqual([...byIndex.keys()], [0, 1, 3, 7, 11, 19, 21, 23, 24, 26, 27, 28]);
    assert.equal(byIndex.get(3)?.count, lines.filter((l) => l.startsWith('vtd_ir_irte_get index 3 ')).length);
    const r19 = byIndex.get(19);
    assert.equal(r19?.type, 'MSI');
    assert.deepEqual(r19?.request, { address: 0xfee00278n, data: 0n });
    assert.deepEqual(r19?.irte, { hi: 0x40020n, lo: 0x2000022000dn });
    assert.deepEqual(r19?.message, { address: 0xfee0200cn, data: 0x4022n });
    assert.equal(r19?.remap?.vector, 34);
    assert.equal(whole.routes.filter((r) => r.kind === 'kvm').length, 0);
    // Interrupt remapping off at the first request: passed through unchanged.
    assert.ok(whole.routes.some((r) => r.passthrough && r.request?.address === 0xfee00000n));
  });

  it('marks a route stale after the IEC invalidation of its IRTE until QEMU remaps again', () => {
    assert.match(lines[23793], /^x86_iommu_iec_notify Notify IEC invalidation: global=0 index=26 mask=0/);
    const before = replayTrace(events, { untilLine: 23792 }).routes.find((r) => r.key === 'irte:26');
    assert.equal(before?.state, 'cached');
    const after = whole.routes.find((r) => r.key === 'irte:26');
    assert.equal(after?.state, 'stale');
    assert.equal(after?.staleSince, 23793); // the first invalidation since the last remap
    assert.equal(whole.routes.find((r) => r.key === 'irte:3')?.state, 'cached');
  });

  it('follows KVM GSI routes: add, update after an IEC invalidation, a failed fixup', () => {
    const r = replayTrace(parseQemuTrace(fixtureText('logs', 'qemu-trace-stamped-kvm-routes.trace')).records);
    const kvm = r.routes.filter((x) => x.kind === 'kvm');
    assert.deepEqual(kvm.map((x) => [x.gsi, x.device ?? null, x.state]), [
      [0, 'N/A', 'cached'],
      [1, 'N/A', 'cached'],
      [25, 'virtio-net-pci', 'cached'],
      [26, null, 'failed'],
    ]);
    const gsi25 = kvm.find((x) => x.gsi === 25);
    assert.equal(gsi25?.index, 1);
    assert.equal(gsi25?.remap?.vector, 33);
    assert.equal(gsi25?.count, 2);
    assert.equal(kvm.find((x) => x.gsi === 26)?.sid, 0x18);
  });
});

describe('trace replay: stopping at a line', () => {
  it('gives the state as of that line', () => {
    const fills = events.filter((e: TraceEvent) => e.name === 'vtd_iotlb_page_update');
    const first = fills[0].line;
    assert.equal(replayTrace(events, { untilLine: first - 1 }).iotlb.entries.length, 0);
    const at = replayTrace(events, { untilLine: first });
    assert.equal(at.iotlb.entries.length, 1);
    assert.equal(at.iotlb.counters.misses, 1);
    assert.equal(at.asOfLine, first);
    assert.equal(at.events, events.filter((e) => e.line <= first).length);
  });
});
