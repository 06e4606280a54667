// Where commands write: stdout and stderr, replaceable in tests.

export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /** Widest a table may be (--wide: unbounded); 100 when unset. */
  width?: number;
  /** Standard input's bytes, for the PATH "-" (tests give their own). */
  stdin?: () => Buffer;
}

export const processIO: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
