import { strict as assert } from 'node:assert';
import type { Finding, ParseResult } from '../../src/dumps/types';
import { looksLikeIommuRegset, parseIommuRegset } from '../../src/dumps/debugfs/iommuRegset';
import { looksLikeDmarTranslation, parseDmarTranslation } from '../../src/dumps/debugfs/dmarTranslation';
import { looksLikeDomainTranslation, parseDomainTranslation } from '../../src/dumps/debugfs/domainTranslation';
import { looksLikeIrTranslation, parseIrTranslation } from '../../src/dumps/debugfs/irTranslation';
import { looksLikeInvalidationQueue, parseInvalidationQueue } from '../../src/dumps/debugfs/invalidationQueue';
import { looksLikePerfLatency, parsePerfLatency } from '../../src/dumps/debugfs/perfLatency';
import { MAX_FINDINGS } from '../../src/dumps/debugfs/scan';
import { fixtureText, legacyCaptureText } from '../helpers';

interface Case {
  file: string;
  parse: (text: string) => ParseResult<unknown>;
  looksLike: (head: string) => boolean;
  /** Something countable that must survive CRLF and TAB expansion. */
  count: (r: ParseResult<unknown>) => number;
}

const cases: Case[] = [
  { file: 'iommu_regset', parse: parseIommuRegset, looksLike: looksLikeIommuRegset, count: (r) => (r as ReturnType<typeof parseIommuRegset>).records[0]?.registers.length ?? -1 },
  { file: 'dmar_translation_struct', parse: parseDmarTranslation, looksLike: looksLikeDmarTranslation, count: (r) => (r as ReturnType<typeof parseDmarTranslation>).records[0]?.rows.length ?? -1 },
  {
    file: 'domain_translation_struct',
    parse: (t) => parseDomainTranslation(t),
    looksLike: looksLikeDomainTranslation,
    count: (r) => (r as ReturnType<typeof parseDomainTranslation>).records.reduce((n, b) => n + b.rows.count, 0),
  },
  { file: 'ir_translation_struct', parse: parseIrTranslation, looksLike: looksLikeIrTranslation, count: (r) => (r as ReturnType<typeof parseIrTranslation>).records[0]?.entries.length ?? -1 },
  { file: 'invalidation_queue', parse: parseInvalidationQueue, looksLike: looksLikeInvalidationQueue, count: (r) => (r as ReturnType<typeof parseInvalidationQueue>).records[0]?.descriptors.length ?? -1 },
  { file: 'dmar_perf_latency', parse: parsePerfLatency, looksLike: looksLikePerfLatency, count: (r) => (r as ReturnType<typeof parsePerfLatency>).records[0]?.columns.length ?? -1 },
];

const EXPECTED_COUNTS: Record<string, number> = {
  iommu_regset: 67,
  dmar_translation_struct: 9,
  domain_translation_struct: 13285,
  ir_translation_struct: 17,
  invalidation_queue: 256,
  dmar_perf_latency: 10,
};

/** TABs replaced by spaces up to the next multiple of 8, as a terminal copy does. */
function expandTabs(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
      return out;
    })
    .join('\n');
}

/** A small deterministic PRNG (mulberry32) so failures can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = ['\0', '\t', ' ', '\r', '\n', ':', '.', '|', 'x', '0', 'f', 'g', '-', '@', '*', 'é', '0x', 'ffffffffffffffffffff', '99999999999999999999'];

function mutate(text: string, random: () => number): string {
  let t = text;
  const edits = 1 + Math.floor(random() * 6);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(random() * (t.length + 1));
    const kind = random();
    if (kind < 0.3) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(random() * 40));
    else if (kind < 0.7) t = t.slice(0, at) + NOISE[Math.floor(random() * NOISE.length)] + t.slice(at);
    else if (kind < 0.8) t = t.slice(0, at);
    else {
      const nl = t.indexOf('\n', at);
      t = nl < 0 ? t : t.slice(0, at) + t.slice(nl);
    }
  }
  return t;
}

/** Every finding sits on a line of the file, within it. */
function assertSpansInside(findings: Finding[], text: string): void {
  const lines = text.split('\n');
  for (const f of findings) {
    assert.ok(f.span.line >= 0 && f.span.line < Math.max(lines.length, 1), `line ${f.span.line} of ${lines.length}`);
    assert.ok(f.span.start >= 0 && f.span.start <= f.span.end, JSON.stringify(f.span));
    assert.ok(f.span.end <= lines[f.span.line].length, `${JSON.stringify(f.span)} beyond "${lines[f.span.line].slice(0, 60)}"`);
  }
}

describe('debugfs parsers on damaged input', () => {
  for (const c of cases) {
    describe(c.file, () => {
      const text = legacyCaptureText(c.file);

      it('reads the CRLF version of the real file the same way', () => {
        const r = c.parse(text.replace(/\n/g, '\r\n'));
        assert.equal(r.findings.filter((f) => f.kind === 'syntax').length, 0);
        assert.equal(c.count(r), EXPECTED_COUNTS[c.file]);
      });

      it('reads the real file with its TABs turned into spaces', () => {
        const r = c.parse(expandTabs(text));
        assert.deepEqual(r.findings.filter((f) => f.kind === 'syntax'), []);
        assert.equal(c.count(r), EXPECTED_COUNTS[c.file]);
      });

      it('reads the real file indented by two spaces (documentation copies)', () => {
        const r = c.parse(text.replace(/^(?=.)/gm, '  '));
        assert.deepEqual(r.findings.filter((f) => f.kind === 'syntax'), []);
        assert.equal(c.count(r), EXPECTED_COUNTS[c.file]);
      });

      it('turns garbage into findings at the right lines, never an exception', () => {
        const lines = text.split('\n');
        const at = Math.min(3, lines.length - 1);
        lines.splice(at, 0, 'garbage \0\0 line', '');
        lines.splice(at, 0, '0x' + 'f'.repeat(40) + ' | 0x1');
        const damaged = lines.join('\n');
        const r = c.parse(damaged);
        const syntaxLines = r.findings.filter((f) => f.kind === 'syntax').map((f) => f.span.line);
        assert.ok(syntaxLines.includes(at), `a finding on line ${at}: ${JSON.stringify(r.findings)}`);
        assert.ok(syntaxLines.includes(at + 1), `a finding on line ${at + 1}`);
        assertSpansInside(r.findings, damaged);
      });

      it('survives a 10 MB line, NUL bytes and binary noise', function () {
        this.timeout(20000);
        const long = '0x' + '0'.repeat(5_000_000) + ' ' + 'a\tb '.repeat(1_250_000);
        const noise = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
        const input = `${text.slice(0, 300)}\n${long}\n\0\0\0\n${noise}\n${text}`;
        const r = c.parse(input);
        assert.ok(r.findings.length > 0);
        assert.ok(r.findings.every((f) => f.message.length < 400));
        assertSpansInside(r.findings, input);
        assert.equal(c.looksLike(long), false);
        assert.equal(c.looksLike(noise), false);
      });

      it('never throws on randomly damaged copies', () => {
        const random = rng(0x5eed + c.file.length);
        const base = text.length > 20000 ? text.slice(0, 20000) : text;
        for (let k = 0; k < 300; k++) {
          const damaged = mutate(base, random);
          const r = c.parse(damaged);
          assertSpansInside(r.findings, damaged);
          c.looksLike(damaged);
        }
      });
    });
  }

  it('parses the empty file to nothing', () => {
    for (const c of cases) {
      const r = c.parse('');
      assert.deepEqual([r.records, r.findings, r.lineCount], [[], [], 0]);
      assert.equal(c.looksLike(''), false);
    }
  });

  it('keeps at most MAX_FINDINGS findings and says how many more there were', () => {
    const text = 'nonsense\n'.repeat(MAX_FINDINGS + 500);
    const r = parseDomainTranslation(text);
    assert.equal(r.findings.length, MAX_FINDINGS + 1);
    const last = r.findings[MAX_FINDINGS];
    assert.equal(last.code, 'too-many-findings');
    assert.equal(last.span.line, MAX_FINDINGS);
    assert.match(last.message, /^500 more/);
  });

  it('runs each hand-built fixture through the damage test too', () => {
    const fixtures: [string, (t: string) => ParseResult<unknown>][] = [
      ['iommu_regset.v5.4-64bit-reads', parseIommuRegset],
      ['dmar_translation_struct.v5.2-old-layout', parseDmarTranslation],
      ['dmar_translation_struct.v6.8-scalable', parseDmarTranslation],
      ['domain_translation_struct.v6.7-device-0000_00_02.0', (t) => parseDomainTranslation(t, '0000:00:02.0/domain_translation_struct')],
      ['ir_translation_struct.x2apic-posted', parseIrTranslation],
      ['invalidation_queue.256bit', parseInvalidationQueue],
      ['dmar_perf_latency.samples', parsePerfLatency],
    ];
    const random = rng(42);
    for (const [name, parse] of fixtures) {
      const text = fixtureText('debugfs', name);
      assert.deepEqual(parse(expandTabs(text)).findings.filter((f) => f.kind === 'syntax'), [], name);
      for (let k = 0; k < 100; k++) {
        const damaged = mutate(text, random);
        assertSpansInside(parse(damaged).findings, damaged);
      }
    }
  });
});
