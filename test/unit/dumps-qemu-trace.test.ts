import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { legacyCaptureDir, legacyCaptureText, fixtureText, fixturesDir } from '../helpers';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { NameTable, nameKeyOf } from '../../src/dumps/qemuTrace/inPlace';
import { ByteRun } from '../../src/dumps/byteText';
import { join } from 'node:path';
import {
  parseQemuTrace,
  looksLikeQemuTrace,
  TRACE_EVENT_FORMATS,
  FINDINGS_PER_CODE,
  compileTemplate,
  matchTemplate,
  type TraceEvent,
} from '../../src/dumps/qemuTrace/index';
import { bitsOf, bitSet } from '../../src/vtd/u64';
import { spanOf } from '../../src/dumps/rowColumns';
import { addDerivedArgs } from '../../src/dumps/qemuTrace/derivedArgs';
import { argsFactory } from '../../src/dumps/qemuTrace/argsFactory';

function first(events: TraceEvent[], name: string, from = 0): TraceEvent {
  const e = events.slice(from).find((x) => x.name === name);
  assert.ok(e, name);
  return e;
}

describe('QEMU trace parser', () => {
  describe('the real QEMU 7.2 vtd trace', () => {
    const text = legacyCaptureText('qemu-vtd.trace');
    const r = parseQemuTrace(text);
    const ev = r.records;

    it('reads every line of the trace without a finding', () => {
      assert.deepEqual(r.findings, []);
      assert.equal(r.format, 'qemu_trace');
      assert.equal(r.lineCount, 23861);
      assert.equal(ev.length, 23861);
      assert.deepEqual(r.dialect, ['log backend without stamps']);
      for (const e of ev) assert.ok(e.name in TRACE_EVENT_FORMATS, e.name);
    });

    it('counts the events as the trace has them', () => {
      const count = (name: string) => ev.filter((e) => e.name === name).length;
      assert.equal(count('vtd_iotlb_page_update'), 1263);
      assert.equal(count('vtd_iotlb_page_hit'), 701);
      assert.equal(count('vtd_dmar_fault'), 4);
      assert.equal(count('vtd_frr_new'), 2);
      assert.equal(count('vtd_inv_desc'), 2750);
      assert.equal(count('x86_iommu_iec_notify'), 56);
    });

    it('reads vtd_frr_new as the raw fault record of the read fault', () => {
      const e = first(ev, 'vtd_frr_new');
      assert.equal(e.line, 17254);
      assert.deepEqual(e.args, { index: 0, hi: 0x40ffff0600000028n, lo: 0x2345000n });
      const hi = e.args.hi as bigint;
      assert.equal(bitsOf(hi, 15, 0), 0x28n); // SID 00:05.0, as in dmesg
      assert.equal(bitsOf(hi, 39, 32), 6n); // reason 6
      assert.ok(bitSet(hi, 62)); // T = 1: a read
      const w = first(ev, 'vtd_frr_new', e.line + 1);
      assert.equal(w.args.hi, 0xffff0500000028n);
      assert.ok(!bitSet(w.args.hi as bigint, 62)); // a write
    });

    it('reads vtd_dmar_fault with its decimal reason', () => {
      const faults = ev.filter((e) => e.name === 'vtd_dmar_fault');
      assert.deepEqual(
        faults.map((e) => e.args),
        [
          { sid: 0x28, fault: 6, addr: 0x2345000n, is_write: false },
          { sid: 0x28, fault: 6, addr: 0x2345004n, is_write: false },
          { sid: 0x28, fault: 5, addr: 0x7777000n, is_write: true },
          { sid: 0x28, fault: 5, addr: 0x7777004n, is_write: true },
        ],
      );
    });

    it('reads vtd_iotlb_page_update and splits the access address', () => {
      const e = first(ev, 'vtd_iotlb_page_update');
      assert.equal(e.line, 1831);
      assert.deepEqual(e.args, { sid: 0x20, iova: 0xffffd002n, slpte: 0x2210003n, domain: 6, iovaPage: 0xffffd000n, pageOffset: 2, perm: 2 });
      assert.deepEqual(spanOf(e, 'name'), { line: 1831, start: 0, end: 21 });
      const hit = first(ev, 'vtd_iotlb_page_hit');
      assert.equal(hit.args.iovaPage, 0xffffd000n);
    });

    it('reads vtd_ir_irte_get with the true hi and lo qwords (the format swaps the labels)', () => {
      const e = first(ev, 'vtd_ir_irte_get');
      assert.equal(e.line, 92);
      // Printed: "index 1 low 0x4ff00 high 0x1000030000d".
      assert.deepEqual(e.args, { index: 1, hi: 0x4ff00n, lo: 0x1000030000dn });
      const lo = e.args.lo as bigint;
      assert.ok(bitSet(lo, 0)); // present
      assert.equal(bitsOf(lo, 23, 16), 48n); // vector 0x30 ...
      const remap = ev[e.line + 1];
      assert.equal(remap.name, 'vtd_ir_remap');
      assert.equal(remap.args.vec, 48); // ... as the next line says
      assert.equal(bitsOf(e.args.hi as bigint, 15, 0), 0xff00n); // SID of the IOAPIC
    });

    it('reads vtd_inv_desc with hi = qw1 and lo = qw0', () => {
      const e = first(ev, 'vtd_inv_desc', 53);
      assert.equal(e.line, 53);
      assert.deepEqual(e.args, { type: 'wait', hi: 0x1055004n, lo: 0x200000025n });
      const sw = ev[54];
      assert.equal(sw.name, 'vtd_inv_desc_wait_sw');
      // The status address is qw1 and the status data is qw0[63:32].
      assert.deepEqual(sw.args, { addr: 0x1055004n, data: 2 });
      assert.equal(bitsOf(e.args.lo as bigint, 63, 32), 2n);
    });

    it('keeps each value in its type', () => {
      const sw = first(ev, 'vtd_switch_address_space');
      assert.deepEqual(sw.args, { bus: 0, slot: 0, fn: 0, on: false });
      const tr = first(ev, 'vtd_dmar_translate');
      assert.deepEqual(tr.args, { bus: 0, slot: 4, func: 0, iova: 0xffffd000n, gpa: 0x2210000n, mask: 0xfffn });
      assert.deepEqual(first(ev, 'vtd_iotlb_cc_update').args, { bus: 0, devfn: 0x20, high: 0x601n, low: 0x1b1c001n, gen1: 0, gen2: 1 });
      assert.deepEqual(first(ev, 'vtd_ir_remap_msi').args, { addr: 0xfee00000n, data: 0n, addr2: 0xfee00000n, data2: 0n });
      assert.deepEqual(first(ev, 'vtd_inv_qi_setup').args, { addr: 0x10db000n, size: 256 });
      assert.deepEqual(first(ev, 'vtd_warn_ir_vector').args, { sid: 0xffff, index: 1, vec: 2, target: 48 });
      assert.deepEqual(first(ev, 'x86_iommu_iec_notify').args, { global: true, index: 0, mask: 0 });
      assert.deepEqual(first(ev, 'vtd_inv_qi_fetch').args, {});
      assert.deepEqual(first(ev, 'vtd_ir_remap_type').args, { type: 'IOAPIC' });
    });

    it('is recognised, and no other capture file is', () => {
      for (const name of readdirSync(legacyCaptureDir)) {
        assert.equal(looksLikeQemuTrace(legacyCaptureText(name).slice(0, 8192)), name === 'qemu-vtd.trace', name);
      }
    });
  });

  describe('a stamped trace with KVM route events', () => {
    const r = parseQemuTrace(fixtureText('logs', 'qemu-trace-stamped-kvm-routes.trace'));
    const ev = r.records;

    it('reads the pid@seconds stamps', () => {
      assert.equal(ev.length, 36);
      assert.equal(ev[0].pid, 4242);
      assert.equal(ev[0].time, 1732432561.100001);
      assert.deepEqual(spanOf(ev[0], 'name'), { line: 0, start: 23, end: 38 });
      assert.ok(r.dialect.includes('log backend with pid@seconds stamps (-msg timestamp=on before QEMU 10.1)'));
    });

    it('reads the kvm_irqchip and kvm_x86 events', () => {
      assert.deepEqual(first(ev, 'kvm_irqchip_add_msi_route').args, { name: 'N/A', vector: 0, virq: 0 });
      assert.deepEqual(ev[5].args, { name: 'virtio-net-pci', vector: 1, virq: 25 });
      assert.deepEqual(first(ev, 'kvm_x86_add_msi_route').args, { virq: 25 });
      assert.deepEqual(first(ev, 'kvm_irqchip_update_msi_route').args, { virq: 25 });
      assert.deepEqual(first(ev, 'kvm_x86_update_msi_routes').args, { num: 3 });
      assert.deepEqual(first(ev, 'kvm_x86_fixup_msi_error').args, { gsi: 26 });
      assert.deepEqual(first(ev, 'kvm_irqchip_release_virq').args, { virq: 26 });
      assert.deepEqual(first(ev, 'kvm_x86_remove_msi_route').args, { virq: 26 });
      assert.deepEqual(first(ev, 'kvm_resample_fd_notify').args, { gsi: 10 });
      assert.equal(ev.filter((e) => e.name === 'kvm_irqchip_commit_routes').length, 3);
      assert.deepEqual(first(ev, 'x86_iommu_iec_notify').args, { global: false, index: 1, mask: 0 });
      assert.deepEqual(first(ev, 'vtd_inv_desc_iec').args, { granularity: 1, index: 1, mask: 0 });
      assert.deepEqual(first(ev, 'vtd_inv_desc_wait_irq').args, { msg: 'Generating complete event' });
      const irte = first(ev, 'vtd_ir_irte_get');
      assert.deepEqual(irte.args, { index: 1, hi: 0x40018n, lo: 0x1000021000dn });
      assert.equal(bitsOf(irte.args.lo as bigint, 23, 16), 33n);
    });

    it('reads older and patched message shapes, and names them in the dialect', () => {
      const replay = ev.filter((e) => e.name === 'vtd_replay_ce_valid');
      assert.deepEqual(replay[0].args, { mode: 'legacy mode', bus: 0, dev: 3, fn: 0, domain: 3, hi: 0x301n, lo: 0x1b20001n });
      assert.deepEqual(replay[1].args, { bus: 0, dev: 3, fn: 0, domain: 3, hi: 0x301n, lo: 0x1b20001n });
      assert.deepEqual(first(ev, 'vtd_reg_dmar_root').args, { addr: 0x1a8e000n, extended: false });
      assert.deepEqual(first(ev, 'vtd_ir_remap_msi_req').args, { addr: 0xfee00030n, data: 0n, sid: 0x18, do_fault: false });
      assert.deepEqual(first(ev, 'vtd_page_walk_level').args, { addr: 0x1b1f000n, level: 3, start: 0n, end: 0x8000000000n });
      assert.deepEqual(first(ev, 'vtd_page_walk_one').args, { domain: 3, iova: 0xfffff000n, gpa: 0x220b000n, mask: 0xfffn, perm: 3 });
      assert.deepEqual(first(ev, 'vtd_iotlb_reset').args, { reason: 'iotlb exceeds size limit' });
      assert.ok(r.dialect.includes('vtd_replay_ce_valid without the mode prefix (older QEMU)'));
      assert.ok(r.dialect.includes('vtd_reg_dmar_root "extended" (QEMU before scalable mode)'));
    });

    it('keeps unknown events as records with text arguments and an info finding', () => {
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.kind, f.severity, f.span.line]),
        [
          ['unknown-trace-event', 'syntax', 'info', 34],
          ['unknown-trace-event', 'syntax', 'info', 35],
        ],
      );
      assert.deepEqual(ev[34].args, { raw: 'index 3 value 0x10 mode=legacy', index: '3', value: '0x10', mode: 'legacy' });
      assert.equal(ev[35].name, 'kvm_set_user_memory');
      assert.equal(ev[35].args.gpa, '0xfd000000');
      assert.equal(ev[35].args.raw, 'AddrSpace#0 Slot#3 flags=0x0 gpa=0xfd000000 size=0x1000000 ua=0x7f3a40000000 ret=0');
    });
  });

  describe('the byte reader (inPlace.ts) against the template matcher', () => {
    const traces = [
      ...readdirSync(join(fixturesDir, 'captures')).map((d) => join('captures', d, 'qemu-vtd.trace')),
      ...readdirSync(join(fixturesDir, 'traces')).filter((f) => f.endsWith('.trace')).map((f) => join('traces', f)),
    ].filter((p) => {
      try {
        readFileSync(join(fixturesDir, p));
        return true;
      } catch {
        return false;
      }
    });

    it('gives every event of every real trace the arguments, pid and time its text gives', () => {
      let checked = 0;
      for (const path of traces) {
        const text = readFileSync(join(fixturesDir, path), 'utf8');
        const lines = text.split('\n');
        for (const e of parseQemuTrace(text).records) {
          const format = TRACE_EVENT_FORMATS[e.name];
          if (!format) continue;
          const line = lines[e.line].replace(/\r$/, '');
          assert.equal(e.lineEnd, line.length, `${path}:${e.line + 1}`);
          assert.equal(line.slice(e.columns.start('name'), e.columns.end('name')), e.name, `${path}:${e.line + 1}`);
          const message = line.slice(e.columns.end('name') + 1).trimEnd();
          const args = format.variants.map((v) => matchTemplate(compileTemplate(v.template), message)).find((m) => 'args' in m);
          assert.ok(args && 'args' in args, `${path}:${e.line + 1}: the matcher reads it too`);
          addDerivedArgs(e.name, args.args);
          assert.deepEqual(e.args, args.args, `${path}:${e.line + 1}`);
          const stamp = /^(\d+)@([\d.]+):/.exec(line);
          if (stamp) {
            assert.equal(e.pid, Number(stamp[1]), `${path}:${e.line + 1}`);
            assert.equal(e.time, Number(stamp[2]), `${path}:${e.line + 1}: the time is Number() of its text, to the last bit`);
          }
          checked++;
        }
      }
      assert.ok(traces.length >= 6 && checked > 50000, `${checked} events of ${traces.length} traces`);
    });

    it('reads mutated event lines as the template matcher reads them (fields too wide, signs, zeros, cut literals)', () => {
      const source = readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy', 'qemu-vtd.trace'), 'utf8').split('\n').filter((l) => l !== '');
      const edit = fc.oneof(
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('0', '00000000000000000', 'f', 'fffffff', 'ffffffff', 'fffffffff', 'fffffffffffffff', 'ffffffffffffffff', 'fffffffffffffffff', '-', '1', '999999999', '9999999999', ' ', 'x', 'é', '\t') }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }) }),
        // Digits put at the start of one of the message's numbers (a field made wider, or given leading zeros).
        fc.record({ kind: fc.constant('widen' as const), at: fc.nat(), text: fc.constantFrom('0', '000000000', '1', '12345678', '123456789', '1234567890', '123456789012345', '1234567890123456') }),
      );
      fc.assert(
        fc.property(fc.nat({ max: source.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (k, edits) => {
          let line = source[k];
          const nameEnd = line.indexOf(' ', line.indexOf(':') + 1);
          for (const e of edits) {
            // Edits of the message only: the event stays the same one.
            if (e.kind === 'widen') {
              const numbers = [...line.slice(nameEnd).matchAll(/(?<=[ x=(-])\d/g)].map((m) => nameEnd + m.index);
              if (numbers.length === 0) continue;
              const at = numbers[e.at % numbers.length];
              line = line.slice(0, at) + e.text + line.slice(at);
              continue;
            }
            const at = nameEnd + 1 + (e.at % Math.max(1, line.length - nameEnd));
            line = e.kind === 'insert' ? line.slice(0, at) + e.text + line.slice(at) : line.slice(0, at) + line.slice(at + e.length);
          }
          const r = parseQemuTrace(line + '\n');
          const event = r.records[0];
          if (!event || !TRACE_EVENT_FORMATS[event.name]) return;
          const message = line.slice(event.columns.end('name') + 1).trimEnd();
          const m = TRACE_EVENT_FORMATS[event.name].variants.map((v) => matchTemplate(compileTemplate(v.template), message)).find((x) => 'args' in x);
          if (m && 'args' in m) {
            addDerivedArgs(event.name, m.args);
            assert.deepEqual(event.args, m.args, line);
          } else {
            assert.deepEqual(event.args, { raw: message }, line);
            assert.ok(r.findings.some((f) => f.code === 'trace-args-mismatch'), line);
          }
        }),
        { numRuns: 3000 },
      );
    });

    it('finds every known event by the key of its name: no two names share one (a shared key would send both to the slow path)', () => {
      const names = Object.keys(TRACE_EVENT_FORMATS);
      const keys = names.map((n) => nameKeyOf(new ByteRun(n)));
      const table = new NameTable(keys);
      assert.deepEqual(names.filter((_n, i) => table.get(keys[i]) !== i), []);
      assert.equal(table.get(nameKeyOf(new ByteRun('vtd_not_an_event'))), -1);
    });

    it('reads a text longer than the 4 Mi characters it encodes at a time as one text', () => {
      const one = readFileSync(join(fixturesDir, 'captures', 'linux-6.1-qemu-7.2-vm-legacy', 'qemu-vtd.trace'), 'utf8');
      const text = one + one;
      assert.ok(text.length > 4 << 20);
      const a = parseQemuTrace(one);
      const b = parseQemuTrace(text);
      assert.equal(b.records.length, 2 * a.records.length);
      assert.equal(b.lineCount, 2 * a.lineCount);
      // Each event of the second copy on its line, with the same arguments as in the first.
      const n = a.records.length;
      for (let i = 0; i < n; i++) {
        assert.equal(b.records[n + i].line, a.records[i].line + a.lineCount);
        assert.deepEqual(b.records[n + i].args, a.records[i].args);
      }
    });

    it('reads a time as Number() of its text, also past 2^53 and with nine decimals', () => {
      for (const t of ['1796672190.638234', '1796672190.638234567', '9007199254.740993', '0.5', '12.', '.25', '123456789012345678.5']) {
        const r = parseQemuTrace(`1@${t}:vtd_context_cache_reset \n`);
        assert.equal(r.records[0]?.time, Number(t), t);
      }
      for (const t of ['1.2.3', '.', '']) assert.notEqual(parseQemuTrace(`1@${t}:vtd_context_cache_reset \n`).records[0]?.pid, 1, t);
    });
  });

  describe('the event table', () => {
    it('compiles every template', () => {
      for (const [name, f] of Object.entries(TRACE_EVENT_FORMATS)) {
        assert.ok(f.variants.length > 0, name);
        for (const v of f.variants) assert.doesNotThrow(() => compileTemplate(v.template), name);
      }
    });

    it('matches exactly, without guessing', () => {
      const t = compileTemplate('sid 0x{sid:x} fault {fault:d} addr 0x{addr:X} write {w:b}');
      assert.deepEqual(matchTemplate(t, 'sid 0x28 fault 90 addr 0xffffffffffffffff write 1'), {
        args: { sid: 0x28, fault: 90, addr: 0xffffffffffffffffn, w: true },
      });
      assert.ok('error' in matchTemplate(t, 'sid 0x28 fault 90 addr 0x1ffffffffffffffff write 1')); // 65 bits
      assert.ok('error' in matchTemplate(t, 'sid 0x28 fault 90 addr 0x1 write 2'));
      assert.ok('error' in matchTemplate(t, 'sid 0x28 fault 90 addr 0x1 write 1 extra'));
      assert.ok('error' in matchTemplate(t, 'sid 0x123456789 fault 1 addr 0x1 write 1'));
      assert.deepEqual(matchTemplate(compileTemplate('index {i:d}'), 'index -1'), { args: { i: -1 } });
      assert.throws(() => compileTemplate('a {b} c'));
    });

    it('reads each known event where it lies as matchTemplate reads its message (values and key order)', () => {
      const traces = [legacyCaptureText('qemu-vtd.trace'), fixtureText('traces', 'ats-device-tlb.trace'), fixtureText('logs', 'qemu-trace-stamped-kvm-routes.trace')];
      let compared = 0;
      for (const text of traces) {
        const lines = text.split(/\r?\n/);
        for (const e of parseQemuTrace(text).records) {
          const format = TRACE_EVENT_FORMATS[e.name];
          if (!format || 'raw' in e.args) continue;
          const line = lines[e.line];
          const message = line.slice(Math.min(spanOf(e, 'name').end + 1, line.length)).trimEnd();
          const m = format.variants.map((v) => matchTemplate(compileTemplate(v.template), message)).find((x) => 'args' in x);
          assert.ok(m && 'args' in m, line);
          addDerivedArgs(e.name, m.args);
          assert.deepStrictEqual(Object.entries(e.args), Object.entries(m.args), line);
          compared++;
        }
      }
      assert.ok(compared > 20000);
    });

    it('makes argument objects only from identifier names', () => {
      assert.deepStrictEqual(argsFactory(compileTemplate('a {x:u} b {y:X}'), ['z'])([1, 2n]), { x: 1, y: 2n, z: undefined });
      assert.throws(() => argsFactory(compileTemplate('{a-b:u}')));
      assert.throws(() => argsFactory(compileTemplate('{x:u} {x:u}')));
    });
  });

  describe('bad input', () => {
    it('warns about lines that are not trace lines, and about messages of the wrong shape', () => {
      const lines = [
        'this is not a trace line',
        'vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0xzz',
        'vtd_ir_irte_get index 1 low 0x4ff00 hi',
        'vtd_iotlb_page_hit IOTLB page hit sid 0x20 iova 0x12345678901234567 slpte 0x1 domain 0x1',
        'qemu-system-x86_64: vtd_iommu_translate: detected translation failure (dev=00:05:00, iova=0x2345000)',
        '',
        '4242@oops:vtd_ir_enable enable 1',
      ];
      const r = parseQemuTrace(lines.join('\n'));
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.severity, f.span.line]),
        [
          ['unrecognised-line', 'warning', 0],
          ['trace-args-mismatch', 'warning', 1],
          ['trace-args-mismatch', 'warning', 2],
          ['trace-args-mismatch', 'warning', 3],
          ['unrecognised-line', 'warning', 6],
        ],
      );
      // Known events whose message does not fit stay as records with the raw text; QEMU's own message is read.
      assert.deepEqual(
        r.records.map((e) => [e.name, e.args.raw]),
        [
          ['vtd_iotlb_page_hit', 'IOTLB page hit sid 0x20 iova 0xzz'],
          ['vtd_ir_irte_get', 'index 1 low 0x4ff00 hi'],
          ['vtd_iotlb_page_hit', 'IOTLB page hit sid 0x20 iova 0x12345678901234567 slpte 0x1 domain 0x1'],
          ['qemu_message', 'detected translation failure (dev=00:05:00, iova=0x2345000)'],
        ],
      );
    });

    it('survives garbage and a 10 MB line, and caps repeated findings', () => {
      const big = parseQemuTrace('vtd_ir_enable ' + '1'.repeat(10_000_000) + '\n' + '\u0000\u00ff\ud800');
      assert.deepEqual(
        big.findings.map((f) => f.code),
        ['line-too-long', 'unrecognised-line'],
      );
      const noise = parseQemuTrace('Hello there\n'.repeat(1000));
      assert.equal(noise.findings.length, FINDINGS_PER_CODE + 1);
      assert.match(noise.findings[FINDINGS_PER_CODE].message, /800 more/);
      assert.ok(!looksLikeQemuTrace('Hello there\n'));
      assert.ok(!looksLikeQemuTrace(''));
    });

    it('reads a CRLF copy the same', () => {
      const text = legacyCaptureText('qemu-vtd.trace').split('\n').slice(0, 200).join('\r\n');
      const r = parseQemuTrace(text);
      assert.deepEqual(r.findings, []);
      assert.equal(r.records.length, 200);
    });
  });
});
