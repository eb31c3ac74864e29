import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DiscordPlatform } from "../../../adapters/discord/discord-platform.js";
import { PlatformNotFoundError, PlatformPermissionError } from "../../../src/contracts/errors.js";
import { FakeDiscord } from "../../fakes/discord/index.js";
import { createCapturingLogger, type LogEntry, mentionTarget, platformFor, threadTarget } from "./helpers.js";

/** Outbound operations over REST only (a worker process), asserted on what the fake Discord stores. */
describe("discord outbound messages", () => {
  let fake: FakeDiscord;
  let platform: DiscordPlatform;
  let logs: LogEntry[];

  beforeEach(async () => {
    fake = await FakeDiscord.start();
    const logger = createCapturingLogger();
    logs = logger.entries;
    platform = platformFor(fake, logger);
    await platform.start();
  });

  afterEach(async () => {
    await platform.stop();
    await fake.close();
  });

  const question = (content = "<@1100000000000000001> hi") => fake.users.sendMessage({ channelId: fake.ids.general, content });

  it("creates the thread from the starter message, then posts inside it", async () => {
    const q = question();
    const ref = await platform.postMessage(mentionTarget(fake, q.id, fake.ids.general, "How do I deploy?"), { markdown: "Thinking…" });

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /channels/${fake.ids.general}/messages/${q.id}/threads`,
      `POST /channels/${q.id}/messages`,
    ]);
    expect(fake.requests[0]?.json).toEqual({ name: "How do I deploy?" });
    expect(fake.world.channels.get(q.id)).toMatchObject({ type: 11, parent_id: fake.ids.general, owner_id: fake.ids.bot, name: "How do I deploy?" });
    expect(ref).toEqual({ platform: "discord", workspaceId: fake.ids.guild, channelId: q.id, messageId: fake.botMessages(q.id)[0]?.id });
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual(["Thinking…"]);

    await platform.postMessage(mentionTarget(fake, q.id), { markdown: "part 2" });
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual(["Thinking…", "part 2"]);
  });

  it("just posts when another process already created the thread (160004)", async () => {
    const q = question();
    await platform.postMessage(mentionTarget(fake, q.id), { markdown: "from worker 1" });
    const other = platformFor(fake, createCapturingLogger());
    await other.start();
    await other.postMessage(mentionTarget(fake, q.id), { markdown: "from worker 2" });
    const creations = fake.requestsTo("POST", /\/threads$/);
    expect(creations.map((r) => r.status)).toEqual([201, 400]);
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual(["from worker 1", "from worker 2"]);
    await other.stop();
  });

  it("a keyed post carries a nonce with enforce_nonce: posting it again returns the first message, and creates none", async () => {
    const q = question();
    const target = mentionTarget(fake, q.id, fake.ids.general, "How do I deploy?");
    const key = { turnId: "slack_T1_C1_1700000000_000100-a-long-turn-id", part: 0 };
    const first = await platform.postMessage(target, { markdown: "Thinking…" }, { key });
    const again = await platform.postMessage(target, { markdown: "Thinking…" }, { key });
    const other = await platform.postMessage(target, { markdown: "part two" }, { key: { ...key, part: 1 } });
    expect(again).toEqual(first);
    expect(other.messageId).not.toBe(first.messageId);
    expect(fake.botMessages(q.id).map((m) => m.content)).toEqual(["Thinking…", "part two"]);
    const bodies = fake.requestsTo("POST", /^\/channels\/\d+\/messages$/).map((r) => r.json as { nonce?: string; enforce_nonce?: boolean });
    expect(bodies.every((b) => b.enforce_nonce === true && typeof b.nonce === "string" && b.nonce.length <= 25)).toBe(true);
    expect(bodies[0]?.nonce).toBe(bodies[1]?.nonce);
    expect(bodies[2]?.nonce).not.toBe(bodies[0]?.nonce);
    // An unkeyed post carries no nonce: two posts, two messages.
    await platform.postMessage(target, { markdown: "plain" });
    await platform.postMessage(target, { markdown: "plain" });
    expect(fake.botMessages(q.id).filter((m) => m.content === "plain")).toHaveLength(2);
  });

  it("creates the thread once when typing and the placeholder race", async () => {
    const q = question();
    const target = mentionTarget(fake, q.id);
    await Promise.all([platform.sendTyping(target), platform.postMessage(target, { markdown: "…" })]);
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(fake.requestsTo("POST", new RegExp(`^/channels/${q.id}/typing$`))).toEqual([expect.objectContaining({ status: 204 })]);
  });

  it("edits the whole message, keeping a timestamped history, and removes buttons when the edit has none", async () => {
    const q = question();
    const ref = await platform.postMessage(mentionTarget(fake, q.id), {
      markdown: "Thinking…",
      buttons: [{ actionId: "stop", label: "Stop", style: "danger" }],
    });
    await platform.editMessage(ref, { markdown: "Hello", buttons: [{ actionId: "stop", label: "Stop", style: "danger" }] });
    await platform.editMessage(ref, { markdown: "Hello world", citations: [{ index: 1, title: "Guide", url: "https://docs.example.com" }] });

    const stored = fake.botMessages(q.id)[0]!;
    expect(stored.content).toBe("Hello world");
    expect(stored.components).toEqual([]);
    expect(stored.embeds).toEqual([{ title: "Sources", description: "1. [Guide](https://docs.example.com)" }]);
    expect(stored.edits.map((e) => [e.content, e.components.length])).toEqual([
      ["Hello", 1],
      ["Hello world", 0],
    ]);
    expect(stored.edits.every((e) => typeof e.at === "number" && e.at > 0)).toBe(true);
    expect(stored.allowedMentions).toEqual({ parse: [], replied_user: false });
  });

  it("never sends more than 2,000 characters", async () => {
    const q = question();
    const ref = await platform.postMessage(mentionTarget(fake, q.id), { markdown: "a".repeat(2_500) });
    await platform.editMessage(ref, { markdown: "b".repeat(4_000) });
    const sentContents = fake.requests.map((r) => (r.json as { content?: string } | undefined)?.content ?? "");
    expect(Math.max(...sentContents.map((c) => c.length))).toBe(2_000);
    expect(fake.requests.every((r) => r.status < 400)).toBe(true);
    expect(fake.botMessages(q.id)[0]?.content).toHaveLength(2_000);
    expect(logs.filter((l) => l.level === "warn" && /limits/.test(l.msg))).toHaveLength(2);
  });

  it("lays buttons out in rows of five and never pings anyone", async () => {
    const q = question();
    const buttons = Array.from({ length: 12 }, (_, i) => ({ actionId: `suggest:${i}`, label: `Suggestion ${i}` }));
    await platform.postMessage(mentionTarget(fake, q.id), { markdown: "@everyone look <@1500000000000000002>", buttons });
    const stored = fake.botMessages(q.id)[0]!;
    const rows = stored.components as Array<{ type: number; components: Array<{ custom_id: string }> }>;
    expect(rows.map((r) => r.components.length)).toEqual([5, 5, 2]);
    expect(rows.flatMap((r) => r.components.map((b) => b.custom_id))).toEqual(buttons.map((b) => b.actionId));
    expect(stored.allowedMentions).toEqual({ parse: [], replied_user: false });
  });

  it("posts into existing threads and DMs, and as a reply where threads are impossible", async () => {
    await platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "in thread" });
    const dm = fake.users.dmChannel(fake.ids.bob);
    await platform.postMessage({ platform: "discord", workspaceId: "@dm", channelId: dm }, { markdown: "in DM" });
    const v = fake.users.sendMessage({ channelId: fake.ids.voice, content: "<@1100000000000000001> hi" });
    await platform.postMessage(
      { platform: "discord", workspaceId: fake.ids.guild, channelId: fake.ids.voice, hints: { replyToMessage: v.id } },
      { markdown: "in voice chat" },
    );
    expect(fake.botMessages(fake.ids.existingThread).map((m) => m.content)).toEqual(["in thread"]);
    expect(fake.botMessages(dm).map((m) => m.content)).toEqual(["in DM"]);
    expect(fake.botMessages(fake.ids.voice)[0]).toMatchObject({ content: "in voice chat", type: 19, message_reference: { message_id: v.id } });
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(0);
  });

  it("answers in the channel when it may not create threads, naming the permission once", async () => {
    fake.failNext({ method: "POST", path: /\/threads$/, response: { status: 403, body: { code: 50013, message: "Missing Permissions" } } });
    const q = question();
    const ref = await platform.postMessage(mentionTarget(fake, q.id), { markdown: "answer" });
    await platform.postMessage(mentionTarget(fake, q.id), { markdown: "more" });
    expect(ref.channelId).toBe(fake.ids.general);
    expect(fake.botMessages(fake.ids.general).map((m) => [m.content, m.message_reference?.message_id])).toEqual([
      ["answer", q.id],
      ["more", q.id],
    ]);
    expect(fake.requestsTo("POST", /\/threads$/)).toHaveLength(1);
    expect(logs.filter((l) => l.level === "warn" && l.obj.permission === "Create Public Threads")).toHaveLength(1);
  });

  it("translates Discord's refusals into PlatformErrors", async () => {
    fake.failNext({ method: "POST", path: /\/messages$/, response: { status: 403, body: { code: 50013, message: "Missing Permissions" } } });
    const err = await platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformPermissionError);
    expect(err).toMatchObject({ action: "post message", scope: "Send Messages in Threads" });

    const missing = { platform: "discord" as const, workspaceId: fake.ids.guild, channelId: fake.ids.general, messageId: "1310000000000009999" };
    await expect(platform.editMessage(missing, { markdown: "x" })).rejects.toBeInstanceOf(PlatformNotFoundError);
  });

  it("deletes messages idempotently", async () => {
    const ref = await platform.postMessage(threadTarget(fake, fake.ids.existingThread), { markdown: "obsolete" });
    await platform.deleteMessage(ref);
    await platform.deleteMessage(ref);
    expect(fake.botMessages(fake.ids.existingThread)).toEqual([]);
    expect(fake.requestsTo("DELETE", /\/messages\/\d+$/).map((r) => r.status)).toEqual([204, 404]);
  });

  it("reads a thread's history oldest first, paging past 100 and unwrapping the starter", async () => {
    const starter = question("Shall we ship on Friday?");
    const thread = fake.users.createThread({ parentId: fake.ids.general, name: "Friday", fromMessageId: starter.id });
    for (let i = 1; i <= 120; i++) {
      fake.users.sendMessage({ channelId: thread.id, authorId: i % 2 ? fake.ids.alice : fake.ids.bob, content: `note ${i}` });
    }
    const last = fake.users.sendMessage({ channelId: thread.id, content: "<@1100000000000000001> what did we decide?" });
    const history = await platform.fetchThreadHistory(threadTarget(fake, thread.id), { beforeMessageId: last.id, limit: 150 });
    expect(history).toHaveLength(121);
    expect(history[0]).toEqual({ author: { userId: fake.ids.alice, displayName: "Alice" }, isBot: false, text: "Shall we ship on Friday?" });
    expect(history.at(-1)).toEqual({ author: { userId: fake.ids.bob, displayName: "Bob" }, isBot: false, text: "note 120" });
    expect(fake.requestsTo("GET", /\/messages$/).map((r) => r.query.limit)).toEqual(["100", "50"]);
    expect(await platform.fetchThreadHistory(mentionTarget(fake, starter.id), { beforeMessageId: starter.id, limit: 20 })).toEqual([]);
  });
});
