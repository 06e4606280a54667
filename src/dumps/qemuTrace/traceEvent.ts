// One event of a QEMU trace, as the parsers hand it on.

import type { ArgValue } from './template';
import type { RowColumns } from '../rowColumns';

export interface TraceEvent {
  kind: 'trace-event';
  name: string;
  /**
   * Arguments by name (see eventFormats.ts): 64-bit hex values as bigint,
   * narrower values and decimals as number, bools as boolean, strings as
   * string. Events the table does not know carry `raw` (the message) and any
   * "key value" / "key=value" pairs as strings.
   */
  args: Record<string, ArgValue>;
  pid?: number;
  /** Seconds since the epoch (wall clock), from the line's time stamp (pid@seconds.micros: or ISO 8601). */
  time?: number;
  /** The event's line and its length; spanOf(event, 'name') is where the name is. */
  line: number;
  lineEnd: number;
  columns: RowColumns<TraceEventField>;
}

/** The field of an event line whose column is kept, for spanOf(). */
export type TraceEventField = 'name';
