import { afterEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import { createDiscordPlatform } from "../../../adapters/discord/index.js";
import { PlatformAuthError, PlatformError } from "../../../src/contracts/errors.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { createCapturingLogger, createCapturingSink, discordConfigFor, eventually, mentionTarget, platformFor, threadTarget } from "./helpers.js";

describe("discord platform lifecycle", () => {
  let fake: FakeDiscord;
  const platforms: DiscordPlatform[] = [];
  const track = (p: DiscordPlatform) => {
    platforms.push(p);
    return p;
  };

  afterEach(async () => {
    for (const p of platforms.splice(0)) await p.stop();
    await fake.close();
  });

  it("works REST-only without ever opening the gateway (worker role)", async () => {
    fake = await FakeDiscord.start();
    const platform = track(platformFor(fake, createCapturingLogger()));
    await platform.start();
    expect(platform.isReady()).toBe(true);

    const q = fake.users.sendMessage({ channelId: fake.ids.general, content: "<@1100000000000000001> q" });
    const target = mentionTarget(fake, q.id);
    await platform.sendTyping(target);
    const ref = await platform.postMessage(target, { markdown: "Thinking…" });
    await platform.editMessage(ref, { markdown: "Done." });
    await platform.attachFiles(target, [{ name: "a.txt", mimeType: "text/plain", data: new Uint8Array([65]) }]);
    await platform.fetchThreadHistory(threadTarget(fake, fake.ids.existingThread), { beforeMessageId: q.id, limit: 10 });
    await platform.deleteMessage(ref);

    expect(fake.gateway.identifies).toEqual([]);
    expect(fake.gateway.openSockets).toBe(0);
    expect(fake.requestsTo("GET", /^\/gateway\/bot$/)).toEqual([]);
    expect(fake.requests.every((r) => r.hadAuthorization)).toBe(true);
    expect(fake.botMessages(q.id).map((m) => m.attachments.length)).toEqual([1]);
  });

  it("connects, heartbeats, reports ready, and stops idempotently; outbound calls still work after stop", async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 100 });
    const platform = track(platformFor(fake, createCapturingLogger()));
    expect(platform.isReady()).toBe(false);
    await platform.start(createCapturingSink().sink);
    expect(platform.isReady()).toBe(true);
    expect(fake.gateway.identifies).toHaveLength(1);
    await eventually(() => fake.gateway.heartbeats >= 2, "two heartbeats");

    await Promise.all([platform.stop(), platform.stop()]);
    await platform.stop();
    expect(platform.isReady()).toBe(false);
    await eventually(() => fake.gateway.openSockets === 0, "the gateway socket to close");
    // Shutdown finalizes answers after intake stopped.
    await platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "interrupted" });
    expect(fake.botMessages(fake.ids.existingThread).map((m) => m.content)).toEqual(["interrupted"]);
  });

  it("shares one start between concurrent callers: each resolves only once the gateway is up", async () => {
    fake = await FakeDiscord.start();
    const platform = track(platformFor(fake, createCapturingLogger()));
    const capture = createCapturingSink();
    const first = platform.start(capture.sink);
    const second = platform.start(capture.sink);
    await second;
    // A caller that awaited start() may rely on the gateway: ready, one login, events flowing.
    expect(platform.isReady()).toBe(true);
    await first;
    expect(fake.gateway.identifies).toHaveLength(1);
    const sent = fake.users.sendMessage({ channelId: fake.ids.existingThread, content: "after a double start" });
    const [event] = await capture.next();
    expect(event?.kind === "message" && event.message.messageId).toBe(sent.id);
  });

  it("resumes after the gateway asks to reconnect and keeps delivering", async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 250 });
    const platform = track(platformFor(fake, createCapturingLogger()));
    const capture = createCapturingSink();
    await platform.start(capture.sink);
    fake.gateway.requestReconnect();
    await eventually(() => fake.gateway.resumes === 1 && fake.gateway.readySessions.length === 1, "a RESUME");
    const sent = fake.users.sendMessage({ channelId: fake.ids.existingThread, content: "after the resume" });
    const [event] = await capture.next();
    expect(event?.kind === "message" && event.message.messageId).toBe(sent.id);
    expect(fake.gateway.identifies).toHaveLength(1);
  });

  it("logs the invite URL with the permissions integer when the bot is in no server", async () => {
    fake = await FakeDiscord.start({ inNoGuild: true });
    const logger = createCapturingLogger();
    const platform = track(platformFor(fake, logger));
    await platform.start(createCapturingSink().sink);
    const warning = logger.entries.find((e) => e.level === "warn" && typeof e.obj.inviteUrl === "string");
    expect(warning?.msg).toMatch(/in no server/);
    const url = new URL(String(warning?.obj.inviteUrl));
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: fake.ids.application, scope: "bot applications.commands", permissions: "309237763072" });
  });

  it("warns about missing server permissions", async () => {
    fake = await FakeDiscord.start();
    fake.world.guilds.get(fake.ids.guild)!.roles.find((r) => r.id === fake.ids.botRole)!.permissions = "3072";
    const logger = createCapturingLogger();
    const platform = track(platformFor(fake, logger));
    await platform.start(createCapturingSink().sink);
    const warning = logger.entries.find((e) => e.level === "warn" && e.obj.guildId === fake.ids.guild);
    expect(warning?.obj.missing).toEqual(["Send Messages in Threads", "Create Public Threads", "Read Message History", "Attach Files", "Embed Links"]);
  });

  it("can be started again after a failed start", async () => {
    fake = await FakeDiscord.start();
    fake.failNext({ method: "GET", path: /^\/gateway\/bot$/, response: { status: 503, body: { code: 0, message: "unavailable" } } });
    const platform = track(platformFor(fake, createCapturingLogger()));
    const capture = createCapturingSink();
    const err = await platform.start(capture.sink).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(platform.isReady()).toBe(false);
    await platform.start(capture.sink);
    expect(platform.isReady()).toBe(true);
    expect(fake.requestsTo("GET", /^\/gateway\/bot$/).map((r) => r.status)).toEqual([503, 200]);
  });

  it("fails start with PlatformAuthError for a rejected token", async () => {
    fake = await FakeDiscord.start();
    const config = { ...discordConfigFor(fake), botToken: "WRONG.TOKEN" };
    const platform = track(createDiscordPlatform(config, { logger: createCapturingLogger() }));
    await expect(platform.start(createCapturingSink().sink)).rejects.toBeInstanceOf(PlatformAuthError);
    await expect(platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "x" })).rejects.toBeInstanceOf(PlatformAuthError);
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401]);
  });
});
