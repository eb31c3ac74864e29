import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import { PlatformError, PlatformPermissionError } from "../../../src/contracts/errors.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { jobIdFrom } from "../../../src/queue/job-types.js";
import { scripts } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";

function messageOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

describe("a placeholder the platform will not take", () => {
  let h: BridgeHarness;
  let queue: Queue | undefined;
  afterEach(async () => {
    await queue?.close();
    queue = undefined;
    await h?.close();
  });

  const jobOf = async (msg: InboundMessage) => {
    queue ??= new Queue("replies", { connection: h.redis, prefix: h.prefix });
    return queue.getJob(jobIdFrom(msg.dedupeKey));
  };

  it("a missing permission: one attempt, the job fails for good (no retries), the asker is told privately, one log line", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("Never asked."));
    h.platform.failNext("post", new PlatformPermissionError("slack", "chat.postMessage", "chat:write"));
    const msg = messageOf(h.platform.message({ text: "Are you there?" }));
    await h.platform.emit({ kind: "message", message: msg });

    // Failed, not waiting for a retry: BullMQ was told the error is unrecoverable (5 attempts are configured).
    const job = await eventually(async () => {
      const j = await jobOf(msg);
      return j && (await j.getState()) === "failed" ? j : undefined;
    }, 8_000);
    expect(job.failedReason).toMatch(/^PLATFORM_PERMISSION: /);
    expect(job.attemptsMade).toBe(1);
    expect(h.platform.ops.filter((o) => o.op === "post")).toHaveLength(1);
    expect(h.platform.visibleMessages({ channelId: "C1" })).toEqual([]);
    expect(h.dify.chatRequests).toEqual([]);
    expect(h.platform.ephemerals).toEqual([
      { userId: "U1", text: "⚠️ I can't reply here: I'm missing a permission (chat:write). Ask an admin to grant it.", target: msg.replyTarget },
    ]);
    const errors = h.logs.filter((l) => l.level === "error" || l.level === "warn");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: "error", msg: "job failed", obj: { code: "PLATFORM_PERMISSION", permanent: true, userNotified: true } });
  });

  it("the thread is not left blocked: the next message in it is answered", async () => {
    h = await startBridge();
    h.dify.onChat((turn) => scripts.answer(`Answer to ${turn.query}`));
    h.platform.failNext("post", new PlatformPermissionError("slack", "chat.postMessage", "chat:write"));
    const first = messageOf(h.platform.message({ text: "Q1" }));
    await h.platform.emit({ kind: "message", message: first });
    await eventually(async () => (await (await jobOf(first))?.getState()) === "failed", 8_000);
    // The permission was granted meanwhile.
    await h.platform.emit(h.platform.message({ text: "Q2", threadId: first.messageId }));
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: first.messageId }) === "Answer to Q2");
  });

  it("an outage is waited out: the placeholder is posted again and the answer arrives", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("Here after all."));
    h.platform.failNext("post", new PlatformError("slack", "chat.postMessage: HTTP 503"));
    const msg = messageOf(h.platform.message({ text: "Hello?" }));
    await h.platform.emit({ kind: "message", message: msg });
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: msg.messageId }) === "Here after all.");
    expect(h.platform.ops.filter((o) => o.op === "post")).toHaveLength(2);
    expect(h.platform.ephemerals).toEqual([]);
    expect(h.dify.chatRequests).toHaveLength(1);
  });
});
