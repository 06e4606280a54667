// The shell command "Capture from This Machine" types into its terminal.

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `sudo` with the editor's own Node (Electron run as Node) running the bundled CLI. */
export function captureCommandLine(nodePath: string, cliPath: string, outDir: string): string {
  return `sudo env ELECTRON_RUN_AS_NODE=1 ${shellQuote(nodePath)} ${shellQuote(cliPath)} capture ${shellQuote(outDir)}`;
}
