import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackPlatform } from "../../../adapters/slack/slack-platform.js";
import {
  PlatformAuthError,
  PlatformNotFoundError,
  PlatformPermissionError,
  PlatformRateLimitError,
  PlatformValidationError,
} from "../../../src/contracts/errors.js";
import type { ReplyTarget } from "../../../src/contracts/messages.js";
import { FakeSlackApi, slackTs } from "../../fakes/slack/index.js";
import { createCapturingLogger, slackConfigFor, startWorkerPlatform } from "./harness.js";

describe("Slack outbound messages (fake Web API)", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startWorkerPlatform>>;
  let target: ReplyTarget;
  let parentTs: string;

  beforeEach(async () => {
    fake = await FakeSlackApi.start({ users: [{ id: "U1", name: "alice", displayName: "Alice" }] });
    h = await startWorkerPlatform(fake);
    parentTs = fake.messages.add({ channel: "C1", user: "U1", text: "<@UBOT> explain", via: "user" }).ts;
    target = { platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: parentTs, hints: { recipientTeamId: "T0FAKE" } };
  });
  afterEach(async () => {
    await h.platform.stop();
    await fake.close();
  });

  it("posts Markdown in a markdown block, in the thread, with a plain-text fallback", async () => {
    const ref = await h.platform.postMessage(target, { markdown: "Thinking…" });
    expect(ref).toMatchObject({ platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: parentTs });
    const msg = fake.messages.get("C1", ref.messageId);
    expect(msg).toMatchObject({ threadTs: parentTs, markdown: "Thinking…", text: "Thinking…", user: "UBOT" });
    expect(msg?.blocks).toEqual([{ type: "markdown", text: "Thinking…" }]);
    expect(fake.callsTo("chat.postMessage")[0]?.args).toMatchObject({ unfurl_links: "false" });
  });

  it("edits to the final answer with sources and buttons, keeping every revision", async () => {
    const ref = await h.platform.postMessage(target, {
      markdown: "Thinking…",
      buttons: [{ actionId: "stop:1", label: "Stop", style: "danger" }],
    });
    await h.platform.editMessage(ref, { markdown: "## Answer\n\nPartial **bold**", buttons: [{ actionId: "stop:1", label: "Stop", style: "danger" }] });
    const final = "## Answer\n\nThe **full** answer with `code` & <angle> text.\n\n```ts\nconst x = 1;\n```";
    await h.platform.editMessage(ref, {
      markdown: final,
      citations: [
        { index: 1, title: "Handbook", url: "https://example.com/handbook" },
        { index: 2, title: "FAQ <v2>" },
      ],
      buttons: [
        { actionId: "suggest:0", label: "What else?" },
        { actionId: "suggest:1", label: "Tell me more", style: "primary" },
      ],
    });
    const msg = fake.messages.get("C1", ref.messageId);
    expect(msg?.markdown).toBe(final);
    expect(msg?.revisions.map((r) => r.via)).toEqual(["chat.postMessage", "chat.update", "chat.update"]);
    expect(msg?.blocks).toEqual([
      { type: "markdown", text: final },
      { type: "context", elements: [{ type: "mrkdwn", text: "*Sources:* [1] <https://example.com/handbook|Handbook> · [2] FAQ &lt;v2&gt;" }] },
      {
        type: "actions",
        elements: [
          { type: "button", action_id: "suggest:0", value: "suggest:0", text: { type: "plain_text", text: "What else?", emoji: true } },
          { type: "button", action_id: "suggest:1", value: "suggest:1", text: { type: "plain_text", text: "Tell me more", emoji: true }, style: "primary" },
        ],
      },
    ]);
    // The notification text is plain and escaped, well under chat.update's 4,000.
    expect(msg?.text).toBe("Answer\n\nThe full answer with code &amp; &lt;angle&gt; text.\n\nconst x = 1;");
  });

  it("refuses Markdown over Slack's limit without calling Slack", async () => {
    const ref = await h.platform.postMessage(target, { markdown: "x" });
    const calls = fake.calls.length;
    await expect(h.platform.editMessage(ref, { markdown: "a".repeat(12_001) })).rejects.toMatchObject({
      code: "PLATFORM_VALIDATION",
      reason: "too_long",
    });
    expect(fake.calls.length).toBe(calls);
    // What the core may send (maxMessageLength) always fits.
    await h.platform.editMessage(ref, { markdown: "b".repeat(h.platform.capabilities.maxMessageLength) });
    expect(fake.messages.get("C1", ref.messageId)?.markdown).toHaveLength(h.platform.capabilities.maxMessageLength);
  });

  it("deletes messages (twice is fine) and posts ephemeral notices", async () => {
    const ref = await h.platform.postMessage(target, { markdown: "placeholder" });
    await h.platform.deleteMessage?.(ref);
    await h.platform.deleteMessage?.(ref);
    expect(fake.messages.get("C1", ref.messageId)?.isDeleted).toBe(true);
    await h.platform.postEphemeral?.(target, "U1", "Slow down: try again in **20 s**.");
    expect(fake.messages.ephemerals).toEqual([
      expect.objectContaining({ channel: "C1", user: "U1", threadTs: parentTs, markdown: "Slow down: try again in **20 s**." }),
    ]);
  });

  it("reads the thread so far, oldest first, without the current message", async () => {
    const answer = await h.platform.postMessage(target, { markdown: "A long **Markdown** answer" });
    const follow = fake.messages.add({ channel: "C1", user: "U1", threadTs: parentTs, text: "thanks &amp; one more <@UBOT>", via: "user" });
    const current = fake.messages.add({ channel: "C1", user: "U1", threadTs: parentTs, text: "<@UBOT> current", via: "user" });
    fake.messages.add({ channel: "C1", user: "U1", threadTs: parentTs, text: "later", via: "user" });
    const history = await h.platform.fetchThreadHistory?.(target, { beforeMessageId: current.ts, limit: 10 });
    expect(history).toEqual([
      { author: { userId: "U1", displayName: "Alice" }, isBot: false, text: "explain" },
      { author: { userId: "UBOT", displayName: "fake-bot" }, isBot: true, text: "A long **Markdown** answer" },
      { author: { userId: "U1", displayName: "Alice" }, isBot: false, text: "thanks & one more" },
    ]);
    expect(answer.messageId).not.toBe(follow.ts);
    const lastTwo = await h.platform.fetchThreadHistory?.(target, { beforeMessageId: current.ts, limit: 2 });
    expect(lastTwo?.map((m) => m.text)).toEqual(["A long **Markdown** answer", "thanks & one more"]);
  });

  it("surfaces a 429 as PlatformRateLimitError with Slack's Retry-After", async () => {
    const ref = await h.platform.postMessage(target, { markdown: "x" });
    fake.failNext("chat.update", { kind: "rate_limited", retryAfterSec: 7 });
    const err = await h.platform.editMessage(ref, { markdown: "y" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformRateLimitError);
    expect((err as PlatformRateLimitError).retryAfterMs).toBe(7_000);
    // Rejected at once, not retried behind our back.
    expect(fake.callsTo("chat.update")).toHaveLength(1);
  });

  it("hits the fake's per-workspace chat.update tier like real Slack", async () => {
    fake.setTiers({ "chat.update": { limit: 3, windowMs: 60_000, scope: "workspace" } });
    const a = await h.platform.postMessage(target, { markdown: "a" });
    const b = await h.platform.postMessage({ ...target, channelId: "C2" }, { markdown: "b" });
    await h.platform.editMessage(a, { markdown: "a1" });
    await h.platform.editMessage(b, { markdown: "b1" });
    await h.platform.editMessage(a, { markdown: "a2" });
    const err = await h.platform.editMessage(b, { markdown: "b2" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformRateLimitError);
    expect((err as PlatformRateLimitError).retryAfterMs).toBeGreaterThan(0);
    expect(fake.rateLimitedCalls("chat.update")).toHaveLength(1);
    expect(fake.messages.get("C2", b.messageId)?.markdown).toBe("b1");
  });

  it("counts chat.postMessage per channel, as the fake models Slack's ~1/s per channel", async () => {
    fake.setTiers({ "chat.postMessage": { limit: 2, windowMs: 60_000, scope: "channel" } });
    await h.platform.postMessage(target, { markdown: "1" });
    await h.platform.postMessage(target, { markdown: "2" });
    await expect(h.platform.postMessage(target, { markdown: "3" })).rejects.toBeInstanceOf(PlatformRateLimitError);
    const elsewhere = await h.platform.postMessage({ ...target, channelId: "C2" }, { markdown: "other channel" });
    expect(fake.messages.get("C2", elsewhere.messageId)?.markdown).toBe("other channel");
    expect(fake.rateLimitedCalls()).toHaveLength(1);
  });

  it("translates Slack errors into the PlatformError family", async () => {
    const ref = await h.platform.postMessage(target, { markdown: "x" });
    const cases: Array<[string, Record<string, unknown>, unknown, Record<string, unknown>]> = [
      ["channel_not_found", {}, PlatformNotFoundError, {}],
      ["message_not_found", {}, PlatformNotFoundError, {}],
      ["missing_scope", { needed: "chat:write" }, PlatformPermissionError, { scope: "chat:write" }],
      ["invalid_auth", {}, PlatformAuthError, {}],
      ["msg_too_long", {}, PlatformValidationError, { reason: "too_long" }],
    ];
    for (const [error, extra, type, fields] of cases) {
      fake.failNext("chat.update", { kind: "error", error, extra });
      const err = await h.platform.editMessage(ref, { markdown: "y" }).catch((e: unknown) => e);
      expect(err, error).toBeInstanceOf(type as new () => Error);
      expect(err).toMatchObject({ platform: "slack", ...fields });
    }
    fake.failNext("chat.postMessage", { kind: "http", status: 503 });
    await expect(h.platform.postMessage(target, { markdown: "z" })).rejects.toMatchObject({ code: "PLATFORM_UNAVAILABLE" });
  });

  it("never logs the bot token", async () => {
    await h.platform.postMessage(target, { markdown: "x" });
    fake.failNext("chat.update", { kind: "error", error: "invalid_auth" });
    await h.platform.editMessage({ platform: "slack", workspaceId: "T0FAKE", channelId: "C1", messageId: slackTs() }, { markdown: "y" }).catch(() => {});
    expect(inspect(h.logger.entries, { depth: 12 })).not.toContain(fake.team.botToken);
  });
});

describe("Slack adapter start", () => {
  it("fails with PlatformAuthError when Slack rejects the token, and can be retried", async () => {
    const fake = await FakeSlackApi.start({ team: { botToken: "xoxb-the-real-one" } });
    try {
      const config = { ...slackConfigFor(fake), botToken: "xoxb-revoked" };
      const platform = new SlackPlatform(config, { logger: createCapturingLogger() });
      await expect(platform.start()).rejects.toBeInstanceOf(PlatformAuthError);
      expect(platform.isReady()).toBe(false);
      await expect(platform.start()).rejects.toBeInstanceOf(PlatformAuthError);
      expect(fake.callsTo("auth.test").map((c) => c.error)).toEqual(["invalid_auth", "invalid_auth"]);
    } finally {
      await fake.close();
    }
  });
});
