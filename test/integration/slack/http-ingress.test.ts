import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { FakeSlackApi, slackTs } from "../../fakes/slack/index.js";
import { startHttpPlatform } from "./harness.js";

const messages = (events: readonly InboundEvent[]): InboundMessage[] => events.flatMap((e) => (e.kind === "message" ? [e.message] : []));

describe("Slack HTTP Events API ingress (real Bolt, fake Slack)", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startHttpPlatform>>;

  beforeEach(async () => {
    fake = await FakeSlackApi.start({ users: [{ id: "U1", name: "alice", displayName: "Alice" }] });
    h = await startHttpPlatform(fake);
  });
  afterEach(async () => {
    await h.close();
    await fake.close();
  });

  it("learns the bot's identity with one auth.test and is ready", () => {
    expect(fake.callsTo("auth.test")).toHaveLength(1);
    expect(h.platform.isReady()).toBe(true);
    expect(h.platform.httpRoutes?.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /slack/events"]);
  });

  it("delivers a channel mention (sent as app_mention and message) with one dedupe key", async () => {
    const ts = slackTs();
    const [mention, message] = fake.payloads.mentionPair({ channel: "C1", user: "U1", ts, text: "<@UBOT> what is *new*?" });
    expect((await h.sender.sendEvent(mention)).status).toBe(200);
    expect((await h.sender.sendEvent(message)).status).toBe(200);

    const got = messages(h.captured.events);
    expect(got).toHaveLength(2);
    expect(got[0]?.dedupeKey).toBe(got[1]?.dedupeKey);
    expect(got[0]?.dedupeKey).not.toContain(":");
    expect(got[0]).toMatchObject({
      platform: "slack",
      messageId: ts,
      conversationKey: `slack:T0FAKE:C1:${ts}`,
      replyTarget: { platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: ts },
      author: { userId: "U1", displayName: "Alice" },
      text: "what is **new**?",
      isDirectMessage: false,
      mentionsBot: true,
      mentionsOthers: false,
      inExistingThread: false,
      attachments: [],
    });
    // The display name came from users.info, once (cached for the second copy).
    expect(fake.callsTo("users.info")).toHaveLength(1);
  });

  it("gives a redelivery (X-Slack-Retry-Num) the same dedupe key", async () => {
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> hi" });
    await h.sender.sendEvent(mention);
    const retry = await h.sender.sendEvent(mention, { retryNum: 1, retryReason: "http_timeout" });
    expect(retry.status).toBe(200);
    const got = messages(h.captured.events);
    expect(got.map((m) => m.dedupeKey)).toEqual([got[0]?.dedupeKey, got[0]?.dedupeKey]);
  });

  it("forwards direct messages and thread replies without a mention, drops plain channel chatter", async () => {
    const dm = fake.payloads.envelope(fake.payloads.message({ channel: "D1", user: "U1", channel_type: "im", text: "hello there" }));
    const parent = slackTs();
    const reply = fake.payloads.envelope(fake.payloads.message({ channel: "C1", user: "U1", thread_ts: parent, text: "and then?" }));
    const chatter = fake.payloads.envelope(fake.payloads.message({ channel: "C1", user: "U1", text: "lunch anyone?" }));
    for (const body of [dm, reply, chatter]) expect((await h.sender.sendEvent(body)).status).toBe(200);

    const got = messages(h.captured.events);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ isDirectMessage: true, mentionsBot: false, text: "hello there", replyTarget: { channelId: "D1" } });
    expect(got[1]).toMatchObject({
      isDirectMessage: false,
      mentionsBot: false,
      inExistingThread: true,
      conversationKey: `slack:T0FAKE:C1:${parent}`,
      replyTarget: { threadId: parent },
    });
  });

  it("carries files, and flags an audio clip labelled video/mp4 as an audio voice note", async () => {
    const doc = fake.hostFile({ name: "report.pdf", mimetype: "application/pdf", data: "%PDF-1.4" });
    const clip = fake.hostFile({
      name: "audio_message.mp4",
      mimetype: "video/mp4",
      data: Buffer.from([0, 0, 0, 24, 102, 116, 121, 112]),
      subtype: "slack_audio",
      mediaDisplayType: "audio",
    });
    const body = fake.payloads.envelope(
      fake.payloads.message({ channel: "D1", channel_type: "im", user: "U1", subtype: "file_share", text: "", files: [doc, clip] }),
    );
    expect((await h.sender.sendEvent(body)).status).toBe(200);
    const [msg] = messages(h.captured.events);
    expect(msg?.attachments).toEqual([
      { id: doc.id, name: "report.pdf", mimeType: "application/pdf", sizeBytes: 8, isVoiceNote: false, ref: doc.url_private_download },
      { id: clip.id, name: "audio_message.mp4", mimeType: "audio/mp4", sizeBytes: 8, isVoiceNote: true, ref: clip.url_private_download },
    ]);
  });

  it("ignores bots, itself, edits, deletions and other subtypes", async () => {
    const p = fake.payloads;
    const bodies = [
      p.message({ channel: "D1", channel_type: "im", user: "U2", bot_id: "BOTHER", text: "I am a bot" }),
      p.message({ channel: "D1", channel_type: "im", user: "UBOT", text: "my own reply" }),
      p.message({ channel: "D1", channel_type: "im", user: "UBOT", subtype: "bot_message", bot_id: "BBOT", text: "x" }),
      { type: "message", subtype: "message_changed", channel: "D1", channel_type: "im", hidden: true, ts: slackTs(), message: { text: "edited" } },
      { type: "message", subtype: "message_deleted", channel: "D1", channel_type: "im", hidden: true, ts: slackTs(), deleted_ts: "1.2" },
      p.message({ channel: "C1", user: "U1", subtype: "channel_join", text: "<@U1> has joined the channel" }),
    ];
    for (const event of bodies) expect((await h.sender.sendEvent(p.envelope(event))).status).toBe(200);
    // None reaches the core as a message; the ones dropped for a reason are only reported (operator console).
    expect(h.captured.events.filter((e) => e.kind !== "ignored")).toEqual([]);
  });

  it("maps 👍/👎 reactions (any skin tone) and marks the bot's own", async () => {
    const ts = slackTs();
    const p = fake.payloads;
    await h.sender.sendEvent(p.envelope(p.reaction(true, { user: "U1", reaction: "+1::skin-tone-3", channel: "C1", ts })));
    await h.sender.sendEvent(p.envelope(p.reaction(false, { user: "U1", reaction: "thumbsdown", channel: "C1", ts })));
    await h.sender.sendEvent(p.envelope(p.reaction(true, { user: "U1", reaction: "tada", channel: "C1", ts })));
    await h.sender.sendEvent(p.envelope(p.reaction(true, { user: "UBOT", reaction: "+1", channel: "C1", ts })));
    const reactions = h.captured.events.flatMap((e) => (e.kind === "reaction" ? [e.reaction] : []));
    expect(reactions.map((r) => [r.reaction, r.added, r.isBot, r.rawEmoji])).toEqual([
      ["thumbs_up", true, false, "+1::skin-tone-3"],
      ["thumbs_down", false, false, "thumbsdown"],
      [null, true, false, "tada"],
      ["thumbs_up", true, true, "+1"],
    ]);
    expect(reactions[0]?.messageRef).toEqual({ platform: "slack", workspaceId: "T0FAKE", channelId: "C1", messageId: ts });
  });

  it("turns a button click (block_actions) into an action", async () => {
    const parent = slackTs();
    const answer = slackTs();
    const click = fake.payloads.blockActions({ user: "U1", channel: "C1", messageTs: answer, threadTs: parent, actionId: "stop:job-42" });
    const res = await h.sender.sendInteraction(click);
    expect(res.status).toBe(200);
    const [ev] = h.captured.events;
    expect(ev?.kind).toBe("action");
    expect(ev?.kind === "action" && ev.action).toMatchObject({
      actionId: "stop:job-42",
      user: { userId: "U1", displayName: "Alice" },
      messageRef: { channelId: "C1", messageId: answer, threadId: parent },
      conversationKey: `slack:T0FAKE:C1:${parent}`,
    });
    expect(ev?.kind === "action" && ev.action.dedupeKey).not.toContain(":");
  });

  it("acknowledges only after the sink resolved", async () => {
    await h.close();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const sinkEntered = new Promise<void>((r) => {
      entered = r;
    });
    h = await startHttpPlatform(fake, {
      sink: async () => {
        order.push("sink entered");
        entered();
        await gate;
        order.push("sink resolved");
      },
    });
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> slow queue" });
    const response = h.sender.sendEvent(mention).then((r) => {
      order.push(`response ${r.status}`);
    });
    await sinkEntered;
    await new Promise((r) => setTimeout(r, 100));
    release();
    await response;
    expect(order).toEqual(["sink entered", "sink resolved", "response 200"]);
  });

  it("answers 500 when the sink fails, so Slack retries, and accepts the retry", async () => {
    h.captured.failNext(new Error("redis down"));
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> are you there?" });
    const first = await h.sender.sendEvent(mention);
    expect(first.status).toBe(500);
    expect(h.captured.events).toEqual([]);
    const retry = await h.sender.sendEvent(mention, { retryNum: 1, retryReason: "http_error" });
    expect(retry.status).toBe(200);
    expect(messages(h.captured.events)).toHaveLength(1);
    expect(h.logger.entries.some((e) => e.level === "warn" && /not acknowledged/.test(e.msg ?? ""))).toBe(true);
  });

  it("rejects a bad signature and answers url_verification", async () => {
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> forged" });
    expect((await h.sender.sendEvent(mention, { signingSecret: "wrong-secret" })).status).toBe(401);
    expect(h.captured.events).toEqual([]);
    const verify = await h.sender.sendEvent({ type: "url_verification", token: "t", challenge: "abc123" });
    expect(verify.status).toBe(200);
    expect(JSON.parse(verify.body)).toEqual({ challenge: "abc123" });
  });

  it("refuses signed requests dated more than 5 minutes away from now, in either direction; accepts a clock 4 minutes ahead", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [future] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> from the future" });
    expect((await h.sender.sendEvent(future, { timestamp: now + 10 * 60 })).status).toBe(401);
    const [stale] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> from the past" });
    expect((await h.sender.sendEvent(stale, { timestamp: now - 10 * 60 })).status).toBe(401);
    const [click] = [fake.payloads.blockActions({ user: "U1", userName: "u1", channel: "C1", messageTs: slackTs(), actionId: "db|s|t1|0" })];
    expect((await h.sender.sendInteraction(click, { timestamp: now + 10 * 60 })).status).toBe(401);
    expect(h.captured.events).toEqual([]);
    const [skewed] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> slightly ahead" });
    expect((await h.sender.sendEvent(skewed, { timestamp: now + 4 * 60 })).status).toBe(200);
    expect(messages(h.captured.events).map((m) => m.text)).toEqual(["slightly ahead"]);
  });

  it("answers 503 after stop so Slack delivers elsewhere or later", async () => {
    await h.platform.stop();
    expect(h.platform.isReady()).toBe(false);
    const [mention] = fake.payloads.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> late" });
    expect((await h.sender.sendEvent(mention)).status).toBe(503);
  });
});

describe("Slack HTTP ingress with an allow-list and missing scopes", () => {
  it("drops channels outside SLACK_ALLOWED_CHANNELS, keeps DMs, and names every missing scope", async () => {
    const fake = await FakeSlackApi.start({ team: { scopes: ["chat:write", "app_mentions:read", "channels:history", "im:history"] } });
    const h = await startHttpPlatform(fake, { env: { SLACK_ALLOWED_CHANNELS: "C1" } });
    try {
      const p = fake.payloads;
      await h.sender.sendEvent(p.mentionPair({ channel: "C2", user: "U1", text: "<@UBOT> outside" })[0]);
      await h.sender.sendEvent(p.mentionPair({ channel: "C1", user: "U1", text: "<@UBOT> inside" })[0]);
      await h.sender.sendEvent(p.envelope(p.message({ channel: "D9", channel_type: "im", user: "U1", text: "dm" })));
      expect(messages(h.captured.events).map((m) => m.text)).toEqual(["inside", "dm"]);

      const missing = h.logger.entries.filter((e) => e.level === "warn" && /lacks the/.test(e.msg ?? "")).map((e) => e.obj.scope);
      expect(missing).toEqual([
        "groups:history",
        "mpim:history",
        "reactions:read",
        "files:read",
        "files:write",
        "users:read",
        "commands",
        "assistant:write",
        "im:write",
      ]);
      // Without users:read the first lookup fails once and names stay ids from then on.
      expect(fake.callsTo("users.info")).toHaveLength(1);
      expect(messages(h.captured.events)[0]?.author).toEqual({ userId: "U1", displayName: "U1" });
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
