// The extension's commands, one table: every part of the extension adds the
// handlers of the commands it owns to the table the composition root made,
// and the root registers the whole table at once, after every part is
// constructed. An id added twice is a programming error; the table lists its
// ids (the lane checks them against package.json's contributes.commands).

import * as vscode from 'vscode';

// Command arguments come from VS Code (menus, code lenses, command links, other extensions): handlers check them.
type CommandHandler = (...args: any[]) => unknown;

export class CommandTable {
  private readonly handlers = new Map<string, CommandHandler>();
  private registered = false;

  /** Adds a command; returns a disposable for the callers that collect them (the table owns the registration). */
  add(id: string, handler: CommandHandler): vscode.Disposable {
    if (this.registered) throw new Error(`command ${id} added after the table was registered`);
    if (this.handlers.has(id)) throw new Error(`command ${id} is in the table twice`);
    this.handlers.set(id, handler);
    return new vscode.Disposable(() => undefined);
  }

  /** Registers every command of the table with VS Code. */
  register(): vscode.Disposable[] {
    this.registered = true;
    return [...this.handlers].map(([id, handler]) => vscode.commands.registerCommand(id, handler));
  }

  ids(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
