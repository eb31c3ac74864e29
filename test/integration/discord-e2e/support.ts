import { parseDiscordConfig } from "../../../adapters/discord/config.js";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import { createDiscordPlatform } from "../../../adapters/discord/index.js";
import type { FakeDifyServer, FakeDifyStartOptions } from "../../fakes/dify/index.js";
import { FakeDiscord, type FakeDiscordOptions, type RecordedRequest, type StoredMessage } from "../../fakes/discord/index.js";
import { type BridgeHarness, startBridge } from "../../support/bridge-harness.js";
import { captureLogger, type LogEntry } from "../../support/capture-logger.js";

/**
 * The whole bridge as a user meets it on Discord: the real discord.js client (through `createDiscordPlatform`)
 * against the fake Discord REST + gateway + CDN, the real core (BullMQ, Redis) and the fake Dify.
 */
export interface DiscordE2E {
  readonly fake: FakeDiscord;
  readonly platform: DiscordPlatform;
  readonly harness: BridgeHarness;
  readonly dify: FakeDifyServer;
  /** What the Discord adapter logged. */
  readonly adapterLogs: LogEntry[];
}

/** The part of vitest's test context used here; cleanup is registered per test, so tests may run concurrently. */
export interface TestScope {
  onTestFinished(fn: () => Promise<void> | void, timeout?: number): void;
}

/**
 * Starts everything for one test and registers its teardown: the bridge (whose shutdown stops the gateway
 * client) is closed before the fake Discord, so no client is left reconnecting and nothing hangs.
 */
export async function startDiscordE2E(
  scope: TestScope,
  opts: {
    fake?: FakeDiscordOptions;
    dify?: FakeDifyStartOptions;
    env?: Record<string, string>;
    /** DISCORD_* settings beyond the token and API URL. */
    discordEnv?: Record<string, string>;
    /** Changes the fake's world before the bot connects (e.g. more guilds). */
    prepare?: (fake: FakeDiscord) => void;
    /** Download deadline and idle timeout, shorter than production's so a stall test takes seconds. */
    downloadTimeouts?: { readonly deadlineMs: number; readonly idleTimeoutMs: number };
  } = {},
): Promise<DiscordE2E> {
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 250, ...opts.fake });
  opts.prepare?.(fake);
  let harness: BridgeHarness | undefined;
  let platform: DiscordPlatform | undefined;
  scope.onTestFinished(async () => {
    try {
      if (harness) await harness.close();
      else await platform?.stop();
    } finally {
      await fake.close();
    }
  });
  const adapterLogs: LogEntry[] = [];
  const parsed = parseDiscordConfig({ DISCORD_BOT_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, ...opts.discordEnv });
  if (!parsed.ok || parsed.value === null) throw new Error("bad Discord test config");
  platform = createDiscordPlatform(parsed.value, {
    logger: captureLogger(adapterLogs),
    restTimeoutMs: 5_000,
    readyTimeoutMs: 10_000,
    ...(opts.downloadTimeouts && { download: { ...opts.downloadTimeouts } }),
  });
  harness = await startBridge({ platforms: [platform], ...(opts.dify && { dify: opts.dify }), ...(opts.env && { env: opts.env }) });
  return { fake, platform, harness, dify: harness.dify, adapterLogs };
}

/** The conversation key (and Dify `user`) of a thread in a guild channel. */
export function threadKey(fake: FakeDiscord, parentId: string, threadId: string): string {
  return `discord:${fake.ids.guild}:${parentId}:${threadId}`;
}

/** The conversation key (and Dify `user`) of a DM channel. */
export function dmKey(dmChannelId: string): string {
  return `discord:@dm:${dmChannelId}:${dmChannelId}`;
}

export interface ShownButton {
  readonly customId: string;
  readonly label: string;
}

/** The buttons a message shows, row by row. */
export function buttonsOf(message: { components: unknown[] }): ShownButton[] {
  const rows = message.components as Array<{ components?: Array<{ custom_id?: string; label?: string }> }>;
  return rows.flatMap((row) => row.components ?? []).map((b) => ({ customId: b.custom_id ?? "", label: b.label ?? "" }));
}

/** Neither a placeholder or progress line ("_Thinking…_") nor a message with a Stop button: the answer is done. */
export function isFinal(message: StoredMessage): boolean {
  return !message.content.startsWith("_") && !buttonsOf(message).some((b) => b.label === "Stop");
}

/** The bot's messages in a channel once there are at least `count` and all of them are final. */
export function finalBotMessages(fake: FakeDiscord, channelId: string, count = 1): StoredMessage[] | undefined {
  const messages = fake.botMessages(channelId);
  return messages.length >= count && messages.every(isFinal) ? messages : undefined;
}

/** Every create/edit of a message in `channelId` the fake received (all statuses), in arrival order. */
export function messageWrites(fake: FakeDiscord, channelId: string): RecordedRequest[] {
  const path = new RegExp(`^/channels/${channelId}/messages(/\\d+)?$`);
  return fake.requests.filter((r) => (r.method === "POST" || r.method === "PATCH") && path.test(r.path));
}

/** The `content` a recorded create/edit carried. */
export function contentOf(request: RecordedRequest): string {
  return String((request.json as { content?: unknown } | undefined)?.content ?? "");
}

/** Fence lines (``` or ~~~, up to three spaces of indentation) of a Markdown text. */
export function fenceLines(text: string): string[] {
  return text.split("\n").filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line));
}

/**
 * The parts of a split answer with the fence lines the split added removed: where a part ends inside a code
 * block, its closing fence line was added (and the next part reopens the block on its first line).
 */
export function withoutSplitFences(parts: readonly string[]): string[] {
  // Decided on the parts as sent (a reopened part starts with its fence line, so the count includes it).
  const closedBySplit = parts.map((part, i) => {
    if (i === parts.length - 1) return false;
    const lines = part.split("\n");
    // Fence lines before the last one: an odd count means a block was open when the split closed it.
    return fenceLines(lines.slice(0, -1).join("\n")).length % 2 === 1 && fenceLines(lines.at(-1) ?? "").length === 1;
  });
  return parts.map((part, i) => {
    const lines = part.split("\n");
    if (closedBySplit[i]) lines.pop();
    if (i > 0 && closedBySplit[i - 1]) lines.shift();
    return lines.join("\n");
  });
}

/**
 * Whether `parts` are `text` in order with nothing lost or added: each part is found right where the previous
 * one ended, only whitespace (the separator a split consumed) between them. Returns a description of the first
 * mismatch, or null.
 */
export function mismatchWhenRejoined(text: string, parts: readonly string[]): string | null {
  let cursor = 0;
  for (const [i, part] of parts.entries()) {
    const at = text.indexOf(part, cursor);
    if (at === -1) return `part ${i + 1} is not in the answer after position ${cursor}`;
    if (text.slice(cursor, at).trim() !== "") return `text lost before part ${i + 1}: ${JSON.stringify(text.slice(cursor, at).slice(0, 80))}`;
    cursor = at + part.length;
  }
  return text.slice(cursor).trim() === "" ? null : `text lost at the end: ${JSON.stringify(text.slice(cursor).slice(0, 80))}`;
}

/** Lets in-flight work that should NOT produce anything run long enough that it would have (for "nothing happened" checks). */
export function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
