import { afterEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import { PlatformRateLimitError } from "../../../src/contracts/errors.js";
import type { MessageRef } from "../../../src/contracts/messages.js";
import { FakeDiscord, MESSAGE_BUCKET_HASH } from "../../fakes/discord/index.js";
import { createCapturingLogger, type LogEntry, platformFor, threadTarget } from "./helpers.js";

/** @discordjs/rest must reject instead of waiting: the core paces and always sends the latest text. */
describe("discord rate limits", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;
  let logs: LogEntry[];

  async function setup(options: Parameters<typeof FakeDiscord.start>[0] = {}): Promise<MessageRef> {
    fake = await FakeDiscord.start(options);
    const logger = createCapturingLogger();
    logs = logger.entries;
    platform = platformFor(fake, logger);
    await platform.start();
    return platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "Thinking…" });
  }

  afterEach(async () => {
    await platform?.stop();
    await fake?.close();
  });

  it("turns a 429 into PlatformRateLimitError with retryAfterMs, without retrying", async () => {
    const ref = await setup();
    // One successful edit first: @discordjs/rest keys its bucket state on the hash Discord announces.
    await platform.editMessage(ref, { markdown: "first words" });
    fake.rateLimitNext({ method: "PATCH", path: /\/messages\/\d+$/, retryAfterMs: 3_500 });
    const err = await platform.editMessage(ref, { markdown: "partial answer" }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PlatformRateLimitError);
    const limited = err as PlatformRateLimitError;
    // Retry-After is whole seconds (4) plus @discordjs/rest's 50 ms offset.
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(3_500);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(4_100);
    expect(limited.global).toBe(false);
    expect(fake.requestsTo("PATCH", /\/messages\/\d+$/).map((r) => r.status)).toEqual([200, 429]);
    expect(fake.rateLimitedCount).toBe(1);
    expect(fake.botMessages(fake.ids.existingThread)[0]?.content).toBe("first words");
    expect(logs.some((l) => l.level === "warn" && l.msg === "discord answered 429")).toBe(true);

    // The bucket is now known to be empty: the next edit is refused locally, without another invalid request.
    await expect(platform.editMessage(ref, { markdown: "more" })).rejects.toBeInstanceOf(PlatformRateLimitError);
    expect(fake.requestsTo("PATCH", /\/messages\/\d+$/)).toHaveLength(2);
    expect(fake.rateLimitedCount).toBe(1);
  });

  it("reports a global 429 as global", async () => {
    const ref = await setup();
    fake.rateLimitNext({ method: "PATCH", retryAfterMs: 800, global: true });
    const err = await platform.editMessage(ref, { markdown: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformRateLimitError);
    expect((err as PlatformRateLimitError).global).toBe(true);
  });

  it("reads the bucket headers and stops before Discord has to say 429", async () => {
    // A long window so the test cannot race the reset on a slow machine.
    const ref = await setup({ rateLimits: { channelMessages: { limit: 5, windowMs: 60_000 } } });
    for (let i = 1; i <= 4; i++) await platform.editMessage(ref, { markdown: `edit ${i}` });
    const err = await platform.editMessage(ref, { markdown: "edit 5" }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PlatformRateLimitError);
    expect((err as PlatformRateLimitError).retryAfterMs).toBeGreaterThan(0);
    // Post + 4 edits used the 5 slots (one shared bucket); the 6th call never reached Discord.
    expect(fake.requests.filter((r) => r.method === "PATCH" || r.method === "POST")).toHaveLength(5);
    expect(fake.rateLimitedCount).toBe(0);
    expect(fake.botMessages(fake.ids.existingThread)[0]?.content).toBe("edit 4");
    const learned = logs.find((l) => l.msg === "discord rate-limit bucket learned");
    expect(learned?.obj).toMatchObject({ bucket: MESSAGE_BUCKET_HASH, limit: 5 });
  });
});
