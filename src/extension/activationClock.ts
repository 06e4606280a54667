// How long this extension takes to come up, measured where it happens (in the
// extension host, with performance.now()) so the figure is the extension's own
// and not the workbench's: from activate()'s first line to its return (which
// waits for the language client to start: the server process spawned and its
// initialize answered), and to the first diagnostics the server publishes for
// a dump. The lane records the figures and `npm run bench` reports them.

/** Milliseconds from activate()'s entry; a figure is undefined until it happens. */
export interface ActivationTimes {
  /** activate() entry to its return: commands and views registered, the language client started. */
  activateMs?: number;
  /** activate() entry to the first publishDiagnostics the client received. */
  firstDiagnosticsMs?: number;
  /** The document those first diagnostics were for. */
  firstDiagnosticsUri?: string;
}

export class ActivationClock {
  private readonly start = performance.now();
  private readonly measured: ActivationTimes = {};
  private resolveFirstDiagnostics: () => void = () => undefined;
  private readonly diagnosed = new Promise<void>((resolve) => (this.resolveFirstDiagnostics = resolve));

  /** A copy of what is measured so far. */
  get times(): ActivationTimes {
    return { ...this.measured };
  }

  /** Every figure, once the first diagnostics arrived (and activate() returned: whoever asks holds its result). */
  async whenFirstDiagnostics(): Promise<ActivationTimes> {
    await this.diagnosed;
    return this.times;
  }

  /** Call as activate() returns. */
  activated(): void {
    this.measured.activateMs ??= performance.now() - this.start;
  }

  /** Call on every publishDiagnostics: only the first counts. */
  diagnosticsReceived(uri: string): void {
    if (this.measured.firstDiagnosticsMs !== undefined) return;
    this.measured.firstDiagnosticsMs = performance.now() - this.start;
    this.measured.firstDiagnosticsUri = uri;
    this.resolveFirstDiagnostics();
  }
}
