// The `viommu` command line: decode, check, translate, reverse, capture, simulate and vm.

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

const USAGE = `usage: viommu <command> [options]

  decode PATH [--json]                 decode every raw value of a dump file or capture folder
  check PATH... [--json]               report syntax and semantic findings (exit 1 on errors)
  translate CAPTURE --bdf BB:DD.F --iova ADDR [--pasid N] [--write] [--json]
                                       walk one DMA request through the tables
  reverse CAPTURE --hpa ADDR [--json]  list every requester, domain and IOVA that maps a host page
  capture [OUTDIR]                     copy this Linux machine's IOMMU state (as root)
  simulate SCENARIO|--builtin NAME [--json] [--steps N], --list, --table   simulate VT-d under QEMU/KVM
${VM_USAGE}

PATH is a dump file or a capture folder (debugfs files, dmesg, /proc/interrupts, QEMU trace).`;

const COMMANDS: Record<string, (argv: string[], io: CommandIO) => number | Promise<number>> = {
  decode: runDecode,
  check: runCheck,
  translate: runTranslate,
  reverse: runReverse,
  capture: runCapture,
  simulate: runSimulate,
  vm: runVm,
};

/** Runs one command; the commands that boot a VM answer with a promise. */
export function main(argv: string[], io: CommandIO = processIO): number | Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    io.err(`viommu: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const failed = (err: unknown): number => {
    if (err instanceof UsageError) {
      io.err(`viommu ${command}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof CaptureReadError || err instanceof CaptureError) {
      io.err(`viommu ${command}: ${err.message}`);
      return 2;
    }
    throw err;
  };
  try {
    const code = run(rest, io);
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
