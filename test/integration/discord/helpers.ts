import { type DiscordConfig, parseDiscordConfig } from "../../../adapters/discord/config.js";
import type { DiscordPlatform, DiscordPlatformDeps } from "../../../adapters/discord/discord-platform.js";
import { createDiscordPlatform } from "../../../adapters/discord/index.js";
import type { InboundEvent, InboundSink } from "../../../src/contracts/chat-platform.js";
import type { Logger } from "../../../src/contracts/logger.js";
import type { ReplyTarget } from "../../../src/contracts/messages.js";
import type { FakeDiscord } from "../../fakes/discord/index.js";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error" | "fatal";
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

/** A Logger that keeps every entry, so tests can assert on what was logged. */
export function createCapturingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at = (level: LogEntry["level"]) => (obj: object, msg?: string) => {
    entries.push({ level, obj: { ...bindings, ...(obj as Record<string, unknown>) }, msg: msg ?? "" });
  };
  return {
    entries,
    child: (more) => createCapturingLogger(entries, { ...bindings, ...more }),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    fatal: at("fatal"),
  };
}

/** A sink that records events and lets a test wait for the ones it expects. */
/**
 * The events an adapter hands the core, in order. Events it reports as ignored (with their reason) are kept
 * apart in `ignored`: `events` and `next` are what the core would act on.
 */
export function createCapturingSink(): {
  sink: InboundSink;
  events: InboundEvent[];
  ignored: Extract<InboundEvent, { kind: "ignored" }>[];
  next: (count?: number) => Promise<InboundEvent[]>;
} {
  const events: InboundEvent[] = [];
  const ignored: Extract<InboundEvent, { kind: "ignored" }>[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let reserved = 0;
  const sink: InboundSink = async (event) => {
    if (event.kind === "ignored") {
      ignored.push(event);
      return;
    }
    events.push(event);
    for (const w of [...waiters]) {
      if (events.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  /** Resolves with the next `count` events not claimed by an earlier call (calls may overlap). */
  const next = async (count = 1): Promise<InboundEvent[]> => {
    const from = reserved;
    reserved += count;
    if (events.length < from + count) await waitUntil(waiters, from + count);
    return events.slice(from, from + count);
  };
  return { sink, events, ignored, next };
}

function waitUntil(waiters: Array<{ count: number; resolve: () => void }>, count: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} inbound event(s)`)), 10_000);
    waiters.push({
      count,
      resolve: () => {
        clearTimeout(timer);
        resolve();
      },
    });
  });
}

/** Polls until `check` returns a value (for outcomes the fake records asynchronously). Bounded, never a timing assertion. */
export async function eventually<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function discordConfigFor(fake: FakeDiscord, extra: Record<string, string> = {}): DiscordConfig {
  const parsed = parseDiscordConfig({ DISCORD_BOT_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, ...extra });
  if (!parsed.ok || parsed.value === null) throw new Error(`bad test config: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

export function platformFor(fake: FakeDiscord, logger: Logger, extra: Record<string, string> = {}, deps: Partial<DiscordPlatformDeps> = {}): DiscordPlatform {
  return createDiscordPlatform(discordConfigFor(fake, extra), { logger, restTimeoutMs: 5_000, ...deps });
}

/** The reply target normalization builds for a channel mention (see adapters/discord/normalize.ts). */
export function mentionTarget(fake: FakeDiscord, messageId: string, channelId: string = fake.ids.general, threadName = "Question"): ReplyTarget {
  return {
    platform: "discord",
    workspaceId: fake.ids.guild,
    channelId: messageId,
    hints: { startThreadInChannel: channelId, startThreadFromMessage: messageId, threadName },
  };
}

export function threadTarget(fake: FakeDiscord, threadId: string): ReplyTarget {
  return { platform: "discord", workspaceId: fake.ids.guild, channelId: threadId };
}
