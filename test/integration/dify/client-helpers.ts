import type { Logger } from "../../../src/contracts/logger.js";
import { DifyClient, type DifyClientOptions } from "../../../src/dify/dify-client.js";
import type { DifyEvent } from "../../../src/dify/events.js";
import type { FakeDifyServer } from "../../fakes/dify/index.js";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly obj: object;
  readonly msg: string | undefined;
}

/** A Logger that keeps what it was given, so tests can assert on warnings. */
export function captureLogger(entries: LogEntry[] = []): Logger & { readonly entries: LogEntry[] } {
  const at = (level: LogEntry["level"]) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return {
    entries,
    child: () => captureLogger(entries),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    fatal: at("fatal"),
  };
}

export function clientFor(dify: FakeDifyServer, options: Partial<DifyClientOptions> = {}): DifyClient {
  return new DifyClient({ baseUrl: dify.baseUrl, apiKey: dify.apiKey, logger: captureLogger(), ...options });
}

/** Reads a stream to its end; the error it ended with (if any) is returned, not thrown. */
export async function drain(stream: AsyncIterable<DifyEvent>): Promise<{ events: DifyEvent[]; error: unknown }> {
  const events: DifyEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** The displayed answer: deltas appended, `message_replace` replacing. */
export function textOf(events: readonly DifyEvent[]): string {
  let text = "";
  for (const e of events) {
    if (e.event === "text") text += e.answer;
    if (e.event === "message_replace") text = e.answer;
  }
  return text;
}

export const chat = (query: string, extra: { user?: string; conversationId?: string } = {}) => ({
  query,
  user: extra.user ?? "slack:T1:U1",
  inputs: {},
  conversationId: extra.conversationId,
});

/** Resolves the first value, then keeps the iterator open for the caller. */
export async function firstEvent(iterator: AsyncIterator<DifyEvent>): Promise<DifyEvent> {
  const first = await iterator.next();
  if (first.done) throw new Error("stream ended before its first event");
  return first.value;
}
