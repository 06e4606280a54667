// The VM lane's assertions: every capture the lane's guests left in
// test-results/qemu/ is read as a user's would be, and the tool must agree
// with what the real machine did. Run by test/qemu/lane.ts after the boots.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/io/captureReader';
import { buildCapture } from '../../src/model/buildCapture';
import { mappingsOf } from '../../src/model/mappings';
import { translate } from '../../src/model/walk';
import { replayTrace } from '../../src/model/traceReplay/index';
import { windowFigures } from '../../src/model/traceReplay/windowFigures';
import type { Capture } from '../../src/model/types';
import type { VmManifest } from '../../src/vm/index';
import { hex } from '../../src/vtd/u64';

const resultsDir = join(__dirname, '..', '..', '..', 'test-results', 'qemu');

interface LaneEntry {
  variant: string;
  ok: boolean;
}

function laneEntries(): LaneEntry[] {
  const path = join(resultsDir, 'lane.json');
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { entries: LaneEntry[] }).entries.filter((e) => e.ok);
}

/** Findings that describe the capture rather than flag a problem. */
const NOTES = new Set(['fault', 'empty-page-table']);

for (const { variant } of laneEntries()) {
  describe(`VM lane, ${variant}`, function () {
    const dir = join(resultsDir, variant);
    let capture: Capture;
    let manifest: VmManifest;
    before(() => {
      const read = readCapture(dir);
      assert.deepEqual(read.leftOut, [], 'every file of the capture is read');
      capture = buildCapture(read.files);
      manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as VmManifest;
    });

    it('has every file a capture has, from a QEMU guest the tool recognises', () => {
      const names = capture.files.map((f) => f.name);
      for (const n of ['dmar_translation_struct', 'domain_translation_struct', 'ir_translation_struct', 'iommu_regset', 'invalidation_queue', 'dmesg', 'interrupts', 'iommu_groups', 'qemu-vtd.trace']) {
        assert.ok(names.includes(n), `${n} is in the capture`);
      }
      assert.ok(capture.files.every((f) => f.parsed), `every file has a format: ${capture.files.filter((f) => !f.parsed).map((f) => f.name).join(', ')}`);
      assert.equal(capture.platform.kind, 'qemu');
      assert.equal(capture.units[0]?.mode, manifest.options.mode);
    });

    it('reads every file without a syntax finding', () => {
      const syntax = capture.findings.filter((f) => f.kind === 'syntax');
      assert.deepEqual(
        syntax.map((f) => `${f.file}:${f.span.line + 1} [${f.code}] ${f.message}`),
        [],
      );
    });

    it('raises no semantic finding but its notes (every fault agrees, no false alarm)', () => {
      const flagged = capture.findings.filter((f) => f.kind === 'semantic' && !NOTES.has(f.code));
      assert.deepEqual(
        flagged.map((f) => `${f.file}:${f.span.line + 1} ${f.severity} [${f.code}] ${f.message}`),
        [],
      );
    });

    it("explains the edu device's two DMAR faults as the kernel logged them: the walk of the same request gives the same reason at the same address", () => {
      const dma = capture.faults.filter((f) => f.kind === 'dma' && f.source === 'kernel-log');
      assert.deepEqual(
        dma.map((f) => `${f.write ? 'write' : 'read'} ${hex(f.address ?? -1n)} 0x${f.reason?.toString(16).padStart(2, '0')}`),
        ['read 0x2345000 0x06', 'write 0x200000 0x05'],
      );
      for (const f of dma) {
        assert.ok(f.address !== undefined);
        const walk = translate(capture, { sid: f.sid, iova: f.address, write: f.write, ...(f.pasid !== undefined && f.pasid !== 0 ? { pasid: f.pasid } : {}) });
        assert.equal(walk.outcome, 'fault', `${hex(f.address)}: ${walk.outcome} ${walk.unknown ?? ''}`);
        assert.equal(walk.fault?.reason, f.reason, `${hex(f.address)}: the walk says ${walk.fault?.reason}`);
      }
    });

    it('translates every mapped page-table row to its host address', () => {
      let walked = 0;
      for (const domain of capture.domains.values()) {
        const table = domain.table;
        const requester = domain.requesters[0];
        if (!table || !requester) continue;
        for (const m of mappingsOf(table.rows)) {
          const last = m.iova + m.size - 1n;
          for (const iova of m.size > 4096n ? [m.iova, last & ~0xfffn] : [m.iova]) {
            const walk = translate(capture, { sid: requester.sid, unit: requester.unit, iova, write: false, ...(table.pasid ? { pasid: table.pasid } : {}) });
            assert.equal(walk.outcome, 'translated', `DID ${domain.did} IOVA ${hex(iova)}: ${walk.outcome} ${walk.fault?.name ?? walk.unknown ?? ''}`);
            assert.equal(walk.hpa, m.hpa + (iova - m.iova), `DID ${domain.did} IOVA ${hex(iova)}`);
            walked++;
          }
        }
      }
      assert.ok(walked > 100, `${walked} rows walked`);
    });

    it('links every remapped IRQ of /proc/interrupts to its IRTE', () => {
      const remapped = capture.irqs.filter((q) => q.remapped);
      assert.ok(remapped.length >= 8, `${remapped.length} remapped IRQs`);
      const linked = new Map(capture.irtes.flatMap((e) => e.irqs.map((q) => [q.irq, e] as const)));
      const unlinked = remapped.filter((q) => !linked.has(q.irq));
      assert.deepEqual(unlinked.map((q) => `IRQ ${q.irq} ${q.chip} ${q.name ?? ''}`), []);
    });

    it("replays QEMU's trace in agreement with every IOTLB hit, fill and reset it prints", () => {
      const trace = capture.files.find((f) => f.parsed?.format === 'qemu_trace');
      assert.ok(trace?.parsed?.format === 'qemu_trace');
      const r = replayTrace(trace.parsed.records, { lineCount: trace.lines.count });
      const c = r.iotlb.counters;
      assert.deepEqual(c.checks, { hitsNotHeld: 0, fillsAlreadyHeld: 0, unexpectedResets: 0, missingResets: 0 });
      assert.ok(c.misses > 100, `${c.misses} fills`);
      if (variant === 'legacy-lazy') assert.ok(c.resets.sizeLimit > 0, 'the IOTLB overflows (vtd_iotlb_reset: iotlb exceeds size limit)');
      // ATS: the device behind the root port has a device IOTLB the guest invalidates.
      if (manifest.options.ats) assert.ok(r.ats.devtlbDescriptors > 0, 'device-TLB invalidation descriptors');
      else assert.equal(r.ats.devtlbDescriptors, 0);
    });

    it('places virtio-net where the machine put it: 01:00.0 behind the root port with ATS, else 00:03.0', () => {
      const names = [...capture.requesters.values()].map((q) => q.bdf);
      assert.ok(names.includes(manifest.options.ats ? '01:00.0' : '00:03.0'), names.join(' '));
    });

    it('invalidates as Linux does: strict under caching mode whatever iommu.strict says, lazy (domain flushes) only without it', () => {
      const dmesg = readFileSync(join(dir, 'dmesg'), 'utf8');
      assert.equal(/IOMMU batching disallowed due to virtualization/.test(dmesg), manifest.options.cachingMode);
      const trace = capture.files.find((f) => f.parsed?.format === 'qemu_trace');
      assert.ok(trace?.parsed?.format === 'qemu_trace');
      // The twin phase: virtio-net alone (the edu device's VFIO attach flushes its domains in any mode).
      const f = windowFigures(trace.parsed.records, { from: manifest.stages['twin-begin'], to: manifest.stages['twin-end'] });
      const lazy = !manifest.options.strict && !manifest.options.cachingMode;
      assert.equal(f.dsi > 0, lazy, `${f.dsi} domain-selective invalidations in the twin phase`);
    });

    it('has its twin: the simulated twin phase agrees with the real one within ±10 % on every count the simulator models', () => {
      const twins = JSON.parse(readFileSync(join(resultsDir, 'twin.json'), 'utf8')) as Record<string, { rows?: { figure: string; within: boolean; simulated: number; real: number }[]; problem?: string }>;
      const twin = twins[variant];
      assert.ok(twin && !twin.problem, twin?.problem);
      const rows = twin.rows ?? [];
      assert.ok(rows.length >= 11);
      // The address-mask shares are not modelled (the simulator's buffers start page-aligned; kmalloc puts some skb heads across a page boundary).
      const counts = rows.filter((r) => !r.figure.startsWith('PSI address mask'));
      assert.deepEqual(counts.filter((r) => !r.within).map((r) => `${r.figure}: simulated ${r.simulated}, real ${r.real}`), []);
    });

    it('decides the interrupt-remapping mode as the guest logged it', () => {
      const unit = capture.units[0];
      const logged = /Enabled IRQ remapping in (x2apic|xapic) mode/.exec(readFileSync(join(dir, 'dmesg'), 'utf8'))?.[1];
      assert.ok(logged, 'the kernel logs the mode');
      assert.equal(unit.x2apic ?? false, logged === 'x2apic', `decided from ${unit.x2apicFrom}`);
    });
  });
}

describe('VM lane', () => {
  it('has captures to check (test/qemu/lane.ts boots them)', () => {
    assert.ok(laneEntries().length > 0, `no booted variant in ${resultsDir}/lane.json`);
  });
});
