import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { legacyCaptureDir, repoRoot } from '../helpers';

function run(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }) as number;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('viommu CLI', () => {
  it('decode --json of one file gives its format, records and fields by specification name', () => {
    const r = run('decode', join(legacyCaptureDir, 'dmar_translation_struct'), '--json');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.equal(j.format, 'dmar_translation_struct');
    assert.equal(j.records[0].rows.length, 9);
    const edu = j.decoded.find((d: { label: string }) => d.label === 'context entry 00:05.0');
    assert.equal(edu.type, 'context-entry');
    assert.equal(edu.fields.DID.value, '0x7');
    assert.equal(edu.fields.AW.value, '0x1');
    assert.equal(edu.fields.SLPTPTR.address, '0x1b1f000');
    assert.equal(edu.fields.P.value, '0x1');
  });

  it('decode --json of a capture folder lists every file with a format id', () => {
    const r = run('decode', legacyCaptureDir, '--json');
    const j = JSON.parse(r.out);
    const formats = j.files.map((f: { format: string }) => f.format).sort();
    assert.deepEqual(formats, [
      'dmar_perf_latency',
      'dmar_translation_struct',
      'dmesg',
      'domain_translation_struct',
      'invalidation_queue',
      'iommu_groups',
      'iommu_regset',
      'ir_translation_struct',
      'proc_interrupts',
      'qemu_trace',
    ]);
  });

  it('check --json on the real capture has no syntax findings and no errors (exit 0)', () => {
    const r = run('check', legacyCaptureDir, '--json');
    const findings = JSON.parse(r.out) as { kind: string; severity: string }[];
    assert.equal(findings.filter((f) => f.kind === 'syntax').length, 0);
    assert.equal(r.code, 0);
  });

  it('check exits 1 on an error and names the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-'));
    // A context entry with TT = 11 (reserved) and reserved bits set.
    writeFileSync(
      join(dir, 'dmar_translation_struct'),
      'IOMMU dmar0: Root Table Address: 0x1a8e000\n' +
        'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n' +
        '00:05.0\t0x0000000000000000:0x0000000001a94001\t0x0000000000000701:0x0000000001b1f0ff\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n',
    );
    const r = run('check', dir, '--json');
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.out) as { line: number; severity: string; kind: string }[];
    const errors = findings.filter((f) => f.severity === 'error');
    assert.ok(errors.length > 0);
    assert.ok(errors.every((f) => f.line === 3 && f.kind === 'semantic'));
  });

  it('translate --json walks an IOVA to its host page', () => {
    const r = run('translate', legacyCaptureDir, '--bdf', '00:02.0', '--iova', '0xffefd000', '--json');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.equal(j.ok, true);
    assert.equal(j.hpa, '0x268e000');
    assert.equal(j.pageSize, '0x1000');
    assert.equal(j.permissions, 'RW');
    assert.ok(j.steps.length >= 5);
  });

  it('check of the kernel log alone (with its folder) and of the folder reports each fault with the verdict of its walk', () => {
    for (const target of [join(legacyCaptureDir, 'dmesg'), legacyCaptureDir]) {
      const r = run('check', target);
      assert.equal(r.code, 0, r.err);
      const faults = r.out.split('\n').filter((l) => /\[semantic\/fault\]/.test(l));
      assert.equal(faults.length, 2, r.out);
      assert.match(faults[0], /dmesg:422:22: .*Fault 0x06 READ.*00:05\.0 read of 0x2345000\. The walk of the same request agrees/);
      assert.match(faults[1], /dmesg:429:22: .*Fault 0x05 WRITE.*The walk of the same request agrees/);
      assert.doesNotMatch(r.out, /no context entry/);
    }
  });

  it('translate reports the fault reason of an unmapped IOVA (exit 1)', () => {
    const r = run('translate', legacyCaptureDir, '--bdf', '00:05.0', '--iova', '0x2345000', '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.ok, false);
    assert.deepEqual(j.fault, { reason: 6, name: j.fault.name, description: 'PTE Read access is not set' });
  });

  it('translate prints a readable table', () => {
    const r = run('translate', legacyCaptureDir, '--bdf', '00:02.0', '--iova', '0xffefd000');
    assert.match(r.out, /PDPE/);
    assert.match(r.out, /=> host address 0x268e000 \(4K page, RW\)/);
  });

  it('reverse lists both IOVAs of a host page', () => {
    const r = run('reverse', legacyCaptureDir, '--hpa', '0x268e800', '--json');
    const j = JSON.parse(r.out);
    assert.deepEqual(
      j.mappings.map((m: { iova: string }) => m.iova),
      ['0xffefd800', '0xffefe800'],
    );
  });

  it('usage errors and unreadable paths exit 2 with a message', () => {
    assert.equal(run('translate', legacyCaptureDir, '--bdf', 'zz', '--iova', '1').code, 2);
    const missing = run('check', '/nonexistent/capture');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read/);
    assert.equal(run('frobnicate').code, 2);
  });
});

describe('viommu CLI on a capture folder with thousands of files', function () {
  this.timeout(60000);
  it('reads up to its limit, says what it left out, and still checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'viommu-many-'));
    writeFileSync(join(dir, 'dmar_translation_struct'), readFileSync(join(legacyCaptureDir, 'dmar_translation_struct')));
    for (let i = 0; i < 5200; i++) writeFileSync(join(dir, `note-${String(i).padStart(5, '0')}.txt`), `line ${i}\n`);
    const r = run('check', dir, '--json');
    assert.equal(r.code, 3, 'incomplete: files were left out');
    assert.match(r.err, /left out \d+ more files or folders: a capture folder is read up to 5000 files/);
    const findings = JSON.parse(r.out) as { code: string; file: string }[];
    assert.ok(findings.some((f) => f.code === 'unknown-format'), 'files of no known format are named');
    assert.ok(!findings.some((f) => f.code === 'parser-failure'));
  });
});

describe('viommu CLI as a process', () => {
  it('stops quietly when the reader of its output goes away (viommu decode … | head)', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'decode', legacyCaptureDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then close the pipe as head does: the rest (megabytes of JSON) meets EPIPE.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

describe('viommu CLI on files it cannot read', () => {
  it('says why it skips what it cannot read: a file too large for a string, a FIFO, a device', function () {
    if (process.platform === 'win32') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'viommu-cli-skip-'));
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, 'iommu_regset'));
    // Sparse: 600 MiB on paper, nothing on disk; it is refused before any read.
    writeFileSync(join(dir, 'dmesg'), '');
    truncateSync(join(dir, 'dmesg'), 600 * 1024 * 1024);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('/dev/zero', join(dir, 'zero'));
    const r = run('decode', dir);
    assert.match(r.err, /left out dmesg: 600 MiB, more than the 512 MiB a file is read up to; open it with .*Open Large Dump File/);
    assert.match(r.err, /left out fifo: not a regular file/);
    assert.match(r.err, /left out zero: a link to \/dev\/zero of the running system/);
    // The readable file is still decoded.
    assert.match(r.out, /^== iommu_regset: /m);
    assert.equal(r.code, 0);
  });

  it('names a link to nothing, and reads a folder linked back into itself once', function () {
    if (process.platform === 'win32') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'viommu-cli-links-'));
    mkdirSync(join(dir, '0000:00:02.0'));
    copyFileSync(join(legacyCaptureDir, 'iommu_regset'), join(dir, '0000:00:02.0', 'iommu_regset'));
    // Named like a per-PASID folder (so the walk goes in), linked back to the capture folder.
    symlinkSync('..', join(dir, '0000:00:02.0', '1'));
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    const r = run('decode', dir);
    assert.match(r.err, /left out dangling: no such file or folder \(a link to nothing\?\) \(ENOENT\)/);
    assert.match(r.err, /left out 0000:00:02.0\/1: a link to a folder already read/);
    assert.equal(r.out.match(/^== .*iommu_regset: /gm)?.length, 1, r.out.slice(0, 400));
    assert.equal(r.code, 0);
  });
});

describe('viommu CLI conventions', () => {
  const io = (stdin?: Buffer) => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), ...(stdin ? { stdin: () => stdin } : {}) }, out, err };
  };
  const runWith = (stdin: Buffer | undefined, ...argv: string[]) => {
    const x = io(stdin);
    const code = main(argv, x.io) as number;
    return { code, out: x.out.join('\n'), err: x.err.join('\n') };
  };

  it('has --help for every command (stdout, exit 0), --version, and usage errors on stderr (exit 2)', () => {
    for (const c of ['decode', 'check', 'translate', 'reverse', 'capture', 'simulate', 'vm']) {
      const r = runWith(undefined, c, '--help');
      assert.equal(r.code, 0, c);
      assert.match(r.out, new RegExp(`^viommu ${c}\\b`), c);
      assert.equal(r.err, '');
    }
    assert.match(runWith(undefined, '--version').out, /^viommu \d+\.\d+\.\d+$/);
    const none = runWith(undefined);
    assert.equal(none.code, 2);
    assert.equal(none.out, '');
    assert.match(none.err, /^usage: viommu/);
    const bad = runWith(undefined, 'check', '--nope', legacyCaptureDir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown option --nope/);
  });

  it('reads standard input for the PATH -, and takes what follows -- as paths', () => {
    const dmesg = readFileSync(join(legacyCaptureDir, 'dmesg'));
    const r = runWith(dmesg, 'check', '-');
    assert.equal(r.code, 0);
    assert.match(r.out, /^stdin:422:22: info \[semantic\/fault-walk-unknown\] Fault 0x06/m);
    const dir = mkdtempSync(join(tmpdir(), 'viommu-dashdash-'));
    writeFileSync(join(dir, '--json'), readFileSync(join(legacyCaptureDir, 'iommu_groups')));
    const dashed = runWith(undefined, 'check', '--', join(dir, '--json'));
    assert.equal(dashed.code, 0, dashed.err);
    assert.match(dashed.out, /no findings/);
  });

  it('writes SARIF 2.1.0 for CI systems, with each finding at its file, line and column', () => {
    const r = runWith(undefined, 'check', legacyCaptureDir, '--format', 'sarif');
    const log = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    assert.equal(log.version, '2.1.0');
    const fault = log.runs[0].results.find((x) => x.ruleId === 'fault');
    assert.ok(fault);
    assert.equal(fault.level, 'note');
    assert.match(fault.locations[0].physicalLocation.artifactLocation.uri, /dmesg$/);
    assert.equal(fault.locations[0].physicalLocation.region.startLine, 422);
    assert.ok(log.runs[0].tool.driver.rules.some((x) => x.id === 'fault'));
    assert.equal(runWith(undefined, 'check', legacyCaptureDir, '--format', 'xml').code, 2);
  });

  it('exits 1 when reverse finds no mapping, and keeps tables within 100 columns unless --wide', () => {
    assert.equal(runWith(undefined, 'reverse', legacyCaptureDir, '--hpa', '0x123456789000').code, 1);
    assert.equal(runWith(undefined, 'reverse', legacyCaptureDir, '--hpa', '0x268e000').code, 0);
    const narrow = runWith(undefined, 'translate', legacyCaptureDir, '--bdf', '00:02.0', '--iova', '0xffefd000');
    const table = narrow.out.split('\n').slice(1, -1);
    assert.ok(table.every((l) => l.length <= 100), table.filter((l) => l.length > 100).join('\n'));
    const wide = runWith(undefined, 'translate', legacyCaptureDir, '--bdf', '00:02.0', '--iova', '0xffefd000', '--wide');
    assert.ok(wide.out.split('\n').some((l) => l.length > 100), 'the decoded column is not wrapped');
  });
});

describe('viommu as an installed package', () => {
  it('npm pack, then npm install -g of the tarball, gives a working viommu', function () {
    this.timeout(180000);
    const dir = mkdtempSync(join(tmpdir(), 'viommu-pack-'));
    const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    // dist/ is built by the test command; prepack would build it again.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot, env, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    execFileSync('npm', ['install', '-g', '--prefix', join(dir, 'prefix'), '--offline', join(dir, tarball)], { cwd: dir, env, stdio: 'pipe' });
    const bin = join(dir, 'prefix', 'bin', 'viommu');
    assert.match(execFileSync(bin, ['--version'], { encoding: 'utf8' }), /^viommu \d+\.\d+\.\d+\n$/);
    const out = execFileSync(bin, ['check', legacyCaptureDir], { encoding: 'utf8' });
    assert.match(out, /0 error\(s\), 0 warning\(s\), 5 note\(s\)/);
  });
});
