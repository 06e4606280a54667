// The user's settings as the server needs them, pulled from the client
// (workspace/configuration) when it supports that, defaults otherwise.

import type { ClientCapabilities, Connection } from 'vscode-languageserver/node';
import { DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import { SETTINGS, type InlayHintMode, type NumberFormat } from '../protocol';

interface ServerSettings {
  inlayHints: InlayHintMode;
  numberFormat: NumberFormat;
  /** Documents above this many MB are re-analysed only after edits settle. */
  maxFileSizeMB: number;
}

const DEFAULTS: ServerSettings = { inlayHints: 'compact', numberFormat: 'hex', maxFileSizeMB: 20 };

export class Settings {
  private current: ServerSettings = { ...DEFAULTS };
  private canPull = false;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly connection: Connection) {
    connection.onDidChangeConfiguration((change) => {
      const section = (change.settings as Record<string, unknown> | undefined)?.[SETTINGS.section];
      if (section && typeof section === 'object') this.apply(section as Partial<ServerSettings>);
      else void this.pull();
    });
  }

  init(caps: ClientCapabilities): void {
    this.canPull = caps.workspace?.configuration === true;
  }

  onInitialized(): void {
    if (this.canPull) {
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS.section }).catch(() => undefined);
      void this.pull();
    }
  }

  get(): ServerSettings {
    return this.current;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async pull(): Promise<void> {
    if (!this.canPull) return;
    try {
      const section = (await this.connection.workspace.getConfiguration(SETTINGS.section)) as Partial<ServerSettings> | null;
      if (section) this.apply(section);
    } catch {
      // A client without the section keeps the defaults.
    }
  }

  private apply(section: Partial<ServerSettings>): void {
    const next: ServerSettings = {
      inlayHints: (['off', 'compact', 'full'] as const).includes(section.inlayHints as InlayHintMode) ? (section.inlayHints as InlayHintMode) : DEFAULTS.inlayHints,
      numberFormat: (['hex', 'decimal', 'both'] as const).includes(section.numberFormat as NumberFormat) ? (section.numberFormat as NumberFormat) : DEFAULTS.numberFormat,
      maxFileSizeMB: typeof section.maxFileSizeMB === 'number' && section.maxFileSizeMB > 0 ? section.maxFileSizeMB : DEFAULTS.maxFileSizeMB,
    };
    const changed = next.inlayHints !== this.current.inlayHints || next.numberFormat !== this.current.numberFormat;
    this.current = next;
    if (changed) for (const l of this.listeners) l();
  }
}
