import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlatformValidationError } from "../../../src/contracts/errors.js";
import type { MessageRef, ReplyTarget } from "../../../src/contracts/messages.js";
import { FakeSlackApi } from "../../fakes/slack/index.js";
import { startWorkerPlatform } from "./harness.js";

describe("Slack native streaming (chat.startStream / appendStream / stopStream)", () => {
  let fake: FakeSlackApi;
  let h: Awaited<ReturnType<typeof startWorkerPlatform>>;
  let target: ReplyTarget;
  let placeholder: MessageRef;

  beforeEach(async () => {
    fake = await FakeSlackApi.start();
    h = await startWorkerPlatform(fake);
    const parent = fake.messages.add({ channel: "C1", user: "U1", text: "<@UBOT> stream please", via: "user" }).ts;
    target = { platform: "slack", workspaceId: "T0FAKE", channelId: "C1", threadId: parent, hints: { channelType: "channel", recipientTeamId: "T0USER" } };
    placeholder = await h.platform.postMessage(target, { markdown: "Thinking…", buttons: [{ actionId: "stop:1", label: "Stop", style: "danger" }] });
  });
  afterEach(async () => {
    await h.platform.stop();
    await fake.close();
  });

  it("is offered in auto mode by default", () => {
    expect(h.platform.streaming?.mode).toBe("auto");
  });

  it("streams the answer, keeps the Stop placeholder meanwhile, then finishes and removes it", async () => {
    const streaming = h.platform.streaming;
    if (!streaming) throw new Error("streaming expected");
    const ref = await streaming.start(target, "Hel", { placeholder, askerUserId: "U1" });
    expect(fake.callsTo("chat.startStream")[0]?.args).toMatchObject({
      channel: "C1",
      thread_ts: target.threadId,
      markdown_text: "Hel",
      recipient_user_id: "U1",
      recipient_team_id: "T0USER",
    });
    expect(fake.messages.get("C1", ref.messageId)).toMatchObject({ stream: "streaming", markdown: "Hel", threadTs: target.threadId });
    expect(fake.messages.get("C1", placeholder.messageId)?.isDeleted).toBe(false);

    await streaming.append(ref, "lo, **wor");
    await streaming.append(ref, "");
    // A streaming message cannot be edited: Slack answers streaming_state_conflict.
    await expect(h.platform.editMessage(ref, { markdown: "nope" })).rejects.toBeInstanceOf(PlatformValidationError);

    await streaming.stop(
      ref,
      {
        markdownDelta: "ld**!",
        content: {
          markdown: "Hello, **world**!",
          citations: [{ index: 1, title: "Doc", url: "https://example.com/doc" }],
          buttons: [{ actionId: "suggest:0", label: "More?" }],
        },
      },
      { placeholder },
    );
    const msg = fake.messages.get("C1", ref.messageId);
    expect(msg).toMatchObject({ stream: "stopped", markdown: "Hello, **world**!" });
    expect(msg?.blocks.map((b) => (b as { type: string }).type)).toEqual(["context", "actions"]);
    expect(msg?.revisions.map((r) => r.via)).toEqual(["chat.startStream", "chat.appendStream", "chat.stopStream"]);
    expect(fake.messages.get("C1", placeholder.messageId)?.isDeleted).toBe(true);
    // What the user sees in the thread now: their question and the answer.
    expect(fake.messages.thread("C1", target.threadId as string).map((m) => m.markdown || m.text)).toEqual(["<@UBOT> stream please", "Hello, **world**!"]);
  });

  it("reports an append after the stream ended as a PlatformError (the core falls back to edits)", async () => {
    const streaming = h.platform.streaming;
    if (!streaming) throw new Error("streaming expected");
    const ref = await streaming.start(target, "Hi", { placeholder, askerUserId: "U1" });
    await streaming.stop(ref, { markdownDelta: "", content: { markdown: "Hi" } }, { placeholder });
    const err = await streaming.append(ref, " again").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect(fake.callsTo("chat.appendStream").at(-1)?.error).toBe("message_not_in_streaming_state");
  });

  it("translates a startStream 429 and leaves nothing behind", async () => {
    const streaming = h.platform.streaming;
    if (!streaming) throw new Error("streaming expected");
    fake.failNext("chat.startStream", { kind: "rate_limited", retryAfterSec: 3 });
    await expect(streaming.start(target, "Hi", { placeholder, askerUserId: "U1" })).rejects.toMatchObject({
      code: "PLATFORM_RATE_LIMITED",
      retryAfterMs: 3_000,
    });
    expect(fake.messages.thread("C1", target.threadId as string)).toHaveLength(2);
  });
});

describe("SLACK_STREAMING", () => {
  it("edit turns native streaming off; native asks for it whenever budgets allow", async () => {
    const fake = await FakeSlackApi.start();
    try {
      const edit = await startWorkerPlatform(fake, { env: { SLACK_STREAMING: "edit" } });
      const native = await startWorkerPlatform(fake, { env: { SLACK_STREAMING: "native" } });
      expect(edit.platform.streaming).toBeUndefined();
      expect(native.platform.streaming?.mode).toBe("native");
      await edit.platform.stop();
      await native.platform.stop();
    } finally {
      await fake.close();
    }
  });
});
