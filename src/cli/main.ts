// The `viommu` command line: decode, check, translate, reverse, capture, simulate and vm.
//
// Conventions: `viommu COMMAND --help` (or -h) for each command, `viommu
// --version`, `--` ends the options, `-` as PATH reads standard input,
// `--wide` lifts the 100-column limit of tables, usage errors on stderr with
// exit 2. Exit codes per command are in its help.

import { CaptureReadError } from '../io/captureReader';
import { UsageError } from './args';
import { processIO, type CommandIO } from './commands/io';
import { runDecode } from './commands/decode';
import { runCheck } from './commands/check';
import { runTranslate } from './commands/translate';
import { runReverse } from './commands/reverse';
import { CaptureError, runCapture } from './commands/capture';
import { runSimulate } from './commands/simulate';
import { runVm, VM_USAGE } from './commands/vm';
import { version } from './version';

interface Command {
  run: (argv: string[], io: CommandIO) => number | Promise<number>;
  /** Its synopsis and options, as `viommu COMMAND --help` prints them. */
  help: string;
}

const PATH_NOTE = 'PATH is a dump file or a capture folder (debugfs files, dmesg, /proc/interrupts, QEMU trace), or - for standard input (one file).';

const COMMANDS: Record<string, Command> = {
  decode: {
    run: runDecode,
    help: `viommu decode PATH [--json | --json-lines] [--compact]
  Decodes every raw value of a dump file or a capture folder, field by field.
  --json        one JSON value ({ format, dialect, records, decoded } per file)
  --json-lines  one JSON object per line, written as it goes
  --compact     leave out the rows of page-table blocks
  Traces and page-table dumps above 64 MiB are streamed (VIOMMU_STREAM_ABOVE=<bytes> moves it).
  Exit 0, 2 on a usage error or an unreadable PATH.`,
  },
  check: {
    run: runCheck,
    help: `viommu check PATH... [--json | --json-lines | --format text|json|json-lines|sarif]
  Reports syntax and semantic findings, and each fault with the verdict of its walk.
  Output lines read file:line:column: severity [kind/code] message (VS Code's
  problem matcher "$viommu" reads them); SARIF 2.1.0 for CI systems.
  Exit 0 clean, 1 an error finding, 2 a usage error or an unreadable PATH,
  3 a file left out (the check is incomplete).`,
  },
  translate: {
    run: runTranslate,
    help: `viommu translate CAPTURE --bdf [SSSS:]BB:DD.F --iova ADDR [--pasid N] [--unit dmarN] [--write] [--json]
  Walks one DMA request through root, context, PASID and page-table entries.
  Exit 0 translated, 1 a fault, 3 the capture does not tell, 2 a usage error.`,
  },
  reverse: {
    run: runReverse,
    help: `viommu reverse CAPTURE --hpa ADDR [--json]
  Lists every requester, domain and IOVA that maps a host page.
  Exit 0 when one does, 1 when none does, 2 a usage error.`,
  },
  capture: {
    run: runCapture,
    help: `viommu capture [OUTDIR] [--debugfs DIR] [--proc DIR] [--groups DIR]
  Copies this Linux machine's IOMMU state (as root) into a fresh folder, with a manifest.`,
  },
  simulate: {
    run: runSimulate,
    help: `viommu simulate SCENARIO|--builtin NAME [--json] [--steps N] [--capture DIR] [--sensitivity] [--sweep KEY=V1,V2,...]
viommu simulate --list | --table [--json]
  Simulates VT-d under QEMU/KVM. Exit 0, 1 when the run falls outside the
  range its scenario expects (or the scenario is invalid), 2 a usage error.`,
  },
  vm: { run: runVm, help: `viommu${VM_USAGE.trimStart().replace(/^vm/, ' vm')}` },
};

const USAGE = `usage: viommu <command> [options]        (viommu <command> --help for each)

  decode PATH [--json|--json-lines] [--compact]   decode every raw value of a dump file or capture folder
  check PATH... [--json|--json-lines|--format sarif]   findings (exit 1 on errors, 3 if a file was left out)
  translate CAPTURE --bdf BB:DD.F --iova ADDR [--pasid N] [--write] [--json]
                                       walk one DMA request through the tables
  reverse CAPTURE --hpa ADDR [--json]  list every requester, domain and IOVA that maps a host page
  capture [OUTDIR]                     copy this Linux machine's IOMMU state (as root)
  simulate SCENARIO|--builtin NAME [--json] [--steps N], --list, --table   simulate VT-d under QEMU/KVM
${VM_USAGE}

  --version   the version        --wide   tables wider than 100 columns
${PATH_NOTE}`;

/** Runs one command; the commands that boot a VM answer with a promise. */
export function main(argv: string[], baseIO: CommandIO = processIO): number | Promise<number> {
  const [command, ...given] = argv;
  if (command === '--version' || command === '-V') {
    baseIO.out(`viommu ${version()}`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const about = given[0] !== undefined && Object.hasOwn(COMMANDS, given[0]) ? COMMANDS[given[0]].help : USAGE;
    baseIO.out(about);
    return 0;
  }
  if (!command) {
    baseIO.err(USAGE);
    return 2;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    baseIO.err(`viommu: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  // Options that every command takes, up to "--".
  const end = given.indexOf('--');
  const options = end < 0 ? given : given.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) {
    baseIO.out(entry.help);
    return 0;
  }
  const wide = options.includes('--wide');
  const rest = wide ? given.filter((a, i) => !(a === '--wide' && (end < 0 || i < end))) : given;
  const io: CommandIO = { ...baseIO, width: wide ? Infinity : (baseIO.width ?? 100) };
  const failed = (err: unknown): number => {
    if (err instanceof UsageError) {
      io.err(`viommu ${command}: ${err.message}\n\n${entry.help}`);
      return 2;
    }
    if (err instanceof CaptureReadError || err instanceof CaptureError) {
      io.err(`viommu ${command}: ${err.message}`);
      return 2;
    }
    throw err;
  };
  try {
    const code = entry.run(rest, io);
    return typeof code === 'number' ? code : code.catch(failed);
  } catch (err) {
    return failed(err);
  }
}

if (require.main === module) {
  // Output piped into `head` or `less` that stops reading: stop quietly, as other commands do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  void Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
}
