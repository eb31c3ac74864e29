/**
 * Messages of a thread as an adapter saw them go by (events, its own posts), kept by the core in Redis so that
 * reading a thread's context later needs few or no platform calls. Bounded per thread and expiring: it is a
 * cache, never the record. `threadKey` and entry ids are the adapter's; entries come back in `order`.
 */
export interface ThreadLog {
  /** Adds the entry, or replaces the one with the same id (an edit, a streamed answer's final text). */
  record(threadKey: string, entry: ThreadLogEntry): Promise<void>;
  remove(threadKey: string, id: string): Promise<void>;
  /** Every kept entry of the thread, by `order`. */
  read(threadKey: string): Promise<ThreadLogEntry[]>;
}

export interface ThreadLogEntry {
  readonly id: string;
  /** Sort key (Slack: the ts as a number). */
  readonly order: number;
  readonly userId: string;
  readonly isBot: boolean;
  /** In the adapter's own form (Slack: people's mrkdwn, its own answers' Markdown); it reads it back. */
  readonly text: string;
}
