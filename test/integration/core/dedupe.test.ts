import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../../src/contracts/chat-platform.js";
import type { InboundMessage } from "../../../src/contracts/messages.js";
import { jobIdFrom } from "../../../src/queue/job-types.js";
import { DEDUPE_TTL_MS, DedupeStore } from "../../../src/state/dedupe-store.js";
import { createGate, scripts, steps } from "../../fakes/dify/index.js";
import { type BridgeHarness, eventually, startBridge } from "../../support/bridge-harness.js";
import { type TestRedis, testRedis } from "../../support/redis.js";

function messageOf(e: InboundEvent): InboundMessage {
  if (e.kind !== "message") throw new Error("not a message");
  return e.message;
}

describe("DedupeStore (real Redis)", () => {
  let t: TestRedis | undefined;
  afterEach(async () => t?.cleanup());

  it("says yes once per id, across processes, for a day; forget lets a redelivery through", async () => {
    t = await testRedis();
    const one = new DedupeStore(t.redis, t.key);
    const other = new DedupeStore(t.redis, t.key);
    expect(await one.markSeen("slack-T1-C1-1.0001")).toBe(true);
    expect(await other.markSeen("slack-T1-C1-1.0001")).toBe(false);
    expect(await one.markSeen("slack-T1-C1-1.0002")).toBe(true);
    expect(await t.redis.pttl(t.key("seen", "slack-T1-C1-1.0001"))).toBeGreaterThan(DEDUPE_TTL_MS - 60_000);
    await other.forget("slack-T1-C1-1.0001");
    expect(await one.markSeen("slack-T1-C1-1.0001")).toBe(true);
  });
});

/** The ingress dedupe on its own: BullMQ's job-id dedupe is taken out of the way, so only the store stands. */
describe("duplicate deliveries at the ingress", () => {
  let h: BridgeHarness;
  let queue: Queue | undefined;
  afterEach(async () => {
    await queue?.close();
    queue = undefined;
    await h?.close();
  });

  it("a message redelivered after its job is gone from BullMQ is still not answered again", async () => {
    h = await startBridge();
    h.dify.onChat(() => scripts.answer("Answered once."));
    queue = new Queue("replies", { connection: h.redis, prefix: h.prefix });
    const event = h.platform.message({ text: "Hello?" });
    const msg = messageOf(event);
    await h.platform.emit(event);
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: msg.messageId }) === "Answered once.");
    const jobId = jobIdFrom(msg.dedupeKey);
    await eventually(async () => (await (await queue?.getJob(jobId))?.getState()) === "completed");
    // BullMQ forgets completed jobs (removeOnComplete); a platform retry may arrive after that.
    await (await queue.getJob(jobId))?.remove();

    await h.platform.emit(event);
    // The delivery was decided when emit resolved: no job exists, so Dify can never be asked again.
    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await queue.getJobCounts("waiting", "delayed", "active", "completed")).toMatchObject({ waiting: 0, delayed: 0, active: 0, completed: 0 });
    expect((await h.bridge.metrics.eventsIgnored.get()).values).toContainEqual(
      expect.objectContaining({ labels: { platform: "slack", reason: "duplicate" }, value: 1 }),
    );
    expect(h.dify.chatRequests).toHaveLength(1);
    expect(h.platform.visibleMessages({ channelId: "C1", threadId: msg.messageId })).toHaveLength(1);
  });

  it("a button click delivered twice is handled once (clicks have no job to dedupe them)", async () => {
    h = await startBridge();
    const gate = createGate();
    h.dify.onChat(() => [steps.message("Working on it"), steps.waitFor(gate), ...scripts.answer(".")]);
    const msg = messageOf(h.platform.message({ text: "Go" }));
    await h.platform.emit({ kind: "message", message: msg });
    const placeholder = await eventually(() =>
      h.platform.visibleMessages({ channelId: "C1", threadId: msg.messageId }).find((m) => m.content.markdown === "Working on it"),
    );
    const stop = placeholder.content.buttons?.find((b) => b.label === "Stop")?.actionId ?? "";
    const click = h.platform.click(placeholder.ref, stop, { userId: "U2", displayName: "Bo" }, msg.conversationKey, msg.replyTarget);
    await h.platform.emit(click);
    await h.platform.emit(click);
    expect(h.platform.ephemerals.map((e) => e.text)).toEqual(["Only Ana can stop this answer."]);
    gate.open();
    await eventually(() => h.platform.visibleText({ channelId: "C1", threadId: msg.messageId }) === "Working on it.");
  });
});
