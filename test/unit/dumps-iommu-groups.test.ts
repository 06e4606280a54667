import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { legacyCaptureDir, legacyCaptureText, fixtureText } from '../helpers';
import { parseIommuGroups, looksLikeIommuGroups, type IommuGroup } from '../../src/dumps/iommuGroups';

/** Groups as [group, ["bb:dd.f", ...]] for compact comparisons. */
function summary(groups: IommuGroup[]): [number, string[]][] {
  const hex2 = (n: number) => n.toString(16).padStart(2, '0');
  return groups.map((g) => [g.group, g.devices.map((d) => `${hex2(d.bus)}:${hex2(d.dev)}.${d.fn}`)]);
}

/** The groups of the real capture (q35: the ICH9 functions share group 6). */
const CAPTURE_GROUPS: [number, string[]][] = [
  [0, ['00:00.0']],
  [1, ['00:01.0']],
  [2, ['00:02.0']],
  [3, ['00:03.0']],
  [4, ['00:04.0']],
  [5, ['00:05.0']],
  [6, ['00:1f.0', '00:1f.2', '00:1f.3']],
];

describe('iommu_groups listing parser', () => {
  describe('the real capture (ls -l of every devices directory)', () => {
    const text = legacyCaptureText('iommu_groups');
    const r = parseIommuGroups(text);

    it('reads every line without a finding', () => {
      assert.deepEqual(r.findings, []);
      assert.equal(r.format, 'iommu_groups');
      assert.equal(r.lineCount, 29);
      assert.deepEqual(r.dialect, ['ls headers', 'ls -l of the devices directories']);
    });

    it('puts the LPC, SATA and SMBus functions in group 6', () => {
      assert.deepEqual(summary(r.records), CAPTURE_GROUPS);
      const g6 = r.records[6];
      assert.equal(g6.span.line, 24); // "/sys/kernel/iommu_groups/6/devices/:"
      assert.ok(g6.devices.every((d) => d.segment === 0));
      const sata = g6.devices[1];
      assert.equal(text.split('\n')[sata.span.line].slice(sata.span.start, sata.span.end), '0000:00:1f.2');
      assert.equal(sata.span.line, 27);
    });

    it('is recognised, and no other capture file is', () => {
      for (const name of readdirSync(legacyCaptureDir)) {
        assert.equal(looksLikeIommuGroups(legacyCaptureText(name).slice(0, 8192)), name === 'iommu_groups', name);
      }
    });
  });

  describe('other listing shapes', () => {
    it('find /sys/kernel/iommu_groups/', () => {
      const text = fixtureText('logs', 'iommu-groups-find.txt');
      const r = parseIommuGroups(text);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.dialect, ['find paths']);
      assert.deepEqual(summary(r.records), CAPTURE_GROUPS);
      const d = r.records[6].devices[2];
      assert.equal(text.split('\n')[d.span.line].slice(d.span.start, d.span.end), '0000:00:1f.3');
      assert.ok(looksLikeIommuGroups(text));
    });

    it('the "IOMMU Group N" loop over lspci -nns', () => {
      const text = fixtureText('logs', 'iommu-groups-lspci-loop.txt');
      const r = parseIommuGroups(text);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(summary(r.records), CAPTURE_GROUPS);
      assert.equal(r.records[6].span.line, 6);
      assert.ok(looksLikeIommuGroups(text));
    });

    it('plain ls (names only) and a segment above 0xffff', () => {
      const text = '/sys/kernel/iommu_groups/12/devices/:\n10000:e1:00.0  10000:e1:00.1\n\n/sys/kernel/iommu_groups/13/devices/:\n0000:3b:00.0\n';
      const r = parseIommuGroups(text);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(
        r.records[0].devices.map((d) => [d.segment, d.bus, d.dev, d.fn]),
        [
          [0x10000, 0xe1, 0, 0],
          [0x10000, 0xe1, 0, 1],
        ],
      );
      assert.deepEqual(summary(r.records), [
        [12, ['e1:00.0', 'e1:00.1']],
        [13, ['3b:00.0']],
      ]);
    });

    it('tolerates TABs and a CRLF copy', () => {
      const text = legacyCaptureText('iommu_groups').replace(/ {4}/g, '\t').replace(/\n/g, '\r\n');
      const r = parseIommuGroups(text);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(summary(r.records), CAPTURE_GROUPS);
    });
  });

  describe('bad input', () => {
    it('reports lines it does not understand', () => {
      const text = [
        '/sys/kernel/iommu_groups/x/devices/:',
        '/sys/kernel/iommu_groups/3/devices/:',
        'lrwxrwxrwx 1 0 0 0 Nov 24 07:16 not-a-device -> ../../../../devices/platform/foo',
        'hello',
        '/sys/kernel/iommu_groups/4/unknown_file',
        'IOMMU Group seven 00:02.0 Ethernet',
      ].join('\n');
      const r = parseIommuGroups(text);
      assert.deepEqual(
        r.findings.map((f) => [f.code, f.span.line]),
        [
          ['unrecognised-line', 0],
          ['unrecognised-line', 2],
          ['unrecognised-line', 3],
          ['unrecognised-line', 4],
          ['unrecognised-line', 5],
        ],
      );
      assert.deepEqual(summary(r.records), [
        [3, []],
        [4, []],
      ]);
    });

    it('survives garbage, truncation and a 10 MB line', () => {
      const text = legacyCaptureText('iommu_groups');
      const truncated = parseIommuGroups(text.slice(0, text.indexOf('0000:00:1f.2 ->') + 9));
      assert.equal(truncated.findings.length, 1); // "...07:16 0000:00:1" is not a device name
      assert.deepEqual(summary(truncated.records)[6], [6, ['00:1f.0']]);
      const big = parseIommuGroups('/sys/kernel/iommu_groups/1/devices/:\n' + 'x'.repeat(10_000_000) + '\n\u0000\ud800 -> ');
      assert.equal(big.findings.length, 2);
      assert.ok(!looksLikeIommuGroups('hello'));
      assert.ok(!looksLikeIommuGroups(''));
    });
  });
});
