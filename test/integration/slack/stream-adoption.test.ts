import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlatformRateLimitError } from "../../../src/contracts/errors.js";
import type { ReplyTarget } from "../../../src/contracts/messages.js";
import { FakeSlackApi } from "../../fakes/slack/index.js";
import { startWorkerPlatform } from "./harness.js";

/**
 * A stream carries no key until it is stopped (chat.startStream takes no metadata): a recovered job that never
 * recorded its stream's ts finds it in the thread as this bot's unkeyed reply after the question, stops it with
 * the turn's key and answers in it. Real @slack/web-api calls against the fake Slack.
 */
describe("Slack: finding the stream an interrupted run started", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startWorkerPlatform>>;
  let target: ReplyTarget;
  let question: string;

  const setUp = async (opts: Parameters<typeof FakeSlackApi.start>[0] = {}) => {
    fake = await FakeSlackApi.start(opts);
    h = await startWorkerPlatform(fake);
    const root = fake.messages.add({ channel: "C1", user: "U1", text: "<@UBOT> first question", via: "user" }).ts;
    target = { platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: root, hints: { channelType: "channel", recipientTeamId: "T0FAKE" } };
    question = root;
  };
  const bot = () => ({ user: fake.team.botUserId, botId: fake.team.botId, channel: "C1", threadTs: target.threadId as string });
  const adopt = (turnId: string) => {
    const fn = h.platform.streaming?.adoptInterrupted;
    if (!fn) throw new Error("adoptInterrupted expected");
    return fn(target, { turnId, afterMessageId: question });
  };

  afterEach(async () => {
    await h.platform.stop();
    await fake.close();
  });

  describe("with Slack's usual limits", () => {
    beforeEach(() => setUp());

    it("a stream stopped with the turn's key is found by that key afterwards", async () => {
      const streaming = h.platform.streaming;
      if (!streaming) throw new Error("streaming expected");
      const ref = await streaming.start(target, "Hel", { askerUserId: "U1" });
      await streaming.stop(ref, { markdownDelta: "lo", content: { markdown: "Hello" } }, { key: { turnId: "turn-1", part: 0 } });
      const found = await h.platform.findPostedMessages(target, "turn-1");
      expect(found.map((p) => [p.ref.messageId, p.key.part])).toEqual([[ref.messageId, 0]]);
    });

    it("adopts the open stream after the question: stopped with the turn's key, then editable", async () => {
      const streaming = h.platform.streaming;
      if (!streaming) throw new Error("streaming expected");
      const ref = await streaming.start(target, "partial answ", { askerUserId: "U1" });
      const adopted = await adopt("turn-2");
      expect(adopted?.messageId).toBe(ref.messageId);
      const msg = fake.messages.get("C1", ref.messageId);
      expect(msg?.stream).toBe("stopped");
      expect(msg?.metadata).toEqual({ event_type: "dify_bridge_reply", event_payload: { turn_id: "turn-2", part: 0 } });
      await h.platform.editMessage(ref, { markdown: "The whole answer." });
      expect(fake.messages.thread("C1", target.threadId as string).filter((m) => m.botId)).toHaveLength(1);
      expect(fake.messages.get("C1", ref.messageId)?.markdown).toBe("The whole answer.");
      // A second look finds it by its key now, and leaves it alone.
      expect((await adopt("turn-2"))?.messageId).toBe(ref.messageId);
      expect(fake.callsTo("chat.stopStream")).toHaveLength(1);
    });

    it("an ended stream (Slack closed it) is adopted without a stop", async () => {
      const streaming = h.platform.streaming;
      if (!streaming) throw new Error("streaming expected");
      const ref = await streaming.start(target, "partial", { askerUserId: "U1" });
      const msg = fake.messages.get("C1", ref.messageId);
      if (msg) msg.stream = "stopped";
      expect((await adopt("turn-3"))?.messageId).toBe(ref.messageId);
      expect(fake.callsTo("chat.stopStream").at(-1)?.error).toBe("message_not_in_streaming_state");
    });

    it("leaves other turns' messages, files, and anything before the question alone", async () => {
      const b = bot();
      fake.messages.add({ channel: "C1", threadTs: b.threadTs, user: b.user, botId: b.botId, text: "before", via: "chat.postMessage" });
      question = fake.messages.add({ channel: "C1", threadTs: b.threadTs, user: "U1", text: "second question", via: "user" }).ts;
      fake.messages.add({
        channel: "C1",
        threadTs: b.threadTs,
        user: b.user,
        botId: b.botId,
        text: "earlier turn",
        metadata: { event_type: "dify_bridge_reply", event_payload: { turn_id: "other", part: 0 } },
        via: "chat.postMessage",
      });
      fake.messages.add({
        channel: "C1",
        threadTs: b.threadTs,
        user: b.user,
        botId: b.botId,
        text: "",
        files: [{ id: "F1", name: "a.txt", title: "a.txt", mimetype: "text/plain", data: Buffer.from("a") }],
        via: "files.completeUploadExternal",
      });
      fake.messages.add({ channel: "C1", threadTs: b.threadTs, user: "U2", text: "someone else", via: "user" });
      expect(await adopt("turn-4")).toBeUndefined();
      expect(fake.callsTo("chat.stopStream")).toHaveLength(0);
    });
  });

  it("outside the Marketplace: a refused read is a rate limit, and the next one waits for it without calling Slack", async () => {
    await setUp({ historyLimits: "non_marketplace" });
    await h.platform.fetchThreadHistory(target, { beforeMessageId: fake.messages.nextTs(), limit: 10 });
    const first = await adopt("turn-5").catch((e: unknown) => e);
    expect(first).toBeInstanceOf(PlatformRateLimitError);
    const calls = fake.callsTo("conversations.replies").length;
    const second = await adopt("turn-5").catch((e: unknown) => e);
    expect(second).toBeInstanceOf(PlatformRateLimitError);
    expect((second as PlatformRateLimitError).retryAfterMs).toBeGreaterThan(0);
    expect(fake.callsTo("conversations.replies")).toHaveLength(calls);
  });
});
